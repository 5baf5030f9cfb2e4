"""Sites shape the scripts: template overrides, default directives, and user settings that
win over site defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.settings.sbatch import SbatchSettings

SITE = """\
name: {name}
scheduler: slurm
template_dir: templates
modules: [gcc/12]
env: {{SITE_VAR: "a,b c"}}
defaults:
  account: siteacct
  partition: sitepart
  constraint: cpu
  walltime: "00:30:00"
"""


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    (tmp_path / "templates" / "batch").mkdir(parents=True)
    path = tmp_path / "mysite.yaml"
    path.write_text(SITE.format(name="mysite"))
    return path


def _preview(tmp_path: Path, site: Path, batch: SbatchSettings | None = None) -> str:
    exp = Experiment("s", exp_path=tmp_path / "exp", launcher="slurm", site=site)
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=batch)
    return exp.preview(model)


def test_site_defaults_fill_what_the_user_left_unset(tmp_path: Path, site_file: Path) -> None:
    text = _preview(tmp_path, site_file)
    for line in ("--account=siteacct", "--partition=sitepart", "--constraint=cpu", "--time=00:30:00"):
        assert f"#SBATCH {line}\n" in text
    assert "module load gcc/12\n" in text
    assert "export SITE_VAR='a,b c'\n" in text


def test_user_settings_win_over_site_defaults(tmp_path: Path, site_file: Path) -> None:
    user = SbatchSettings(account="mine", partition="fast", time="02:00:00")
    text = _preview(tmp_path, site_file, user)
    assert "#SBATCH --account=mine\n" in text
    assert "#SBATCH --partition=fast\n" in text
    assert "#SBATCH --time=02:00:00\n" in text
    assert "siteacct" not in text
    assert user.account == "mine" and user.constraint == ""


def test_site_template_override_is_used(tmp_path: Path, site_file: Path) -> None:
    (tmp_path / "templates" / "batch" / "slurm.sh.j2").write_text("#!/bin/bash\n# site template for {{ job.name }}\n")
    assert _preview(tmp_path, site_file).endswith("#!/bin/bash\n# site template for m\n")


def test_user_template_path_wins_over_the_site(
    tmp_path: Path, site_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates" / "batch" / "slurm.sh.j2").write_text("site\n")
    user = tmp_path / "user" / "batch"
    user.mkdir(parents=True)
    (user / "slurm.sh.j2").write_text("user\n")
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(user.parent))
    assert _preview(tmp_path, site_file).endswith("user\n")


def test_hpcsim_site_variable_selects_the_site(
    tmp_path: Path, site_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HPCSIM_SITE", str(site_file))
    exp = Experiment("s", exp_path=tmp_path / "exp", launcher="auto")
    assert exp.site is not None and exp.site.name == "mysite"
    assert exp.launcher == "slurm"
