"""How one entity is launched: executable, arguments, launch command and environment.

Settings are plain data with validation; they never spawn processes. Each launch command
(srun, mpirun, ...) is a subclass holding one small table from setter to flag. A setter the
launch command cannot honour raises :class:`SettingsError` that says what to use instead
(SmartSim only logs a warning and drops the request); ``lenient=True`` restores the
warn-and-ignore behaviour for drivers written against SmartSim.

``run_args`` keep the values as given (``6`` stays ``6``) and are turned into text only when
the command is built; ``run_args``, ``env_vars`` and ``exe_args`` copy what they are given.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterable, Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError, UnsupportedSettingsError
from hpcsim.schedulers.kinds import NAMES
from hpcsim.settings.colocated import ColocatedDB
from hpcsim.settings.launch_binary import check_mpi_command, expand_command
from hpcsim.settings.setters import ResourceSetters
from hpcsim.settings.values import (
    ArgValue,
    check_arg_value,
    check_env_name,
    check_env_value,
    exe_arg_list,
    format_arg,
    resolve_exe,
)

_log = logging.getLogger("hpcsim.settings")

__all__ = [
    "ArgValue",
    "LauncherSettings",
    "RunSettings",
    "check_env_name",
    "format_arg",
    "refuse_container",
    "resolve_exe",
]

#: every launcher (scheduler) name; a class's ``launchers`` names those it fits
ANY_LAUNCHER: frozenset[str] = frozenset(NAMES)


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


def refuse_container(container: object | None) -> None:
    """SmartSim's ``container=``: hpcsim runs no containers, so anything but None is refused."""
    if container is not None:
        raise UnsupportedSettingsError(
            f"container={container!r}: hpcsim runs no containers; run the container runtime as the "
            "executable instead, e.g. exe='apptainer', exe_args=['exec', IMAGE, EXE, ...]"
        )


def _generic_arg(key: str, value: ArgValue) -> list[str]:
    """A plain command's argument as SmartSim passes it: the name with its dashes as given
    (one dash added to a bare name: ``np`` is ``-np``), then the value as its own word."""
    flag = key if key.startswith("-") else f"-{key}"
    return [flag] if value is None else [flag, str(value)]


