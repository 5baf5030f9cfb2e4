"""A SmartSim 0.8 driver's colocated database, read back as SmartSim's dict
(``run_settings.colocated_db_settings``), following SmartSim's tests/test_colo_model_local.py
and entity/model.py (``_set_colocated_db_settings``, ``_create_pinning_string``)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.entities import Model
from hpcsim.error import SSUnsupportedError
from hpcsim.settings.colocated import ColocatedDB, pinning_string

TCP_KEYS = ["port", "ifname", "cpus", "custom_pinning", "debug", "db_identifier", "rai_args", "extra_db_args"]
UDS_KEYS = ["unix_socket", "socket_permissions", "port", *TCP_KEYS[2:]]


@pytest.fixture
def model(tmp_path: Path) -> Model:
    exp = Experiment("colocated_model_defaults", launcher="local", exp_path=tmp_path / "exp")
    return exp.create_model("colo", exp.create_run_settings(sys.executable, ["--version"]))


def test_tcp_defaults_read_as_smartsims_dict(model: Model) -> None:
    model.colocate_db_tcp()
    settings = model.run_settings.colocated_db_settings
    assert model.colocated
    assert isinstance(settings, ColocatedDB)
    assert list(settings)[: len(TCP_KEYS)] == TCP_KEYS
    assert {key: settings[key] for key in TCP_KEYS} == {
        "port": 6379,
        "ifname": "lo",
        "cpus": 1,
        "custom_pinning": "0",
        "debug": False,
        "db_identifier": "",
        "rai_args": {"threads_per_queue": None, "inter_op_parallelism": None, "intra_op_parallelism": None},
        "extra_db_args": {},
    }
    assert settings.get("db_models") == [] and settings.get("db_scripts") == []
    assert settings.port == 6379  # hpcsim's typed fields stay


def test_uds_reads_as_smartsims_dict(model: Model) -> None:
    model.colocate_db_uds(db_identifier="colo_db")
    settings = model.run_settings.colocated_db_settings
    assert settings is not None
    assert list(settings)[: len(UDS_KEYS)] == UDS_KEYS
    assert (settings["unix_socket"], settings["socket_permissions"], settings["port"]) == ("/tmp/redis.socket", 755, 0)
    assert settings["db_identifier"] == "colo_db"


def test_the_dict_is_read_only(model: Model) -> None:
    model.colocate_db_tcp()
    settings = model.run_settings.colocated_db_settings
    with pytest.raises(TypeError):
        settings["port"] = 1  # type: ignore[index]


def test_extra_keywords_split_into_rai_and_db_args(model: Model) -> None:
    model.colocate_db_tcp(maxclients=100000, threads_per_queue=2, intra_op_parallelism=1)
    settings = model.run_settings.colocated_db_settings
    assert settings is not None
    assert settings["extra_db_args"] == {"maxclients": "100000"}
    assert settings["rai_args"] == {"threads_per_queue": 2, "inter_op_parallelism": None, "intra_op_parallelism": 1}


@pytest.mark.parametrize(
    ("db_args", "pinning"),
    [
        ({"db_cpus": 2}, "0,1"),
        ({"db_cpus": 2, "custom_pinning": range(2)}, "0,1"),
        ({"db_cpus": 1, "custom_pinning": [1]}, "1"),
        ({"db_cpus": 1, "custom_pinning": []}, None),
    ],
)
def test_pinning(model: Model, db_args: dict[str, object], pinning: str | None) -> None:
    model.colocate_db_uds(**db_args)  # type: ignore[arg-type]
    settings = model.run_settings.colocated_db_settings
    assert settings is not None
    assert settings["custom_pinning"] == pinning


def test_an_empty_pinning_pins_nothing(model: Model) -> None:
    model.colocate_db_tcp(custom_pinning=[])
    settings = model.run_settings.colocated_db_settings
    assert settings is not None
    assert (settings.pinned, settings.shard_pin_args()) == (False, [])
    assert settings["cpus"] == 1


@pytest.mark.parametrize("custom_pinning", [1, "10", "#", 1.0, ["a"], [1.0]])
def test_unsupported_custom_pinning(model: Model, custom_pinning: object) -> None:
    with pytest.raises(TypeError):
        model.colocate_db_uds(custom_pinning=custom_pinning)  # type: ignore[arg-type]


def test_limit_app_cpus_is_understood_and_unsupported(model: Model) -> None:
    with pytest.raises(SSUnsupportedError, match="limit_app_cpus is not supported"):
        model.colocate_db_uds(limit_app_cpus=True)
    assert not model.colocated


def test_socket_name_is_checked(model: Model) -> None:
    with pytest.raises(ValueError):
        model.colocate_db_uds(unix_socket="this is not a valid name!")
    with pytest.raises(ValueError):
        model.colocate_db_uds(unix_socket="/tmp/not valid!.sock")


@pytest.mark.parametrize(
    ("pin_list", "num_cpus", "expected"),
    [
        (None, 2, "0,1"),
        ([1, 2], 2, "1,2"),
        ([range(2), 3], 3, "0,1,3"),
        (range(3), 3, "0,1,2"),
        ([range(8, 10), range(6, 1, -2)], 4, "2,4,6,8,9"),
        ([], 2, None),
    ],
)
def test_create_pinning_string(pin_list: Iterable[int | Iterable[int]] | None, num_cpus: int, expected: str) -> None:
    assert pinning_string(pin_list, num_cpus) == expected
