"""Batch settings with the site's defaults filled in where the user left a field unset
(precedence: package default < site < what the user gave)."""

from __future__ import annotations

import copy

from hpcsim.errors import SettingsError
from hpcsim.schedulers.kinds import KINDS, load
from hpcsim.settings.batch import BatchSettings
from hpcsim.site.schema import SiteConfig

__all__ = ["default_batch", "with_site_defaults"]


def default_batch(scheduler: str) -> BatchSettings:
    """What a model without batch settings is submitted with outside an allocation: the
    scheduler's batch settings with nothing set."""
    settings = load(KINDS[scheduler].batch_settings)()
    assert isinstance(settings, BatchSettings), scheduler
    return settings


def with_site_defaults(batch: BatchSettings, site: SiteConfig | None) -> BatchSettings:
    """A copy of ``batch`` with the site's default account, queue, walltime, node count and
    scheduler-specific fields applied where ``batch`` has none; ``batch`` is not changed.
    A request for more memory per node than the site's nodes have is refused here, before
    anything is launched, rather than by the scheduler after the databases are up."""
    if site is None:
        return batch
    filled = copy.deepcopy(batch)
    filled.fill_site_defaults(site.defaults)
    wanted = filled.memory_per_node_gib()
    have = site.node.memory_gb if site.node is not None else None
    if wanted is not None and have is not None and wanted > have:
        raise SettingsError(
            f"{type(batch).__name__} asks for {wanted:g} GiB of memory per node, but the nodes of site "
            f"{site.name!r} have {have:g} GB (node.memory_gb); ask for less, or use a site whose nodes have more"
        )
    return filled
