"""Colocated databases on the local launcher: one real server per node (here: this machine)
for a model's ranks, started by the rendered prologue and gone when the ranks are."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment, Status
from hpcsim.entities.model import Model
from hpcsim.errors import ConfigError, SettingsError

from ..conftest import APPS
from ..dbutil import free_port, refused

COLO = str(APPS / "colo_ranks.py")
FANOUT = str(APPS / "fanout.sh")
TMP = Path(os.environ.get("TMPDIR", "/tmp"))


def _model(exp: Experiment, name: str, python_exe: str, *args: str, ranks: int = 1) -> Model:
    if ranks == 1:
        rs = exp.create_run_settings(python_exe, [COLO, *args])
    else:
        rs = exp.create_run_settings(
            python_exe, [COLO, str(ranks), *args], run_command=FANOUT, run_args={"ranks": ranks}
        )
    return exp.create_model(name, rs)


def _lines(model: Model) -> list[dict[str, Any]]:
    text = (Path(model.path) / f"{model.name}.out").read_text()
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _output(model: Model) -> list[dict[str, Any]]:
    return _lines(model) if (Path(model.path) / f"{model.name}.out").exists() else []


def _node_state(model: Model) -> list[Path]:
    """Node-local lock directories of this model's launches (gone once its ranks are)."""
    return sorted(TMP.glob(f"hpcsim-colo-{os.getuid()}-{socket.gethostname()}-{model.name}.*"))


def _server_starts(model: Model) -> list[str]:
    """The "Server initialized" lines of every server log of ``model`` (one per server that ran)."""
    logs = list(Path(model.path).glob(f"{model.name}.db.*.log"))
    return [line for log in logs for line in log.read_text().splitlines() if "Server initialized" in line]


def _eventually(predicate: Any, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_tcp_one_rank_gets_its_database_on_loopback(exp: Experiment, python_exe: str) -> None:
    port = free_port()
    model = _model(exp, "sim", python_exe)
    model.colocate_db_tcp(port=port, debug=True)
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "sim.err").read_text()
    [line] = _lines(model)
    assert line["db"] == f"127.0.0.1:{port}"
    assert line["keys"] == [f"{socket.gethostname()}_0"]
    assert len(_server_starts(model)) == 1
    assert refused(f"127.0.0.1:{port}")
    assert _node_state(model) == []


def test_uds_ranks_share_one_server_through_the_socket(exp: Experiment, python_exe: str, tmp_path: Path) -> None:
    sock = tmp_path / "db.sock"
    model = _model(exp, "uds", python_exe, ranks=3)
    model.colocate_db_uds(unix_socket=str(sock), socket_permissions=700, debug=True)
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "uds.err").read_text()
    lines = _lines(model)
    host = socket.gethostname()
    assert sorted(line["local"] for line in lines) == [0, 1, 2]
    assert all(line["db"] == f"unix://{sock}" for line in lines)
    assert all(line["seen"] == {f"{host}_{i}": i for i in range(3)} for line in lines)
    assert len(_server_starts(model)) == 1  # one server for the three ranks
    assert not sock.exists()
    assert _node_state(model) == []


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="needs Open MPI's mpirun (apt-get install openmpi-bin)")
def test_mpirun_ranks_share_one_server(exp: Experiment, python_exe: str) -> None:
    port = free_port()
    rs = exp.create_run_settings(
        python_exe,
        [COLO, "2"],
        run_command="mpirun",
        run_args={"np": 2, "oversubscribe": None},
        env_vars={"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"},
    )
    model = exp.create_model("mpi", rs)
    model.colocate_db_tcp(port=port, debug=True)
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "mpi.err").read_text()
    lines = _lines(model)
    assert sorted(line["local"] for line in lines) == [0, 1]
    assert all(len(line["keys"]) == 2 for line in lines)
    assert len(_server_starts(model)) == 1
    assert refused(f"127.0.0.1:{port}")


def test_a_failing_application_still_stops_its_server(exp: Experiment, python_exe: str) -> None:
    port = free_port()
    model = _model(exp, "failing", python_exe, "1", "0", "--exit=3")
    model.colocate_db_tcp(port=port)
    exp.start(model)
    [record] = exp.summary_data()
    assert (record["status"], record["exit_code"]) == ("FAILED", 3)
    assert refused(f"127.0.0.1:{port}")
    assert _node_state(model) == []


