"""Site configurations shipped with hpcsim (package data)."""