class RunSettings(ResourceSetters):
    """Run an executable directly, or behind a literal launch command such as ``mpirun``.

    The plain class knows no launcher flags; its setters raise. Use a launcher subclass
    (or :func:`hpcsim.settings.factory.create_run_settings`) to get flags. Its ``run_args``
    are passed as SmartSim passes them: ``{"-np": 2}`` gives ``-np 2``.
    """

    #: run arguments this launch command sets itself and refuses from users
    reserved_run_args: ClassVar[frozenset[str]] = frozenset()
    #: "=" formats long options as ``--opt=value``, " " as ``--opt value``
    value_separator: ClassVar[str] = "="
    #: token between MPMD sections; None when the launch command has no MPMD form
    mpmd_separator: ClassVar[str | None] = None
    #: the launchers (schedulers) this class's command runs under; a plain command runs anywhere
    launchers: ClassVar[frozenset[str]] = ANY_LAUNCHER
    #: whether run_args given as a dict keep their dashes (a plain command's, as in SmartSim)
    literal_arg_names: ClassVar[bool] = True

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_command: str | None = "",
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        container: object | None = None,
        lenient: bool = False,
    ) -> None:
        """SmartSim's parameters, in its order; ``container`` must be None (hpcsim runs no
        containers: :class:`~hpcsim.errors.UnsupportedError`). ``lenient`` is hpcsim's."""
        refuse_container(container)
        if run_command is None:
            run_command = ""
        if not isinstance(run_command, str):
            raise SettingsTypeError(f"run_command must be a string, got {run_command!r}")
        self.exe = resolve_exe(exe)
        self.exe_args = exe_args
        self._run_command = run_command.strip()
        self.lenient = lenient
        self._run_args: dict[str, ArgValue] = {}
        self._env_vars: dict[str, str | None] = {}
        self.mpmd: list[RunSettings] = []
        self.colocated_db_settings: ColocatedDB | None = None
        self.run_args = dict(run_args or {})
        self.update_env(env_vars or {})
        if self._run_args and not self._run_command:
            _log.warning(
                "run_args %s are ignored: %s runs without a launch command (run_command)",
                sorted(self._run_args),
                exe,
            )

    # -- the data, copied in: a dict or list the caller changes later does not change these ----

    @property
    def exe_args(self) -> list[str]:
        """The executable's arguments (the list itself: changes to it are kept)."""
        return self._exe_args

    @exe_args.setter
    def exe_args(self, value: str | Iterable[str] | None) -> None:
        self._exe_args = exe_arg_list(value)

    @property
    def run_args(self) -> dict[str, ArgValue]:
        """The launch command's arguments, name to value (None for a flag without value)."""
        return self._run_args

    @run_args.setter
    def run_args(self, value: Mapping[str, ArgValue]) -> None:
        if not isinstance(value, Mapping):
            raise SettingsTypeError(f"run_args must be a dict of name to value, got {value!r}")
        previous, self._run_args = self._run_args, {}
        try:
            for key, item in value.items():
                self._store_arg(key, item, literal=True)
        except SettingsError:
            self._run_args = previous
            raise

    @property
    def env_vars(self) -> dict[str, str | None]:
        """The environment variables set for the launch, name to value (None unsets)."""
        return self._env_vars

    @env_vars.setter
    def env_vars(self, value: Mapping[str, ArgValue]) -> None:
        self._env_vars = self._checked_env(value)

    @property
    def run_command(self) -> str | None:
        """The launch binary: its absolute path where this host's ``PATH`` has it (as SmartSim
        resolves it), else the command as given (compute nodes may have it); None without one.
        Scripts run the command as it was given."""
        return expand_command(self._run_command) if self._run_command else None

    # -- generic arguments, environment, executable arguments ---------------------------------

    def set(self, arg: str, value: ArgValue = None, condition: bool = True) -> None:
        """Set one launch-command argument by name (dashes optional), if ``condition`` holds;
        reserved ones are refused."""
        if not isinstance(arg, str):
            raise SettingsTypeError(f"run argument name must be a non-empty string, got {arg!r}")
        if not condition:
            _log.info("run argument %r not set: condition not met", arg.strip().lstrip("-"))
            return
        self._store_arg(arg, value, literal=False)

    def _store_arg(self, arg: object, value: object, literal: bool) -> None:
        if not isinstance(arg, str) or not arg.strip().strip("-"):
            error = SettingsTypeError if not isinstance(arg, str) else SettingsError
            raise error(f"run argument name must be a non-empty string, got {arg!r}")
        name = arg.strip().lstrip("-")
        self._check_reserved(name)
        checked = check_arg_value("run argument", name, value)
        key = self._arg_key(arg.strip(), name, literal)
        if key in self._run_args and self._run_args[key] != checked:
            _log.info("run argument %r: %r replaces %r", name, checked, self._run_args[key])
        self._run_args[key] = checked

    def _arg_key(self, given: str, name: str, literal: bool) -> str:
        """The key an argument is stored under. A plain command keeps the dashes a dict gave
        (``--gres`` stays long); ``set`` strips them, reusing a key of the same name."""
        if not self.literal_arg_names:
            return name
        same = [key for key in self._run_args if key.lstrip("-") == name]
        return same[0] if same else (given if literal else name)

    def _check_reserved(self, name: str) -> None:
        if name in self.reserved_run_args:
            raise SettingsError(
                f"run argument {name!r} is set by hpcsim for {self._who()} and cannot be given; "
                f"reserved: {', '.join(sorted(self.reserved_run_args))}"
            )

    def _checked_env(self, env_vars: object) -> dict[str, str | None]:
        if not isinstance(env_vars, Mapping):
            raise SettingsTypeError(f"env_vars must be a dict of name to value, got {env_vars!r}")
        return {check_env_name(key): check_env_value(key, v) for key, v in env_vars.items()}

    def update_env(self, env_vars: Mapping[str, ArgValue]) -> None:
        """Add environment variables for the launched process (None unsets nothing, it exports
        the name with the value it has where the job starts)."""
        self._env_vars.update(self._checked_env(env_vars))

    def add_exe_args(self, args: str | Iterable[str]) -> None:
        """Append ``args`` (one string is split like a shell would) to the executable's arguments."""
        self._exe_args.extend(exe_arg_list(args))

    def _who(self) -> str:
        return f"{type(self).__name__} ({self._run_command or 'no launch command'})"

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
            raise UnsupportedSettingsError(
                "MPMD with a colocated database is not supported; launch the programs separately"
            )
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
        """The run arguments as command-line words (SmartSim's name): values become text here.
        As in SmartSim, they end with what runs before the executable (PALS' GPU affinity
        script), where the launch command has such a thing."""
        return [*self._run_arg_words(), *self._exe_prefix()]

    def _run_arg_words(self) -> list[str]:
        for key in self.run_args:
            self._check_reserved(key.strip().lstrip("-"))
        return [part for key, value in self.run_args.items() for part in self._format_arg(key, value)]

    def _exe_prefix(self) -> list[str]:
        """Words the launch command runs in front of the executable (a wrapper script)."""
        return []

    def _format_arg(self, key: str, value: ArgValue) -> list[str]:
        return _generic_arg(key, value)

    def format_env_vars(self) -> list[str]:
        """The environment as SmartSim's ``RunSettings`` formats it: ``K=V`` (``K=`` for None).
        Scripts export it themselves; see :meth:`env_forward_args` for what reaches the ranks."""
        return [f"{key}={'' if value is None else value}" for key, value in self.env_vars.items()]

    def command(self, env_names: Iterable[str] = ()) -> list[str]:
        """The whole argv: launch command, then per program its arguments, the environment
        forwarding, exe and exe arguments; MPMD programs are joined by the separator."""
        if not self._run_command:
            self.launch_env()  # checks the names the script exports
            return [self.exe, *self.exe_args]
        if self.mpmd:
            self._check_mpmd([self, *self.mpmd])
        forward = self.env_forward_args(env_names)
        argv = [self._run_command]
        for index, program in enumerate([self, *self.mpmd]):
            if index:
                argv.append(str(self.mpmd_separator))
            argv += [*program._run_arg_words(), *forward, *program._exe_prefix(), program.exe, *program.exe_args]
        return argv

    def __repr__(self) -> str:
        try:
            text = shlex.join(self.command())
        except SettingsError as exc:
            text = f"invalid: {exc}"
        return f"{type(self).__name__}({text!r})"


