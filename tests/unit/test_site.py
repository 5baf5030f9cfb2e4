"""Site configurations: loading by name or path, HPCSIM_SITE_PATH precedence, validation
messages (unknown site or key with suggestions, required keys, scheduler values, non-mapping
and malformed YAML), and how Experiment picks its launcher from a site."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.errors import ConfigError, SiteConfigError
from hpcsim.site import available_sites, load_site


@pytest.fixture(autouse=True)
def _no_user_site_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPCSIM_SITE_PATH", raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_shipped_local_site_loads() -> None:
    site = load_site("local")
    assert (site.name, site.scheduler) == ("local", "local")
    assert site.description
    assert Path(site.source).name == "local.yaml"
    assert "local" in available_sites()


@pytest.mark.parametrize("filename", ["cluster.yaml", "cluster.yml"])
def test_site_loads_from_a_path(tmp_path: Path, filename: str) -> None:
    path = write(tmp_path / filename, "name: cluster\nscheduler: slurm\ndescription: a test cluster\n")
    site = load_site(path)
    assert (site.name, site.scheduler, site.description) == ("cluster", "slurm", "a test cluster")
    assert site.source == str(path)
    assert load_site(str(path)) == site


def test_missing_site_file_fails(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match=r"site config file .*nowhere\.yaml' does not exist"):
        load_site(tmp_path / "nowhere.yaml")


def test_site_path_directory_takes_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write(tmp_path / "first" / "local.yaml", "name: local\nscheduler: pbs\n")
    write(tmp_path / "second" / "local.yaml", "name: local\nscheduler: lsf\n")
    write(tmp_path / "second" / "mycluster.yaml", "name: mycluster\nscheduler: slurm\n")
    monkeypatch.setenv("HPCSIM_SITE_PATH", os.pathsep.join([str(tmp_path / "first"), str(tmp_path / "second")]))
    site = load_site("local")
    assert site.scheduler == "pbs"
    assert site.source == str(first)
    assert load_site("mycluster").scheduler == "slurm"
    assert set(available_sites()) == {"local", "mycluster"}


def test_unknown_site_lists_known_sites_and_suggests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "sites" / "frontier.yaml", "name: frontier\nscheduler: slurm\n")
    monkeypatch.setenv("HPCSIM_SITE_PATH", str(tmp_path / "sites"))
    with pytest.raises(
        SiteConfigError,
        match=re.escape("unknown site 'fronteir' (did you mean 'frontier'?); known sites: frontier, local."),
    ):
        load_site("fronteir")


def test_unknown_site_without_close_match_still_lists_sites() -> None:
    with pytest.raises(SiteConfigError, match=r"unknown site 'zzzzzz'; known sites: local\. Add a YAML file"):
        load_site("zzzzzz")


def test_unknown_key_suggests_the_close_key(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: s\nschedular: slurm\n")
    with pytest.raises(
        SiteConfigError,
        match=re.escape(
            "unknown key 'schedular' (did you mean 'scheduler'?); valid keys: name, scheduler, description"
        ),
    ):
        load_site(path)


def test_source_is_not_a_user_key(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: s\nscheduler: slurm\nsource: elsewhere\n")
    with pytest.raises(SiteConfigError, match="unknown key 'source'"):
        load_site(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("scheduler: slurm\n", "name"),
        ("name: s\n", "scheduler"),
        ("name: ''\nscheduler: slurm\n", "name"),
        ("name: s\nscheduler: 5\n", "scheduler"),
    ],
)
def test_name_and_scheduler_are_required(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path / "s.yaml", text)
    with pytest.raises(SiteConfigError, match=f"'{key}' is required and must be a non-empty string"):
        load_site(path)


def test_bad_scheduler_value_lists_the_choices(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: s\nscheduler: sge\n")
    with pytest.raises(SiteConfigError, match="scheduler 'sge' is not one of local, slurm, pbs, lsf"):
        load_site(path)


def test_description_must_be_a_string(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: s\nscheduler: local\ndescription: [a, b]\n")
    with pytest.raises(SiteConfigError, match="'description' must be a string"):
        load_site(path)


@pytest.mark.parametrize(
    ("text", "type_name"), [("- name\n- scheduler\n", "list"), ("", "NoneType"), ("local\n", "str")]
)
def test_non_mapping_yaml_fails(tmp_path: Path, text: str, type_name: str) -> None:
    path = write(tmp_path / "s.yaml", text)
    with pytest.raises(SiteConfigError, match=f"a site config must be a YAML mapping, got {type_name}"):
        load_site(path)


def test_invalid_yaml_syntax_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: [unclosed\nscheduler: local\n")
    with pytest.raises(SiteConfigError, match=f"cannot read site config {re.escape(repr(str(path)))}") as info:
        load_site(path)
    assert isinstance(info.value, ConfigError)


def test_auto_launcher_uses_the_sites_scheduler(tmp_path: Path) -> None:
    local = write(tmp_path / "mine.yaml", "name: mine\nscheduler: local\n")
    exp = Experiment("exp", exp_path=tmp_path / "exp", launcher="auto", site=local)
    assert exp.launcher == "local"
    assert exp.site is not None and exp.site.name == "mine"
    slurm = write(tmp_path / "cluster.yaml", "name: cluster\nscheduler: slurm\n")
    assert Experiment("exp", exp_path=tmp_path / "exp", launcher="auto", site=slurm).launcher == "slurm"


def test_launcher_names_are_case_insensitive(tmp_path: Path) -> None:
    assert Experiment("exp", exp_path=tmp_path / "exp", launcher="LOCAL").launcher == "local"


def test_unknown_launcher_lists_choices(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=re.escape("unknown launcher 'bogus'; choose one of local, slurm, pbs, lsf or 'auto'")
    ):
        Experiment("exp", exp_path=tmp_path / "exp", launcher="bogus")


def test_experiment_with_a_bad_site_fails(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="unknown site 'nosuchsite'"):
        Experiment("exp", exp_path=tmp_path / "exp", site="nosuchsite")
