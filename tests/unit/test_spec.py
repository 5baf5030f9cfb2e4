"""Experiment specs: what a valid file becomes, and that every mistake names the file, the
line and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hpcsim.errors import SpecError
from hpcsim.spec import build, load_spec

GOOD = """\
name: sweep
launcher: local
path: runs/sweep
job:
  nodes: 2
  time: "00:10:00"
  queue: debug
database:
  port: 6901
models:
  - name: sim
    exe: ./sim.sh
    args: [--steps, 10, 1.5]
    env: {OMP_NUM_THREADS: 2}
    files:
      copy: [input.txt]
    params: {steps: 10}
    key_prefixing: true
ensembles:
  - name: ens
    exe: python
    params:
      x: [1, 2]
      y: solo
    strategy: all_perm
"""


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "experiment.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_valid_spec_becomes_its_experiment(tmp_path: Path) -> None:
    (tmp_path / "input.txt").write_text("x")
    (tmp_path / "sim.sh").write_text("#!/bin/sh\n")
    (tmp_path / "sim.sh").chmod(0o755)
    spec = load_spec(_spec(tmp_path, GOOD))
    assert (spec.name, spec.launcher, spec.path) == ("sweep", "local", tmp_path / "runs" / "sweep")
    assert (spec.job.nodes, spec.job.time, spec.job.queue) == (2, "00:10:00", "debug")
    assert spec.database is not None and spec.database.port == 6901
    sim, ens = spec.apps
    assert sim.args == ("--steps", "10", "1.5")  # unquoted YAML numbers become their text
    assert sim.env == (("OMP_NUM_THREADS", "2"),)
    assert (sim.where, sim.line) == ("models[0]", 11)
    assert ens.params == (("x", ["1", "2"]), ("y", ["solo"]))
    exp, db, (model, ensemble) = build(spec)
    assert exp.exp_path == tmp_path / "runs" / "sweep"
    assert db is not None and db.port == 6901
    assert model.run_settings.exe == str(tmp_path / "sim.sh")  # relative to the spec's folder
    assert model.query_key_prefixing()
    assert [m.name for m in ensemble.models] == ["ens_0", "ens_1"]
    assert [m.params["x"] for m in ensemble.models] == ["1", "2"]


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (
            "name: s\nmodels:\n  - name: a\n    exe: x\n    exe_args: [1]\n",
            5,
            "models[0].exe_args: unknown key; did you mean 'args'?",
        ),
        ("models:\n  - {name: a, exe: x}\n", 1, "missing required key 'name'"),
        ("name: s\nmodels:\n  - name: a\n", 3, "models[0]: missing required key 'exe'"),
        (
            "name: s\nmodels:\n  - name: a\n    exe: x\n    run: {tasks: two}\n",
            5,
            "models[0].run.tasks: must be an integer >= 1, got str 'two'",
        ),
        (
            "name: s\nlauncher: slurmm\nmodels: [{name: a, exe: x}]\n",
            2,
            "launcher: 'slurmm' is not one of auto, local, slurm, pbs, lsf, sge; did you mean 'slurm'?",
        ),
        ("name: s\n", 1, "the spec runs nothing"),
        ("name: s\nmodels:\n  - {name: a, exe: x}\n  - {name: a, exe: y}\n", 4, "models[1].name: 'a' is used twice"),
        ("name: s\nmodels:\n  - {name: s, exe: x}\n", 3, "models[0].name: 's' is the experiment's own name"),
        ("name: s\nmodels: {name: a}\n", 2, "models: must be a list of models"),
        (
            "name: s\nmodels:\n  - {name: a, exe: x, args: --flag}\n",
            3,
            "models[0].args: must be a list, got str '--flag'",
        ),
        (
            "name: s\nmodels:\n  - {name: a, exe: x, key_prefixing: 1}\n",
            3,
            "models[0].key_prefixing: must be true or false",
        ),
        ("name: s\njob: {nodes: 0}\nmodels: [{name: a, exe: x}]\n", 2, "job.nodes: must be an integer >= 1, got int 0"),
        (
            "name: s\ndatabase: {shard: 3}\nmodels: [{name: a, exe: x}]\n",
            2,
            "database.shard: unknown key; did you mean 'shards'?",
        ),
        (
            "name: s\nensembles:\n  - name: e\n    exe: x\n    params: {x: [[1]]}\n",
            5,
            "ensembles[0].params.x[0]: must be a non-empty string",
        ),
        (
            "name: s\nmodels:\n  - name: a\n    exe: x\n    env: {A: [1]}\n",
            5,
            "models[0].env.A: must be a non-empty string",
        ),
        ("- name: s\n", 1, "must be a mapping, got LocatedList"),
    ],
)
def test_mistakes_name_file_line_and_key(tmp_path: Path, text: str, line: int, expected: str) -> None:
    path = _spec(tmp_path, text)
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert str(error.value).startswith(f"{path}:{line}: ")
    assert expected in str(error.value)


def test_yaml_syntax_errors_give_line_and_column(tmp_path: Path) -> None:
    path = _spec(tmp_path, "name: s\nmodels: [\n  {name: a\n")
    with pytest.raises(SpecError, match=rf"^{path}:4:1: invalid YAML: "):
        load_spec(path)


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = _spec(tmp_path, "name: s\nname: t\n")
    with pytest.raises(SpecError, match=rf"^{path}:2:1: invalid YAML: key 'name' appears twice"):
        load_spec(path)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(tmp_path / "nope.yaml")


def test_library_errors_are_located_in_the_spec(tmp_path: Path) -> None:
    """A setting only the library can judge (the local launcher has no --ntasks) still points
    at the entry it came from."""
    path = _spec(tmp_path, "name: s\nlauncher: local\nmodels:\n  - name: a\n    exe: x\n    run: {tasks: 4}\n")
    with pytest.raises(SpecError) as error:
        build(load_spec(path))
    assert str(error.value).startswith(f"{path}:4: models[0]: ")


def test_a_database_the_library_refuses_is_located_in_the_spec(tmp_path: Path) -> None:
    path = _spec(tmp_path, "name: s\nlauncher: local\ndatabase:\n  shards: 2\nmodels: [{name: a, exe: /bin/true}]\n")
    with pytest.raises(SpecError) as error:
        build(load_spec(path))
    assert str(error.value).startswith(f"{path}:3: database: db_nodes=2 is not possible")