def test_stopping_the_model_stops_its_server(exp: Experiment, python_exe: str) -> None:
    port = free_port()
    model = _model(exp, "stopped", python_exe, "1", "300")
    model.colocate_db_tcp(port=port)
    exp.start(model, block=False)
    _eventually(lambda: _output(model), "the application's output")
    exp.stop(model)
    assert exp.get_status(model) == [Status.CANCELLED]
    _eventually(lambda: refused(f"127.0.0.1:{port}"), "the server to stop")
    _eventually(lambda: _node_state(model) == [], "the node-local state to go")


def test_the_server_stops_by_itself_when_its_ranks_are_killed(exp: Experiment, python_exe: str) -> None:
    port = free_port()
    model = _model(exp, "killed", python_exe, "1", "300")
    model.colocate_db_tcp(port=port)
    exp.start(model, block=False)
    _eventually(lambda: _output(model), "the application's output")
    [state] = _node_state(model)
    for rank in (state / "ranks").iterdir():
        os.kill(int(rank.name), signal.SIGKILL)  # no trap runs: only the shard's own watch can stop it
    _eventually(lambda: refused(f"127.0.0.1:{port}"), "the orphaned server to stop")
    _eventually(lambda: _node_state(model) == [], "the orphaned server to clear the node-local state")
    exp.stop(model)


def test_two_colocated_models_at_once_do_not_share_data(exp: Experiment, python_exe: str) -> None:
    first, second = free_port(), free_port()
    while second == first:
        second = free_port()
    a = _model(exp, "a", python_exe, "1", "1")
    b = _model(exp, "b", python_exe, "1", "1")
    a.colocate_db_tcp(port=first)
    b.colocate_db_tcp(port=second)
    exp.start(a, b)
    assert exp.get_status(a, b) == [Status.COMPLETED] * 2
    host = socket.gethostname()
    for model, port in ((a, first), (b, second)):
        [line] = _lines(model)
        assert (line["db"], line["keys"]) == (f"127.0.0.1:{port}", [f"{host}_0"])


def test_an_ensemble_colocates_every_member_on_its_own_port(exp: Experiment, python_exe: str) -> None:
    port = free_port(3)
    rs = exp.create_run_settings(python_exe, [COLO])
    ens = exp.create_ensemble("ens", run_settings=rs, replicas=3)
    ens.disable_key_prefixing()  # members read back their own keys
    ens.colocate_db_tcp(port=port)
    exp.start(ens)
    assert exp.get_status(ens) == [Status.COMPLETED] * 3
    assert sorted(_lines(m)[0]["db"] for m in ens) == [f"127.0.0.1:{port + i}" for i in range(3)]


def test_a_port_in_use_fails_the_model_naming_port_and_node(exp: Experiment, python_exe: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        model = _model(exp, "taken", python_exe, ranks=2)
        model.colocate_db_tcp(port=port)
        exp.start(model)
    assert exp.get_status(model) == [Status.FAILED]
    err = (Path(model.path) / "taken.err").read_text()
    assert err.count(f"port {port} is already in use on {socket.gethostname()}") == 2  # told to both ranks
    assert _node_state(model) == []


def test_custom_pinning_pins_the_server(exp: Experiment, python_exe: str) -> None:
    cpu = max(os.sched_getaffinity(0))
    model = _model(exp, "pinned", python_exe, "1", "2")
    model.colocate_db_tcp(port=free_port(), custom_pinning=[cpu], debug=True)
    exp.start(model, block=False)
    _eventually(lambda: _output(model), "the application's output")
    [state] = _node_state(model)
    server = int((state / "server.pid").read_text())
    assert os.sched_getaffinity(server) == {cpu}
    exp.stop(model)


def test_preview_shows_the_prologue_and_the_step_that_calls_it(exp: Experiment, python_exe: str, capsys: Any) -> None:
    model = _model(exp, "sim", python_exe)
    model.colocate_db_uds(unix_socket="/tmp/x.sock")
    text = exp.preview(model)
    prologue = Path(model.path) / ".hpcsim" / "sim.colo.sh"
    assert f"# ==> {prologue} <==" in text
    assert "-m hpcsim.db.shard" in text and "--unixsocket /tmp/x.sock" in text
    assert f"exec bash {prologue} {python_exe} {COLO}" in text
    assert 'export HPCSIM_COLO_LAUNCH=sim."$BASHPID.$(date +%s%N)"' in text
    assert not prologue.exists()
    assert capsys.readouterr().out == text


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        ("colocate_db_uds", {"unix_socket": "relative.sock"}, "absolute path"),
        ("colocate_db_uds", {"unix_socket": "/tmp/" + "s" * 120}, "at most 107 bytes"),
        ("colocate_db_uds", {"unix_socket": "/tmp/x.sock", "socket_permissions": 999}, "octal digits"),
        ("colocate_db_tcp", {"port": 0}, "from 1 to 65535"),
        ("colocate_db_tcp", {"db_cpus": 0}, "positive integer"),
        ("colocate_db_tcp", {"custom_pinning": [1, 1]}, "distinct CPUs"),
        ("colocate_db_tcp", {"custom_pinning": [-1]}, "CPU ids"),
        ("colocate_db_tcp", {"db_cpus": 3, "custom_pinning": [0, 1]}, "make them agree"),
        ("colocate_db_tcp", {"db_identifier": "my-db"}, "environment-variable suffix"),
        ("colocate_db_tcp", {"bind": "0.0.0.0"}, "set by hpcsim itself"),
    ],
)
def test_bad_colocation_arguments_are_refused(
    exp: Experiment, python_exe: str, method: str, kwargs: dict[str, Any], message: str
) -> None:
    model = _model(exp, "sim", python_exe)
    with pytest.raises(ConfigError, match=message):
        getattr(model, method)(**kwargs)