class LauncherSettings(RunSettings):
    """Base of the launcher classes. The launch command defaults to the class's own command;
    scripts run it as given (compute nodes may have a PATH the driver's host lacks), and
    ``run_command`` reads as its absolute path where this host has it."""

    #: the launch command used when none is given
    default_command: ClassVar[str] = ""
    mpmd_separator: ClassVar[str | None] = ":"
    literal_arg_names: ClassVar[bool] = False
    #: whether making these settings checks the command is on PATH (SmartSim's MPI settings)
    checks_launch_binary: ClassVar[bool] = False

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        lenient: bool = False,
        run_command: str | None = None,
        *,
        fail_if_missing_exec: bool | None = True,
        container: object | None = None,
    ) -> None:
        """``fail_if_missing_exec`` (MPI classes, as SmartSim's): a launch command missing from
        this host's PATH raises; False only warns; None does not look (create_run_settings under
        a scheduler, whose scripts run on compute nodes). ``container`` must be None."""
        refuse_container(container)
        command = self.default_command if run_command is None else run_command
        if not isinstance(command, str) or not command.strip():
            error = SettingsError if isinstance(command, str) else SettingsTypeError
            raise error(f"{type(self).__name__}: run_command must be a non-empty string, got {command!r}")
        if self.checks_launch_binary:
            check_mpi_command(type(self).__name__, command.strip(), fail_if_missing_exec, self._slurm_wrapper_refused())
        super().__init__(exe, exe_args, command, run_args, env_vars, lenient=lenient)

    @classmethod
    def _slurm_wrapper_refused(cls) -> bool:
        """Whether Slurm's ``mpiexec.slurm`` cannot stand in for this class's command."""
        return False

    def _format_arg(self, key: str, value: ArgValue) -> list[str]:
        return format_arg(key, value, self.value_separator)
