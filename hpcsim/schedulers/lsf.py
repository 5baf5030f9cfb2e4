"""The LSF adapter: ``bsub`` through PSI/J, one ``bjobs -json -a`` per poll (``-a`` keeps
recently finished jobs in the answer)."""

from __future__ import annotations

from collections.abc import Sequence

from psij.executors.batch.lsf import LsfExecutorConfig, LsfJobExecutor

from hpcsim.errors import SchedulerError
from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.batch import VERSION, BatchScheduler, PrerenderedScript
from hpcsim.schedulers.kinds import LSF
from hpcsim.schedulers.parsers.lsf import bjobs_missing_ids, parse_bjobs_json, parse_bsub

__all__ = ["LsfScheduler"]


class HpcsimLsfExecutor(PrerenderedScript, LsfJobExecutor):
    _NAME_ = "hpcsim-lsf"
    _VERSION_ = VERSION

    def job_id_from_submit_output(self, out: str) -> str:
        return parse_bsub(out)


class LsfScheduler(BatchScheduler):
    name = LSF.name
    executor_class = HpcsimLsfExecutor
    config_class = LsfExecutorConfig
    transient_errors = ("Cannot connect to LSF", "LSF is down", "Please wait")

    def query(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        # bjobs exits non-zero when some ids are unknown (ERROR records) but still reports the rest
        fields = "jobid stat exit_code exit_reason"
        done = self.command(["bjobs", "-o", fields, "-json", "-a", *native_ids], check=False)
        if done.returncode != 0 and not done.stdout.strip():
            raise SchedulerError(f"bjobs exited with {done.returncode}: {done.stderr.strip()}")
        # "not found" records are jobs that left; any other ERROR record raises (a failed query)
        bjobs_missing_ids(done.stdout)
        return parse_bjobs_json(done.stdout)

    def task_id(self, native_id: str, index: int) -> str:
        # LSF array indices start at 1 (hpcsim's array template runs member i as index i+1)
        return f"{native_id}[{index + 1}]"