def test_cpus_beyond_this_machine_are_refused_before_launch(exp: Experiment, python_exe: str) -> None:
    cpus = os.cpu_count() or 1
    too_many = _model(exp, "many", python_exe)
    too_many.colocate_db_tcp(port=free_port(), db_cpus=cpus + 1)
    with pytest.raises(ConfigError, match=f"db_cpus={cpus + 1}, but this machine has {cpus} CPU"):
        exp.start(too_many)
    absent = _model(exp, "absent", python_exe)
    absent.colocate_db_tcp(port=free_port(), custom_pinning=[cpus + 5])
    with pytest.raises(ConfigError, match=rf"custom_pinning names CPU\(s\) \[{cpus + 5}\]"):
        exp.start(absent)
    assert exp.summary_data() == []  # nothing was launched


def test_mpmd_with_a_colocated_database_is_refused_both_ways(exp: Experiment, python_exe: str) -> None:
    first = exp.create_run_settings(python_exe, [COLO], run_command="mpirun")
    second = exp.create_run_settings(python_exe, [COLO], run_command="mpirun")
    first.make_mpmd(second)
    model = exp.create_model("mpmd", first)
    with pytest.raises(SettingsError, match="MPMD; a colocated database with MPMD is not supported"):
        model.colocate_db_tcp()
    other = exp.create_run_settings(python_exe, [COLO], run_command="mpirun")
    colocated = exp.create_model("colo", exp.create_run_settings(python_exe, [COLO], run_command="mpirun"))
    colocated.colocate_db_tcp()
    with pytest.raises(SettingsError, match="MPMD with a colocated database is not supported"):
        colocated.run_settings.make_mpmd(other)


def test_a_colocated_database_may_not_shadow_a_running_one(exp: Experiment, python_exe: str) -> None:
    db = exp.create_database(port=free_port())
    exp.start(db)
    model = _model(exp, "sim", python_exe)
    model.colocate_db_tcp(port=free_port())
    with pytest.raises(ConfigError, match="would both be HPCSIM_DB; give the colocated one another db_identifier"):
        exp.start(model)
    exp.stop(db)


def test_colocate_db_is_a_deprecated_alias(exp: Experiment, python_exe: str) -> None:
    model = _model(exp, "sim", python_exe)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.colocate_db(port=7001)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    assert model.run_settings.colocated_db_settings is not None
    assert model.run_settings.colocated_db_settings.port == 7001


def test_a_socket_in_a_missing_directory_fails_every_rank_clearly(exp: Experiment, python_exe: str) -> None:
    model = _model(exp, "nodir", python_exe, ranks=2)
    model.colocate_db_uds(unix_socket="/nonexistent-hpcsim-dir/db.sock")
    exp.start(model)
    assert exp.get_status(model) == [Status.FAILED]
    err = (Path(model.path) / "nodir.err").read_text()
    assert err.count("directory /nonexistent-hpcsim-dir does not exist") == 2
    assert _node_state(model) == []
