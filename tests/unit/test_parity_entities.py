"""SmartSim 0.8 entities and Experiment behaviour that needs no process, written as a SmartSim
user writes them (cases from SmartSim's tests/test_ensemble.py, test_entitylist.py,
test_dbnode.py, test_orchestrator.py, test_model.py, test_experiment.py and test_preview.py):
entities built directly, DBNodes, statuses before launch, summary styles, preview levels, and
database checkpoint files that are refused."""

from __future__ import annotations

import json
import logging
import re
from copy import deepcopy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hpcsim import Experiment, Status
from hpcsim.control.store import DatabaseRecord
from hpcsim.database import Orchestrator
from hpcsim.entities import DBNode, EntityList
from hpcsim.entities.orchestrator import LiveDatabase
from hpcsim.entities.strategies import step_values
from hpcsim.entity import Ensemble, Model
from hpcsim.error import SmartSimError, SSUnsupportedError, UserStrategyError
from hpcsim.error.errors import PreviewFormatError
from hpcsim.experiment_tables import STYLES
from hpcsim.settings import RunSettings


@pytest.fixture
def rs() -> RunSettings:
    return RunSettings("python", exe_args="sleep.py")


@pytest.fixture
def exp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Experiment:
    monkeypatch.chdir(tmp_path)
    return Experiment("parity", exp_path=str(tmp_path / "exp"), launcher="local")


# -- Ensemble built directly (SmartSim's test_ensemble.py) ----------------------------------


def test_ensemble_defaults_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rs: RunSettings
) -> None:
    monkeypatch.chdir(tmp_path)
    ensemble = Ensemble("all_perm", {"h": [5, 6]}, run_settings=rs, perm_strat="all_perm")
    assert len(ensemble) == 2
    assert ensemble.path == str(tmp_path)
    assert ensemble.entities[0].params["h"] == "5"
    assert ensemble.entities[1].params["h"] == "6"
    assert ensemble.entities[1].path == str(tmp_path / "all_perm_1")
    assert ensemble.models == list(ensemble) == ensemble.entities
    assert ensemble.type == "Ensemble"


def test_step_random_and_user_strategies(rs: RunSettings) -> None:
    step = Ensemble("step", {"h": [5, 6], "g": [7, 8]}, run_settings=rs, perm_strat="step")
    assert [m.params for m in step.entities] == [{"h": "5", "g": "7"}, {"h": "6", "g": "8"}]
    user = Ensemble("user", {"h": [5, 6], "g": [7, 8]}, run_settings=rs, perm_strat=step_values)
    assert [m.params for m in user.entities] == [m.params for m in step.entities]
    picks = [4, 5, 6, 7, 8]
    ensemble = Ensemble("random_test", {"h": picks}, run_settings=rs, perm_strat="random", n_models=4)
    assert len(ensemble) == 4
    assert all(int(m.params["h"]) in picks for m in ensemble.entities)


def test_params_as_args(rs: RunSettings) -> None:
    rs_copy = deepcopy(rs)
    original = list(rs_copy.exe_args)
    params = {"H": [5, 6], "g_param": ["a", "b"], "h": [5, 6], "g": [7, 8]}
    ensemble = Ensemble("step", params, params_as_args=["H", "g_param"], run_settings=rs_copy, perm_strat="step")
    assert ensemble.entities[0].run_settings.exe_args == [*original, "-H", "5", "--g_param=a"]
    assert ensemble.entities[1].run_settings.exe_args == [*original, "-H", "6", "--g_param=b"]
    assert ensemble.entities[1].params == {"H": "6", "g_param": "b", "h": "6", "g": "8"}
    assert rs_copy.exe_args == original  # members get copies


def test_replicas_and_batch_keywords(rs: RunSettings) -> None:
    ensemble = Ensemble("rep", None, run_settings=rs, replicas=3)
    assert [m.name for m in ensemble.entities] == ["rep_0", "rep_1", "rep_2"]
    assert not ensemble.batch
    with pytest.raises(TypeError, match="unexpected keyword"):
        Ensemble("rep", None, run_settings=rs, replica=3)


