"""Launching, following and stopping jobs on the real Slurm test cluster through hpcsim."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment, Status
from hpcsim.control.store import JobStore, has_store, store_path
from hpcsim.errors import SubmitError

from ..conftest import APPS, default_sigint

REPORT = str(APPS / "report.py")
WAIT_FOR = str(APPS / "wait_for.sh")


@pytest.fixture
def sexp(slurm_cluster: Any, tmp_path: Path) -> Any:
    """A Slurm experiment whose unfinished jobs are cancelled at the end."""
    experiment = Experiment("slurm-exp", exp_path=tmp_path / "exp", launcher="slurm")
    yield experiment
    if experiment._launched:
        experiment.stop(*experiment._launched)


def _output(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def _wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def test_sbatch_model_completes_with_output_in_entity_dir(sexp: Experiment, python_exe: str) -> None:
    rs = sexp.create_run_settings(python_exe, [REPORT, "hello"])
    model = sexp.create_model("hello", rs, batch_settings=sexp.create_batch_settings(nodes=1, time="00:05:00"))
    sexp.start(model)
    [record] = sexp.summary_data()
    assert (record["status"], record["exit_code"]) == ("COMPLETED", 0)
    out = _output(Path(model.path) / "hello.out")
    assert out["argv"] == ["hello"]
    assert out["slurm"]["SLURM_JOB_ID"] == record["job_id"]
    assert (Path(model.path) / "hello.err").read_text() == "to stderr\n"


def test_model_without_batch_settings_outside_an_allocation_is_a_batch_job(
    sexp: Experiment, python_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    model = sexp.create_model("plain", sexp.create_run_settings(python_exe, [REPORT]))
    sexp.start(model)
    assert sexp.get_status(model) == [Status.COMPLETED]
    assert _output(Path(model.path) / "plain.out")["slurm"]["SLURM_JOB_ID"]


def test_failing_app_is_failed_with_its_exit_code(sexp: Experiment, python_exe: str) -> None:
    model = sexp.create_model("fails", sexp.create_run_settings(python_exe, [REPORT, "--exit=7"]))
    sexp.start(model)
    [record] = sexp.summary_data()
    assert (record["status"], record["exit_code"]) == ("FAILED", 7)


def test_stop_cancels_a_running_job(sexp: Experiment, tmp_path: Path) -> None:
    model = sexp.create_model("waits", sexp.create_run_settings(WAIT_FOR, [str(tmp_path / "never")]))
    sexp.start(model, block=False)
    _wait_until(lambda: sexp.get_status(model) == [Status.RUNNING], 30, "the job to run")
    sexp.stop(model)
    assert sexp.get_status(model) == [Status.CANCELLED]
    job_id = sexp.summary_data()[0]["job_id"]
    state = subprocess.run(["squeue", "-h", "-t", "all", "-j", job_id, "-o", "%T"], capture_output=True, text=True)
    assert state.stdout.strip() == "CANCELLED"


def test_three_node_job_sees_three_hosts(sexp: Experiment, python_exe: str) -> None:
    rs = sexp.create_run_settings(python_exe, [REPORT], run_args={"nodes": 3, "ntasks-per-node": 1})
    model = sexp.create_model("wide", rs, batch_settings=sexp.create_batch_settings(nodes=3, time="00:05:00"))
    sexp.start(model)
    assert sexp.get_status(model) == [Status.COMPLETED]
    lines = (Path(model.path) / "wide.out").read_text().splitlines()
    assert len({json.loads(line)["host"] for line in lines}) == 3


def test_batch_ensemble_reports_every_member(sexp: Experiment, python_exe: str) -> None:
    rs = sexp.create_run_settings(python_exe, [REPORT], run_args={"nodes": 1, "ntasks": 1})
    ens = sexp.create_ensemble(
        "six",
        params={"code": [0, 0, 0, 5, 0, 0]},
        run_settings=rs,
        batch_settings=sexp.create_batch_settings(nodes=3, time="00:05:00"),
    )
    for member in ens.models:
        member.run_settings.add_exe_args(f"--exit={member.params['code']}")
    sexp.start(ens)
    statuses = dict(zip([m.name for m in ens.models], sexp.get_status(ens), strict=True))
    assert statuses == {f"six_{i}": Status.FAILED if i == 3 else Status.COMPLETED for i in range(6)}
    rows = {r["name"]: r for r in sexp.summary_data()}
    assert rows["six_3"]["exit_code"] == 5
    assert rows["six"]["status"] == "FAILED"
    assert {rows[f"six_{i}"]["job_id"] for i in range(6)} == {rows["six"]["job_id"]}
    hosts = {_output(Path(m.path) / f"{m.name}.out")["host"] for m in ens.models}
    assert len(hosts) > 1


def test_batch_ensemble_members_wait_for_a_slot_and_fail_while_their_job_runs(sexp: Experiment, tmp_path: Path) -> None:
    # one member at a time: the second waits for a slot; the first fails while the job runs on
    go = [tmp_path / "go_0", tmp_path / "go_1"]
    rs = sexp.create_run_settings(WAIT_FOR, run_args={"nodes": 1, "ntasks": 1})
    ens = sexp.create_ensemble(
        "turns",
        replicas=2,
        run_settings=rs,
        batch_settings=sexp.create_batch_settings(nodes=1, time="00:05:00"),
        max_concurrent=1,
    )
    first, second = ens.models
    first.run_settings.add_exe_args([str(go[0]), "3"])
    second.run_settings.add_exe_args([str(go[1])])
    sexp.start(ens, block=False)

    _wait_until(lambda: sexp.get_status(first) == [Status.RUNNING], 60, "the first member to run")
    assert sexp.get_status(second) == [Status.QUEUED]
    assert _rows(sexp)["turns_1"]["reason"] == "waiting for a free slot in its job"
    go[0].touch()
    _wait_until(lambda: sexp.get_status(first) == [Status.FAILED], 60, "the first member to fail")
    assert sexp.get_status(second) == [Status.RUNNING]
    rows = _rows(sexp)
    assert rows["turns"]["status"] == "RUNNING"  # the job runs on with the second member
    assert rows["turns_0"]["exit_code"] == 3
    go[1].touch()
    _wait_until(lambda: sexp.finished(ens), 60, "the job to end")
    assert sexp.get_status(ens) == [Status.FAILED, Status.COMPLETED]


def _rows(exp: Experiment) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in exp.summary_data()}


def test_ensemble_as_job_array_reports_tasks(sexp: Experiment, python_exe: str) -> None:
    rs = sexp.create_run_settings(python_exe, [REPORT])
    ens = sexp.create_ensemble(
        "arr",
        params={"code": [0, 4, 0]},
        run_settings=rs,
        batch_settings=sexp.create_batch_settings(nodes=1, time="00:05:00"),
        array=True,
    )
    for member in ens.models:
        member.run_settings.add_exe_args(f"--exit={member.params['code']}")
    sexp.start(ens)
    assert sexp.get_status(ens) == [Status.COMPLETED, Status.FAILED, Status.COMPLETED]
    rows = {r["name"]: r for r in sexp.summary_data()}
    job = rows["arr"]["job_id"]
    assert [rows[f"arr_{i}"]["job_id"] for i in range(3)] == [f"{job}_{i}" for i in range(3)]
    assert rows["arr_1"]["exit_code"] == 4
    assert rows["arr"]["status"] == "FAILED"


def test_time_limit_exceeded_is_timeout(sexp: Experiment, tmp_path: Path) -> None:
    rs = sexp.create_run_settings(WAIT_FOR, [str(tmp_path / "never")])
    model = sexp.create_model("slow", rs, batch_settings=sexp.create_batch_settings(time="00:01:00"))
    sexp.start(model)
    [record] = sexp.summary_data()
    assert record["status"] == "TIMEOUT"


def test_unknown_partition_is_a_submit_error_and_nothing_runs(sexp: Experiment, python_exe: str) -> None:
    batch = sexp.create_batch_settings(queue="nosuchpartition")
    model = sexp.create_model("lost", sexp.create_run_settings(python_exe, [REPORT]), batch_settings=batch)
    with pytest.raises(SubmitError, match="invalid partition specified") as caught:
        sexp.start(model)
    assert caught.value.returncode == 1
    assert caught.value.argv[0] == "sbatch"
    assert sexp.summary_data() == []


def test_impossible_request_is_a_submit_error(sexp: Experiment, python_exe: str) -> None:
    batch = sexp.create_batch_settings(nodes=40)
    model = sexp.create_model("huge", sexp.create_run_settings(python_exe, [REPORT]), batch_settings=batch)
    with pytest.raises(SubmitError, match="More processors requested than permitted"):
        sexp.start(model)
    assert sexp.summary_data() == []


def test_unknown_account_is_a_submit_error(slurm_cluster: Any, sexp: Experiment, python_exe: str) -> None:
    if not slurm_cluster.accounting:
        pytest.fail("the cluster runs without accounting; start it with HPCSIM_CLUSTER_ACCOUNTING=1")
    batch = sexp.create_batch_settings(account="nosuchaccount")
    model = sexp.create_model("acct", sexp.create_run_settings(python_exe, [REPORT]), batch_settings=batch)
    with pytest.raises(SubmitError, match="Invalid account"):
        sexp.start(model)
    assert sexp.summary_data() == []


DRIVER = textwrap.dedent(
    """
    import sys
    from hpcsim import Experiment, log_to_console
    log_to_console()
    exp = Experiment("killed", exp_path=sys.argv[1], launcher="slurm")
    rs = exp.create_run_settings({wait_for!r}, [sys.argv[2]])
    ens = exp.create_ensemble("ens", run_settings=rs, replicas=3)
    exp.start(ens, block=True)
    """
)


def test_killed_driver_jobs_are_followed_by_load_and_cli(slurm_cluster: Any, tmp_path: Path) -> None:
    exp_path, go = tmp_path / "exp", tmp_path / "go"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(wait_for=WAIT_FOR))
    proc = subprocess.Popen([sys.executable, str(driver), str(exp_path), str(go)])
    try:

        def running() -> bool:
            if not has_store(exp_path):
                return False
            records = JobStore(store_path(exp_path), create=False).all_runs()
            return len(records) == 3

        _wait_until(running, 60, "the driver to submit 3 jobs")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    loaded = Experiment.load(exp_path)
    assert all(s in (Status.QUEUED, Status.RUNNING) for s in loaded.get_status("ens_0", "ens_1", "ens_2"))
    go.touch()
    loaded.poll(interval=1)
    assert loaded.get_status("ens_0", "ens_1", "ens_2") == [Status.COMPLETED] * 3
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "hpcsim"), "status", str(exp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.count("COMPLETED") == 3


def test_srun_step_inside_an_allocation(slurm_cluster: Any, tmp_path: Path) -> None:
    """A driver running inside sbatch launches a model without batch settings as a step."""
    driver = tmp_path / "driver.py"
    driver.write_text(
        textwrap.dedent(
            f"""
            from hpcsim import Experiment
            exp = Experiment("inside", exp_path={str(tmp_path / "exp")!r}, launcher="slurm")
            rs = exp.create_run_settings({sys.executable!r}, [{REPORT!r}], run_args={{"ntasks": 2}})
            model = exp.create_model("step", rs)
            exp.start(model)
            print(exp.get_status(model)[0])
            """
        )
    )
    job = subprocess.run(
        ["sbatch", "--wait", "-N2", "-o", str(tmp_path / "driver.out"), "--wrap", f"{sys.executable} {driver}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert job.returncode == 0, (job.stderr, (tmp_path / "driver.out").read_text())
    assert (tmp_path / "driver.out").read_text().strip().endswith("COMPLETED")
    lines = [json.loads(line) for line in (tmp_path / "exp" / "step" / "step.out").read_text().splitlines()]
    assert len(lines) == 2
    assert {line["slurm"]["SLURM_STEP_ID"] for line in lines} == {"0"}
    summary = JobStore(store_path(tmp_path / "exp"), create=False).all_runs()
    assert [(r.name, r.scheduler) for r in summary] == [("step", "local")]


def test_hostile_values_arrive_literally_through_sbatch_and_srun(sexp: Experiment, python_exe: str) -> None:
    value = "$(touch PWNED); `id` 'q' \"d\" a,b\nsecond line"
    rs = sexp.create_run_settings(python_exe, [REPORT, value], env_vars={"USER_HOSTILE": value})
    ens = sexp.create_ensemble(
        "ens",
        params={"val": [value]},
        run_settings=rs,
        params_as_args=["val"],
        batch_settings=sexp.create_batch_settings(nodes=1, time="00:05:00"),
    )
    sexp.start(ens)
    [member] = ens.models
    assert sexp.get_status(ens) == [Status.COMPLETED]
    out = _output(Path(member.path) / f"{member.name}.out")
    assert out["argv"] == [value, f"--val={value}"]
    assert out["env"]["USER_HOSTILE"] == value
    assert not list(sexp.exp_path.rglob("PWNED"))


def test_ctrl_c_in_a_blocking_driver_cancels_its_slurm_jobs(slurm_cluster: Any, tmp_path: Path) -> None:
    exp_path = tmp_path / "exp"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(wait_for=WAIT_FOR))
    proc = subprocess.Popen(
        [sys.executable, str(driver), str(exp_path), str(tmp_path / "never")],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "launched 3 job(s)" in line:
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "stopping 3 unfinished job(s)" in err
    exp = Experiment.load(exp_path)
    assert exp.get_status("ens_0", "ens_1", "ens_2") == [Status.CANCELLED] * 3
    ids = ",".join(row["job_id"] for row in exp.summary_data())
    states = subprocess.run(["squeue", "-h", "-t", "all", "-j", ids, "-o", "%T"], capture_output=True, text=True)
    assert states.stdout.split() == ["CANCELLED"] * 3


def test_batch_jobs_and_steps_run_ungenerated_models_in_the_drivers_directory(
    sexp: Experiment, python_exe: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Model page's rule on the cluster: the batch script cds to the driver's directory for
    an ungenerated model and to the entity's directory for a generated one."""
    here = tmp_path / "driver"
    here.mkdir()
    (here / "report.py").write_text(Path(REPORT).read_text())
    monkeypatch.chdir(here)
    batch = sexp.create_batch_settings(nodes=1, time="00:05:00")
    loose = sexp.create_model("loose", sexp.create_run_settings(python_exe, "report.py"), batch_settings=batch)
    made = sexp.create_model("made", sexp.create_run_settings(python_exe, "report.py"), batch_settings=batch)
    made.attach_generator_files(to_copy="report.py")
    sexp.generate(made)
    sexp.start(loose, made)
    assert [r["status"] for r in sexp.summary_data()] == ["COMPLETED", "COMPLETED"]
    assert _output(Path(loose.path) / "loose.out")["cwd"] == str(here)
    assert _output(Path(made.path) / "made.out")["cwd"] == made.path
