"""Local launches end to end: real processes, real scripts, real exit codes (SmartSim's
test_local_launch, test_launch_errors, test_experiment in spirit)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hpcsim import Experiment, Model, Status
from hpcsim.control.store import JobStore, store_path
from hpcsim.errors import ConfigError, EntityExistsError, LaunchError, SettingsError, SubmitError
from hpcsim.settings import BatchSettings

from ..conftest import APPS

REPORT = str(APPS / "report.py")
WAIT_FOR = str(APPS / "wait_for.sh")


def _report(exp: Experiment, python_exe: str, name: str, *args: str, env_vars=None, **kw) -> Model:
    rs = exp.create_run_settings(python_exe, [REPORT, *args], env_vars=env_vars)
    return exp.create_model(name, rs, **kw)


def _output(model_dir: str, name: str) -> dict:
    return json.loads((Path(model_dir) / f"{name}.out").read_text())


def test_model_completes_with_output_in_entity_dir(exp: Experiment, python_exe: str) -> None:
    model = _report(exp, python_exe, "hello", "a b", "--flag")
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED]
    assert exp.finished(model)
    out = _output(model.path, "hello")
    assert out["argv"] == ["a b", "--flag"]
    assert out["cwd"] == os.getcwd()  # never generated: the driver's directory (tests/local/test_work_dir.py)
    assert (Path(model.path) / "hello.err").read_text() == "to stderr\n"
    [row] = exp.summary_data()
    assert (row["name"], row["status"], row["exit_code"], row["run"]) == ("hello", "COMPLETED", 0, 1)


def test_failing_app_is_failed_with_its_exit_code(exp: Experiment, python_exe: str) -> None:
    model = _report(exp, python_exe, "bad", "--exit=3")
    exp.start(model)
    assert exp.get_status(model) == [Status.FAILED]
    [row] = exp.summary_data()
    assert row["exit_code"] == 3
    assert "3" in row["reason"]


def test_ensemble_members_run_with_their_own_identity(exp: Experiment, python_exe: str) -> None:
    rs = exp.create_run_settings(python_exe, [REPORT])
    ens = exp.create_ensemble("ens", params={"xx": [1, 2]}, run_settings=rs, replicas=2, params_as_args=["xx"])
    exp.start(ens)
    assert exp.get_status(ens) == [Status.COMPLETED] * 4
    outputs = [_output(m.path, m.name) for m in ens]
    assert [o["env"]["HPCSIM_ENTITY"] for o in outputs] == ["ens_0", "ens_1", "ens_2", "ens_3"]
    assert [o["argv"] for o in outputs] == [["--xx=1"], ["--xx=1"], ["--xx=2"], ["--xx=2"]]
    assert all(o["env"]["HPCSIM_KEYOUT"] == o["env"]["SSKEYOUT"] for o in outputs)


def test_env_contract_and_user_env(exp: Experiment, python_exe: str) -> None:
    producer = _report(exp, python_exe, "producer", enable_key_prefixing=True)
    consumer = _report(
        exp, python_exe, "consumer", env_vars={"USER_LIST": "a,b,c", "USER_SPACES": "x y  z", "USER_Q": 'it\'s "q"'}
    )
    consumer.register_incoming_entity(producer)
    exp.start(producer, consumer)
    env_p = _output(producer.path, "producer")["env"]
    env_c = _output(consumer.path, "consumer")["env"]
    assert env_p["HPCSIM_KEYOUT"] == "producer"
    assert env_p["HPCSIM_EXP"] == str(exp.exp_path)
    assert "HPCSIM_KEYOUT" not in env_c
    assert env_c["HPCSIM_KEYIN"] == env_c["SSKEYIN"] == "producer"
    assert (env_c["USER_LIST"], env_c["USER_SPACES"], env_c["USER_Q"]) == ("a,b,c", "x y  z", 'it\'s "q"')


def test_preview_is_the_script_that_runs(exp: Experiment, python_exe: str, capsys: pytest.CaptureFixture[str]) -> None:
    model = _report(exp, python_exe, "pv", "$(touch PWNED)")
    shown = exp.preview(model)
    assert capsys.readouterr().out == shown
    exp.start(model)
    script = Path(model.path) / ".hpcsim" / "pv.sh"
    assert shown == f"# ==> {script} <==\n{script.read_text()}"
    assert _output(model.path, "pv")["argv"] == ["$(touch PWNED)"]
    assert not list(exp.exp_path.rglob("PWNED"))


def test_non_blocking_start_then_poll(exp: Experiment, tmp_path: Path) -> None:
    go = tmp_path / "go"
    model = exp.create_model("waiter", exp.create_run_settings(WAIT_FOR, [str(go), "0"]))
    exp.start(model, block=False)
    assert exp.get_status(model) == [Status.RUNNING]
    assert not exp.finished(model)
    go.touch()
    exp.poll(interval=1)
    assert exp.get_status(model) == [Status.COMPLETED]


def test_restart_after_completion_records_a_second_run(exp: Experiment, python_exe: str) -> None:
    model = _report(exp, python_exe, "again")
    exp.start(model)
    exp.start(model)
    assert [r["run"] for r in exp.summary_data()] == [1, 2]
    assert "again" in exp.summary()


def test_starting_an_entity_twice_while_it_runs_fails(exp: Experiment, tmp_path: Path) -> None:
    model = exp.create_model("busy", exp.create_run_settings(WAIT_FOR, [str(tmp_path / "never")]))
    exp.start(model, block=False)
    with pytest.raises(LaunchError, match="'busy' is still running"):
        exp.start(model)
    assert len(exp.summary_data()) == 1


def test_stop_cancels_the_whole_process_group(exp: Experiment, tmp_path: Path) -> None:
    model = exp.create_model("victim", exp.create_run_settings(WAIT_FOR, [str(tmp_path / "never")]))
    exp.start(model, block=False)
    [row] = exp.summary_data()
    pid = int(row["job_id"].split(":")[0])
    exp.stop(model)
    assert exp.get_status(model) == [Status.CANCELLED]
    assert exp.summary_data()[0]["reason"] == "stopped by the user"
    assert not Path(f"/proc/{pid}").exists()


def test_get_status_of_an_entity_never_started(exp: Experiment, python_exe: str) -> None:
    model = _report(exp, python_exe, "idle")
    assert exp.get_status(model) == [Status.NEVER_STARTED]  # SmartSim's STATUS_NEVER_STARTED
    with pytest.raises(LaunchError, match="'idle' was never started"):  # a ValueError, as SmartSim's
        exp.finished(model)
    with pytest.raises(LaunchError, match="never started"):
        exp.stop("nope")


def test_exe_not_found(exp: Experiment) -> None:
    with pytest.raises(SettingsError, match="'no-such-program-xyz' not found on PATH"):
        exp.create_run_settings("no-such-program-xyz")


def test_same_entity_twice_in_one_start(exp: Experiment, python_exe: str) -> None:
    model = _report(exp, python_exe, "twice")
    with pytest.raises(EntityExistsError, match="'twice' is given more than once"):
        exp.start(model, model)
    assert not (exp.exp_path / ".hpcsim").exists()


def test_batch_settings_refused_by_the_local_launcher(exp: Experiment, python_exe: str) -> None:
    rs = exp.create_run_settings(python_exe, [REPORT])
    model = exp.create_model("batched", rs, batch_settings=BatchSettings("sbatch", nodes=1))
    with pytest.raises(ConfigError, match="local launcher runs without a scheduler"):
        exp.start(model)
    assert not Path(model.path).exists()


def test_missing_sbatch_is_a_submit_error_and_nothing_is_recorded(
    tmp_path: Path, python_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    exp = Experiment("nosched", exp_path=tmp_path / "exp", launcher="slurm")
    model = exp.create_model("m", exp.create_run_settings(python_exe, [REPORT]))
    assert "#SBATCH --job-name=m\n" in exp.preview(model)
    with pytest.raises(SubmitError, match="sbatch is not on PATH") as caught:
        exp.start(model)
    assert caught.value.returncode == 127
    assert caught.value.argv[0] == "sbatch"
    assert exp.summary_data() == []


def test_empty_ensemble_cannot_start(exp: Experiment) -> None:
    ens = exp.create_ensemble("empty", batch_settings=BatchSettings("sbatch"))
    with pytest.raises(LaunchError, match="no members"):
        exp.start(ens)


def test_store_keeps_every_status_change_with_timestamps(exp: Experiment, python_exe: str, tmp_path: Path) -> None:
    done = _report(exp, python_exe, "done")
    exp.start(done)
    waiter = exp.create_model("stopped", exp.create_run_settings(WAIT_FOR, [str(tmp_path / "never")]))
    exp.start(waiter, block=False)
    exp.stop(waiter)
    store = JobStore(store_path(exp.exp_path), create=False)
    runs = {r.name: r for r in store.all_runs()}
    for name, statuses in (
        ("done", [Status.RUNNING, Status.COMPLETED]),
        ("stopped", [Status.RUNNING, Status.CANCELLED]),
    ):
        history = store.history(runs[name].id)
        assert [h.status for h in history] == statuses
        assert history[0].time <= history[1].time
        assert runs[name].script.endswith(f"{name}/.hpcsim/{name}.sh")
    assert store.history(runs["stopped"].id)[-1].reason == "stopped by the user"
    assert store.meta() == {"name": "test-exp", "launcher": "local"}


def test_hostile_params_and_experiment_path_arrive_literally(tmp_path: Path, python_exe: str) -> None:
    hostile_dir = tmp_path / "we'ird $(touch PWNED) `x` dir;"
    exp = Experiment("hostile", exp_path=hostile_dir)
    rs = exp.create_run_settings(python_exe, [REPORT])
    value = "$(touch PWNED); `id` 'q' \"d\" a,b"
    ens = exp.create_ensemble("ens", params={"val": [value]}, run_settings=rs, params_as_args=["val"])
    exp.start(ens)
    [member] = ens.models
    assert exp.get_status(ens) == [Status.COMPLETED]
    out = _output(member.path, member.name)
    assert out["argv"] == [f"--val={value}"]
    assert out["env"]["HPCSIM_EXP"] == str(hostile_dir)
    assert not list(tmp_path.rglob("PWNED"))
