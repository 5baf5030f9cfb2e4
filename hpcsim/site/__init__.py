"""Per-site configuration: the schema, loading by name or path, and picking the site to use."""

from hpcsim.site.config import available_sites, load_site, site_dirs
from hpcsim.site.detect import detect_site, select_site
from hpcsim.site.schema import (
    GPU_VENDORS,
    LAUNCHERS,
    SCHEDULERS,
    Defaults,
    Network,
    Node,
    SiteConfig,
    validate_site,
)

__all__ = [
    "GPU_VENDORS",
    "LAUNCHERS",
    "SCHEDULERS",
    "Defaults",
    "Network",
    "Node",
    "SiteConfig",
    "available_sites",
    "detect_site",
    "load_site",
    "select_site",
    "site_dirs",
    "validate_site",
]
