"""Shared fixtures: fixture paths and experiments that clean up after themselves."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hpcsim import Experiment

FIXTURES = Path(__file__).parent / "fixtures"
APPS = FIXTURES / "apps"


def default_sigint() -> None:
    """``preexec_fn`` for a child that a test will Ctrl-C: a runner started in the background
    (``cmd &`` without job control) ignores SIGINT, and its children would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def exp(tmp_path: Path) -> Iterator[Experiment]:
    """A local experiment in a temporary directory; whatever it launched is stopped at the end."""
    experiment = Experiment("test-exp", exp_path=tmp_path / "exp", launcher="local")
    yield experiment
    launched = list(experiment._launched)
    if launched:
        experiment.stop(*launched)


@pytest.fixture
def python_exe() -> str:
    return sys.executable


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test's tier is its folder under tests/, and that folder is its marker
    (``pytest -m slurm`` runs tests/slurm); the tiers are listed in setup.cfg."""
    here = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(here).parts
        if len(parts) > 1:
            item.add_marker(parts[0])


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current templates instead of comparing against it",
    )


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))
