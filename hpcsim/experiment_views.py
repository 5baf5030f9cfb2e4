"""What ``Experiment.preview`` and ``Experiment.summary`` show, in SmartSim's shapes.

Preview levels, from least to most: ``info`` (what the user set), ``debug`` (also what hpcsim
fills in: launch commands, environment, databases the applications will reach) and
``developer`` (the exact scripts ``start`` writes, byte for byte: hpcsim's default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hpcsim.control.store import DatabaseRecord
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.error.errors import PreviewFormatError
from hpcsim.errors import ConfigError
from hpcsim.experiment_tables import render_table

__all__ = ["LEVELS", "check_preview", "overview", "summary_table", "write_preview"]

#: SmartSim's ``Verbosity`` values, least detailed first
LEVELS = ("info", "debug", "developer")
_FORMATS = ("plain_text",)
#: SmartSim's summary columns, then hpcsim's reason
COLUMNS = ("Name", "Entity-Type", "JobID", "RunID", "Time", "Status", "Returncode", "Reason")
_TYPES = {"model": "Model", "member": "Model", "ensemble": "Ensemble", "database": "DBNode"}


def check_preview(verbosity_level: object, output_format: object) -> str:
    """The verbosity level as a name: ConfigError (a ValueError) for an unknown level,
    PreviewFormatError (SmartSim's, an UnsupportedError) for an unknown format. SmartSim's
    ``Verbosity`` and ``Format`` enums work too (their values are these names)."""
    level = getattr(verbosity_level, "value", verbosity_level)
    if level not in LEVELS:
        raise ConfigError(f"verbosity_level {verbosity_level!r} is not one of {', '.join(LEVELS)}")
    fmt = getattr(output_format, "value", output_format)
    if fmt not in _FORMATS:
        raise PreviewFormatError(
            f"output_format {output_format!r} is not supported. "
            f"The only valid output format currently available is {_FORMATS[0]}"
        )
    return str(level)


def write_preview(text: str, filename: str | Path) -> Path:
    """Write ``text`` to ``filename``, or, if that exists, to ``<stem>_01.txt``, ``_02``...
    (as SmartSim does); returns the file written. A file is only ever created, never opened
    through an existing name (a link planted there included)."""
    path = candidate = Path(filename)
    index = 1
    while True:
        try:
            with candidate.open("x") as out:
                out.write(text)
            return candidate
        except FileExistsError:
            candidate = path.with_name(f"{path.stem}_{index:02}.txt")
            index += 1


def _block(lines: list[str], title: str, values: Iterable[object], indent: str) -> None:
    items = [str(v) for v in values]
    if items:
        lines.append(f"{indent}{title}:")
        lines += [f"{indent}  {item}" for item in items]


def _model(lines: list[str], model: Model, debug: bool, databases: Sequence[DatabaseRecord], indent: str) -> None:
    rs = model.run_settings
    lines.append(f"{indent}Path: {model.path}")
    lines.append(f"{indent}Executable: {rs.exe}")
    _block(lines, "Executable Arguments", rs.exe_args, indent)
    if model.batch_settings is not None:
        lines.append(f"{indent}Batch Launch: True")
    _block(lines, "Model Parameters", (f"{k}: {v}" for k, v in model.params.items()), indent)
    colocated = rs.colocated_db_settings
    if colocated is not None:
        where = f"Unix Socket: {colocated.unix_socket}" if colocated.unix_socket else f"TCP/IP Port: {colocated.port}"
        lines.append(f"{indent}Colocated Database: {colocated.db_identifier or '(default)'}, {where}")
    if model.query_key_prefixing():
        lines.append(f"{indent}Key Prefix: {model.name}")
    if debug:
        lines.append(f"{indent}Run Command: {rs.run_command or '(none)'}")
        _block(lines, "Run Arguments", (f"{k}: {v}" for k, v in rs.run_args.items()), indent)
        _block(lines, "Environment Variables", (f"{k}={v}" for k, v in rs.env_vars.items()), indent)
        if model.batch_settings is not None:
            bs = model.batch_settings
            _block(lines, "Batch Arguments", (f"{k}: {v}" for k, v in bs.batch_args.items()), indent)
        _block(
            lines,
            "Client Configuration",
            (f"{db.identifier}: {', '.join(db.addresses)}" for db in databases),
            indent,
        )


def _database(lines: list[str], db: Orchestrator, debug: bool, running: Mapping[str, DatabaseRecord]) -> None:
    lines.append(f"\n    = Database Identifier: {db.name} =")
    if db.name in running:
        lines.append(f"      Running at: {', '.join(running[db.name].addresses)}")
        return
    lines.append(f"      Shards: {db.num_shards}")
    _block(lines, "TCP/IP Port(s)", db.ports, "      ")
    lines.append(f"      Network Interface: {', '.join(db.interfaces) or '(default)'}")
    lines.append("      Type: redis")
    if db.batch:
        lines.append("      Batch Launch: True")
    if debug:
        lines.append(f"      Run Command: {db.run_command if db.launcher != 'local' else '(none)'}")
        _block(lines, "Server Options", (f"{k} {v}" for k, v in db.options), "      ")


def overview(
    exp: Any,
    dbs: Sequence[Orchestrator],
    apps: Sequence[Model | Ensemble],
    level: str,
    databases: Sequence[DatabaseRecord],
    running: Mapping[str, DatabaseRecord],
) -> str:
    """The ``info`` or ``debug`` preview of ``exp`` (an Experiment) and the entities given;
    ``databases``: those the applications will be told of (running and starting);
    ``running``: the databases already up, by identifier."""
    debug = level != "info"
    lines = [
        "=== Experiment Overview ===",
        "",
        f"  Experiment Name: {exp.name}",
        f"  Experiment Path: {exp.exp_path}",
        f"  Launcher: {exp.launcher}",
    ]
    if not dbs and not apps:
        return "\n".join(lines) + "\n"
    lines += ["", "=== Entity Preview ==="]
    if dbs:
        lines.append("\n  == Orchestrators ==")
        for db in dbs:
            _database(lines, db, debug, running)
    models = [a for a in apps if isinstance(a, Model)]
    if models:
        lines.append("\n  == Models ==")
        for model in models:
            lines.append(f"\n    = Model Name: {model.name} =")
            _model(lines, model, debug, databases, "      ")
    ensembles = [a for a in apps if isinstance(a, Ensemble)]
    if ensembles:
        lines.append("\n  == Ensembles ==")
        for ensemble in ensembles:
            lines.append(f"\n    = Ensemble Name: {ensemble.name} =")
            lines.append(f"      Members: {len(ensemble)}")
            if ensemble.batch_settings is not None:
                lines.append("      Batch Launch: True")
            if debug:
                _block(lines, "Ensemble Parameters", (f"{k}: {v}" for k, v in ensemble.params.items()), "      ")
            for member in ensemble:
                lines.append(f"      - Model Name: {member.name} -")
                _model(lines, member, debug, databases, "        ")
    return "\n".join(lines) + "\n"


def summary_table(rows: Sequence[Mapping[str, Any]], style: str) -> str:
    """:meth:`Experiment.summary_data` rows as SmartSim's summary table: an index column, then
    Name, Entity-Type, JobID, RunID (from 0), Time, Status, Returncode, and hpcsim's Reason."""
    cells = [
        [
            str(index),
            row["name"],
            _TYPES.get(row["type"], str(row["type"]).title()),
            row["job_id"],
            str(row["run"] - 1),
            f"{row['time']:.4f}",
            row["status"],
            "None" if row["exit_code"] is None else str(row["exit_code"]),
            row["reason"] or "",
        ]
        for index, row in enumerate(rows)
    ]
    return render_table(["", *COLUMNS] if cells else list(COLUMNS), cells, style)
