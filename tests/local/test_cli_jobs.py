"""``hpcsim status --watch/--json``, ``cancel``, ``logs`` and ``list`` on experiments launched
locally, as a user runs them: real subprocesses of the venv's ``hpcsim``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hpcsim import Experiment
from hpcsim.settings.run import RunSettings

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=120)


def _python(exp: Experiment, code: str) -> RunSettings:
    return exp.create_run_settings(sys.executable, ["-c", code])


def test_status_json_and_exit_code(tmp_path: Path) -> None:
    exp = Experiment("jobs", exp_path=tmp_path / "exp")
    ok = exp.create_model("ok", exp.create_run_settings("true"))
    bad = exp.create_model("bad", exp.create_run_settings("false"))
    exp.start(ok, bad)
    done = _cli("status", str(tmp_path / "exp"), "--json")
    assert done.returncode == 1  # a job failed
    data = json.loads(done.stdout)
    assert data["finished"] is True and data["failed"] == 1
    [experiment] = data["experiments"]
    assert (experiment["name"], experiment["launcher"]) == ("jobs", "local")
    assert {j["name"]: (j["status"], j["exit_code"]) for j in experiment["jobs"]} == {
        "ok": ("COMPLETED", 0),
        "bad": ("FAILED", 1),
    }


def test_watch_follows_running_jobs_until_they_end(tmp_path: Path) -> None:
    exp = Experiment("watch", exp_path=tmp_path / "exp")
    slow = exp.create_model("slow", _python(exp, "import time; time.sleep(3)"))
    exp.start(slow, block=False)
    done = _cli("status", str(tmp_path / "exp"), "--watch", "--interval", "0.5")
    assert done.returncode == 0, done.stderr
    progress = done.stderr.splitlines()
    assert any("0/1 finished: 1 running" in line for line in progress)  # not a terminal: one line per change
    assert "| slow " in done.stdout and "COMPLETED" in done.stdout
    assert done.stdout.rstrip().endswith("1/1 finished: 1 completed")


def test_cancel_everything_or_one_entity(tmp_path: Path) -> None:
    exp = Experiment("cancel", exp_path=tmp_path / "exp")
    models = [exp.create_model(n, exp.create_run_settings("sleep", ["60"])) for n in ("a", "b")]
    exp.start(*models, block=False)
    path = str(tmp_path / "exp")
    one = _cli("cancel", path, "a")
    assert one.returncode == 0, one.stderr
    assert one.stdout.startswith("a: CANCELLED (job ")
    assert [s.value for s in Experiment.load(path).get_status("a", "b")] == ["CANCELLED", "RUNNING"]
    rest = _cli("cancel", path)
    assert rest.stdout.startswith("b: CANCELLED")
    assert _cli("cancel", path).stdout == "nothing to cancel: every job has ended\n"
    assert _cli("status", path).returncode == 1  # cancelled jobs did not complete


def test_cancel_of_an_unknown_entity_names_the_known_ones(tmp_path: Path) -> None:
    exp = Experiment("cancel", exp_path=tmp_path / "exp")
    exp.start(exp.create_model("real", exp.create_run_settings("true")))
    done = _cli("cancel", str(tmp_path / "exp"), "imaginary")
    assert done.returncode == 2
    assert done.stderr == f"hpcsim: error: no entity 'imaginary' was launched in {tmp_path / 'exp'}; known: real\n"


def test_logs_print_out_err_and_follow(tmp_path: Path) -> None:
    exp = Experiment("logs", exp_path=tmp_path / "exp")
    code = "import sys, time\nfor i in range(4):\n    print(i, flush=True); time.sleep(0.5)\n"
    code += "print('oops', file=sys.stderr)"
    talker = exp.create_model("talker", _python(exp, code))
    exp.start(talker, block=False)
    path = str(tmp_path / "exp")
    followed = _cli("logs", path, "talker", "--follow")
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout == "0\n1\n2\n3\n"
    assert _cli("logs", path, "talker", "--err").stdout == "oops\n"
    unknown = _cli("logs", path, "nobody")
    assert unknown.returncode == 2
    assert "no entity 'nobody' was launched" in unknown.stderr


def test_list_finds_experiments_below_a_directory(tmp_path: Path) -> None:
    for where, command in (("a/one", "true"), ("b/deeper/two", "false")):
        exp = Experiment(where.rsplit("/", 1)[1], exp_path=tmp_path / where)
        exp.start(exp.create_model("m", exp.create_run_settings(command)))
    done = _cli("list", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    found = {Path(e["path"]).name: (e["jobs"], e["statuses"]) for e in json.loads(done.stdout)}
    assert found == {"one": (1, {"COMPLETED": 1}), "two": (1, {"FAILED": 1})}
    shallow = _cli("list", str(tmp_path), "--depth", "2")
    assert "one" in shallow.stdout and "two" not in shallow.stdout
    empty = _cli("list", str(tmp_path / "a" / "one" / ".hpcsim"))
    assert empty.returncode == 0 and "no hpcsim experiments under" in empty.stderr


def test_list_of_a_missing_directory_says_so(tmp_path: Path) -> None:
    done = _cli("list", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert f"{str(tmp_path / 'nowhere')!r} is not a directory" in done.stderr


def test_status_of_a_directory_without_an_experiment_says_so(tmp_path: Path) -> None:
    done = _cli("status", str(tmp_path), "--json")
    assert done.returncode == 2
    assert done.stderr == f"hpcsim: error: no hpcsim experiment at {str(tmp_path)!r} (missing .hpcsim/store)\n"
