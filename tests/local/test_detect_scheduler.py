"""``launcher="auto"`` tells PBS Pro and Grid Engine apart, though both have ``qsub``, ``qstat``
and ``qdel``: each answers its own version probe (``qsub --version`` prints ``pbs_version =``,
``qsub -help`` starts with ``SGE 8.1.9``), against the fakes in tests/fakes/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hpcsim.schedulers import detect_scheduler

FAKES = Path(__file__).resolve().parent.parent / "fakes"


@pytest.mark.parametrize("scheduler", ["pbs", "sge", "lsf"])
def test_auto_finds_the_scheduler_whose_commands_answer(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # only the fake and the Python that runs it: no real sbatch from this machine's PATH
    monkeypatch.setenv("PATH", f"{FAKES / scheduler}{os.pathsep}{Path(sys.executable).parent}")
    monkeypatch.setenv("HPCSIM_FAKE_SCHED_DIR", str(tmp_path / "state"))
    assert detect_scheduler() == scheduler


def test_a_qsub_that_is_neither_pbs_nor_grid_engine_is_not_taken_for_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("qsub", "qstat", "qdel", "qacct"):
        (bin_dir / name).write_text("#!/bin/sh\necho 'usage: something else' >&2\nexit 2\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert detect_scheduler() == "local"
