"""The Slurm adapter: ``sbatch`` through PSI/J, one ``squeue`` per poll, ``sacct`` for jobs
that have left the queue."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from psij.executors.batch.slurm import SlurmExecutorConfig, SlurmJobExecutor

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.batch import VERSION, BatchScheduler, PrerenderedScript
from hpcsim.schedulers.parsers.slurm import SACCT_FIELDS, SQUEUE_FORMAT, parse_sacct, parse_sbatch, parse_squeue

__all__ = ["SlurmScheduler"]

_log = logging.getLogger("hpcsim.schedulers")


class HpcsimSlurmExecutor(PrerenderedScript, SlurmJobExecutor):
    _NAME_ = "hpcsim-slurm"
    _VERSION_ = VERSION

    def job_id_from_submit_output(self, out: str) -> str:
        # PSI/J takes the last word, which is the cluster name in "... on cluster X"
        return parse_sbatch(out)


class SlurmScheduler(BatchScheduler):
    name = "slurm"
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
        return parse_squeue(done.stdout)

    def lookup(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        done = self.command(
            ["sacct", "-X", "-n", "-P", "-o", SACCT_FIELDS, "-j", ",".join(native_ids)],
            check=False,
        )
        if done.returncode != 0:
            _log.info("sacct cannot tell what became of jobs %s: %s", ",".join(native_ids), done.stderr.strip())
            return {}
        return parse_sacct(done.stdout)

    def task_id(self, native_id: str, index: int) -> str:
        return f"{native_id}_{index}"
