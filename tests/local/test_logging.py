"""hpcsim logs as a library: nothing printed by itself, records propagating to the
application's handlers at the application's levels; ``log_to_console`` and the ``hpcsim``
command print progress; ``import hpcsim`` loads neither PSI/J nor numpy. Each case runs in a
fresh interpreter, where hpcsim's logging is set up by its import alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hpcsim import Experiment
from hpcsim.status import Status

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
#: a local experiment in sys.argv[1] with a model that completes and one that fails (a WARNING)
RUN = """
import sys
from hpcsim import Experiment
exp = Experiment("lib", exp_path=sys.argv[1], launcher="local")
ok = exp.create_model("ok", exp.create_run_settings("true"))
bad = exp.create_model("bad", exp.create_run_settings("false"))
exp.start(ok, bad, block=True)
"""
CONSOLE_LINE = r"^\d\d:\d\d:\d\d hpcsim\.control {level} "


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done


def test_used_as_a_library_hpcsim_prints_nothing(tmp_path: Path) -> None:
    done = _python(RUN, str(tmp_path / "exp"))
    assert (done.stdout, done.stderr) == ("", "")
    log = (tmp_path / "exp" / ".hpcsim" / "driver.log").read_text()
    assert "WARNING bad FAILED: exited with code 1" in log  # the warning was made, and went to driver.log only


def test_records_reach_the_applications_handler_at_its_level(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='APP %(name)s %(levelname)s %(message)s')\n"
        + RUN
    )
    done = _python(code, str(tmp_path / "exp"))
    lines = done.stdout.splitlines()
    assert "APP hpcsim.control INFO launched 2 job(s) in " + str(tmp_path / "exp") in lines
    assert any(line.startswith("APP hpcsim.control WARNING bad FAILED: exited with code 1") for line in lines)
    assert not [line for line in lines if " DEBUG " in line]
    assert done.stderr == ""
    log = (tmp_path / "exp" / ".hpcsim" / "driver.log").read_text()
    assert "hpcsim.control DEBUG ok: submitting " in log  # while driver.log gets everything


def test_a_child_logger_set_to_debug_shows_its_debug_records(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format='APP %(levelname)s %(message)s')\n"
        "logging.getLogger('hpcsim.control').setLevel(logging.DEBUG)\n" + RUN
    )
    lines = _python(code, str(tmp_path / "exp")).stdout.splitlines()
    assert any(line.startswith("APP DEBUG ok: submitting ") for line in lines)
    assert any(line.startswith("APP INFO launched 2 job(s)") for line in lines)


def test_log_to_console_prints_progress_at_its_level(tmp_path: Path) -> None:
    done = _python("import hpcsim\nhpcsim.log_to_console()\n" + RUN, str(tmp_path / "info"))
    assert re.search(CONSOLE_LINE.format(level="INFO") + r"launched 2 job\(s\)", done.stderr, re.M), done.stderr
    assert " DEBUG " not in done.stderr and done.stdout == ""
    debug = _python(
        "import hpcsim\nhpcsim.log_to_console('DEBUG')\nhpcsim.log_to_console('DEBUG')\n" + RUN, str(tmp_path / "d")
    )
    found = re.findall(CONSOLE_LINE.format(level="DEBUG") + r"ok: submitting .*$", debug.stderr, re.M)
    assert len(found) == 1, debug.stderr  # a second call adds no second handler


def test_the_command_prints_progress(tmp_path: Path) -> None:
    (tmp_path / "drv.py").write_text("print('driver ran')\n")
    done = subprocess.run(
        [HPCSIM, "submit", "drv.py", "--launcher", "local"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert re.search(CONSOLE_LINE.format(level="INFO") + r"launched 1 job\(s\) in ", done.stderr, re.M), done.stderr
    exp = Experiment.load(tmp_path / "drv")
    deadline = time.monotonic() + 60
    while not exp.finished("drv") and time.monotonic() < deadline:  # the job runs in the background
        time.sleep(0.1)
    assert exp.get_status("drv") == [Status.COMPLETED]


def test_psij_logs_nothing_to_the_root_logger() -> None:
    code = """
    import logging, sys
    from pathlib import Path
    logging.basicConfig(level=logging.DEBUG)
    from hpcsim.schedulers.adapters import get_scheduler
    get_scheduler("slurm", Path("unused"))
    assert "psij" in sys.modules
    """
    done = _python(code)
    assert "psij" not in done.stderr and "No module named" not in done.stderr, done.stderr


def test_import_loads_neither_psij_nor_numpy(tmp_path: Path) -> None:
    code = """
    import sys
    import hpcsim
    print(sorted(m for m in ("psij", "numpy") if m in sys.modules))
    from hpcsim import Experiment
    print(sorted(m for m in ("psij", "numpy") if m in sys.modules))
    """
    assert _python(code).stdout == "[]\n[]\n"
    local = _python(RUN + "print(sorted(m for m in ('psij', 'numpy') if m in sys.modules))\n", str(tmp_path / "exp"))
    assert local.stdout == "[]\n"  # a local run needs neither
