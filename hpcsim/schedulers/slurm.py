"""The Slurm adapter: ``sbatch`` through PSI/J, one ``squeue`` per poll, ``sacct`` for jobs
that have left the queue."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from psij.executors.batch.slurm import SlurmExecutorConfig, SlurmJobExecutor

from hpcsim.errors import CommandError
from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.batch import VERSION, BatchScheduler, PrerenderedScript
from hpcsim.schedulers.kinds import SLURM
from hpcsim.schedulers.parsers.slurm import (
    SACCT_FIELDS,
    SACCT_STEP_FIELDS,
    SQUEUE_FORMAT,
    base_id,
    parse_sacct,
    parse_sacct_steps,
    parse_sbatch,
    parse_squeue,
)
from hpcsim.status import Status

__all__ = ["SlurmScheduler"]

_log = logging.getLogger("hpcsim.schedulers")

#: how long after a job ended its FAILED may wait for the accounting to record its steps
_ACCOUNTING_LAG = 30.0


class HpcsimSlurmExecutor(PrerenderedScript, SlurmJobExecutor):
    _NAME_ = "hpcsim-slurm"
    _VERSION_ = VERSION

    def job_id_from_submit_output(self, out: str) -> str:
        # PSI/J takes the last word, which is the cluster name in "... on cluster X"
        return parse_sbatch(out)


class SlurmScheduler(BatchScheduler):
    name = SLURM.name
    executor_class = HpcsimSlurmExecutor
    config_class = SlurmExecutorConfig
    transient_errors = (
        "Socket timed out",
        "Unable to contact slurm controller",
        "temporarily unable to accept job",
        "Zero Bytes were transmitted or received",
    )

    def query(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        # --me rather than -j: squeue -j fails outright when one of the ids was purged
        done = self.command(["squeue", "--me", "--noheader", "--array", "--states=all", "--format", SQUEUE_FORMAT])
        return self._out_of_memory(parse_squeue(done.stdout), native_ids)

    def lookup(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        done = self.command(
            ["sacct", "-X", "-n", "-P", "-o", SACCT_FIELDS, "-j", ",".join(native_ids)],
            check=False,
        )
        if done.returncode != 0:
            _log.info("sacct cannot tell what became of jobs %s: %s", ",".join(native_ids), done.stderr.strip())
            return {}
        return self._out_of_memory(parse_sacct(done.stdout), native_ids)

    def _out_of_memory(self, jobs: dict[str, JobUpdate], native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        """``jobs`` with each FAILED one of ``native_ids`` whose step the kernel OOM-killed made OOM.

        Slurm marks a job OUT_OF_MEMORY only when its batch step ran out of memory; a program
        launched with srun that does leaves its step OUT_OF_MEMORY, while the script just sees
        srun fail and the job ends FAILED. So the steps of FAILED jobs are looked up in the
        accounting (one sacct). It records them a moment after slurmctld ended the job: until
        it has, the job stays RUNNING (for at most _ACCOUNTING_LAG seconds after its end).
        Without accounting FAILED is all there is to know.
        """
        # plain jobs only: an array or heterogeneous job (listed by its parts) is not looked into
        parts = {base_id(i) for i in jobs if base_id(i) != i}
        failed = sorted(
            {i for i in native_ids if i.isdigit() and i not in parts and i in jobs and jobs[i].status is Status.FAILED}
        )
        if not failed:
            return jobs
        try:
            done = self.command(["sacct", "-n", "-P", "-o", SACCT_STEP_FIELDS, "-j", ",".join(failed)], check=False)
        except CommandError as exc:  # no sacct here, or it hangs
            _log.debug("sacct cannot tell the steps of jobs %s: %s", ",".join(failed), exc)
            return jobs
        if done.returncode != 0:
            _log.debug("sacct cannot tell the steps of jobs %s: %s", ",".join(failed), done.stderr.strip())
            return jobs
        try:
            steps = parse_sacct_steps(done.stdout, failed)
        except ValueError as exc:
            _log.warning("cannot read the steps of jobs %s: %s", ",".join(failed), exc)
            return jobs
        jobs = dict(jobs)
        for native_id, oom in steps.items():
            job = jobs[native_id]
            if oom is None:
                if job.ended is not None and time.time() - job.ended < _ACCOUNTING_LAG:
                    jobs[native_id] = JobUpdate(Status.RUNNING, None, "ended; waiting for its steps in the accounting")
            elif oom:
                reason = f"OutOfMemory (step {', '.join(oom)})"
                jobs[native_id] = JobUpdate(Status.OOM, job.exit_code, reason, job.ended)
        return jobs

    def task_id(self, native_id: str, index: int) -> str:
        return f"{native_id}_{index}"
