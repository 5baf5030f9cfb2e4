"""``hpcsim submit``: a driver script (or a spec) wrapped into one batch job.

The job is an ordinary model of a *submission* experiment, planned, rendered and submitted like
any other, so ``--dry-run`` prints exactly the script that is submitted and ``hpcsim status``
follows it. Inside the allocation the driver's own entities launch as steps, and every
experiment the driver opens links itself to the submission (``HPCSIM_SUBMISSION``).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from hpcsim.control.family import SUBMISSION_ENV
from hpcsim.control.session import JobRecord
from hpcsim.entities.model import Model
from hpcsim.errors import ConfigError
from hpcsim.experiment import Experiment
from hpcsim.schedulers.kinds import BATCH_NAMES
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.run import RunSettings
from hpcsim.spec.schema import JobSpec

__all__ = ["JobSpec", "Submission", "driver_command", "merge_jobs", "spec_command"]


def driver_command(driver: Path, args: Sequence[str], cwd: Path) -> list[str]:
    """What the job runs for a driver: it starts in ``cwd``, as ``python DRIVER`` would there."""
    return [sys.executable, "-m", "hpcsim.driver", "--cwd", str(cwd), str(driver.resolve()), *args]


def spec_command(spec: Path) -> list[str]:
    return [sys.executable, "-m", "hpcsim.spec", str(spec.resolve())]


def merge_jobs(base: JobSpec, override: JobSpec) -> JobSpec:
    """``override``'s fields where it sets them (command-line flags over a spec's ``job``)."""
    changes = {f.name: getattr(override, f.name) for f in dataclasses.fields(JobSpec) if getattr(override, f.name)}
    return dataclasses.replace(base, **changes)


def _batch(exp: Experiment, job: JobSpec) -> BatchSettings | None:
    if exp.launcher == "local":
        given = [f"--{f.name}" for f in dataclasses.fields(JobSpec) if getattr(job, f.name)]
        if given:
            raise ConfigError(
                f"{', '.join(given)} need a batch scheduler, but this submission runs locally (no site or "
                f"scheduler found); pick one with --launcher {'|'.join(BATCH_NAMES)} or --site"
            )
        return None
    batch = exp.create_batch_settings(job.nodes or 1, job.time, job.queue, job.account)
    if job.gpus:
        batch.request_gpus(job.gpus)
    return batch


class Submission:
    """One driver (or spec) job in the submission experiment at ``exp_dir``."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        exp_dir: Path,
        launcher: str = "auto",
        site: str | None = None,
        job: JobSpec | None = None,
    ) -> None:
        self.exp = Experiment(name, exp_dir, launcher, site)
        # submitting is not driving: the job drives, and a spec's experiment is this directory
        self.exp._session.drives = False
        env = {SUBMISSION_ENV: str(self.exp.exp_path)}
        if self.exp.site is not None:  # the driver's experiments pick the same site
            env["HPCSIM_SITE"] = str(self.exp.site.source)
        settings = RunSettings(command[0], list(command[1:]), env_vars=env)
        self.model: Model = self.exp.create_model(
            name, settings, path=self.exp.exp_path, batch_settings=_batch(self.exp, job or JobSpec())
        )

    def script(self) -> str:
        """The exact text :meth:`submit` writes and submits."""
        [(_, text)] = self.exp.scripts(self.model)
        return text

    def submit(self) -> JobRecord:
        """Submit the job and return without waiting; its record has the native job id."""
        self.exp.start(self.model, block=False)
        return self.exp.job_record(self.model)
