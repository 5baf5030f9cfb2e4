"""Jinja templates shipped with hpcsim (package data)."""
