"""``hpcsim dashboard`` in a real headless Chromium: an experiment whose ensemble has a failing
member, and the online-training example running with its PyTorch trainer, both shown live by the
real CLI. Screenshots of each view are saved in the test's temporary directory.

Needs Debian's ``chromium`` and ``chromium-driver``: without them the test skips, saying how to
install them; under CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from hpcsim import Experiment
from hpcsim.control.store import store_path
from tests.dbutil import free_port

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "examples" / "online_training" / "driver.py"
HPCSIM = Path(sys.executable).parent / "hpcsim"
INSTALL_HINT = "apt-get install chromium chromium-driver"
URL_LINE = re.compile(r"^hpcsim dashboard: (?P<url>http://127\.0\.0\.1:\d+/\?token=(?P<token>[A-Za-z0-9_-]+))$")
#: the colours app.js gives these statuses, as the browser computes them
COMPLETED_RGB = "rgb(24, 128, 56)"
FAILED_RGB = "rgb(217, 48, 37)"
#: the ensemble member that fails, what it writes to stderr and its exit code
FAILING, FAILURE_TEXT, FAILURE_CODE = "ens_1", "member ens_1 fails on purpose", 3
MEMBER_CODE = f"""
import os, sys
name = os.environ["HPCSIM_ENTITY"]
print("hello from", name, flush=True)
if name == {FAILING!r}:
    sys.stderr.write("member " + name + " fails on purpose\\n")
    sys.exit({FAILURE_CODE})
