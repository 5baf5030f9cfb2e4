"""The site configs shipped in site_configs/: every file validates, says where its facts come
from, and the facts that hpcsim relies on (scheduler, launcher, node shape, GPU variable,
database interfaces, hostname patterns) are the documented ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hpcsim._resources import shipped_dir
from hpcsim.site import available_sites, detect_site, load_site
from hpcsim.site.schema import DEFAULT_LAUNCHERS

SHIPPED = sorted(shipped_dir("site_configs").glob("*.yaml"))
TEST_CLUSTER = Path(__file__).parents[1] / "fixtures" / "sites" / "hpcsim-testcluster.yaml"
GENERIC = {"local", "slurm-generic", "pbs-generic", "lsf-generic", "sge-generic"}


@pytest.fixture(autouse=True)
def _only_shipped_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPCSIM_SITE_PATH", raising=False)
    monkeypatch.delenv("HPCSIM_SITE", raising=False)


def test_every_expected_site_is_shipped() -> None:
    assert {p.stem for p in SHIPPED} == GENERIC | {
        "perlmutter",
        "frontier",
        "polaris",
        "aurora",
        "frontera",
        "lassen",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_site_validates(path: Path) -> None:
    site = load_site(path)
    assert site.name == path.stem
    assert site.description
    assert site.template_dir is None  # only *.yaml files are package data
    assert load_site(path.stem) == site


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_site_starts_with_a_comment_naming_its_sources(path: Path) -> None:
    head = path.read_text().split("\nname:")[0]
    assert head.startswith("#")
    if path.stem not in GENERIC:
        assert re.search(r"https://\S+", head), "a real site cites the documentation its facts rest on"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_gpu_facts_are_consistent(path: Path) -> None:
    node = load_site(path).node
    if node is None:
        return
    assert node.cpus > 0
    assert (node.gpus > 0) == (node.gpu_vendor != "none")
    expected = {"nvidia": "CUDA_VISIBLE_DEVICES", "amd": "ROCR_VISIBLE_DEVICES", "intel": "ZE_AFFINITY_MASK"}
    assert node.gpu_visibility_var == expected.get(node.gpu_vendor, "")


@pytest.mark.parametrize(
    ("name", "scheduler", "launcher", "cpus", "gpus", "vendor", "interfaces"),
    [
        ("perlmutter", "slurm", "srun", 64, 4, "nvidia", ("hsn0",)),
        ("frontier", "slurm", "srun", 56, 8, "amd", ("hsn0", "hsn1", "hsn2", "hsn3")),
        ("polaris", "pbs", "mpiexec", 32, 4, "nvidia", ("hsn0", "hsn1")),
        ("aurora", "pbs", "mpiexec", 102, 6, "intel", ()),
        ("frontera", "slurm", "mpiexec", 56, 0, "none", ()),
        ("lassen", "lsf", "jsrun", 40, 4, "nvidia", ()),
        (str(TEST_CLUSTER), "slurm", "srun", 4, 0, "none", ("eth0",)),
    ],
)
def test_documented_site_facts(
    name: str, scheduler: str, launcher: str, cpus: int, gpus: int, vendor: str, interfaces: tuple[str, ...]
) -> None:
    site = load_site(name)
    assert (site.scheduler, site.launcher) == (scheduler, launcher)
    assert site.node is not None
    assert (site.node.cpus, site.node.gpus, site.node.gpu_vendor) == (cpus, gpus, vendor)
    assert site.network.db_interfaces == interfaces


def test_batch_defaults_of_real_sites() -> None:
    assert load_site("perlmutter").defaults.constraint == "gpu"
    assert load_site("perlmutter").scratch == "$PSCRATCH"
    assert load_site("frontier").defaults.partition == "batch"
    assert (load_site("polaris").defaults.queue, load_site("polaris").defaults.filesystems) == ("debug", "home:eagle")
    assert load_site("aurora").defaults.filesystems == "flare"
    assert load_site("frontera").defaults.partition == "development"
    assert load_site("lassen").defaults.queue == "pbatch"
    assert load_site(TEST_CLUSTER).defaults.partition == "debug"


@pytest.mark.parametrize("name", ["local", "slurm-generic", "pbs-generic", "lsf-generic"])
def test_generic_sites_use_the_scheduler_default_launcher_and_are_never_detected(name: str) -> None:
    site = load_site(name)
    assert site.launcher == DEFAULT_LAUNCHERS[site.scheduler]
    assert site.hostnames == ()
    assert site.node is None


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [
        ("login10.perlmutter.nersc.gov", "perlmutter"),
        ("login01.frontier.olcf.ornl.gov", "frontier"),
        ("polaris-login-02", "polaris"),
        ("polaris-login-02.hsn.cm.polaris.alcf.anl.gov", "polaris"),
        ("login.aurora.alcf.anl.gov", "aurora"),
        ("login2.frontera.tacc.utexas.edu", "frontera"),
        ("c401-064.frontera.tacc.utexas.edu", "frontera"),
        ("lassen.llnl.gov", "lassen"),
        ("login10", None),
        ("laptop.local", None),
        ("node1", None),
    ],
)
def test_shipped_hostname_patterns(hostname: str, expected: str | None) -> None:
    site = detect_site(hostname)
    assert (site.name if site is not None else None) == expected


def test_no_two_shipped_sites_claim_the_same_sample_hostname() -> None:
    samples = ["login10.perlmutter.nersc.gov", "login01.frontier.olcf.ornl.gov", "polaris-login-02"]
    samples += ["login.aurora.alcf.anl.gov", "login2.frontera.tacc.utexas.edu", "lassen.llnl.gov"]
    sites = [load_site(p) for p in available_sites().values()]
    for hostname in samples:
        assert len([s.name for s in sites if s.matches_hostname(hostname)]) == 1, hostname
