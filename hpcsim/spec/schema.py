"""The experiment spec: a YAML description of models, ensembles, a database and the batch job
that runs them, for users who write no Python (``hpcsim submit --spec``; docs/spec.md).

Every problem raises :class:`SpecError` as ``FILE:LINE: key.path: what is wrong``, with the
valid keys and the closest match for a misspelt one.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from hpcsim.errors import SpecError
from hpcsim.schedulers.kinds import NAMES
from hpcsim.spec.located import LocatedList, LocatedMap, load_located

__all__ = ["AppSpec", "DatabaseSpec", "JobSpec", "RunSpec", "Spec", "load_spec"]

LAUNCHERS = ("auto", *NAMES)
STRATEGIES = ("all_perm", "step", "random")
_TOP = ("name", "launcher", "site", "path", "job", "database", "models", "ensembles")
_JOB = ("nodes", "time", "account", "queue", "gpus")
_DATABASE = ("port", "shards", "interfaces")
_RUN = ("command", "nodes", "tasks", "tasks_per_node", "args")
_FILES = ("copy", "symlink", "configure")
_APP = ("name", "exe", "args", "env", "run", "files", "params", "key_prefixing")
_ENSEMBLE = (*_APP, "strategy", "replicas")


@dataclass(frozen=True)
class JobSpec:
    """The batch job ``hpcsim submit`` wraps the experiment into (CLI flags override it)."""

    nodes: int | None = None
    time: str = ""
    account: str = ""
    queue: str = ""
    gpus: int | None = None


@dataclass(frozen=True)
class DatabaseSpec:
    port: int = 6780
    shards: int = 1
    interfaces: tuple[str, ...] = ()
    #: its line in the file, for messages
    line: int = 0


@dataclass(frozen=True)
class RunSpec:
    command: str = "auto"
    nodes: int | None = None
    tasks: int | None = None
    tasks_per_node: int | None = None
    args: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class AppSpec:
    """A model, or an ensemble when ``ensemble`` (its params are lists of values)."""

    name: str
    exe: str
    #: where it is in the file, for messages: ``models[0]`` and its line
    where: str = ""
    line: int = 0
    ensemble: bool = False
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    run: RunSpec = field(default_factory=RunSpec)
    copy: tuple[str, ...] = ()
    symlink: tuple[str, ...] = ()
    configure: tuple[str, ...] = ()
    params: tuple[tuple[str, Any], ...] = ()
    #: None: the library's default (off for models, on for ensemble members, as in SmartSim)
    key_prefixing: bool | None = None
    strategy: str = "all_perm"
    replicas: int | None = None


@dataclass(frozen=True)
class Spec:
    source: Path
    name: str
    launcher: str
    site: str | None
    path: Path
    job: JobSpec
    database: DatabaseSpec | None
    apps: tuple[AppSpec, ...]


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


class _Checker:
    """Type checks for one spec file; each failure names the file, the line and the key."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, line: int, path: str, message: str) -> NoReturn:
        raise SpecError(f"{self.source}:{line}: {path}: {message}" if path else f"{self.source}:{line}: {message}")

    def mapping(
        self, value: Any, line: int, path: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> LocatedMap:
        if not isinstance(value, LocatedMap):
            self.fail(line, path, f"must be a mapping, got {_describe(value)}")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(value.key_lines[key], _join(path, key), f"unknown key{hint} (valid: {', '.join(allowed)})")
        for key in required:
            if key not in value:
                self.fail(value.line, path, f"missing required key {key!r}")
        return value

    def string(self, value: Any, line: int, path: str) -> str:
        if not isinstance(value, str) or not value:
            self.fail(line, path, f"must be a non-empty string, got {_describe(value)}")
        return value

    def word(self, value: Any, line: int, path: str) -> str:
        """A scalar given unquoted in YAML (``10``, ``1.5``, ``true``) becomes its text."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        return self.string(value, line, path)

    def integer(self, value: Any, line: int, path: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(line, path, f"must be an integer >= {minimum}, got {_describe(value)}")
        return value

    def choice(self, value: Any, line: int, path: str, choices: Sequence[str]) -> str:
        if value not in choices:
            close = difflib.get_close_matches(str(value), choices, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.fail(line, path, f"{value!r} is not one of {', '.join(choices)}{hint}")
        return str(value)

    def words(self, value: Any, line: int, path: str) -> tuple[str, ...]:
        if not isinstance(value, LocatedList):
            self.fail(line, path, f"must be a list, got {_describe(value)}")
        return tuple(
            self.word(v, n, f"{path}[{i}]") for i, (v, n) in enumerate(zip(value, value.item_lines, strict=True))
        )

    def table(self, value: Any, line: int, path: str) -> list[tuple[str, Any, int, str]]:
        """A mapping of free-form keys: (key, value, line, dotted path) for each."""
        table = self.mapping(value, line, path, tuple(value) if isinstance(value, dict) else ())
        return [(key, item, table.key_lines[key], _join(path, key)) for key, item in table.items()]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(table: LocatedMap, key: str) -> int:
    return table.key_lines.get(key, table.line)


def _job(check: _Checker, raw: Any, line: int, path: str) -> JobSpec:
    table = check.mapping(raw, line, path, _JOB)
    get = {k: (v, _line(table, k), f"{path}.{k}") for k, v in table.items()}
    return JobSpec(
        nodes=check.integer(*get["nodes"]) if "nodes" in get else None,
        time=check.word(*get["time"]) if "time" in get else "",
        account=check.string(*get["account"]) if "account" in get else "",
        queue=check.string(*get["queue"]) if "queue" in get else "",
        gpus=check.integer(*get["gpus"], minimum=0) if "gpus" in get else None,
    )


def _database(check: _Checker, raw: Any, line: int, path: str) -> DatabaseSpec:
    if raw is None:  # `database:` alone: one shard with the defaults
        return DatabaseSpec(line=line)
    table = check.mapping(raw, line, path, _DATABASE)
    get = {k: (v, _line(table, k), f"{path}.{k}") for k, v in table.items()}
    return DatabaseSpec(
        port=check.integer(*get["port"]) if "port" in get else 6780,
        shards=check.integer(*get["shards"]) if "shards" in get else 1,
        interfaces=check.words(*get["interfaces"]) if "interfaces" in get else (),
        line=line,
    )


def _run(check: _Checker, raw: Any, line: int, path: str) -> RunSpec:
    table = check.mapping(raw, line, path, _RUN)
    get = {k: (v, _line(table, k), f"{path}.{k}") for k, v in table.items()}
    args = check.table(*get["args"]) if "args" in get else []
    return RunSpec(
        command=check.word(*get["command"]) if "command" in get else "auto",
        nodes=check.integer(*get["nodes"]) if "nodes" in get else None,
        tasks=check.integer(*get["tasks"]) if "tasks" in get else None,
        tasks_per_node=check.integer(*get["tasks_per_node"]) if "tasks_per_node" in get else None,
        args=tuple((k, None if v is None else check.word(v, n, p)) for k, v, n, p in args),
    )


def _params(check: _Checker, raw: Any, line: int, path: str, ensemble: bool) -> tuple[tuple[str, Any], ...]:
    """A model's params are scalars; an ensemble's are lists of values (a scalar is one value)."""
    params: list[tuple[str, Any]] = []
    for key, value, at, dotted in check.table(raw, line, path):
        if ensemble and isinstance(value, LocatedList):
            params.append((key, list(check.words(value, at, dotted))))
        else:
            word = check.word(value, at, dotted)
            params.append((key, [word] if ensemble else word))
    return tuple(params)


def _app(check: _Checker, raw: Any, line: int, path: str, ensemble: bool) -> AppSpec:
    table = check.mapping(raw, line, path, _ENSEMBLE if ensemble else _APP, ("name", "exe"))
    get = {k: (v, _line(table, k), f"{path}.{k}") for k, v in table.items()}
    files = check.mapping(*get["files"], _FILES) if "files" in get else LocatedMap()
    listed = {k: check.words(v, _line(files, k), f"{path}.files.{k}") for k, v in files.items()}
    key_prefixing = get.get("key_prefixing", (None, 0, ""))[0]
    if key_prefixing is not None and not isinstance(key_prefixing, bool):
        check.fail(
            get["key_prefixing"][1], get["key_prefixing"][2], f"must be true or false, got {_describe(key_prefixing)}"
        )
    return AppSpec(
        name=check.string(*get["name"]),
        exe=check.string(*get["exe"]),
        where=path,
        line=line,
        ensemble=ensemble,
        args=check.words(*get["args"]) if "args" in get else (),
        env=tuple((k, check.word(v, n, p)) for k, v, n, p in check.table(*get["env"])) if "env" in get else (),
        run=_run(check, *get["run"]) if "run" in get else RunSpec(),
        copy=listed.get("copy", ()),
        symlink=listed.get("symlink", ()),
        configure=listed.get("configure", ()),
        params=_params(check, *get["params"], ensemble) if "params" in get else (),
        key_prefixing=key_prefixing,
        strategy=check.choice(*get["strategy"], STRATEGIES) if "strategy" in get else "all_perm",
        replicas=check.integer(*get["replicas"]) if "replicas" in get else None,
    )


def _apps(check: _Checker, top: LocatedMap, key: str) -> list[AppSpec]:
    if key not in top:
        return []
    items = top[key]
    if not isinstance(items, LocatedList):
        check.fail(_line(top, key), key, f"must be a list of {key}, got {_describe(items)}")
    return [
        _app(check, item, line, f"{key}[{index}]", key == "ensembles")
        for index, (item, line) in enumerate(zip(items, items.item_lines, strict=True))
    ]


def load_spec(path: Path) -> Spec:
    """Read and validate the spec at ``path``; relative paths in it are relative to its folder."""
    source = Path(path)
    check = _Checker(source)
    raw = load_located(source)
    top = check.mapping(raw, getattr(raw, "line", 1), "", _TOP, ("name",))
    get = {k: (v, _line(top, k), k) for k, v in top.items()}
    apps = _apps(check, top, "models") + _apps(check, top, "ensembles")
    if not apps:
        check.fail(top.line, "", "the spec runs nothing: give at least one entry under 'models' or 'ensembles'")
    name = check.string(*get["name"])
    seen = {name}  # the submitted job is recorded under the experiment's name
    for app in apps:
        if app.name in seen:
            what = "the experiment's own name" if app.name == name else "used twice"
            check.fail(app.line, f"{app.where}.name", f"{app.name!r} is {what}; entity names must be unique")
        seen.add(app.name)
    folder = source.resolve().parent
    return Spec(
        source=source.resolve(),
        name=name,
        launcher=check.choice(*get["launcher"], LAUNCHERS) if "launcher" in get else "auto",
        site=check.string(*get["site"]) if "site" in get else None,
        path=folder / check.string(*get["path"]) if "path" in get else folder / name,
        job=_job(check, *get["job"]) if "job" in get else JobSpec(),
        database=_database(check, *get["database"]) if "database" in get else None,
        apps=tuple(apps),
    )
