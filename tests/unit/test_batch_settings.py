"""Batch settings per scheduler: directives, the contract that every settable field reaches
the script, and clear errors for bad input."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.errors import ConfigError, SettingsError
from hpcsim.settings.batch import parse_walltime
from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.qsub import QsubBatchSettings
from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.settings.sge import SgeQsubBatchSettings


def _token() -> str:
    return "t" + secrets.token_hex(4)


def _render(tmp_path: Path, scheduler: str, batch: object) -> str:
    exp = Experiment("c", exp_path=tmp_path / "exp", launcher=scheduler)
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=batch)  # type: ignore[arg-type]
    return exp.preview(model)


def test_contract_every_sbatch_field_reaches_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = {k: _token() for k in ("account", "partition", "qos", "constraint", "gpus", "mem", "array", "extra")}
    batch = SbatchSettings(
        nodes=7,
        time="12:34:56",
        account=tokens["account"],
        partition=tokens["partition"],
        qos=tokens["qos"],
        constraint=tokens["constraint"],
        gpus=tokens["gpus"],
        mem=tokens["mem"],
        exclusive=True,
        array=tokens["array"],
        batch_args={"comment": tokens["extra"]},
    )
    batch.set_cpus_per_task(13)
    batch.add_preamble(pre := f"echo {_token()}")
    text = _render(tmp_path, "slurm", batch)
    for name, token in tokens.items():
        assert token in text, name
    for line in ("#SBATCH --nodes=7", "#SBATCH --time=12:34:56", "#SBATCH --exclusive", "#SBATCH --cpus-per-task=13"):
        assert line + "\n" in text
    assert f"\n{pre}\n" in text


def test_contract_every_qsub_field_reaches_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = {k: _token() for k in ("queue", "account", "mem", "place", "filesystems", "res", "extra")}
    batch = QsubBatchSettings(
        nodes=3,
        ncpus=17,
        ngpus=5,
        time="02:00:00",
        queue=tokens["queue"],
        account=tokens["account"],
        mem=tokens["mem"],
        place=tokens["place"],
        filesystems=tokens["filesystems"],
        resources={"custom": tokens["res"]},
        batch_args={"m": tokens["extra"]},
    )
    text = _render(tmp_path, "pbs", batch)
    assert f"#PBS -l select=3:ncpus=17:ngpus=5:mem={tokens['mem']}\n" in text
    for name, token in tokens.items():
        assert token in text, name
    assert "#PBS -l walltime=02:00:00\n" in text


def test_contract_every_bsub_field_reaches_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = {k: _token() for k in ("project", "queue", "extra")}
    batch = BsubBatchSettings(
        nodes=4,
        time="01:00:01",
        project=tokens["project"],
        queue=tokens["queue"],
        smts=2,
        gpus=3,
        batch_args={"G": tokens["extra"]},
    )
    text = _render(tmp_path, "lsf", batch)
    for name, token in tokens.items():
        assert token in text, name
    for line in ("#BSUB -nnodes 4", "#BSUB -W 01:01", "#BSUB -alloc_flags smt2", "#BSUB -gpu num=3"):
        assert line + "\n" in text


@pytest.mark.parametrize("cls", [SbatchSettings, QsubBatchSettings, BsubBatchSettings, SgeQsubBatchSettings])
@pytest.mark.parametrize("nodes", [0, -1, True, "2"])
def test_bad_node_counts(cls: type, nodes: object) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"nodes must be an integer >= 1, got {nodes!r}")):
        cls(nodes=nodes)


@pytest.mark.parametrize("walltime", ["1:2", "00:61:00", "00:00:60", "abc", "10", "-1:00:00", "00:00:00", 3600])
def test_malformed_walltime(walltime: object) -> None:
    with pytest.raises(SettingsError, match="walltime must be"):
        SbatchSettings(time=walltime)  # type: ignore[arg-type]


def test_contract_every_sge_field_reaches_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = {k: _token() for k in ("pe", "queue", "account", "project", "res", "extra")}
    batch = SgeQsubBatchSettings(
        time="1-00:00:05",
        ncpus=12,
        pe_type=tokens["pe"],
        account=tokens["account"],
        queue=tokens["queue"],
        project=tokens["project"],
        ngpus=2,
        resources={"custom": tokens["res"]},
        batch_args={"m": tokens["extra"], "notify": None},
    )
    text = _render(tmp_path, "sge", batch)
    for name, token in tokens.items():
        assert token in text, name
    for line in (f"#$ -pe {tokens['pe']} 12", "#$ -l h_rt=24:00:05", "#$ -l gpu=2", "#$ -notify", "#$ -S /bin/bash"):
        assert line + "\n" in text


def test_sge_has_slots_not_nodes_and_needs_a_parallel_environment_for_them(tmp_path: Path) -> None:
    assert SgeQsubBatchSettings(nodes=1).directives() == []
    with pytest.raises(SettingsError, match="Grid Engine allocates slots, not nodes"):
        SgeQsubBatchSettings(nodes=2)
    with pytest.raises(SettingsError, match="needs both ncpus and pe_type"):
        SgeQsubBatchSettings(ncpus=4).directives()
    with pytest.raises(SettingsError, match="needs both ncpus and pe_type"):
        SgeQsubBatchSettings(pe_type="smp").directives()
    with pytest.raises(SettingsError, match="has its own setting"):
        SgeQsubBatchSettings(resources={"h_rt": "100"})
    exp = Experiment("sge", exp_path=tmp_path / "exp", launcher="sge")
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=SgeQsubBatchSettings(ncpus=2))
    with pytest.raises(SettingsError, match="needs both ncpus and pe_type"):
        exp.preview(model)
    assert not (tmp_path / "exp").exists()


def test_walltime_with_days_and_lsf_rounding() -> None:
    assert parse_walltime("1-02:03:04") == (26, 3, 4)
    assert BsubBatchSettings(time="00:59:30").lsf_walltime == "01:00"


def test_pbs_select_and_nodes_conflict() -> None:
    with pytest.raises(SettingsError, match="either nodes or select"):
        QsubBatchSettings(nodes=2, select=2)


def test_pbs_option_without_value_and_chunk_resource_refused() -> None:
    with pytest.raises(SettingsError, match="needs a value"):
        QsubBatchSettings(batch_args={"V": None})
    with pytest.raises(SettingsError, match="has its own setting"):
        QsubBatchSettings(resources={"ncpus": 4})


@pytest.mark.parametrize("value", ["a b", "x\n#SBATCH --uid=0", "$(id)", "a;b", "it's"])
def test_directive_values_cannot_inject(value: str) -> None:
    with pytest.raises(SettingsError, match="cannot go into a batch directive"):
        SbatchSettings(account=value)


@pytest.mark.parametrize(
    ("cls", "arg"),
    [(SbatchSettings, "job-name"), (QsubBatchSettings, "N"), (BsubBatchSettings, "o"), (SgeQsubBatchSettings, "t")],
)
def test_reserved_batch_args(cls: type, arg: str) -> None:
    with pytest.raises(SettingsError, match="set by hpcsim"):
        cls(batch_args={arg: "x"})


def test_batch_settings_of_another_scheduler_are_refused(tmp_path: Path) -> None:
    exp = Experiment("w", exp_path=tmp_path / "exp", launcher="pbs")
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=SbatchSettings(nodes=1))
    with pytest.raises(ConfigError, match="has SbatchSettings, but the pbs launcher needs QsubBatchSettings"):
        exp.preview(model)


def test_experiment_path_unfit_for_directives_is_refused(tmp_path: Path) -> None:
    exp = Experiment("w", exp_path=tmp_path / "with space", launcher="slurm")
    model = exp.create_model("m", exp.create_run_settings("/bin/true"))
    with pytest.raises(ConfigError, match="cannot hold"):
        exp.preview(model)


def test_preamble_keeps_line_order_and_splits_multiline_strings() -> None:
    batch = SbatchSettings()
    batch.add_preamble("module load a\nmodule load b")
    batch.add_preamble(["export X=1"])
    assert batch.preamble == ["module load a", "module load b", "export X=1"]
    with pytest.raises(SettingsError, match="must be strings"):
        batch.add_preamble([1])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("launcher", "cls", "line"),
    [
        ("slurm", SbatchSettings, "#SBATCH --partition=q1"),
        ("pbs", QsubBatchSettings, "#PBS -q q1"),
        ("lsf", BsubBatchSettings, "#BSUB -q q1"),
        ("sge", SgeQsubBatchSettings, "#$ -q q1"),
    ],
)
def test_create_batch_settings_picks_the_scheduler_class(
    tmp_path: Path, launcher: str, cls: type, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = Experiment("cb", exp_path=tmp_path / "exp", launcher=launcher)
    nodes = 1 if launcher == "sge" else 2  # Grid Engine has slots, not nodes
    batch = exp.create_batch_settings(nodes=nodes, time="00:10:00", queue="q1", account="a1")
    assert type(batch) is cls
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=batch)
    assert line + "\n" in exp.preview(model)


def test_create_batch_settings_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="runs without a scheduler"):
        Experiment("l", exp_path=tmp_path / "a").create_batch_settings()
    with pytest.raises(TypeError, match=r"create_batch_settings for slurm\) takes no keyword .bogus"):
        Experiment("s", exp_path=tmp_path / "b", launcher="slurm").create_batch_settings(bogus=1)


@pytest.mark.parametrize("launcher", ["slurm", "pbs", "lsf", "sge"])
def test_contract_run_settings_fields_reach_every_scheduler_script(
    tmp_path: Path, launcher: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = {k: _token() for k in ("arg", "env", "run_arg", "host", "batch")}
    exp = Experiment("rc", exp_path=tmp_path / "exp", launcher=launcher)
    rs = exp.create_run_settings("/bin/echo", [tokens["arg"]], env_vars={"TOKEN_VAR": tokens["env"]})
    rs.set(f"x{tokens['run_arg']}", "1")
    if launcher != "lsf":
        rs.set_hostlist([tokens["host"]])
    else:
        tokens.pop("host")
    batch = exp.create_batch_settings(nodes=1, batch_args={"comment" if launcher == "slurm" else "m": tokens["batch"]})
    text = exp.preview(exp.create_model("m", rs, batch_settings=batch))
    for name, token in tokens.items():
        assert token in text, name


@pytest.mark.parametrize(
    ("batch", "gib"),
    [
        (SbatchSettings(mem="64G"), 64.0),
        (SbatchSettings(mem="4096"), 4.0),  # sbatch's default unit is megabytes
        (SbatchSettings(mem="1T"), 1024.0),
        (SbatchSettings(mem="0"), None),  # Slurm's "all of the node's memory"
        (SbatchSettings(), None),
        (QsubBatchSettings(mem="96gb"), 96.0),
        (QsubBatchSettings(mem="2048mb"), 2.0),
        (QsubBatchSettings(mem="4000"), None),  # a bare PBS size is not judged
        (BsubBatchSettings(), None),
    ],
)
def test_memory_per_node_is_read_in_each_schedulers_units(batch: object, gib: float | None) -> None:
    assert batch.memory_per_node_gib() == gib  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("launcher", "site", "batch"),
    [
        ("slurm", "perlmutter", SbatchSettings(mem="300G")),  # 256 GB nodes
        ("pbs", "polaris", QsubBatchSettings(mem="600gb")),  # 512 GB nodes
    ],
)
def test_more_memory_than_the_sites_nodes_have_is_refused_before_anything_is_written(
    tmp_path: Path, launcher: str, site: str, batch: object
) -> None:
    exp = Experiment("mem", exp_path=tmp_path / "exp", launcher=launcher, site=site)
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=batch)  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match=f"GiB of memory per node, but the nodes of site '{site}' have"):
        exp.start(model)
    assert not (tmp_path / "exp").exists()


def test_memory_the_sites_nodes_have_is_requested_as_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exp = Experiment("mem", exp_path=tmp_path / "exp", launcher="slurm", site="perlmutter")
    model = exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=SbatchSettings(mem="200G"))
    assert "#SBATCH --mem=200G\n" in exp.preview(model)
