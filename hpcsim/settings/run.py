"""How one entity is launched: executable, arguments, launch command and environment.

Settings are plain data with validation; they never spawn processes. Scheduler-specific
launch commands (srun, mpirun, ...) subclass :class:`RunSettings`.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from hpcsim.errors import SettingsError

_log = logging.getLogger("hpcsim.settings")

__all__ = ["ArgValue", "RunSettings", "format_arg", "resolve_exe"]

ArgValue = str | int | float | None
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def resolve_exe(exe: str) -> str:
    """Absolute path of ``exe``: a path that must exist, or a name looked up on ``PATH``."""
    if not isinstance(exe, str) or not exe.strip():
        raise SettingsError(f"exe must be a non-empty string, got {exe!r}")
    expanded = os.path.expanduser(exe)
    if os.sep in expanded:
        path = Path(os.path.abspath(expanded))
        if not path.is_file():
            raise SettingsError(f"executable not found: {exe!r} (no such file {str(path)!r})")
        if not os.access(path, os.X_OK):
            raise SettingsError(f"{str(path)!r} is not executable (chmod +x it or run it via an interpreter)")
        return str(path)
    found = shutil.which(expanded)
    if found is None:
        raise SettingsError(f"executable {exe!r} not found on PATH; give its full path or add its directory to PATH")
    return found


def format_arg(name: str, value: ArgValue) -> list[str]:
    """``--name=value`` for long options, ``-n value`` for one-letter ones, bare flag for None."""
    stripped = name.lstrip("-")
    if not stripped:
        raise SettingsError(f"run argument name {name!r} is empty")
    if len(stripped) == 1:
        return [f"-{stripped}"] if value is None else [f"-{stripped}", str(value)]
    return [f"--{stripped}"] if value is None else [f"--{stripped}={value}"]


def _exe_args(exe_args: str | Iterable[str] | None) -> list[str]:
    if exe_args is None:
        return []
    if isinstance(exe_args, str):
        try:
            return shlex.split(exe_args)
        except ValueError as exc:
            raise SettingsError(f"exe_args {exe_args!r} cannot be split: {exc}") from None
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


class RunSettings:
    """Run an executable directly, or behind a literal launch command such as ``mpirun``."""

    #: run arguments this launch command sets itself and refuses from users
    reserved_run_args: frozenset[str] = frozenset()

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_command: str = "",
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
    ) -> None:
        self.exe = resolve_exe(exe)
        self.exe_args = _exe_args(exe_args)
        self.run_command = run_command
        self.run_args: dict[str, str | None] = {}
        self.env_vars: dict[str, str | None] = {}
        for key, value in (run_args or {}).items():
            self.set(key, value)
        self.update_env(env_vars or {})
        if self.run_args and not run_command:
            _log.warning(
                "run_args %s are ignored: %s runs without a launch command (run_command)",
                sorted(self.run_args),
                exe,
            )

    def set(self, arg: str, value: ArgValue = None) -> None:
        """Set one launch-command argument; reserved ones are refused."""
        if not isinstance(arg, str) or not arg.strip("-"):
            raise SettingsError(f"run argument name must be a non-empty string, got {arg!r}")
        name = arg.lstrip("-")
        if name in self.reserved_run_args:
            raise SettingsError(f"run argument {name!r} is set by hpcsim for {type(self).__name__} and cannot be given")
        self.run_args[name] = _check_value("run argument", name, value)

    def update_env(self, env_vars: Mapping[str, ArgValue]) -> None:
        """Add environment variables for the launched process (None unsets nothing, it exports
        the name with the value it has where the job starts)."""
        for key, value in env_vars.items():
            if not isinstance(key, str) or not _ENV_NAME.fullmatch(key):
                raise SettingsError(f"environment variable name {key!r} is invalid; use letters, digits and _")
            self.env_vars[key] = _check_value("environment variable", key, value)

    def add_exe_args(self, args: str | Iterable[str]) -> None:
        self.exe_args.extend(_exe_args(args))

    def format_run_args(self) -> list[str]:
        return [part for key, value in self.run_args.items() for part in format_arg(key, value)]

    def command(self) -> list[str]:
        """The whole argv of one launch: launch command, its arguments, exe, exe arguments."""
        prefix = [self.run_command, *self.format_run_args()] if self.run_command else []
        return [*prefix, self.exe, *self.exe_args]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({shlex.join(self.command())!r})"