def test_ensemble_errors_as_smartsim_raises_them(rs: RunSettings) -> None:
    with pytest.raises(SSUnsupportedError):
        Ensemble("ensemble", {}, run_settings=rs, perm_strat="not-a-strategy")
    with pytest.raises(UserStrategyError):  # what hpcsim raised before stays true
        Ensemble("ensemble", {}, run_settings=rs, perm_strat="not-a-strategy")
    with pytest.raises(UserStrategyError):
        Ensemble("ensemble", {"h": [2, 3]}, run_settings=rs, perm_strat=lambda names, values, n=0: -1)
    with pytest.raises(TypeError):
        Ensemble("ensemble", {"h": {"h": [5]}}, run_settings=rs)
    with pytest.raises(SmartSimError):
        Ensemble("ensemble", {"h": 1})  # neither run nor batch settings


def test_entity_list_is_abstract_and_indexed_by_name(rs: RunSettings) -> None:
    with pytest.raises(NotImplementedError):
        EntityList("list", ".", perm_strat="all_perm")
    ensemble = Ensemble("name", None, run_settings=rs, replicas=4)
    assert isinstance(ensemble, EntityList)
    assert ensemble.__getitem__("name_3") is ensemble["name_3"] is ensemble.entities[3]


def test_print_attached_files(tmp_path: Path, rs: RunSettings, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "in.nml"
    data.write_text("x = ;x;\n")
    ensemble = Ensemble("ens", {"x": [1, 2]}, tmp_path / "ens", run_settings=rs)
    ensemble.attach_generator_files(to_configure=[str(data)])
    ensemble.print_attached_files()
    shown = capsys.readouterr().out
    assert "ens_0" in shown and "ens_1" in shown
    assert shown.count(str(data)) == 2


def test_set_path_moves_the_members(tmp_path: Path, rs: RunSettings) -> None:
    ensemble = Ensemble("ens", None, tmp_path / "a", run_settings=rs, replicas=2)
    ensemble.set_path(tmp_path / "b")
    assert ensemble.path == str(tmp_path / "b")
    assert [m.path for m in ensemble] == [str(tmp_path / "b" / "ens_0"), str(tmp_path / "b" / "ens_1")]


# -- parameters: numpy scalars (SmartSim's test_model.py::test_good_model_params) -----------


@pytest.mark.parametrize("dtype", [int, np.float32, np.float64, np.int64, np.int32, str])
def test_numpy_scalars_are_parameters(dtype: Any, rs: RunSettings) -> None:
    model = Model("m", {"foo": dtype(0.6) if dtype is not str else "0.6"}, rs)
    assert all(isinstance(v, str) for v in model.params.values())
    assert model.params["foo"] == str(dtype(0.6) if dtype is not str else "0.6")


def test_numpy_values_in_ensemble_params(rs: RunSettings) -> None:
    ensemble = Ensemble("ens", {"dt": np.array([0.5, 0.25]), "n": np.int64(3)}, run_settings=rs)
    assert [m.params for m in ensemble] == [{"dt": "0.5", "n": "3"}, {"dt": "0.25", "n": "3"}]


@pytest.mark.parametrize("bad_val", [["eggs"], {"n": 5}, object, np.bool_(True)])
def test_bad_model_params(bad_val: object, rs: RunSettings) -> None:
    with pytest.raises(TypeError):
        Model("m", {"foo": bad_val}, rs)


# -- Orchestrator and DBNode (SmartSim's test_dbnode.py, test_orchestrator.py) -------------


def test_orchestrator_entities_are_db_nodes(tmp_path: Path) -> None:
    orc = Orchestrator(tmp_path / "db", port=6780, db_nodes=3)
    nodes = orc.entities
    assert [n.name for n in nodes] == ["orchestrator_0", "orchestrator_1", "orchestrator_2"]
    assert all(isinstance(n, DBNode) and n.db_identifier == "orchestrator" for n in nodes)
    assert [n.ports for n in nodes] == [[6780], [6781], [6782]]  # local shards: one port each
    assert orc.ports == [6780, 6781, 6782]
    assert [n.host for n in nodes] == ["127.0.0.1"] * 3
    assert orc.entities[0] is nodes[0] and len(orc) == 3 and orc["orchestrator_1"] is nodes[1]


def test_db_nodes_have_their_shards_hosts(tmp_path: Path) -> None:
    orc = Orchestrator(tmp_path / "db", port=6780, db_nodes=3, launcher="slurm", hosts=["n1", "n2", "n3"])
    assert [n.host for n in orc.entities] == ["n1", "n2", "n3"]
    assert orc.ports == [6780]
    orc.set_hosts(["m1", "m2", "m3"])
    assert [n.hosts for n in orc] == [["m1"], ["m2"], ["m3"]]
    unplaced = Orchestrator(tmp_path / "other", port=6780, launcher="slurm")
    with pytest.raises(SmartSimError, match="not known"):
        _ = unplaced.entities[0].host
    unplaced.entities[0].set_hosts(["host"])
    assert unplaced.entities[0].host == "host"


def test_live_database_gives_its_shards_hosts(tmp_path: Path) -> None:
    orc = Orchestrator(tmp_path / "db", port=6780, db_nodes=3, launcher="slurm")
    orc.set_live(LiveDatabase(("127.0.0.1:6780", "127.0.0.2:6780", "127.0.0.3:6780"), True, None))
    assert [n.host for n in orc.entities] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    with pytest.raises(SmartSimError, match="running"):
        orc.set_path(tmp_path / "elsewhere")
    orc.set_live(None)
    with pytest.raises(SmartSimError):
        _ = orc.entities[0].host


def test_set_path(tmp_path: Path) -> None:
    orc = Orchestrator(port=6780)
    orc.set_path(tmp_path / "orchestrator")
    assert orc.path == str(tmp_path / "orchestrator")
    assert orc.entities[0].path == orc.path


def test_db_node_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be empty"):
        DBNode("db_0", tmp_path, None, [6780], [])
    with pytest.raises(TypeError):
        DBNode("db_0", tmp_path, None, [6780], "db_0.out")


def test_checkpoint_file_of_a_database_not_started(tmp_path: Path) -> None:
    with pytest.raises(SmartSimError, match="written when the database starts"):
        _ = Orchestrator(tmp_path / "db", port=6780).checkpoint_file


def test_two_shards_are_unsupported() -> None:
    with pytest.raises(SSUnsupportedError):
        Orchestrator(db_nodes=2)


# -- Experiment before any launch (SmartSim's test_experiment.py) ---------------------------


def test_status_pre_launch(exp: Experiment, rs: RunSettings) -> None:
    model = Model("name", {}, rs, "./")
    assert exp.get_status(model) == [Status.NEVER_STARTED]
    assert exp.get_status(model)[0] == Status.STATUS_NEVER_STARTED
    ensemble = exp.create_ensemble("ens", run_settings=rs, replicas=2)
    assert exp.get_status(ensemble) == [Status.NEVER_STARTED] * 2
    db = exp.create_database(port=6780)
    assert exp.get_status(db) == [Status.NEVER_STARTED]


def test_finished_of_what_never_ran(exp: Experiment, rs: RunSettings) -> None:
    with pytest.raises(ValueError):
        exp.finished(Model("name", {}, rs, "./"))
    with pytest.raises(TypeError):
        exp.finished(Orchestrator())


def test_status_of_the_wrong_type_or_an_unknown_name(exp: Experiment) -> None:
    with pytest.raises(TypeError):
        exp.get_status([])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no entity or job named 'nope'"):
        exp.get_status("nope")


def test_cobalt_launcher_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(SSUnsupportedError):
        Experiment("cobalt_exp", exp_path=str(tmp_path / "c"), launcher="cobalt")


def test_poll_checks_its_interval(exp: Experiment, rs: RunSettings) -> None:
    with pytest.raises(TypeError, match="number of seconds"):
        exp.poll(interval="soon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        exp.poll(interval=0)
    with pytest.raises(TypeError, match="runs until it is stopped"):
        exp.poll(exp.create_database(port=6780))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="never started"):
        exp.poll(exp.create_model("m", rs))  # type: ignore[arg-type]
    exp.poll(interval=1)  # nothing launched: returns at once


def test_generate_verbose_logs_the_parameters(
    exp: Experiment, rs: RunSettings, caplog: pytest.LogCaptureFixture
) -> None:
    ensemble = exp.create_ensemble("ens", params={"dt": [0.5, 0.25]}, run_settings=rs)
    with caplog.at_level(logging.INFO, logger="hpcsim"):
        exp.generate(ensemble, verbose=True)
    assert "dt=0.5" in caplog.text and "dt=0.25" in caplog.text
    assert (exp.exp_path / "ens" / "ens_1").is_dir()


# -- summary styles (SmartSim's summary goes through tabulate) ------------------------------

ROWS = [
    {"name": "sim", "type": "model", "job_id": "4242", "run": 1, "time": 1.5, "status": "COMPLETED", "exit_code": 0,
     "reason": ""},
    {"name": "db_0", "type": "database", "job_id": "77", "run": 1, "time": 9.25, "status": "FAILED", "exit_code": 1,
     "reason": "a<b & c_d"},
]  # fmt: skip
#: what tabulate 0.9 prints for ROWS as SmartSim's summary (showindex, no number parsing)
GOLDEN = {
    "github": (
        "|    | Name   | Entity-Type   | JobID   | RunID   | Time   | Status    | Returncode   | Reason    |\n"
        "|----|--------|---------------|---------|---------|--------|-----------|--------------|-----------|\n"
        "| 0  | sim    | Model         | 4242    | 0       | 1.5000 | COMPLETED | 0            |           |\n"
        "| 1  | db_0   | DBNode        | 77      | 0       | 9.2500 | FAILED    | 1            | a<b & c_d |"
    ),
    "html": (
        "<table>\n<thead>\n<tr><th>  </th><th>Name  </th><th>Entity-Type  </th><th>JobID  </th><th>RunID  </th>"
        "<th>Time  </th><th>Status   </th><th>Returncode  </th><th>Reason   </th></tr>\n</thead>\n<tbody>\n"
        "<tr><td>0 </td><td>sim   </td><td>Model        </td><td>4242   </td><td>0      </td><td>1.5000</td>"
        "<td>COMPLETED</td><td>0           </td><td>         </td></tr>\n"
        "<tr><td>1 </td><td>db_0  </td><td>DBNode       </td><td>77     </td><td>0      </td><td>9.2500</td>"
        "<td>FAILED   </td><td>1           </td><td>a&lt;b &amp; c_d</td></tr>\n</tbody>\n</table>"
    ),
    "pretty": (
        "+---+------+-------------+-------+-------+--------+-----------+------------+-----------+\n"
        "|   | Name | Entity-Type | JobID | RunID |  Time  |  Status   | Returncode |  Reason   |\n"
        "+---+------+-------------+-------+-------+--------+-----------+------------+-----------+\n"
        "| 0 | sim  |    Model    | 4242  |   0   | 1.5000 | COMPLETED |     0      |           |\n"
        "| 1 | db_0 |   DBNode    |  77   |   0   | 9.2500 |  FAILED   |     1      | a<b & c_d |\n"
        "+---+------+-------------+-------+-------+--------+-----------+------------+-----------+"
    ),
    "rst": (
        "====  ======  =============  =======  =======  ======  =========  ============  =========\n"
        "..    Name    Entity-Type    JobID    RunID    Time    Status     Returncode    Reason\n"
        "====  ======  =============  =======  =======  ======  =========  ============  =========\n"
        "0     sim     Model          4242     0        1.5000  COMPLETED  0\n"
        "1     db_0    DBNode         77       0        9.2500  FAILED     1             a<b & c_d\n"
        "====  ======  =============  =======  =======  ======  =========  ============  ========="
    ),
    "latex": (
        "\\begin{tabular}{lllllllll}\n\\hline\n"
        "    & Name   & Entity-Type   & JobID   & RunID   & Time   & Status    & Returncode   & Reason    \\\\\n"
        "\\hline\n"
        " 0  & sim    & Model         & 4242    & 0       & 1.5000 & COMPLETED & 0            &           \\\\\n"
        " 1  & db\\_0   & DBNode        & 77      & 0       & 9.2500 & FAILED    & 1            & "
        "a\\ensuremath{<}b \\& c\\_d \\\\\n"
        "\\hline\n\\end{tabular}"
    ),
    "pipe": (
        "|    | Name   | Entity-Type   | JobID   | RunID   | Time   | Status    | Returncode   | Reason    |\n"
        "|:---|:-------|:--------------|:--------|:--------|:-------|:----------|:-------------|:----------|\n"
        "| 0  | sim    | Model         | 4242    | 0       | 1.5000 | COMPLETED | 0            |           |\n"
        "| 1  | db_0   | DBNode        | 77      | 0       | 9.2500 | FAILED    | 1            | a<b & c_d |"
    ),
}


@pytest.fixture
def launched(exp: Experiment, monkeypatch: pytest.MonkeyPatch) -> Experiment:
    monkeypatch.setattr(exp, "summary_data", lambda: [dict(row) for row in ROWS])
    return exp


@pytest.mark.parametrize("style", sorted(GOLDEN))
def test_summary_is_tabulates_table(launched: Experiment, style: str) -> None:
    assert launched.summary(style=style) == GOLDEN[style]


def test_summary_plain_parses_as_smartsims_test_does(launched: Experiment) -> None:
    lines = launched.summary(style="plain").split("\n")
    assert len(lines) == 3
    headers = ["Index", *lines[0].split()]
    row = dict(zip(headers, lines[1].split(), strict=False))
    assert (row["Name"], row["Entity-Type"], int(row["RunID"]), int(row["Returncode"])) == ("sim", "Model", 0, 0)


def test_every_tabulate_style_is_accepted(launched: Experiment) -> None:
    assert len(STYLES) == 36
    for style in STYLES:
        text = launched.summary(style=style)
        assert "sim" in text and "COMPLETED" in text, style
    html = launched.summary(style="html")
    assert html._repr_html_() == html  # type: ignore[attr-defined]  # a notebook shows the table
    with pytest.raises(ValueError, match="summary style 'fancy' is not supported; use one of: asciidoc"):
        launched.summary(style="fancy")


def test_summary_of_nothing_is_the_header(exp: Experiment) -> None:
    assert exp.summary(style="plain").split() == ["Name", "Entity-Type", "JobID", "RunID", "Time", "Status",
                                                   "Returncode", "Reason"]  # fmt: skip


# -- preview levels (SmartSim's test_preview.py) ---------------------------------------------


def test_preview_levels(exp: Experiment, rs: RunSettings, capsys: pytest.CaptureFixture[str]) -> None:
    model = exp.create_model("echo-hello", rs, params={"port": 6379, "password": "unbreakable_password"})
    info = exp.preview(model, verbosity_level="info")
    assert capsys.readouterr().out == info
    summary = dict(line.strip().split(": ", 1) for line in info.split("\n")[2:5])
    assert summary == {"Experiment Name": exp.name, "Experiment Path": str(exp.exp_path), "Launcher": "local"}
    assert "= Model Name: echo-hello =" in info and "port: 6379" in info and "password: unbreakable_password" in info
    assert "Run Command" not in info
    debug = exp.preview(model, verbosity_level="debug")
    assert "Run Command" in debug and info.split("\n")[0] in debug
    scripts = exp.preview(model, verbosity_level="developer")
    assert scripts == exp.preview(model)  # hpcsim's default: the exact scripts
    assert scripts.startswith("# ==> ") and "sleep.py" in scripts


def test_preview_of_a_database(exp: Experiment) -> None:
    db = exp.create_database(port=6780, db_nodes=3)
    text = exp.preview(db, verbosity_level="debug")
    for field in (
        "Database Identifier: orchestrator",
        "Shards: 3",
        "TCP/IP Port(s)",
        "6782",
        "Network Interface",
        "Type",
    ):
        assert field in text


def test_preview_to_file(exp: Experiment, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "test_preview_output_filename.txt"
    text = exp.preview(output_format="plain_text", output_filename=str(path), verbosity_level="debug")
    assert path.read_text() == text and "Experiment Name: parity" in text
    exp.preview(output_filename=str(path), verbosity_level="info")
    assert (tmp_path / "test_preview_output_filename_01.txt").is_file()
    assert capsys.readouterr().out == ""


def test_preview_options_are_checked(exp: Experiment) -> None:
    with pytest.raises(PreviewFormatError) as info:
        exp.preview(output_format="hello")
    assert "The only valid output format currently available is plain_text" in info.value.args[0]
    with pytest.raises(ValueError):
        exp.preview(verbosity_level="hello")
    exp.preview(verbosity_level="info")


# -- checkpoint files that are refused -------------------------------------------------------


def test_reconnect_to_a_missing_checkpoint(exp: Experiment, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        exp.reconnect_orchestrator(str(tmp_path / "orchestrator" / "smartsim_db.dat"))


def test_reconnect_to_a_file_that_is_no_checkpoint(exp: Experiment, tmp_path: Path) -> None:
    other = tmp_path / "notes.json"
    other.write_text("{}")
    with pytest.raises(ValueError, match="is not an hpcsim database checkpoint"):
        exp.reconnect_orchestrator(other)


def _record(exp_path: Path, identifier: str, addresses: tuple[str, ...]) -> Path:
    """An experiment at ``exp_path`` whose store says database ``identifier`` runs there."""
    owner = Experiment("owner", exp_path=exp_path)
    owner.session.control().store.add_database(DatabaseRecord(identifier, addresses, False, "", (f"{identifier}_0",)))
    return exp_path / ".hpcsim" / "store" / "databases" / f"{identifier}.json"


def test_reconnect_to_a_damaged_checkpoint(exp: Experiment, tmp_path: Path) -> None:
    path = _record(tmp_path / "owner", "orchestrator", ("127.0.0.1:1",))
    path.write_text("not json")
    with pytest.raises(ValueError, match="damaged"):
        exp.reconnect_orchestrator(path)
    path.write_text(json.dumps({"identifier": "other", "addresses": ["127.0.0.1:1"]}))
    with pytest.raises(ValueError, match=re.escape("damaged: it names database 'other'")):
        exp.reconnect_orchestrator(path)


def test_reconnect_to_a_database_no_longer_running(exp: Experiment, tmp_path: Path) -> None:
    path = _record(tmp_path / "owner", "orchestrator", ("127.0.0.1:1",))  # nothing listens on port 1
    with pytest.raises(SmartSimError, match="is no longer running"):
        exp.reconnect_orchestrator(str(path))
    with pytest.raises(SmartSimError, match="is no longer running"):  # SmartSim's path to it
        exp.reconnect_orchestrator(tmp_path / "owner" / "orchestrator" / "smartsim_db.dat")


def test_preview_to_a_file_never_writes_through_a_planted_link(exp: Experiment, tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    link = tmp_path / "preview.txt"
    link.symlink_to(target)  # dangling: exists() would say no file is there
    exp.preview(output_filename=str(link), verbosity_level="info")
    assert not target.exists()
    assert (tmp_path / "preview_01.txt").read_text().strip()
