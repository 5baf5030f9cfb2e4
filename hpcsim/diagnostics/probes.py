"""What ``hpcsim doctor`` starts: a local database and a client for the tensor and model checks,
and a one-node job on the scheduler. Both go through ``Experiment``, as a driver would, and both
know how to take down what they started, which the doctor does whatever happened.
"""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np

from hpcsim import config
from hpcsim.client import Client
from hpcsim.client.options import ConfigOptions
from hpcsim.db.secret import APP_SECRET_NAME
from hpcsim.diagnostics.info import ml_backends, scheduler_for
from hpcsim.diagnostics.models import BUILT_WITH, INPUT, build
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.experiment import Experiment
from hpcsim.site import SiteConfig
from hpcsim.status import Status

__all__ = ["CheckFailed", "DatabaseProbe", "SchedulerProbe", "Skip"]

_KEY = "hpcsim-doctor"


class Skip(Exception):
    """Raised by a check that does not apply on this machine; its message says why."""


class CheckFailed(Exception):
    """Raised by a check that ran but got a wrong answer; its message says what it got."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DatabaseProbe:
    """A password-protected local database in ``directory``, and a client of it."""

    def __init__(self, directory: Path, timeout: float) -> None:
        self.directory = directory
        self.timeout = timeout
        self._running: tuple[Experiment, Orchestrator] | None = None
        self._client: Client | None = None

    def start(self) -> str:
        """Start the database and connect a client; the address it listens on."""
        exp = Experiment("doctor", exp_path=self.directory, launcher="local")
        db = exp.create_database(port=_free_port(), interface="lo")
        exp.start(db)
        self._running = (exp, db)
        address = db.get_address()[0]
        options = ConfigOptions.create_from_environment("")
        settings = {
            "HPCSIM_DB": address,
            "HPCSIM_DB_TYPE": "standalone",
            "HPCSIM_DB_PASSWORD_FILE": str(exp.exp_path / ".hpcsim" / APP_SECRET_NAME),
            "HPCSIM_MODEL_TIMEOUT": f"{self.timeout:g}",
        }
        for name, value in settings.items():
            options.override_string_option(name, value)
        self._client = Client(options, logger_name="hpcsim-doctor")
        self._client.use_tensor_ensemble_prefix(False)  # a caller's HPCSIM_KEYOUT/KEYIN must not apply
        return address

    @property
    def client(self) -> Client:
        assert self._client is not None, "the database check runs first"
        return self._client

    def tensor(self) -> str:
        """Put a tensor and get it back unchanged."""
        key = f"{_KEY}.tensor"
        self.client.put_tensor(key, INPUT)
        back = self.client.get_tensor(key)
        if back.dtype != INPUT.dtype or not np.array_equal(back, INPUT):
            raise CheckFailed(f"put {INPUT.tolist()} ({INPUT.dtype}), got back {back.tolist()} ({back.dtype})")
        rows, columns = INPUT.shape
        return f"put and got back a {rows}x{columns} {INPUT.dtype} tensor"

    def model(self, backend: str) -> str:
        """Store the y = 2x model of ``backend``, run it in the database and check its answer."""
        found = ml_backends()[backend]
        if not found["available"]:
            raise Skip(f"{found['package']} is not installed: {found['install']}")
        builder = BUILT_WITH[backend]
        if importlib.util.find_spec(builder) is None:
            raise Skip(f"its test model is built with {builder}, which is not installed: {found['install']}")
        started = time.monotonic()
        model = build(backend)
        built = time.monotonic()
        key, x, y = f"{_KEY}.{backend.lower()}", f"{_KEY}.{backend.lower()}.x", f"{_KEY}.{backend.lower()}.y"
        self.client.set_model(key, model.blob, backend, inputs=model.inputs, outputs=model.outputs)
        self.client.put_tensor(x, INPUT)
        self.client.run_model(key, x, y)
        result = self.client.get_tensor(y)
        if result.shape != INPUT.shape or not np.array_equal(result, 2 * INPUT):
            raise CheckFailed(f"y = 2x of {INPUT.tolist()} gave {result.tolist()}")
        return (
            f"y = 2x with {found['package']} {found['version'] or '?'} (built in {built - started:.1f} s, "
            f"stored and run in {time.monotonic() - built:.1f} s)"
        )

    def close(self) -> list[str]:
        """Stop the database; a problem doing so, as a note."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
        if self._running is None:
            return []
        exp, db = self._running
        self._running = None
        address = ", ".join(db.get_address())
        try:
            exp.stop(db)
        except Exception as exc:  # reported, not raised: the other results still stand
            return [f"could not stop the doctor's database at {address}: {exc}"]
        return []


class SchedulerProbe:
    """A one-node job running ``hostname``, submitted in ``directory`` to the scheduler found."""

    def __init__(self, directory: Path, timeout: float) -> None:
        self.directory = directory
        self.timeout = timeout
        self._pending: tuple[Experiment, Model] | None = None

    def run(self, site: SiteConfig | None, facts: dict[str, str]) -> str:
        """Submit the job and wait for it; a detail line. ``facts`` receives the scheduler, the
        job id and the host it ran on, as soon as each is known."""
        scheduler, why = scheduler_for(site)
        if scheduler == "local":
            raise Skip(f"no scheduler found ({why})")
        facts["scheduler"] = scheduler
        exp = Experiment("doctor", exp_path=self.directory, launcher=scheduler)
        batch = exp.create_batch_settings(nodes=1, time="00:05:00")
        model = exp.create_model("hostname", exp.create_run_settings("hostname"), batch_settings=batch)
        exp.start(model, block=False)
        self._pending = (exp, model)
        facts["job_id"] = str(self._row(exp, model)["job_id"])
        self._wait(exp, model)
        self._pending = None
        row = self._row(exp, model)
        if row["status"] != Status.COMPLETED.value:
            raise CheckFailed(
                f"job {row['job_id']} ended {row['status']} (exit code {row['exit_code']}): "
                f"{row['reason'] or 'no reason given'}; see {Path(model.path) / 'hostname.err'} (is the "
                "doctor's --dir on a file system the compute nodes share?)"
            )
        out = Path(model.path, "hostname.out")
        facts["host"] = ",".join(sorted(set(out.read_text().split()))) if out.is_file() else ""
        return f"{scheduler} job {row['job_id']} ran hostname on {facts['host'] or '?'} ({why})"

    @staticmethod
    def _row(exp: Experiment, model: Model) -> dict[str, Any]:
        return next(row for row in reversed(exp.summary_data()) if row["name"] == model.name)

    def _wait(self, exp: Experiment, model: Model) -> None:
        """Until the job ends, asking as often as the library does; cancel it at the timeout."""
        started = time.monotonic()
        while not exp.finished(model):
            waited = time.monotonic() - started
            if waited > self.timeout:
                [status] = exp.get_status(model)
                exp.stop(model)
                self._pending = None
                raise CheckFailed(f"the job was still {status.value} after {self.timeout:g} s; cancelled it")
            time.sleep(min(config.poll_interval(), max(0.2, waited / 10)))

    def close(self) -> list[str]:
        """Cancel the job if the check was interrupted while it was in the queue or running."""
        if self._pending is None:
            return []
        exp, model = self._pending
        self._pending = None
        try:
            exp.stop(model)
        except Exception as exc:
            return [f"could not cancel the doctor's scheduler job in {model.path}: {exc}"]
        return []
