"""The site-configuration schema: frozen dataclasses and the one pass that validates a YAML
mapping into them.

Everything is checked when a file is loaded, so the rest of hpcsim reads typed, immutable
values and never re-checks them. Every error names the file and the dotted key
(``node.gpus``), says what was expected and what was found, and suggests the closest valid
key or value, because a site file is written by hand and usually fails on a typo.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from hpcsim.errors import SiteConfigError
from hpcsim.schedulers.kinds import KINDS, NAMES

__all__ = [
    "DEFAULT_LAUNCHERS",
    "GPU_VENDORS",
    "GPU_VISIBILITY_VARS",
    "LAUNCHERS",
    "SCHEDULERS",
    "Defaults",
    "Network",
    "Node",
    "SiteConfig",
    "validate_site",
]

SCHEDULERS = NAMES
LAUNCHERS = ("srun", "mpirun", "mpiexec", "aprun", "jsrun", "")
DEFAULT_LAUNCHERS: Mapping[str, str] = MappingProxyType({n: k.default_run_command for n, k in KINDS.items()})
GPU_VENDORS = ("nvidia", "amd", "intel", "none")
GPU_VISIBILITY_VARS: Mapping[str, str] = MappingProxyType(
    {"nvidia": "CUDA_VISIBLE_DEVICES", "amd": "ROCR_VISIBLE_DEVICES", "intel": "ZE_AFFINITY_MASK", "none": ""}
)

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WALLTIME = re.compile(r"\d+:[0-5]\d:[0-5]\d\Z")


@dataclass(frozen=True)
class Network:
    """Network interfaces that database traffic should use (e.g. ``hsn0``), best first."""

    db_interfaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    """One compute node: the CPU cores a job may use and the GPUs it sees, so launches can be
    laid out without asking the scheduler."""

    cpus: int
    gpus: int = 0
    gpu_vendor: str = "none"
    gpu_visibility_var: str = ""
    memory_gb: float | None = None


@dataclass(frozen=True)
class Defaults:
    """Batch settings used when neither the user's file nor the experiment gives one."""

    account: str | None = None
    partition: str | None = None
    queue: str | None = None
    constraint: str | None = None
    qos: str | None = None
    filesystems: str | None = None
    walltime: str | None = None
    nodes: int | None = None


@dataclass(frozen=True)
class SiteConfig:
    """What hpcsim knows about one machine. Build it with :func:`validate_site` (or
    ``load_site``), which fills the per-scheduler launcher default and resolves
    ``template_dir``; ``source`` is the file it came from."""

    name: str
    scheduler: str
    description: str = ""
    launcher: str = ""
    hostnames: tuple[str, ...] = ()
    network: Network = field(default_factory=Network)
    node: Node | None = None
    defaults: Defaults = field(default_factory=Defaults)
    modules: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    scratch: str = ""
    template_dir: str | None = None
    redis_server: str | None = None
    source: str = ""

    @property
    def environment(self) -> dict[str, str]:
        """The variables batch scripts export, as a fresh dict."""
        return dict(self.env)

    def matches_hostname(self, hostname: str) -> bool:
        """Whether ``hostname`` matches one of the site's glob patterns (case-insensitive,
        like DNS names)."""
        name = hostname.lower()
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.hostnames)

    def to_dict(self) -> dict[str, Any]:
        """The validated config as plain YAML-able data (unset values left out); loading it
        back gives the same config."""
        defaults = {k: v for k, v in vars(self.defaults).items() if v is not None}
        data: dict[str, Any] = {
            "name": self.name,
            "scheduler": self.scheduler,
            "description": self.description,
            "launcher": self.launcher,
            "hostnames": list(self.hostnames),
            "network": {"db_interfaces": list(self.network.db_interfaces)},
        }
        if self.node is not None:
            data["node"] = {k: v for k, v in vars(self.node).items() if v is not None}
        data.update(defaults=defaults, modules=list(self.modules), env=self.environment, scratch=self.scratch)
        if self.template_dir is not None:
            data["template_dir"] = self.template_dir
        if self.redis_server is not None:
            data["redis_server"] = self.redis_server
        return data


