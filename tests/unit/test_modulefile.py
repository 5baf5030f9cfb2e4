"""The name a modulefile gets for a hpcsim version (the files themselves: tests/root)."""

from __future__ import annotations

from hpcsim.site.modulefile import module_version


def test_the_module_name_of_a_development_version_has_no_variant_mark() -> None:
    assert module_version("0.2.1.dev3+g1a2b3c.d20261207") == "0.2.1.dev3-g1a2b3c.d20261207"
    assert module_version("0.2.0") == "0.2.0"
