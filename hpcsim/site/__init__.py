"""Per-site configuration: loading, validation and lookup."""

from hpcsim.site.config import SiteConfig, available_sites, load_site

__all__ = ["SiteConfig", "available_sites", "load_site"]
