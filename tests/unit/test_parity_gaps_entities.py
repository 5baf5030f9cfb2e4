"""SmartSim 0.8 driver code that used to fail on hpcsim's entities and Experiment: the
settings factories' signatures and errors, SmartSim's keyword names, ``add_*_object``, the
``EntityList`` properties, the Orchestrator's and DBNode's read forms and stale-file helpers,
and ``create_database(path=...)``. Nothing here starts a process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.database import Orchestrator
from hpcsim.entities.dbnode import LaunchedShardData
from hpcsim.entities.live_database import LiveDatabase
from hpcsim.entity import DBModel, DBNode, DBScript, Ensemble, EntityList, Model
from hpcsim.error import EntityExistsError, SmartSimError, SSUnsupportedError
from hpcsim.settings import RunSettings

BLOB = b"\x80serialized-model"


@pytest.fixture
def exp(tmp_path: Path) -> Experiment:
    return Experiment("gaps", exp_path=tmp_path / "exp", launcher="local")


@pytest.fixture
def slurm_exp(tmp_path: Path) -> Experiment:
    return Experiment("gaps_slurm", exp_path=tmp_path / "slurm_exp", launcher="slurm")


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "net.pt"
    path.write_bytes(BLOB)
    return path


# -- 1. create_batch_settings / create_run_settings ----------------------------------------


def test_batch_settings_of_the_wrong_type_are_a_type_error(slurm_exp: Experiment) -> None:
    with pytest.raises(TypeError, match="nodes"):
        slurm_exp.create_batch_settings(nodes="2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="batch_args"):
        slurm_exp.create_batch_settings(nodes=2, batch_args=["exclusive"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bogus"):
        slurm_exp.create_batch_settings(bogus=1)


def test_batch_settings_take_smartsims_arguments(slurm_exp: Experiment) -> None:
    batch = slurm_exp.create_batch_settings(4, "01:00:00", "debug", "acct", {"exclusive": None})
    assert batch.format_batch_args() == [
        "--nodes=4",
        "--time=01:00:00",
        "--account=acct",
        "--partition=debug",
        "--exclusive",
    ]


def test_batch_settings_drop_another_schedulers_keyword(slurm_exp: Experiment) -> None:
    # create_batch_settings(ncpus=...) is PBS's; on Slurm it is dropped with a warning
    batch = slurm_exp.create_batch_settings(nodes=1, ncpus=4)
    assert not any("ncpus" in arg for arg in batch.format_batch_args())


def test_run_settings_take_smartsims_signature(exp: Experiment) -> None:
    rs = exp.create_run_settings(sys.executable, "--version", "auto", None, {"A": "1"}, None)
    assert isinstance(rs, RunSettings)
    assert rs.exe_args == ["--version"]
    assert rs.env_vars == {"A": "1"}


def test_run_settings_refuse_a_container(exp: Experiment) -> None:
    with pytest.raises(SSUnsupportedError, match="containers"):
        exp.create_run_settings(sys.executable, container=object())


def test_run_settings_pass_keywords_on_and_refuse_unknown_ones(slurm_exp: Experiment) -> None:
    rs = slurm_exp.create_run_settings("/bin/true", run_command="srun", lenient=True)
    assert type(rs).__name__ == "SrunSettings"
    with pytest.raises(TypeError, match="no_such_keyword"):
        slurm_exp.create_run_settings("/bin/true", no_such_keyword=1)


# -- 2. SmartSim's keyword names ------------------------------------------------------------


def test_register_incoming_entity_by_smartsims_keyword(exp: Experiment) -> None:
    rs = exp.create_run_settings(sys.executable)
    producer = exp.create_model("producer", rs)
    consumer = exp.create_model("consumer", rs)
    ensemble = exp.create_ensemble("readers", run_settings=rs, replicas=2)
    consumer.register_incoming_entity(incoming_entity=producer)
    ensemble.register_incoming_entity(incoming_entity=producer)
    assert [e.name for e in consumer.incoming_entities] == ["producer"]
    assert all([e.name for e in m.incoming_entities] == ["producer"] for m in ensemble)
    with pytest.raises(EntityExistsError):
        consumer.register_incoming_entity(producer)
    with pytest.raises(TypeError):
        ensemble.register_incoming_entity("producer")  # type: ignore[arg-type]


def test_dbmodel_takes_model_file(model_file: Path) -> None:
    by_keyword = DBModel("net", "TORCH", model_file=str(model_file), device="CPU")
    by_position = DBModel("net", "TORCH", None, str(model_file), "CPU")
    assert by_keyword.file == by_position.file == model_file
    assert by_keyword.is_file and by_keyword.model is None
    assert DBModel("net", "TORCH", model_path=str(model_file)).file == model_file  # add_ml_model's name
    with pytest.raises(SmartSimError, match="model_file= and model_path="):
        DBModel("net", "TORCH", model_file=str(model_file), model_path=str(model_file))
    with pytest.raises(SmartSimError, match="model_file"):
        DBModel("net", "TORCH", model_file=str(model_file.with_name("missing.pt")))


def test_dbmodel_model_and_dbscript_script_read_back() -> None:
    assert DBModel("net", "TORCH", model=BLOB).model == BLOB
    assert DBScript("s", script="def f(x):\n    return x\n").script == "def f(x):\n    return x\n"


# -- 3. methods SmartSim drivers call --------------------------------------------------------


def test_add_ml_model_object_and_add_script_object(exp: Experiment, model_file: Path) -> None:
    model = exp.create_model("app", exp.create_run_settings(sys.executable))
    net = DBModel("net", "TORCH", model_file=str(model_file))
    script = DBScript("pre", script="def f(x):\n    return x\n")
    model.add_ml_model_object(net)
    model.add_script_object(script)
    assert model.db_models == [net]
    assert model.db_scripts == [script]
    with pytest.raises(EntityExistsError):
        model.add_ml_model_object(DBModel("net", "TORCH", model=BLOB))
    with pytest.raises(TypeError):
        model.add_ml_model_object(script)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        model.add_script_object(net)  # type: ignore[arg-type]


def test_entity_lists_have_db_objects_and_batch(exp: Experiment, slurm_exp: Experiment) -> None:
    db = exp.create_database(port=6780)
    assert isinstance(db, EntityList)
    assert list(db.db_models) == [] and list(db.db_scripts) == []
    assert db.batch is False
    ensemble = exp.create_ensemble("ens", run_settings=exp.create_run_settings(sys.executable), replicas=1)
    assert ensemble.batch is False
    ensemble.add_ml_model("net", "TORCH", model=BLOB)
    assert [m.name for m in ensemble.db_models] == ["net"]
    batched = slurm_exp.create_ensemble(
        "batched",
        batch_settings=slurm_exp.create_batch_settings(),
        run_settings=slurm_exp.create_run_settings("/bin/true"),
        replicas=2,
    )
    assert batched.batch is True
    assert slurm_exp.create_database(port=6780, batch=True).batch is True


def test_orchestrator_db_nodes_and_hosts(tmp_path: Path) -> None:
    given = Orchestrator(tmp_path / "db", port=6780, db_nodes=3, launcher="slurm", hosts=["n1", "n2", "n3"])
    assert given.db_nodes == 3 == given.num_shards
    assert given.hosts == ["n1", "n2", "n3"]
    placed = Orchestrator(tmp_path / "db2", port=6780, launcher="slurm")
    assert placed.hosts == []  # the scheduler places it: nothing to read before a launch
    placed.set_live(LiveDatabase(("127.0.0.7:6780",), False, None))
    try:
        assert placed.hosts == ["127.0.0.7"]
        assert placed.get_address() == ["127.0.0.7:6780"]
    finally:
        placed.set_live(None)
    assert placed.hosts == []


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_remove_stale_files_clears_the_shards_leftovers(tmp_path: Path) -> None:
    db = Orchestrator(tmp_path / "db", port=6780, db_nodes=3)
    hidden = tmp_path / "db" / ".hpcsim"
    stale = [_write(hidden / f"nodes-{node.name}-{node.ports[0]}.conf") for node in db.entities] + [
        _write(hidden / f"{node.name}.shard.json") for node in db.entities
    ]
    kept = [_write(hidden / "orchestrator_0.redis.conf"), _write(tmp_path / "db" / "orchestrator_0.out")]
    db.remove_stale_files()
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    db.remove_stale_files()  # nothing left to remove is fine
    Orchestrator(tmp_path / "never_made", port=6780).remove_stale_files()


def test_remove_stale_files_follows_no_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    target = _write(outside / "nodes-orchestrator_0-6780.conf", "keep")
    linked = Orchestrator(tmp_path / "linked", port=6780)
    (tmp_path / "linked").mkdir()
    os.symlink(outside, tmp_path / "linked" / ".hpcsim")
    linked.remove_stale_files()
    assert target.read_text() == "keep"

    db = Orchestrator(tmp_path / "db", port=6780)
    hidden = tmp_path / "db" / ".hpcsim"
    hidden.mkdir(parents=True)
    os.symlink(target, hidden / "nodes-orchestrator_0-6780.conf")
    db.remove_stale_files()
    assert (hidden / "nodes-orchestrator_0-6780.conf").is_symlink()
    assert target.read_text() == "keep"


def test_remove_stale_files_is_refused_while_the_database_runs(tmp_path: Path) -> None:
    db = Orchestrator(tmp_path / "db", port=6780)
    report = _write(tmp_path / "db" / ".hpcsim" / "orchestrator_0.shard.json")
    db.set_live(LiveDatabase(("127.0.0.1:6780",), False, None))
    try:
        with pytest.raises(SmartSimError, match="running"):
            db.remove_stale_files()
        with pytest.raises(SmartSimError, match="running"):
            db.entities[0].remove_stale_dbnode_files()
    finally:
        db.set_live(None)
    assert report.exists()


def test_dbnode_get_launched_shard_info(tmp_path: Path) -> None:
    db = Orchestrator(tmp_path / "db", port=6780, db_nodes=3)
    node = db.entities[1]
    assert isinstance(node, DBNode)
    with pytest.raises(SmartSimError, match="has not reported"):
        node.get_launched_shard_info()
    info = {"name": node.name, "host": "h", "address": "127.0.0.1", "port": 6781, "cluster": True, "pid": 1}
    _write(tmp_path / "db" / ".hpcsim" / f"{node.name}.shard.json", json.dumps(info))
    (shard,) = node.get_launched_shard_info()
    assert shard == LaunchedShardData(node.name, "127.0.0.1", 6781, True)
    assert shard.cluster_conf_file == f"nodes-{node.name}-6781.conf"
    assert shard.to_dict() == {"name": node.name, "hostname": "127.0.0.1", "port": 6781, "cluster": True}


# -- 4. create_database(path=...) -------------------------------------------------------------


def test_create_database_takes_path(exp: Experiment, tmp_path: Path) -> None:
    db = exp.create_database(port=6780, path=str(tmp_path / "elsewhere"), db_identifier="mydb")
    assert db.path == str(tmp_path / "elsewhere")
    assert all(node.path == db.path for node in db.entities)
    # SmartSim's order: port, path, db_nodes
    relative = exp.create_database(6781, "~/second", 1, db_identifier="second")
    assert relative.path == os.path.expanduser("~/second") and relative.db_nodes == 1
    assert exp.create_database(6782, db_identifier="third").path == str(exp.exp_path / "third")


def test_entities_stay_model_and_ensemble() -> None:
    assert issubclass(Ensemble, EntityList) and issubclass(Orchestrator, EntityList)
    assert not issubclass(Model, EntityList)
