"""Batch settings with the site's defaults filled in where the user left a field unset
(precedence: package default < site < what the user gave)."""

from __future__ import annotations

import copy

from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.factory import BATCH_CLASSES
from hpcsim.settings.qsub import QsubBatchSettings
from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.site.schema import SiteConfig

__all__ = ["default_batch", "with_site_defaults"]


def default_batch(scheduler: str) -> BatchSettings:
    """What a model without batch settings is submitted with outside an allocation."""
    return BATCH_CLASSES[scheduler]()


def with_site_defaults(batch: BatchSettings, site: SiteConfig | None) -> BatchSettings:
    """A copy of ``batch`` with the site's default account, queue, walltime, node count and
    scheduler-specific fields applied where ``batch`` has none; ``batch`` is not changed."""
    if site is None:
        return batch
    defaults = site.defaults
    filled = copy.deepcopy(batch)
    if not filled.account and defaults.account:
        filled.set_account(defaults.account)
    queue = defaults.partition or defaults.queue
    if not filled.queue and queue:
        filled.set_queue(queue)
    if filled.walltime is None and defaults.walltime:
        filled.set_walltime(defaults.walltime)
    if filled.nodes is None and defaults.nodes:
        filled.set_nodes(defaults.nodes)
    if isinstance(filled, SbatchSettings):
        if not filled.constraint and defaults.constraint:
            filled.set_constraint(defaults.constraint)
        if not filled.qos and defaults.qos:
            filled.set_qos(defaults.qos)
    if isinstance(filled, QsubBatchSettings) and "filesystems" not in filled.resources and defaults.filesystems:
        filled.set_resource("filesystems", defaults.filesystems)
    return filled
