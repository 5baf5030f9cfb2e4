"""Checks for the values run settings take: executables, argument names and values, host
lists, CPU lists, walltimes. A value of the wrong type raises :class:`SettingsTypeError` (a
``TypeError``, as SmartSim raises there); a value of the right type that cannot be used raises
:class:`SettingsError` (a ``ValueError``)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from hpcsim.errors import SettingsError, SettingsTypeError

__all__ = [
    "ArgValue",
    "check_arg_value",
    "check_count",
    "check_env_name",
    "check_env_value",
    "exe_arg_list",
    "format_arg",
    "resolve_exe",
    "walltime_from_parts",
]

#: a run or batch argument's value: kept as given, converted to text when a command is built
ArgValue = str | int | float | None
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WALLTIME = re.compile(r"(?:(\d+)-)?(\d+):(\d\d):(\d\d)")
_NO_SPACE = re.compile(r"\S+")


def resolve_exe(exe: str, what: str = "executable") -> str:
    """Absolute path of ``exe``: a path that must exist, or a name looked up on ``PATH``."""
    if not isinstance(exe, str) or not exe.strip():
        error = SettingsTypeError if not isinstance(exe, str) else SettingsError
        raise error(f"{'exe' if what == 'executable' else what} must be a non-empty string, got {exe!r}")
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
    if not isinstance(name, str):
        raise SettingsTypeError(f"environment variable name {name!r} is invalid; names are strings")
    if not _ENV_NAME.fullmatch(name):
        raise SettingsError(
            f"environment variable name {name!r} is invalid; use letters, digits and _ (not starting with a digit)"
        )
    return name


def check_env_value(key: str, value: object) -> str | None:
    """An environment value as text (str, int and float are converted, as SmartSim's
    ``update_env`` does; a bool is refused: write "1" or "true", whichever the program reads);
    None exports the name with the value it has where the job starts."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SettingsTypeError(
            f"environment variable {key!r} has a value of type {type(value).__name__}; use str, int or float"
        )
    return str(value)


def check_arg_value(what: str, key: str, value: object) -> ArgValue:
    """A run argument's value, kept as given: str, int, float, or None for a bare flag."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
        raise SettingsTypeError(f"{what} {key!r} has a value of type {type(value).__name__}; use str, int or float")
    return value


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


def exe_arg_list(exe_args: object) -> list[str]:
    """Executable arguments as a new list: a string is split like a shell line, a list of
    strings is copied. Other types raise, as in SmartSim (``TypeError``)."""
    if exe_args is None:
        return []
    if isinstance(exe_args, str):
        try:
            return shlex.split(exe_args)
        except ValueError as exc:
            raise SettingsError(f"exe_args {exe_args!r} cannot be split: {exc}") from None
    if isinstance(exe_args, (bytes, Mapping)) or not isinstance(exe_args, Iterable):
        raise SettingsTypeError(f"exe_args must be a string or a list of strings, got {exe_args!r}")
    args = list(exe_args)
    bad = [a for a in args if not isinstance(a, str)]
    if bad:
        raise SettingsTypeError(f"exe_args must be strings; got {bad!r} (convert them with str())")
    return args


def check_count(what: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsTypeError(f"{what} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise SettingsError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def check_int(setter: str, value: object, minimum: int = 1) -> int:
    """:func:`check_count` for a setter's value (``set_tasks: tasks must be ...``)."""
    return check_count(f"{setter}: {setter[4:]}", value, minimum)


def check_ints(setter: str, value: object) -> str:
    """A comma list from one integer >= 0 or a non-empty list of them."""
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not items:
        error = SettingsError if isinstance(items, (list, tuple)) else SettingsTypeError
        raise error(f"{setter}: expected an integer >= 0 or a non-empty list of them, got {value!r}")
    return ",".join(str(check_int(setter, item, 0)) for item in items)


def check_word(setter: str, value: object) -> str:
    if not isinstance(value, str) or not _NO_SPACE.fullmatch(value):
        error = SettingsError if isinstance(value, str) else SettingsTypeError
        raise error(f"{setter}: expected a non-empty string without whitespace, got {value!r}")
    return value


def check_names(setter: str, value: object, what: str = "host") -> str:
    """One name or a non-empty list of them, joined with commas (host lists, node features)."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names:
        error = SettingsError if isinstance(names, (list, tuple)) else SettingsTypeError
        raise error(f"{setter}: expected a {what} name or a non-empty list of them, got {value!r}")
    for name in names:
        if not isinstance(name, str):
            raise SettingsTypeError(
                f"{setter}: each {what} must be one name without whitespace or commas, got {name!r}"
            )
        if not _NO_SPACE.fullmatch(name) or "," in name:
            raise SettingsError(f"{setter}: each {what} must be one name without whitespace or commas, got {name!r}")
    return ",".join(names)


def check_walltime(value: object, days_allowed: bool) -> tuple[str, int]:
    """The walltime text and its length in seconds."""
    match = _WALLTIME.fullmatch(value) if isinstance(value, str) else None
    days = match is not None and match[1] is not None
    if match is None or (days and not days_allowed):
        form = "'HH:MM:SS' or 'D-HH:MM:SS'" if days_allowed else "'HH:MM:SS'"
        error = SettingsError if isinstance(value, str) else SettingsTypeError
        raise error(f"set_walltime: walltime must be {form}, got {value!r}")
    d, h, m, s = (int(part or 0) for part in match.groups())
    if m >= 60 or s >= 60 or (days and h >= 24) or not d + h + m + s:
        raise SettingsError(
            f"set_walltime: walltime {value!r} is out of range: it must be above zero, with minutes and "
            "seconds below 60 (and hours below 24 when days are given)"
        )
    return str(value), ((d * 24 + h) * 60 + m) * 60 + s


def walltime_from_parts(hours: object, minutes: object, seconds: object) -> str:
    """``HH:MM:SS`` from SmartSim's ``set_time(hours, minutes, seconds)``; parts may overflow
    (90 minutes is 01:30:00), hours may pass 24."""
    total = 0
    for name, part, scale in (("hours", hours, 3600), ("minutes", minutes, 60), ("seconds", seconds, 1)):
        if isinstance(part, bool) or not isinstance(part, int):
            raise SettingsTypeError(f"set_time: {name} must be an integer >= 0, got {part!r}")
        if part < 0:
            raise SettingsError(f"set_time: {name} must be an integer >= 0, got {part!r}")
        total += part * scale
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"