"""

T = TypeVar("T")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _browser_binaries() -> tuple[str, str]:
    """Chromium and chromedriver; skips (fails under CI) where either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        reason = f"the dashboard's browser test needs Chromium and chromedriver: {INSTALL_HINT}"
        if _in_ci():
            pytest.fail(f"missing under CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return chromium, driver


def _wait_for(what: str, probe: Callable[[], T | None], timeout: float = 60) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` after ``timeout`` s.
    A probe that meets an element the page has just redrawn is tried again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = probe()
        except StaleElementReferenceException:  # the view was redrawn (once a second) under the probe
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


@dataclass
class Dashboard:
    """The running ``hpcsim dashboard`` and the URL it printed."""

    process: subprocess.Popen[str]
    url: str
    token: str

    @property
    def base(self) -> str:
        return self.url.split("?", 1)[0]


@contextmanager
def _ensemble_experiment(directory: Path) -> Iterator[Path]:
    """A local experiment with a database and a 3-member ensemble whose member ens_1 fails;
    yields its directory once the ensemble has ended, and stops the database at the end."""
    exp = Experiment("dash-ensemble", exp_path=str(directory), launcher="local")
    db = exp.create_database(port=free_port())
    members = exp.create_ensemble(
        "ens", run_settings=exp.create_run_settings(sys.executable, ["-c", MEMBER_CODE]), replicas=3
    )
    try:
        exp.start(db, block=False, summary=False)
        exp.start(members, block=True, summary=False)
        yield directory
    finally:
        exp.stop(db)


def _start_online_training(directory: Path) -> subprocess.Popen[bytes]:
    """The online-training example with its PyTorch trainer, producing for 150 s: far longer than
    the test watches it (the test interrupts it)."""
    directory.mkdir()
    argv = [sys.executable, str(DRIVER), "--port", str(free_port()), "--framework", "torch"]
    argv += ["--iterations", "200", "--interval", "0.75", "--epochs", "1000"]
    with (directory / "driver.log").open("wb") as log:
        return subprocess.Popen(
            argv,
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "HOME": str(directory)},
        )


def _stop_online_training(driver: subprocess.Popen[bytes], exp_dir: Path) -> None:
    """Interrupt the driver (it stops its database), then cancel what it left running."""
    if driver.poll() is None:
        driver.send_signal(signal.SIGINT)
        try:
            driver.wait(timeout=60)
        except subprocess.TimeoutExpired:
            driver.kill()
            driver.wait()
    if store_path(exp_dir).exists():
        subprocess.run([str(HPCSIM), "cancel", str(exp_dir)], capture_output=True, timeout=120, check=False)


def _start_dashboard(log_dir: Path, *exp_dirs: Path) -> Dashboard:
    """The real CLI on a free port, its output in files; returns once it printed its URL."""
    out, err = log_dir / "dashboard.out", log_dir / "dashboard.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(HPCSIM), "dashboard", *map(str, exp_dirs), "--port", "0"],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def first_line() -> str | None:
        text = out.read_text()
        return text.split("\n", 1)[0] if "\n" in text or process.poll() is not None else None

    try:
        line = _wait_for("the dashboard's URL", first_line, 60)
    except AssertionError:
        line = ""
    match = URL_LINE.match(line.strip())
    if match is None:
        process.kill()
        process.wait()
        raise AssertionError(f"hpcsim dashboard printed {line!r}, not its URL; stderr: {err.read_text()[-2000:]}")
    return Dashboard(process, match["url"], match["token"])


def _stop_dashboard(dashboard: Dashboard) -> int:
    """SIGINT, as Ctrl-C; its exit status."""
    if dashboard.process.poll() is None:
        dashboard.process.send_signal(signal.SIGINT)
        try:
            return dashboard.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            dashboard.process.kill()
            dashboard.process.wait()
            raise
    return dashboard.process.returncode


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium through chromedriver, quit at the end."""
    chromium, chromedriver = _browser_binaries()

    options = Options()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(argument)
    service = Service(executable_path=chromedriver, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def _status_of_forbidden(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_dashboard_shows_experiments_live_in_a_browser(tmp_path: Path, browser: WebDriver) -> None:
    pytest.importorskip("torch", reason="the online-training trainer needs torch: bash scripts/install-ml.sh VENV")
    web = browser
    training_dir = tmp_path / "training"
    training_exp = training_dir / "online-training"
    with contextlib.ExitStack() as started:
        driver = _start_online_training(training_dir)
        started.callback(_stop_online_training, driver, training_exp)
        ensemble_exp = started.enter_context(_ensemble_experiment(tmp_path / "ensemble"))
        _wait_for("the online-training experiment's store", lambda: store_path(training_exp).exists(), 120)
        dashboard = _start_dashboard(tmp_path, ensemble_exp, training_exp)
        started.callback(_stop_dashboard, dashboard)

        # the token: the page loads with it; without it, or with a wrong one, 403
        assert _status_of_forbidden(dashboard.base)[0] == 403
        assert _status_of_forbidden(f"{dashboard.base}?token=wrong")[0] == 403
        assert _status_of_forbidden(f"{dashboard.base}static/app.js")[0] == 403
        forbidden_text = _status_of_forbidden(dashboard.base)[1].strip()
        web.get(dashboard.base)
        assert web.find_element(By.TAG_NAME, "body").text.strip() == forbidden_text
        assert not web.find_elements(By.ID, "view")
        web.get(dashboard.url)
        assert web.title == "hpcsim dashboard"
        _wait_for("the live indicator", lambda: web.find_element(By.ID, "live").get_attribute("data-state") == "live")
        names = _wait_for("the first snapshot's names", lambda: web.find_element(By.ID, "exp-names").text)
        assert "dash-ensemble" in names and "online-training" in names

        def counts() -> dict[str | None, str | None]:
            bar = web.find_element(By.ID, "status-bar-0")
            return {
                s.get_attribute("data-status"): s.get_attribute("data-count")
                for s in bar.find_elements(By.CSS_SELECTOR, ".segment")
            }

        # the database still runs
        assert _wait_for("the status counts", counts) == {"COMPLETED": "2", "FAILED": "1", "RUNNING": "1"}

        def launch_counts() -> list[dict[str | None, str | None]] | None:
            """Each launch of the ensemble's experiment: its bar's counts by status."""
            rows = web.find_elements(By.CSS_SELECTOR, "#exp-0 .launch")
            return [
                {
                    s.get_attribute("data-status"): s.get_attribute("data-count")
                    for s in row.find_elements(By.CSS_SELECTOR, ".segment")
                }
                for row in rows
            ] or None

        # two starts: the database, then the ensemble
        assert _wait_for("the launches", launch_counts) == [{"RUNNING": "1"}, {"COMPLETED": "2", "FAILED": "1"}]
        web.save_screenshot(str(tmp_path / "dashboard-experiments.png"))

        # the timeline: every member, coloured by its status
        web.get(f"{dashboard.url}#timeline")
        expected = {
            "ens_0": ("COMPLETED", COMPLETED_RGB),
            "ens_1": ("FAILED", FAILED_RGB),
            "ens_2": ("COMPLETED", COMPLETED_RGB),
        }

        def members() -> dict[str, tuple[str | None, str]] | None:
            """Each member's status and colour, read from one drawing of the timeline."""
            seen = {}
            for bar in web.find_elements(By.CSS_SELECTOR, 'g.job-bar[data-exp="0"]'):
                name = bar.get_attribute("data-name") or ""
                if name in expected:
                    assert name in (bar.find_element(By.TAG_NAME, "title").get_attribute("textContent") or "")
                    fill = bar.find_element(By.CSS_SELECTOR, "rect.run").value_of_css_property("fill")
                    seen[name] = (bar.get_attribute("data-status"), fill)
            return seen if seen.keys() == expected.keys() else None

        assert _wait_for("the ensemble's bars", members) == expected
        web.save_screenshot(str(tmp_path / "dashboard-timeline.png"))

        # the failing member's page: exit code, reason and its stderr, tailed
        def open_failing() -> bool:
            web.find_element(By.CSS_SELECTOR, f'g.job-bar[data-exp="0"][data-name="{FAILING}"] rect.run').click()
            return True

        _wait_for(f"a click on {FAILING}'s bar", open_failing)
        _wait_for("the entity page", lambda: web.find_elements(By.ID, "entity-exit-code"))
        assert web.find_element(By.ID, "entity-exit-code").text == str(FAILURE_CODE)
        assert web.find_element(By.ID, "entity-status").text == "FAILED"
        _wait_for("the failure in the stderr tail", lambda: FAILURE_TEXT in web.find_element(By.ID, "tail-err").text)
        assert "hello from ens_1" in web.find_element(By.ID, "tail-out").text
        assert sys.executable in (web.find_element(By.ID, "entity-script").get_attribute("textContent") or "")
        web.save_screenshot(str(tmp_path / "dashboard-entity.png"))

        # training: the loss curve gains points while the trainer runs
        web.get(f"{dashboard.url}#training")
        loss = '.metric-chart[data-metric="loss"]'

        def loss_points() -> int:
            charts = web.find_elements(By.CSS_SELECTOR, loss)
            return int(charts[0].get_attribute("data-points") or 0) if charts else 0

        first = _wait_for("a loss curve with points", loss_points, 180)
        _wait_for(f"more than {first} loss points", lambda: loss_points() > first, 60)
        web.save_screenshot(str(tmp_path / "dashboard-training.png"))

        # databases: the producer's keys add up while it runs
        web.get(f"{dashboard.url}#databases")
        cell = "db-keys-1-orchestrator"

        def keys() -> int | None:
            found = web.find_elements(By.ID, cell)
            return int(found[0].get_attribute("data-keys") or 0) if found else None

        before = _wait_for("the online-training database's key count", lambda: keys() or None, 60)
        _wait_for(f"more than {before} keys", lambda: (keys() or 0) > before, 60)
        assert web.find_elements(By.CSS_SELECTOR, '.ops-chart[data-db="orchestrator"][data-exp="1"]')
        web.save_screenshot(str(tmp_path / "dashboard-databases.png"))

        web.get(f"{dashboard.url}#inference")
        web.save_screenshot(str(tmp_path / "dashboard-inference.png"))

        # a job that does not exist is named in an error; an unknown view shows the experiments
        web.get(f"{dashboard.url}#entity/0/999999999")
        error = _wait_for("the unknown job's error", lambda: web.find_elements(By.ID, "entity-error"))
        assert "Cannot show job 999999999 of experiment 0: 404" in error[0].text
        web.get(f"{dashboard.url}#no-such-view")
        _wait_for("the experiments view", lambda: web.find_elements(By.ID, "status-bar-0"))

        # Ctrl-C: the dashboard exits 0 and the page says it lost the connection
        assert _stop_dashboard(dashboard) == 0
        _wait_for(
            "the dropped connection", lambda: web.find_element(By.ID, "live").get_attribute("data-state") == "down"
        )
        assert "reconnecting" in web.find_element(By.ID, "live").text
