"""The unit tier runs no processes: a test that starts one belongs in tests/local."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"tests/unit runs no processes (tried {args[:1]!r}); move this test to tests/local")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    yield
