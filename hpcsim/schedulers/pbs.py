"""The PBS Pro adapter: ``qsub`` through PSI/J, one ``qstat -f -F json -x`` per poll (which
also lists finished jobs, so nothing needs a second lookup)."""

from __future__ import annotations

from collections.abc import Sequence

from psij.executors.batch.pbs import PBSJobExecutor
from psij.executors.batch.pbs_base import PBSExecutorConfig

from hpcsim.errors import SchedulerError
from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.batch import VERSION, BatchScheduler, PrerenderedScript
from hpcsim.schedulers.kinds import PBS
from hpcsim.schedulers.parsers.pbs import parse_qstat_json, parse_qsub, qstat_error_ids

__all__ = ["PbsScheduler"]


class HpcsimPbsExecutor(PrerenderedScript, PBSJobExecutor):
    _NAME_ = "hpcsim-pbs"
    _VERSION_ = VERSION

    def job_id_from_submit_output(self, out: str) -> str:
        return parse_qsub(out)


class PbsScheduler(BatchScheduler):
    name = PBS.name
    executor_class = HpcsimPbsExecutor
    config_class = PBSExecutorConfig
    transient_errors = ("Connection refused", "cannot connect to server", "Request timed out")

    def query(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        # qstat exits non-zero when some ids are unknown (purged) but still prints the others
        done = self.command(["qstat", "-f", "-F", "json", "-x", *native_ids], check=False)
        unknown = set(qstat_error_ids(done.stderr))
        if done.returncode != 0 and not done.stdout.strip() and not unknown >= set(native_ids):
            raise SchedulerError(f"qstat exited with {done.returncode}: {done.stderr.strip()}")
        return parse_qstat_json(done.stdout) if done.stdout.strip() else {}

    def task_id(self, native_id: str, index: int) -> str:
        # the array job 123[].server has subjobs 123[0].server, 123[1].server, ...
        return native_id.replace("[]", f"[{index}]", 1)