_TOP_KEYS = (
    "name",
    "scheduler",
    "description",
    "launcher",
    "hostnames",
    "network",
    "node",
    "defaults",
    "modules",
    "env",
    "scratch",
    "template_dir",
    "redis_server",
)
_NETWORK_KEYS = ("db_interfaces",)
_NODE_KEYS = ("cpus", "gpus", "gpu_vendor", "gpu_visibility_var", "memory_gb")
_DEFAULTS_KEYS = ("account", "partition", "queue", "constraint", "qos", "filesystems", "walltime", "nodes")


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _choices(choices: Sequence[str]) -> str:
    return ", ".join(c or "''" for c in choices)


def _hint(value: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, [c for c in candidates if c], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Type checks for one file; each failure raises with the file and the dotted key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str) -> NoReturn:
        raise SiteConfigError(f"{self.source}: {message}")

    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(f"{path!r} must be a mapping, got {_describe(value)}")
        for key in value:
            if key not in allowed:
                dotted = f"{path}.{key}" if path else str(key)
                where = f" under {path!r}" if path else ""
                self.fail(f"unknown key {dotted!r}{_hint(str(key), allowed)}; valid keys{where}: {', '.join(allowed)}")
        return value

    def required(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            self.fail(f"{path!r} is required and must be a non-empty string")
        return value

    def string(self, value: Any, path: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.fail(f"{path!r} must be a string, got {_describe(value)}")

    def choice(self, value: Any, path: str, choices: Sequence[str]) -> str:
        if not isinstance(value, str):
            self.fail(f"{path!r} must be a string, got {_describe(value)}")
        if value not in choices:
            self.fail(f"{path} {value!r} is not one of {_choices(choices)}{_hint(value, choices)}")
        return value

    def integer(self, value: Any, path: str, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(f"{path!r} must be an integer >= {minimum}, got {_describe(value)}")
        return value

    def positive_number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(f"{path!r} must be a number > 0, got {_describe(value)}")
        return float(value)

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            self.fail(f"{path!r} must be a list of strings, got {_describe(value)} (write [{value}])")
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(f"{path!r} must be a list of non-empty strings, got {_describe(value)}")
        return tuple(value)

    def env_name(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _ENV_NAME.match(value):
            self.fail(f"{path!r} must be an environment variable name, got {_describe(value)}")
        return value


def _node(check: _Checker, raw: Any) -> Node | None:
    if raw is None:
        return None
    data = check.mapping(raw, "node", _NODE_KEYS)
    if "cpus" not in data:
        check.fail("'node.cpus' is required when 'node' is given")
    cpus = check.integer(data["cpus"], "node.cpus", 1)
    gpus = 0 if data.get("gpus") is None else check.integer(data["gpus"], "node.gpus", 0)
    vendor = (
        "none" if data.get("gpu_vendor") is None else check.choice(data["gpu_vendor"], "node.gpu_vendor", GPU_VENDORS)
    )
    if gpus and vendor == "none":
        vendors = _choices(GPU_VENDORS[:-1])
        check.fail(f"'node.gpus' is {gpus} but 'node.gpu_vendor' is 'none'; set it to one of {vendors}")
    visible = data.get("gpu_visibility_var")
    visible = GPU_VISIBILITY_VARS[vendor] if visible is None else check.env_name(visible, "node.gpu_visibility_var")
    memory = data.get("memory_gb")
    memory = None if memory is None else check.positive_number(memory, "node.memory_gb")
    return Node(cpus=cpus, gpus=gpus, gpu_vendor=vendor, gpu_visibility_var=visible, memory_gb=memory)


def _defaults(check: _Checker, raw: Any) -> Defaults:
    data = check.mapping(raw, "defaults", _DEFAULTS_KEYS)
    values: dict[str, Any] = {k: check.string(data.get(k), f"defaults.{k}") for k in _DEFAULTS_KEYS[:-2]}
    walltime = data.get("walltime")
    if isinstance(walltime, int) and not isinstance(walltime, bool):
        hours, rest = divmod(walltime, 3600)
        check.fail(
            f"'defaults.walltime' must be a string \"HH:MM:SS\", got int {walltime} (YAML reads an unquoted "
            f'1:30:00 as seconds; quote it: "{hours:02}:{rest // 60:02}:{rest % 60:02}")'
        )
    walltime = check.string(walltime, "defaults.walltime")
    if walltime is not None and not _WALLTIME.match(walltime):
        check.fail(f"'defaults.walltime' must look like \"HH:MM:SS\", got {walltime!r}")
    nodes = data.get("nodes")
    values.update(walltime=walltime, nodes=None if nodes is None else check.integer(nodes, "defaults.nodes", 1))
    return Defaults(**values)


def _env(check: _Checker, raw: Any) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        check.fail(f"'env' must be a mapping of NAME: value, got {_describe(raw)}")
    pairs = []
    for name, value in raw.items():
        check.env_name(name, f"env.{name}")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            check.fail(f"'env.{name}' must be a string (or a number), got {_describe(value)}")
        pairs.append((name, str(value)))
    return tuple(pairs)


def _template_dir(check: _Checker, raw: Any, base_dir: Path) -> str | None:
    text = check.string(raw, "template_dir")
    if not text:
        return None
    path = Path(text).expanduser()
    resolved = (path if path.is_absolute() else base_dir / path).resolve()
    if not resolved.is_dir():
        check.fail(
            f"'template_dir' {text!r} is not a directory (looked at {str(resolved)!r}; "
            "a relative template_dir is relative to the site file's directory)"
        )
    return str(resolved)


def validate_site(data: Any, source: str, base_dir: Path | None = None) -> SiteConfig:
    """Check a parsed YAML document and build the frozen :class:`SiteConfig`.

    ``source`` names the file in every error; ``base_dir`` anchors a relative ``template_dir``
    (default: the directory of ``source``).
    """
    check = _Checker(source)
    if not isinstance(data, dict):
        check.fail(f"a site config must be a YAML mapping, got {type(data).__name__}")
    check.mapping(data, "", _TOP_KEYS)
    name = check.required(data.get("name"), "name")
    scheduler = check.required(data.get("scheduler"), "scheduler")
    if scheduler not in SCHEDULERS:
        check.fail(f"scheduler {scheduler!r} is not one of {_choices(SCHEDULERS)}{_hint(scheduler, SCHEDULERS)}")
    launcher = data.get("launcher")
    launcher = DEFAULT_LAUNCHERS[scheduler] if launcher is None else check.choice(launcher, "launcher", LAUNCHERS)
    network = check.mapping(data.get("network"), "network", _NETWORK_KEYS)
    redis_server = check.string(data.get("redis_server"), "redis_server")
    if redis_server == "":
        check.fail("'redis_server' must be a path to redis-server, got an empty string")
    return SiteConfig(
        name=name,
        scheduler=scheduler,
        description=check.string(data.get("description"), "description") or "",
        launcher=launcher,
        hostnames=check.strings(data.get("hostnames"), "hostnames"),
        network=Network(db_interfaces=check.strings(network.get("db_interfaces"), "network.db_interfaces")),
        node=_node(check, data.get("node")),
        defaults=_defaults(check, data.get("defaults")),
        modules=check.strings(data.get("modules"), "modules"),
        env=_env(check, data.get("env")),
        scratch=check.string(data.get("scratch"), "scratch") or "",
        template_dir=_template_dir(check, data.get("template_dir"), base_dir or Path(source).parent),
        redis_server=redis_server,
        source=source,
    )
