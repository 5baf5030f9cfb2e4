"""A launch is planned once (docs/architecture.md, "One launch"): ``start`` plans every
application before anything launches, and once the databases are up it only binds their
addresses into the planned units, whose scripts are then rendered once. No process runs: the
database's launch and bring-up and the controller's submission are stood in for."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment
from hpcsim.control import session, units
from hpcsim.control.controller import Controller
from hpcsim.control.database import planned_record
from hpcsim.control.planner import LaunchUnit, plan
from hpcsim.control.store import DatabaseRecord, JobRecord
from hpcsim.control.units import bind
from hpcsim.entities import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import InternalError, TemplateError
from hpcsim.render import render_batch

RUNNING = ("127.0.0.7:6780", "127.0.0.8:6780", "127.0.0.9:6780")


def _counting(calls: list[str], function: Callable[..., Any], name: Callable[..., str]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name(*args, **kwargs))
        return function(*args, **kwargs)

    return counted


def _experiment(tmp_path: Path) -> tuple[Experiment, Orchestrator, Model]:
    exp = Experiment("once", exp_path=tmp_path / "exp", launcher="slurm", site="local")
    db = exp.create_database(port=6780, db_nodes=3)
    settings = exp.create_run_settings("/bin/echo", ["x"], run_command="mpirun")
    return exp, db, exp.create_model("sim", settings, enable_key_prefixing=True)


def test_start_plans_once_and_launches_scripts_with_the_running_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)  # a batch job, not a step of this allocation
    exp, db, model = _experiment(tmp_path)
    plans: list[str] = []
    renders: list[str] = []
    submitted: list[tuple[str, str]] = []
    monkeypatch.setattr(session, "plan", _counting(plans, plan, lambda apps, *_, **__: apps[0].name))
    monkeypatch.setattr(units, "render_batch", _counting(renders, render_batch, lambda _, job, *__: job.name))

    def bring_up(control: Controller, db: Orchestrator, _: object, __: Path, secret: Path | None) -> DatabaseRecord:
        record = replace(planned_record(db, secret), addresses=RUNNING)
        control.store.add_database(record)
        return record

    def launch(_: Controller, launched: Sequence[LaunchUnit]) -> list[JobRecord]:
        submitted.extend((unit.name, unit.text) for unit in launched)
        return []

    monkeypatch.setattr(session, "launch_database", lambda *_: [])
    monkeypatch.setattr(session, "bring_up", bring_up)
    monkeypatch.setattr(Controller, "launch", launch)
    exp.start(db, model, block=False)

    assert plans == ["sim"]
    # every script once before anything launches (a broken template fails there), then the
    # application's again with the running addresses; the stand-in launch reads the
    # database's script no more
    assert renders == ["orchestrator", "sim", "sim"]
    [(name, text)] = submitted
    assert name == "sim"
    assert f"export HPCSIM_DB={','.join(RUNNING)}\n" in text
    assert "<orchestrator" not in text


def test_binding_the_running_database_changes_only_the_addresses(tmp_path: Path) -> None:
    exp, db, model = _experiment(tmp_path)
    planned = planned_record(db, tmp_path / "db.secret")
    [unit] = plan([model], exp.exp_path, "slurm", databases=[planned])
    [bound] = bind([unit], {db.name: replace(planned, addresses=RUNNING)})
    assert bound.source is unit.source and bound.files == unit.files
    assert bound.text != unit.text
    # the placeholders (``<orchestrator_0>:6780``) are quoted, the running addresses need not be
    assert bound.text == unit.text.replace(shlex.quote(",".join(planned.addresses)), ",".join(RUNNING))


def test_a_unit_whose_databases_run_where_planned_keeps_its_script(tmp_path: Path) -> None:
    exp, db, model = _experiment(tmp_path)
    planned = planned_record(db, tmp_path / "db.secret")
    [unit] = plan([model], exp.exp_path, "slurm", databases=[planned])
    text = unit.text
    [bound] = bind([unit], {db.name: planned})
    assert bound is unit and bound.text is text


def test_a_template_that_cannot_render_fails_before_any_database_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    overrides = tmp_path / "templates" / "batch"
    overrides.mkdir(parents=True)
    (overrides / "slurm.sh.j2").write_text("#!/bin/bash\n{{ job.no_such_field }}\n")
    site = tmp_path / "site.yaml"
    site.write_text(f"name: broken\nscheduler: slurm\ntemplate_dir: {tmp_path / 'templates'}\n")
    exp = Experiment("broken", exp_path=tmp_path / "exp", launcher="slurm", site=str(site))
    db = exp.create_database(port=6780, db_nodes=3)
    model = exp.create_model("sim", exp.create_run_settings("/bin/echo", ["x"], run_command="mpirun"))
    started: list[str] = []
    monkeypatch.setattr(session, "launch_database", lambda *_: started.append("db") or [])
    with pytest.raises(TemplateError, match="no_such_field"):
        exp.start(db, model, block=False)
    assert started == []


@pytest.mark.parametrize(
    "running",
    [{}, {"orchestrator": DatabaseRecord("orchestrator", RUNNING, True, "", ())}],
    ids=["not running", "without the planned password"],
)
def test_binding_refuses_a_database_not_running_as_planned(tmp_path: Path, running: dict[str, DatabaseRecord]) -> None:
    exp, db, model = _experiment(tmp_path)
    planned = plan([model], exp.exp_path, "slurm", databases=[planned_record(db, tmp_path / "db.secret")])
    with pytest.raises(InternalError, match="database 'orchestrator' is not running as it was planned"):
        bind(planned, running)
