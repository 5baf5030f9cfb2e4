"""The Grid Engine adapter: ``qsub -terse`` through PSI/J, one ``qstat -xml`` per poll, and
``qacct -j`` for jobs that have left the queue (Grid Engine keeps no finished jobs in qstat).

PSI/J has no Grid Engine executor, so this module gives it one: the submit and cancel commands
and the id parser, the only parts of an executor hpcsim uses (its poll thread is parked, see
:mod:`hpcsim.schedulers.batch`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NoReturn

from psij import Job, SubmitException
from psij.executors.batch.batch_scheduler_executor import BatchSchedulerExecutorConfig, InvalidJobStateError

from hpcsim.errors import SchedulerError
from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.batch import VERSION, BatchScheduler, PrerenderedScript
from hpcsim.schedulers.kinds import SGE
from hpcsim.schedulers.parsers.sge import parse_qacct, parse_qstat_xml, parse_qsub_terse, qacct_missing_ids
from hpcsim.status import Status

__all__ = ["SgeScheduler"]

_log = logging.getLogger("hpcsim.schedulers")

#: how long a job that left the queue may wait for qacct to know it (qmaster writes the
#: accounting file at the job's end, buffered for up to ``accounting_flush_time``)
_ACCOUNTING_LAG = 30.0


class HpcsimSgeExecutor(PrerenderedScript):
    _NAME_ = "hpcsim-sge"
    _VERSION_ = VERSION

    def get_submit_command(self, job: Job, submit_file_path: Path) -> list[str]:
        return ["qsub", "-terse", str(submit_file_path)]

    def job_id_from_submit_output(self, out: str) -> str:
        return parse_qsub_terse(out)

    def get_cancel_command(self, native_id: str) -> list[str]:
        return ["qdel", native_id]

    def process_cancel_command_output(self, exit_code: int, out: str) -> None:
        if "does not exist" in out:
            raise InvalidJobStateError()  # it ended (and left the queue) before qdel came
        raise SubmitException(f"qdel exited with {exit_code}: {out.strip()}")

    def get_status_command(self, native_ids: Collection[str]) -> NoReturn:
        raise NotImplementedError("hpcsim asks qstat itself (SgeScheduler.query)")

    def parse_status_output(self, exit_code: int, out: str) -> NoReturn:
        raise NotImplementedError("hpcsim reads qstat itself (SgeScheduler.query)")

    def get_list_command(self) -> NoReturn:
        raise NotImplementedError("hpcsim lists no Grid Engine jobs through PSI/J")


class SgeScheduler(BatchScheduler):
    name = SGE.name
    executor_class = HpcsimSgeExecutor
    config_class = BatchSchedulerExecutorConfig
    transient_errors = ("unable to contact qmaster", "unable to send message to qmaster", "commlib error")

    def __init__(self, work_dir: Path) -> None:
        super().__init__(work_dir)
        #: when each job was first found gone from the queue without an accounting record
        self._unaccounted: dict[str, float] = {}

    def query(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        # qstat lists the caller's pending and running jobs, never finished ones
        done = self.command(["qstat", "-xml"])
        return parse_qstat_xml(done.stdout)

    def lookup(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        """The accounting records of jobs gone from the queue: one ``qacct -j`` per job (array
        tasks share their job's). A job qacct does not know yet is still ending for a while."""
        found: dict[str, JobUpdate] = {}
        for base in sorted({native_id.split(".")[0] for native_id in native_ids}):
            done = self.command(["qacct", "-j", base], check=False)
            if done.returncode != 0 and not qacct_missing_ids(done.stderr):
                raise SchedulerError(f"qacct exited with {done.returncode}: {done.stderr.strip()}")
            found.update(parse_qacct(done.stdout) if done.returncode == 0 else {})
        now = time.monotonic()
        for native_id in native_ids:
            if native_id in found:
                self._unaccounted.pop(native_id, None)
                continue
            since = self._unaccounted.setdefault(native_id, now)
            if now - since < _ACCOUNTING_LAG:
                found[native_id] = JobUpdate(Status.RUNNING, None, "left the queue; waiting for its accounting record")
            else:
                _log.info("qacct has no record of job %s %.0f s after it left the queue", native_id, now - since)
        return found

    def task_id(self, native_id: str, index: int) -> str:
        # array tasks count from 1 (hpcsim's array template runs member i as task i+1)
        return f"{native_id}.{index + 1}"
