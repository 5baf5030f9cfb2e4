"""Site configurations: loading by name or path, HPCSIM_SITE_PATH precedence, the full schema
(nested sections, per-scheduler launcher defaults, template_dir resolution, to_dict round trip),
validation messages (file, dotted key, expected type, value, close matches), site selection
(explicit > HPCSIM_SITE > hostname patterns > none), and how Experiment picks its launcher."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
from pathlib import Path

import pytest
import yaml

from hpcsim import Experiment
from hpcsim.errors import ConfigError, SiteConfigError
from hpcsim.site import Defaults, Network, Node, available_sites, detect_site, load_site, select_site, validate_site


@pytest.fixture(autouse=True)
def _no_user_site_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPCSIM_SITE_PATH", raising=False)
    monkeypatch.delenv("HPCSIM_SITE", raising=False)


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
    sites = available_sites()
    assert {"local", "mycluster", "perlmutter"} <= set(sites)
    assert list(sites)[:2] == ["local", "mycluster"]  # search-path order: user directories first
    assert sites["local"] == first


def test_unknown_site_lists_known_sites_and_suggests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "sites" / "frontier.yaml", "name: frontier\nscheduler: slurm\n")
    monkeypatch.setenv("HPCSIM_SITE_PATH", str(tmp_path / "sites"))
    with pytest.raises(SiteConfigError, match=re.escape("unknown site 'fronteir' (did you mean 'frontier'?)")) as info:
        load_site("fronteir")
    known = str(info.value).split("known sites: ")[1].split(". ")[0].split(", ")
    assert known == sorted(known) and {"frontier", "local", "polaris"} <= set(known)


def test_unknown_site_without_close_match_still_lists_sites() -> None:
    with pytest.raises(
        SiteConfigError, match=r"unknown site 'zzzzzz'; known sites: aurora, .*, local, .*\. Add a YAML file"
    ):
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
    path = write(tmp_path / "s.yaml", "name: s\nscheduler: cobalt\n")
    with pytest.raises(SiteConfigError, match="scheduler 'cobalt' is not one of local, slurm, pbs, lsf, sge"):
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
        ConfigError, match=re.escape("unknown launcher 'bogus'; choose one of local, slurm, pbs, lsf, sge or 'auto'")
    ):
        Experiment("exp", exp_path=tmp_path / "exp", launcher="bogus")


def test_experiment_with_a_bad_site_fails(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="unknown site 'nosuchsite'"):
        Experiment("exp", exp_path=tmp_path / "exp", site="nosuchsite")


FULL = """\
name: big
scheduler: slurm
description: a full example
hostnames: ["login*.big.example.org", "nid*"]
network:
  db_interfaces: [hsn0, hsn1]
node:
  cpus: 64
  gpus: 4
  gpu_vendor: nvidia
  memory_gb: 256
defaults:
  account: m0000
  partition: gpu
  constraint: gpu
  qos: regular
  walltime: "01:30:00"
  nodes: 2
modules: [PrgEnv-gnu, cudatoolkit/12.2]
env:
  OMP_NUM_THREADS: 8
  MPICH_GPU_SUPPORT_ENABLED: "1"
