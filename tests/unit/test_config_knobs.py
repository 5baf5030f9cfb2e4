"""Environment knobs and experiment-level options a user can get wrong fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpcsim import Experiment, config
from hpcsim.errors import ConfigError, HpcsimError


@pytest.mark.parametrize(
    ("variable", "reader"),
    [
        ("HPCSIM_POLL_INTERVAL", config.poll_interval),
        ("HPCSIM_PROGRESS_INTERVAL", config.progress_interval),
        ("HPCSIM_STOP_GRACE", config.stop_grace),
    ],
)
def test_number_knobs(monkeypatch: pytest.MonkeyPatch, variable: str, reader: object) -> None:
    monkeypatch.setenv(variable, "2.5")
    assert reader() == 2.5  # type: ignore[operator]
    monkeypatch.setenv(variable, "soon")
    with pytest.raises(ConfigError, match=f"{variable}='soon' is not a number"):
        reader()  # type: ignore[operator]
    monkeypatch.setenv(variable, "-1")
    with pytest.raises(ConfigError, match=f"{variable}='-1' must be at least"):
        reader()  # type: ignore[operator]


def test_dry_run_knob(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_DRY_RUN", "0")
    assert not config.dry_run()
    monkeypatch.setenv("HPCSIM_DRY_RUN", "1")
    assert config.dry_run()


@pytest.mark.parametrize("value", [0, -2, True, "3", 1.5])
def test_bad_max_concurrent(tmp_path: Path, value: object) -> None:
    exp = Experiment("k", exp_path=tmp_path / "exp", launcher="slurm")
    rs = exp.create_run_settings("/bin/true")
    with pytest.raises(HpcsimError, match="max_concurrent must be a positive integer"):
        exp.create_ensemble("ens", replicas=2, run_settings=rs, max_concurrent=value)


def test_unknown_summary_style(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="summary style 'fancy' is not supported"):
        Experiment("k", exp_path=tmp_path / "exp").summary(style="fancy")


def test_experiment_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="exists and is not a directory"):
        Experiment("k", exp_path=tmp_path / "file")
