"""How one entity is launched: executable, arguments, launch command and environment.

Settings are plain data with validation; they never spawn processes. Each launch command
(srun, mpirun, ...) is a subclass holding one small table from setter to flag. A setter the
launch command cannot honour raises :class:`SettingsError` that says what to use instead
(SmartSim only logs a warning and drops the request); ``lenient=True`` restores the
warn-and-ignore behaviour for drivers written against SmartSim.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.settings.colocated import ColocatedDB

_log = logging.getLogger("hpcsim.settings")

__all__ = ["ArgValue", "LauncherSettings", "RunSettings", "check_env_name", "format_arg", "resolve_exe"]

ArgValue = str | int | float | None
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WALLTIME = re.compile(r"(?:(\d+)-)?(\d+):(\d\d):(\d\d)")
_NO_SPACE = re.compile(r"\S+")
#: resource requests that a launch without a launch command (one process here) already meets
_ONE_PROCESS = frozenset({("set_nodes", 1), ("set_tasks", 1), ("set_tasks_per_node", 1)})


def resolve_exe(exe: str, what: str = "executable") -> str:
    """Absolute path of ``exe``: a path that must exist, or a name looked up on ``PATH``."""
    if not isinstance(exe, str) or not exe.strip():
        raise SettingsError(f"{'exe' if what == 'executable' else what} must be a non-empty string, got {exe!r}")
    expanded = os.path.expanduser(exe)
    if os.sep in expanded:
        path = Path(os.path.abspath(expanded))
        if path.is_dir():
            raise SettingsError(f"{what} {exe!r} is a directory, not a program ({str(path)!r})")
        if not path.is_file():
            raise SettingsError(f"{what} not found: {exe!r} (no such file {str(path)!r})")
        if not os.access(path, os.X_OK):
            raise SettingsError(f"{what} {str(path)!r} is not executable (chmod +x it or run it via an interpreter)")
        return str(path)
    found = shutil.which(expanded)
    if found is None:
        raise SettingsError(f"{what} {exe!r} not found on PATH; give its full path or add its directory to PATH")
    return found


def check_env_name(name: object) -> str:
    """An environment-variable name as the launch script exports it: letters, digits and _."""
    if not isinstance(name, str) or not _ENV_NAME.fullmatch(name):
        raise SettingsError(
            f"environment variable name {name!r} is invalid; use letters, digits and _ (not starting with a digit)"
        )
    return name


def format_arg(name: str, value: ArgValue, separator: str = "=") -> list[str]:
    """``--name=value`` (or ``--name value`` with a space separator) for long options,
    ``-n value`` for one-letter ones, a bare flag for None."""
    stripped = name.lstrip("-")
    if not stripped:
        raise SettingsError(f"run argument name {name!r} is empty")
    if len(stripped) == 1:
        return [f"-{stripped}"] if value is None else [f"-{stripped}", str(value)]
    if value is None:
        return [f"--{stripped}"]
    return [f"--{stripped}", str(value)] if separator == " " else [f"--{stripped}{separator}{value}"]


def _exe_args(exe_args: str | Iterable[str] | None) -> list[str]:
    if exe_args is None:
        return []
    if isinstance(exe_args, str):
        try:
            return shlex.split(exe_args)
        except ValueError as exc:
            raise SettingsError(f"exe_args {exe_args!r} cannot be split: {exc}") from None
    if isinstance(exe_args, (bytes, Mapping)) or not isinstance(exe_args, Iterable):
        raise SettingsError(f"exe_args must be a string or a list of strings, got {exe_args!r}")
    args = list(exe_args)
    bad = [a for a in args if not isinstance(a, str)]
    if bad:
        raise SettingsError(f"exe_args must be strings; got {bad!r} (convert them with str())")
    return args


def _check_value(what: str, key: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SettingsError(f"{what} {key!r} has a value of type {type(value).__name__}; use str, int or float")
    return str(value)


def _int(setter: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SettingsError(f"{setter}: {setter[4:]} must be an integer >= {minimum}, got {value!r}")
    return value


def _ints(setter: str, value: object) -> str:
    """A comma list from one integer >= 0 or a non-empty list of them."""
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise SettingsError(f"{setter}: expected an integer >= 0 or a non-empty list of them, got {value!r}")
    return ",".join(str(_int(setter, item, 0)) for item in items)


def _word(setter: str, value: object) -> str:
    if not isinstance(value, str) or not _NO_SPACE.fullmatch(value):
        raise SettingsError(f"{setter}: expected a non-empty string without whitespace, got {value!r}")
    return value


def _hosts(setter: str, value: object) -> str:
    hosts = [value] if isinstance(value, str) else value
    if not isinstance(hosts, (list, tuple)) or not hosts:
        raise SettingsError(f"{setter}: expected a host name or a non-empty list of them, got {value!r}")
    for host in hosts:
        if not isinstance(host, str) or not _NO_SPACE.fullmatch(host) or "," in host:
            raise SettingsError(f"{setter}: each host must be one name without whitespace or commas, got {host!r}")
    return ",".join(hosts)


def _walltime(value: object, days_allowed: bool) -> tuple[str, int]:
    """The walltime text and its length in seconds."""
    match = _WALLTIME.fullmatch(value) if isinstance(value, str) else None
    days = match is not None and match[1] is not None
    if match is None or (days and not days_allowed):
        form = "'HH:MM:SS' or 'D-HH:MM:SS'" if days_allowed else "'HH:MM:SS'"
        raise SettingsError(f"set_walltime: walltime must be {form}, got {value!r}")
    d, h, m, s = (int(part or 0) for part in match.groups())
    if m >= 60 or s >= 60 or (days and h >= 24) or not d + h + m + s:
        raise SettingsError(
            f"set_walltime: walltime {value!r} is out of range: it must be above zero, with minutes and "
            "seconds below 60 (and hours below 24 when days are given)"
        )
    return str(value), ((d * 24 + h) * 60 + m) * 60 + s


def _merge_env(programs: list[RunSettings]) -> dict[str, str | None]:
    """One environment for every program; names are checked again here because ``env_vars``
    is a plain dict that drivers may change directly, and names reach the script unquoted."""
    merged: dict[str, str | None] = {}
    for key, value in (item for program in programs for item in program.env_vars.items()):
        check_env_name(key)
        if merged.get(key, value) != value:
            raise SettingsError(
                f"MPMD programs set {key} to {merged[key]!r} and {value!r}; the launch script exports "
                "one environment for every program, so the values must agree"
            )
        merged[key] = value
    return merged


class RunSettings:
    """Run an executable directly, or behind a literal launch command such as ``mpirun``.

    The plain class knows no launcher flags; its setters raise. Use a launcher subclass
    (or :func:`hpcsim.settings.factory.create_run_settings`) to get flags.
    """

    #: run arguments this launch command sets itself and refuses from users
    reserved_run_args: ClassVar[frozenset[str]] = frozenset()
    #: setter name -> ``flag`` or ``flag=template`` ({} is the value, {seconds} a walltime in seconds)
    flags: ClassVar[Mapping[str, str]] = {}
    #: setter name -> why the launch command cannot honour it and what to use instead
    hints: ClassVar[Mapping[str, str]] = {
        "set_het_group": "heterogeneous job groups exist only in Slurm; use SrunSettings",
    }
    #: "=" formats long options as ``--opt=value``, " " as ``--opt value``
    value_separator: ClassVar[str] = "="
    #: token between MPMD sections; None when the launch command has no MPMD form
    mpmd_separator: ClassVar[str | None] = None
    #: whether walltimes may carry days (``D-HH:MM:SS``)
    walltime_days: ClassVar[bool] = False
    #: whether the broadcast flag takes a destination (``--bcast=PATH``) or stands alone
    broadcast_destination: ClassVar[bool] = True

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_command: str = "",
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        lenient: bool = False,
    ) -> None:
        if not isinstance(run_command, str):
            raise SettingsError(f"run_command must be a string, got {run_command!r}")
        self.exe = resolve_exe(exe)
        self.exe_args = _exe_args(exe_args)
        self.run_command = run_command
        self.lenient = lenient
        self.run_args: dict[str, str | None] = {}
        self.env_vars: dict[str, str | None] = {}
        self.mpmd: list[RunSettings] = []
        self.colocated_db_settings: ColocatedDB | None = None
        for key, value in (run_args or {}).items():
            self.set(key, value)
        self.update_env(env_vars or {})
        if self.run_args and not run_command:
            _log.warning(
                "run_args %s are ignored: %s runs without a launch command (run_command)",
                sorted(self.run_args),
                exe,
            )

    # -- generic arguments, environment, executable arguments ---------------------------------

    def set(self, arg: str, value: ArgValue = None) -> None:
        """Set one launch-command argument by name (dashes optional); reserved ones are refused."""
        if not isinstance(arg, str) or not arg.strip("-"):
            raise SettingsError(f"run argument name must be a non-empty string, got {arg!r}")
        name = arg.lstrip("-")
        if name in self.reserved_run_args:
            raise SettingsError(
                f"run argument {name!r} is set by hpcsim for {self._who()} and cannot be given; "
                f"reserved: {', '.join(sorted(self.reserved_run_args))}"
            )
        self.run_args[name] = _check_value("run argument", name, value)

    def update_env(self, env_vars: Mapping[str, ArgValue]) -> None:
        """Add environment variables for the launched process (None unsets nothing, it exports
        the name with the value it has where the job starts)."""
        if not isinstance(env_vars, Mapping):
            raise SettingsError(f"env_vars must be a dict of name to value, got {env_vars!r}")
        checked = {check_env_name(key): _check_value("environment variable", key, v) for key, v in env_vars.items()}
        self.env_vars.update(checked)

    def add_exe_args(self, args: str | Iterable[str]) -> None:
        self.exe_args.extend(_exe_args(args))

    # -- resource setters: validated here, mapped onto flags by each class's table ------------

    def set_nodes(self, nodes: int) -> None:
        self._apply("set_nodes", _int("set_nodes", nodes))

    def set_tasks(self, tasks: int) -> None:
        self._apply("set_tasks", _int("set_tasks", tasks))

    def set_tasks_per_node(self, tasks_per_node: int) -> None:
        self._apply("set_tasks_per_node", _int("set_tasks_per_node", tasks_per_node))

    def set_cpus_per_task(self, cpus_per_task: int) -> None:
        self._apply("set_cpus_per_task", _int("set_cpus_per_task", cpus_per_task))

    def set_memory_per_node(self, memory_per_node: int) -> None:
        """Memory in megabytes."""
        self._apply("set_memory_per_node", _int("set_memory_per_node", memory_per_node))

    def set_hostlist(self, host_list: str | list[str]) -> None:
        self._apply("set_hostlist", _hosts("set_hostlist", host_list))

    def set_excluded_hosts(self, host_list: str | list[str]) -> None:
        self._apply("set_excluded_hosts", _hosts("set_excluded_hosts", host_list))

    def set_hostlist_from_file(self, file_path: str | os.PathLike[str]) -> None:
        """Hosts from a file; a relative path is taken from the driver's working directory,
        because launches run in the entity's directory."""
        if not isinstance(file_path, (str, os.PathLike)) or not str(file_path).strip():
            raise SettingsError(f"set_hostlist_from_file: expected a non-empty path, got {file_path!r}")
        self._apply("set_hostlist_from_file", os.path.abspath(os.path.expanduser(file_path)))

    def set_cpu_bindings(self, bindings: int | list[int]) -> None:
        """Bind task i to CPU ``bindings[i]``."""
        self._apply("set_cpu_bindings", _ints("set_cpu_bindings", bindings))

    def set_het_group(self, het_group: int | list[int]) -> None:
        self._apply("set_het_group", _ints("set_het_group", het_group))

    def set_walltime(self, walltime: str) -> None:
        """Time limit of the launch as ``HH:MM:SS``."""
        text, seconds = _walltime(walltime, self.walltime_days)
        self._apply("set_walltime", text, seconds)

    def set_binding(self, binding: str) -> None:
        """The launcher's own binding policy, e.g. ``core`` or ``depth``."""
        self._apply("set_binding", _word("set_binding", binding))

    def set_task_map(self, task_mapping: str) -> None:
        self._apply("set_task_map", _word("set_task_map", task_mapping))

    def set_broadcast(self, dest_path: str | None = None) -> None:
        """Copy the executable to the compute nodes before launching (to ``dest_path`` if given)."""
        if dest_path is not None and not self.broadcast_destination:
            self._refuse("set_broadcast")
            return
        self._apply("set_broadcast", None if dest_path is None else _word("set_broadcast", dest_path))

    def set_verbose_launch(self, verbose: bool = True) -> None:
        self._switch("set_verbose_launch", verbose)

    def set_quiet_launch(self, quiet: bool = True) -> None:
        self._switch("set_quiet_launch", quiet)

    def _switch(self, setter: str, on: object) -> None:
        if not isinstance(on, bool):
            raise SettingsError(f"{setter}: expected True or False, got {on!r}")
        if on:
            self._apply(setter, None)
        elif setter in self.flags:
            self.run_args.pop(self.flags[setter].partition("=")[0], None)

    def _apply(self, setter: str, value: str | int | None, seconds: int = 0) -> None:
        """Store ``setter``'s flag from the table: bare for None, else the template filled in."""
        if setter not in self.flags:
            if not self.run_command and (setter, value) in _ONE_PROCESS:
                return  # a launch without a launch command already is one task on one node
            self._refuse(setter)
            return
        name, has_template, template = self.flags[setter].partition("=")
        bare = value is None and not has_template
        self.run_args[name] = None if bare else (template or "{}").format(value, seconds=seconds)

    def _refuse(self, setter: str) -> None:
        """Raise (or, when lenient, log) that ``setter`` cannot be honoured, and why."""
        why = self.hints.get(setter) or RunSettings.hints.get(setter)
        if why is None:
            why = (
                f"hpcsim knows no {self.run_command} flag for it; pass the option with set(name, value)"
                if self.run_command
                else "there is no launch command to pass it to; use a launcher's settings class"
            )
        message = f"{self._who()} cannot honour {setter}: {why}"
        if not self.lenient:
            raise SettingsError(message)
        _log.warning("%s (ignored because lenient=True)", message)

    def _who(self) -> str:
        return f"{type(self).__name__} ({self.run_command or 'no launch command'})"

    # -- MPMD, environment forwarding, the final argv ---------------------------------------

    def make_mpmd(self, settings: RunSettings) -> None:
        """Launch ``settings`` in the same command as this one (``cmd a1 exe1 : a2 exe2``).

        Always raises when refused, even when lenient: dropping a whole program is never safe.
        """
        if self.mpmd_separator is None:
            why = self.hints.get("make_mpmd", "this launch command has no MPMD form")
            raise SettingsError(f"{self._who()} cannot honour make_mpmd: {why}")
        if type(settings) is not type(self) or settings is self:
            raise SettingsError(
                f"make_mpmd needs another {type(self).__name__}, got {type(settings).__name__}"
                + (" (the same object)" if settings is self else "")
            )
        self._check_mpmd([self, *self.mpmd, settings, *settings.mpmd])
        self.mpmd += [settings, *settings.mpmd]

    def _check_mpmd(self, programs: list[RunSettings]) -> None:
        if any(p.colocated_db_settings for p in programs):
            raise SettingsError("MPMD with a colocated database is not supported; launch the programs separately")
        _merge_env(programs)

    def launch_env(self) -> dict[str, str | None]:
        """Every variable the launch script must export: this program's and its MPMD partners'."""
        return _merge_env([self, *self.mpmd])

    def env_forward_args(self, env_names: Iterable[str] = ()) -> list[str]:
        """Launch-command arguments that carry the script's exported variables to every rank.

        ``env_names`` adds names the script exports besides :meth:`launch_env` (the database
        contract). Values never appear here, so commas and quotes in them are safe.
        """
        names = [check_env_name(n) for n in dict.fromkeys([*self.launch_env(), *env_names])]
        return self._forward_env(names)

    def _forward_env(self, names: list[str]) -> list[str]:
        """Per-launcher hook; a plain command inherits the exported environment as it is."""
        return []

    def format_run_args(self) -> list[str]:
        return [part for key, value in self.run_args.items() for part in format_arg(key, value, self.value_separator)]

    def command(self, env_names: Iterable[str] = ()) -> list[str]:
        """The whole argv: launch command, then per program its arguments, the environment
        forwarding, exe and exe arguments; MPMD programs are joined by the separator."""
        if not self.run_command:
            self.launch_env()  # checks the names the script exports
            return [self.exe, *self.exe_args]
        if self.mpmd:
            self._check_mpmd([self, *self.mpmd])
        forward = self.env_forward_args(env_names)
        argv = [self.run_command]
        for index, program in enumerate([self, *self.mpmd]):
            if index:
                argv.append(str(self.mpmd_separator))
            argv += [*program.format_run_args(), *forward, program.exe, *program.exe_args]
        return argv

    def __repr__(self) -> str:
        try:
            text = shlex.join(self.command())
        except SettingsError as exc:
            text = f"invalid: {exc}"
        return f"{type(self).__name__}({text!r})"


class LauncherSettings(RunSettings):
    """Base of the launcher classes. The launch command defaults to the class's own command
    and stays a bare name: scripts run on compute nodes, whose PATH may differ from the driver's."""

    #: the launch command used when none is given
    default_command: ClassVar[str] = ""
    mpmd_separator: ClassVar[str | None] = ":"

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        lenient: bool = False,
        run_command: str | None = None,
    ) -> None:
        command = self.default_command if run_command is None else run_command
        if not isinstance(command, str) or not command.strip():
            raise SettingsError(f"{type(self).__name__}: run_command must be a non-empty string, got {command!r}")
        super().__init__(exe, exe_args, command, run_args, env_vars, lenient)