scratch: $PSCRATCH/runs
template_dir: overrides
redis_server: /opt/redis/bin/redis-server
"""


def test_full_schema_loads_into_frozen_nested_objects(tmp_path: Path) -> None:
    (tmp_path / "overrides").mkdir()
    site = load_site(write(tmp_path / "big.yaml", FULL))
    assert site.launcher == "srun"
    assert site.hostnames == ("login*.big.example.org", "nid*")
    assert site.network == Network(db_interfaces=("hsn0", "hsn1"))
    assert site.node == Node(
        cpus=64, gpus=4, gpu_vendor="nvidia", gpu_visibility_var="CUDA_VISIBLE_DEVICES", memory_gb=256.0
    )
    assert site.defaults == Defaults(
        account="m0000", partition="gpu", constraint="gpu", qos="regular", walltime="01:30:00", nodes=2
    )
    assert site.modules == ("PrgEnv-gnu", "cudatoolkit/12.2")
    assert site.environment == {"OMP_NUM_THREADS": "8", "MPICH_GPU_SUPPORT_ENABLED": "1"}
    assert site.scratch == "$PSCRATCH/runs"  # kept as written: expanded on the compute node, not here
    assert site.template_dir == str((tmp_path / "overrides").resolve())
    assert site.redis_server == "/opt/redis/bin/redis-server"
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.name = "other"  # type: ignore[misc]
    hash(site)


def test_to_dict_round_trips_through_yaml(tmp_path: Path) -> None:
    (tmp_path / "overrides").mkdir()
    site = load_site(write(tmp_path / "big.yaml", FULL))
    dumped = write(tmp_path / "elsewhere" / "again.yaml", yaml.safe_dump(site.to_dict(), sort_keys=False))
    again = load_site(dumped)
    assert dataclasses.replace(again, source=site.source) == site
    assert "source" not in site.to_dict()


def test_minimal_site_gets_empty_sections(tmp_path: Path) -> None:
    site = load_site(write(tmp_path / "m.yaml", "name: m\nscheduler: pbs\nnode:\ndefaults:\nenv:\n"))
    assert (site.node, site.defaults, site.network, site.env, site.modules) == (None, Defaults(), Network(), (), ())
    assert site.to_dict()["defaults"] == {}


@pytest.mark.parametrize(
    ("scheduler", "launcher"), [("local", ""), ("slurm", "srun"), ("pbs", "mpiexec"), ("lsf", "jsrun")]
)
def test_launcher_defaults_per_scheduler(tmp_path: Path, scheduler: str, launcher: str) -> None:
    assert load_site(write(tmp_path / "s.yaml", f"name: s\nscheduler: {scheduler}\n")).launcher == launcher


def test_explicit_launcher_overrides_the_default(tmp_path: Path) -> None:
    site = load_site(write(tmp_path / "s.yaml", "name: s\nscheduler: slurm\nlauncher: mpirun\n"))
    assert site.launcher == "mpirun"
    local = load_site(write(tmp_path / "l.yaml", "name: l\nscheduler: slurm\nlauncher: ''\n"))
    assert local.launcher == ""


@pytest.mark.parametrize(
    ("vendor", "variable"),
    [("nvidia", "CUDA_VISIBLE_DEVICES"), ("amd", "ROCR_VISIBLE_DEVICES"), ("intel", "ZE_AFFINITY_MASK")],
)
def test_gpu_visibility_variable_follows_the_vendor(tmp_path: Path, vendor: str, variable: str) -> None:
    text = f"name: s\nscheduler: slurm\nnode: {{cpus: 8, gpus: 2, gpu_vendor: {vendor}}}\n"
    node = load_site(write(tmp_path / "s.yaml", text)).node
    assert node is not None and node.gpu_visibility_var == variable


def test_cpu_only_node_has_no_gpu_variable(tmp_path: Path) -> None:
    node = load_site(write(tmp_path / "s.yaml", "name: s\nscheduler: slurm\nnode: {cpus: 8}\n")).node
    assert node == Node(cpus=8, gpus=0, gpu_vendor="none", gpu_visibility_var="", memory_gb=None)


BAD = [
    # (document after "name: s\nscheduler: slurm\n", expected message after "<file>: ")
    ("node:\n  cpus: 4\n  gpu: 2\n", "unknown key 'node.gpu' (did you mean 'gpus'?); valid keys under 'node': cpus, "),
    ("network:\n  db_interface: [hsn0]\n", "unknown key 'network.db_interface' (did you mean 'db_interfaces'?)"),
    ("defaults:\n  partion: debug\n", "unknown key 'defaults.partion' (did you mean 'partition'?)"),
    ("node:\n  cpus: -4\n", "'node.cpus' must be an integer >= 1, got int -4"),
    ("node:\n  cpus: 0\n", "'node.cpus' must be an integer >= 1, got int 0"),
    ("node:\n  cpus: four\n", "'node.cpus' must be an integer >= 1, got str 'four'"),
    ("node:\n  cpus: true\n", "'node.cpus' must be an integer >= 1, got bool True"),
    ("node:\n  gpus: 2\n", "'node.cpus' is required when 'node' is given"),
    ("node:\n  cpus: 4\n  gpus: -1\n", "'node.gpus' must be an integer >= 0, got int -1"),
    ("node: {cpus: 4, gpus: 4, gpu_vendor: nvida}\n", "node.gpu_vendor 'nvida' is not one of nvidia, amd, intel, none"),
    ("node: {cpus: 4, gpus: 4}\n", "'node.gpus' is 4 but 'node.gpu_vendor' is 'none'; set it to one of nvidia, amd"),
    ("node: {cpus: 4, memory_gb: 0}\n", "'node.memory_gb' must be a number > 0, got int 0"),
    ("node: {cpus: 4, gpu_visibility_var: 'CUDA VISIBLE'}\n", "'node.gpu_visibility_var' must be an environment"),
    ("node: [4]\n", "'node' must be a mapping, got list [4]"),
    ("launcher: ibrun\n", "launcher 'ibrun' is not one of srun, mpirun, mpiexec, aprun, jsrun, ''"),
    (
        "launcher: sruns\n",
        "launcher 'sruns' is not one of srun, mpirun, mpiexec, aprun, jsrun, '' (did you mean 'srun'?)",
    ),
    ("hostnames: login*.example.org\n", "'hostnames' must be a list of strings, got str 'login*.example.org' (write ["),
    ("modules: [gcc, 12]\n", "'modules' must be a list of non-empty strings, got list ['gcc', 12]"),
    (
        "defaults: {walltime: 10:30:00}\n",
        "'defaults.walltime' must be a string \"HH:MM:SS\", got int 37800 (YAML reads an unquoted 1:30:00 as "
        'seconds; quote it: "10:30:00")',
    ),
    ("defaults: {walltime: '90 minutes'}\n", "'defaults.walltime' must look like \"HH:MM:SS\", got '90 minutes'"),
    ("defaults: {nodes: 0}\n", "'defaults.nodes' must be an integer >= 1, got int 0"),
    ("defaults: {account: 1234}\n", "'defaults.account' must be a string, got int 1234"),
    ("env: {OMP_NUM_THREADS: true}\n", "'env.OMP_NUM_THREADS' must be a string (or a number), got bool True"),
    ("env: {1BAD: x}\n", "'env.1BAD' must be an environment variable name, got str '1BAD'"),
    ("env: [A, B]\n", "'env' must be a mapping of NAME: value, got list ['A', 'B']"),
    ("scratch: [a]\n", "'scratch' must be a string, got list ['a']"),
    ("redis_server: ''\n", "'redis_server' must be a path to redis-server, got an empty string"),
    ("scheduler_options: x\n", "unknown key 'scheduler_options' (did you mean 'scheduler'?); valid keys: name, "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(",")[0][:40] for _, m in BAD])
def test_invalid_values_name_the_file_and_the_dotted_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.yaml", "name: s\nscheduler: slurm\n" + text)
    with pytest.raises(SiteConfigError) as info:
        load_site(path)
    assert str(info.value).startswith(f"{path}: {message}")


def test_bad_scheduler_value_suggests_the_close_one(tmp_path: Path) -> None:
    with pytest.raises(
        SiteConfigError, match=re.escape("scheduler 'slrum' is not one of local, slurm, pbs, lsf, sge (did")
    ):
        load_site(write(tmp_path / "s.yaml", "name: s\nscheduler: slrum\n"))


def test_template_dir_must_exist_relative_to_the_site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "sites" / "s.yaml", "name: s\nscheduler: slurm\ntemplate_dir: tpl\n")
    (tmp_path / "tpl").mkdir()  # beside the cwd, not beside the file: must not be picked up
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SiteConfigError) as info:
        load_site(path)
    assert str(info.value).startswith(f"{path}: 'template_dir' 'tpl' is not a directory (looked at ")
    assert str(tmp_path / "sites" / "tpl") in str(info.value)
    (tmp_path / "sites" / "tpl").mkdir()
    assert load_site(path).template_dir == str((tmp_path / "sites" / "tpl").resolve())


def test_template_dir_that_is_a_file_fails(tmp_path: Path) -> None:
    write(tmp_path / "tpl", "not a directory")
    with pytest.raises(SiteConfigError, match="'template_dir' 'tpl' is not a directory"):
        load_site(write(tmp_path / "s.yaml", "name: s\nscheduler: slurm\ntemplate_dir: tpl\n"))


def test_validate_site_accepts_parsed_data_and_a_base_directory(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    site = validate_site({"name": "x", "scheduler": "lsf", "template_dir": "t"}, "<memory>", base_dir=tmp_path)
    assert (site.launcher, site.template_dir, site.source) == ("jsrun", str((tmp_path / "t").resolve()), "<memory>")


def test_hostname_patterns_match_case_insensitively(tmp_path: Path) -> None:
    site = load_site(
        write(tmp_path / "s.yaml", "name: s\nscheduler: slurm\nhostnames: ['login*.Big.org', 'nid0[0-9]*']\n")
    )
    assert site.matches_hostname("LOGIN3.big.org")
    assert site.matches_hostname("nid001234")
    assert not site.matches_hostname("login3.big.org.evil.com")
    assert not site.matches_hostname("nid1")


def _sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sites = tmp_path / "sites"
    write(sites / "fake.yaml", "name: fake\nscheduler: pbs\nhostnames: ['fe*.fake.example', 'fakenode[0-9]*']\n")
    monkeypatch.setenv("HPCSIM_SITE_PATH", str(sites))
    return sites


def test_detect_site_by_hostname_pattern(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sites(tmp_path, monkeypatch)
    for hostname in ("fe1.fake.example", "FE02.FAKE.EXAMPLE", "fakenode17"):
        found = detect_site(hostname)
        assert found is not None and found.name == "fake", hostname
    assert detect_site("fakenode") is None
    assert detect_site("laptop.local") is None


def test_user_sites_are_tried_before_shipped_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sites = _sites(tmp_path, monkeypatch)
    write(sites / "zz-mine.yaml", "name: zz-mine\nscheduler: slurm\nhostnames: ['login*.frontier.olcf.ornl.gov']\n")
    found = detect_site("login01.frontier.olcf.ornl.gov")
    assert found is not None and found.name == "zz-mine"


def test_select_site_explicit_argument_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sites(tmp_path, monkeypatch)
    monkeypatch.setenv("HPCSIM_SITE", "fake")
    chosen = select_site("local")
    assert chosen is not None and chosen.name == "local"
    by_path = select_site(tmp_path / "sites" / "fake.yaml")
    assert by_path is not None and by_path.name == "fake"


def test_select_site_from_hpcsim_site_by_name_and_by_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sites = _sites(tmp_path, monkeypatch)
    monkeypatch.setenv("HPCSIM_SITE", "fake")
    by_name = select_site()
    assert by_name is not None and (by_name.name, by_name.scheduler) == ("fake", "pbs")
    monkeypatch.setenv("HPCSIM_SITE", str(write(tmp_path / "other" / "mine.yml", "name: mine\nscheduler: lsf\n")))
    by_path = select_site(None)
    assert by_path is not None and by_path.name == "mine"
    monkeypatch.setenv("HPCSIM_SITE", "  ")  # blank counts as unset
    monkeypatch.setattr(socket, "getfqdn", lambda: "fe9.fake.example")
    by_host = select_site()
    assert by_host is not None and by_host.source == str(sites / "fake.yaml")


def test_unknown_hpcsim_site_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_SITE", "nosuchsite")
    with pytest.raises(SiteConfigError, match=re.escape("HPCSIM_SITE='nosuchsite': unknown site 'nosuchsite'")):
        select_site()
    monkeypatch.setenv("HPCSIM_SITE", "/nowhere/site.yaml")
    with pytest.raises(SiteConfigError, match=re.escape("HPCSIM_SITE='/nowhere/site.yaml': site config file")):
        select_site()


def test_select_site_matches_the_short_hostname_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sites(tmp_path, monkeypatch)
    monkeypatch.setattr(socket, "getfqdn", lambda: "fakenode3.internal.example")
    monkeypatch.setattr(socket, "gethostname", lambda: "fakenode3")
    found = select_site()
    assert found is not None and found.name == "fake"


def test_select_site_is_none_when_nothing_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sites(tmp_path, monkeypatch)
    monkeypatch.setattr(socket, "getfqdn", lambda: "laptop.home.example")
    monkeypatch.setattr(socket, "gethostname", lambda: "laptop")
    assert select_site() is None


def test_detection_reports_a_broken_site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sites = _sites(tmp_path, monkeypatch)
    broken = write(sites / "broken.yaml", "name: broken\nscheduler: slurm\nhostname: [x]\n")
    with pytest.raises(
        SiteConfigError, match=re.escape(f"{broken}: unknown key 'hostname' (did you mean 'hostnames'?)")
    ):
        detect_site("anything")
