"""The Slurm adapter: ``sbatch`` through PSI/J, one ``squeue`` per poll, ``sacct`` for jobs
that have left the queue."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from psij.executors.batch.slurm import SlurmExecutorConfig, SlurmJobExecutor

from hpcsim.errors import CommandError
from hpcsim.schedulers.base import IMPOSED, JobRef, JobUpdate
from hpcsim.schedulers.batch import VERSION, BatchScheduler, PrerenderedScript
from hpcsim.schedulers.kinds import SLURM
from hpcsim.schedulers.parsers.slurm import (
    SACCT_FIELDS,
    SACCT_NAMED_STEP_FIELDS,
    SACCT_STEP_FIELDS,
    SQUEUE_FORMAT,
    base_id,
    parse_sacct,
    parse_sacct_named_steps,
    parse_sacct_steps,
    parse_sbatch,
    parse_squeue,
)
from hpcsim.status import Status

__all__ = ["SlurmScheduler", "confirm_member"]

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
        text = self._sacct_steps(SACCT_STEP_FIELDS, failed)
        if text is None:
            return jobs
        try:
            steps = parse_sacct_steps(text, failed)
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

    def confirm(self, updates: dict[JobRef, JobUpdate], said: dict[JobRef, JobUpdate]) -> dict[JobRef, JobUpdate]:
        """Each batch ensemble member whose srun exited 0 checked against its step's state in
        the accounting (see :func:`confirm_member`); without accounting the 0 stands."""
        asked = [
            ref
            for ref, update in updates.items()
            if ref.step and ref.native_id.isdigit() and update.status is Status.COMPLETED
        ]
        if not asked:
            return updates
        steps = self._named_steps(sorted({ref.native_id for ref in asked}))
        if steps is None:
            return updates
        now = time.time()
        checked = {r: confirm_member(updates[r], said[r], steps.get((r.native_id, r.step)), now) for r in asked}
        return {**updates, **checked}

    def _named_steps(self, native_ids: Sequence[str]) -> dict[tuple[str, str], Status] | None:
        """The states of the steps of ``native_ids`` by (job id, step name); None when the
        accounting cannot tell (none here, or sacct fails)."""
        text = self._sacct_steps(SACCT_NAMED_STEP_FIELDS, native_ids)
        if text is None:
            return None
        try:
            return parse_sacct_named_steps(text, native_ids)
        except ValueError as exc:
            _log.warning("cannot read the steps of jobs %s: %s", ",".join(native_ids), exc)
            return None

    def _sacct_steps(self, fields: str, native_ids: Sequence[str]) -> str | None:
        """``sacct``'s rows, steps included, for ``native_ids``; None when it cannot tell."""
        try:
            done = self.command(["sacct", "-n", "-P", "-o", fields, "-j", ",".join(native_ids)], check=False)
        except CommandError as exc:  # no sacct here, or it hangs
            _log.debug("sacct cannot tell the steps of jobs %s: %s", ",".join(native_ids), exc)
            return None
        if done.returncode != 0:
            _log.debug("sacct cannot tell the steps of jobs %s: %s", ",".join(native_ids), done.stderr.strip())
            return None
        return done.stdout

    def task_id(self, native_id: str, index: int) -> str:
        return f"{native_id}_{index}"


def confirm_member(member: JobUpdate, job: JobUpdate, step: Status | None, now: float) -> JobUpdate:
    """What a batch ensemble member whose srun exited 0 (``member``, COMPLETED) is, given its
    job (``job``) and the state of its step in the accounting (``step``; None: no step of its
    name, so nothing to check against).

    srun (Slurm 22.05) exits 0 when it loses its step: on a node failure, and when the
    connection to the step's daemon breaks, which can be long before slurmctld declares the
    node down. Its 0 then says nothing of the program; Slurm's own end of the step does. A
    step the accounting still has running keeps the member running (for at most
    ``_ACCOUNTING_LAG`` seconds once the job has ended, in case the accounting never hears of
    the step's end); a step that Slurm ended otherwise than COMPLETED gives the member the end
    the scheduler imposed on its job, or FAILED.
    """
    if step is None or step is Status.COMPLETED:
        return member
    if not step.is_terminal:
        if not job.status.is_terminal:
            return JobUpdate(Status.RUNNING, None, "srun exited 0; Slurm still runs its step")
        if job.ended is None or now - job.ended < _ACCOUNTING_LAG:
            return JobUpdate(Status.RUNNING, None, "srun exited 0; waiting for its step's end in the accounting")
        if job.status not in IMPOSED:
            return member
    lost = f"srun exited 0, but Slurm ended its step {step.value}"
    if job.status in IMPOSED:
        return JobUpdate(job.status, None, job.reason or lost, job.ended)
    if not job.status.is_terminal:
        return JobUpdate(Status.RUNNING, None, f"{lost}; waiting for the job to end")
    return JobUpdate(Status.FAILED, None, lost, member.ended)
