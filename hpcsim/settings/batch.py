"""How a batch job is requested from a scheduler: validated data that scheduler subclasses
turn into directive arguments (``--nodes=2``, ``-l walltime=01:00:00``) in a stable order.

Directive lines are parsed by the scheduler, not by a shell, so values are checked rather
than quoted: whitespace, quotes and newlines are refused with a message saying where such a
value can go instead (the preamble, verbatim).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError, UnsupportedSettingsError
from hpcsim.settings.launch_binary import expand_command
from hpcsim.settings.values import ArgValue, check_count, check_names
from hpcsim.site.schema import Defaults as SiteDefaults

__all__ = ["BatchSettings", "check_count", "check_hosts", "check_token", "parse_walltime"]

_WALLTIME = re.compile(r"^(?:(\d+)-)?(\d+):([0-5]\d):([0-5]\d)$")
_UNSAFE = re.compile(r"[\s'\"\\`$;#]")


def check_token(what: str, value: object) -> str:
    """A directive value: a non-empty string (or number) with no whitespace, quotes or shell
    metacharacters."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SettingsTypeError(f"{what} must be a string or number, got {value!r}")
    text = str(value)
    if not text or _UNSAFE.search(text):
        raise SettingsError(
            f"{what} {text!r} cannot go into a batch directive (empty, or has whitespace, quotes, "
            "'$', ';', '#' or a backslash); put such settings in the preamble with add_preamble()"
        )
    return text


def check_hosts(what: str, host_list: object) -> list[str]:
    """Host names for a directive: one name or a non-empty list of them (a string is stripped,
    as SmartSim does), each without whitespace, commas, quotes or shell metacharacters."""
    given = host_list.strip() if isinstance(host_list, str) else host_list
    hosts = check_names(what, given).split(",")
    return [check_token(f"{what}: host", host) for host in hosts]


def size_gib(text: str, units: Mapping[str, int], default: str) -> float | None:
    """A memory size such as ``64G`` or ``4000mb`` in GiB, with ``units`` the scheduler's
    suffixes (lower case) as powers of 1024 and ``default`` the unit of a bare number; None
    when the text is not such a size (``0``, a Slurm "all of it", is None too)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", text.strip())
    unit = (match[2] or default).lower() if match else ""
    if match is None or unit not in units:
        return None
    amount = float(match[1]) * 1024 ** units[unit]
    return amount / 1024**3 if amount else None


def parse_walltime(value: object) -> tuple[int, int, int]:
    """``HH:MM:SS`` or ``D-HH:MM:SS`` as (hours, minutes, seconds), days folded into hours."""
    match = _WALLTIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise (SettingsError if isinstance(value, str) else SettingsTypeError)(
            f"walltime must be HH:MM:SS or D-HH:MM:SS with minutes and seconds < 60, got {value!r}"
        )
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = (days * 24 + hours, minutes, seconds)
    if total == (0, 0, 0):
        raise SettingsError("walltime must be longer than zero")
    return total


class BatchSettings:
    """Scheduler-neutral part of a batch request: nodes, walltime, account, queue, extra
    arguments and preamble lines."""

    #: arguments hpcsim writes itself (job name, output files) and refuses from users
    reserved_batch_args: frozenset[str] = frozenset()

    def __init__(
        self,
        batch_cmd: str,
        batch_args: Mapping[str, ArgValue] | None = None,
        nodes: int | None = None,
        time: str = "",
        account: str = "",
        queue: str = "",
    ) -> None:
        """SmartSim's order: the command, then ``batch_args``; the scheduler-neutral fields
        follow (SmartSim takes them as keywords)."""
        if not isinstance(batch_cmd, str) or not batch_cmd.strip():
            raise SettingsTypeError(f"batch_cmd must be a non-empty string, got {batch_cmd!r}")
        self._batch_cmd = batch_cmd
        self.nodes: int | None = None
        self.walltime: tuple[int, int, int] | None = None
        self.account = ""
        self.queue = ""
        self._batch_args: dict[str, ArgValue] = {}
        self._preamble: list[str] = []
        if nodes is not None:
            self.set_nodes(nodes)
        if time:
            self.set_walltime(time)
        if account:
            self.set_account(account)
        if queue:
            self.set_queue(queue)
        self.batch_args = {} if batch_args is None else batch_args

    @property
    def batch_cmd(self) -> str:
        """The submission command: its absolute path where this host's PATH has it (as
        SmartSim's), else as given."""
        return expand_command(self._batch_cmd)

    def set_batch_command(self, command: str) -> None:
        """The command that submits the job (SmartSim's ``set_batch_command``). hpcsim submits
        through the scheduler's own command found on PATH, so only that command is taken."""
        own = os.path.basename(self._batch_cmd)
        if not isinstance(command, str) or not command.strip():
            raise SettingsTypeError(f"set_batch_command: expected a command, got {command!r}")
        same = os.path.basename(command) == own and (
            os.sep not in command or expand_command(command) == expand_command(own) or shutil.which(own) is None
        )
        if not same:
            raise SettingsError(
                f"set_batch_command: {type(self).__name__} is submitted with {own} as found on PATH; "
                f"{command!r} cannot be used instead (put its directory first on PATH to use another {own})"
            )
        self._batch_cmd = command

    @property
    def batch_args(self) -> dict[str, ArgValue]:
        """Other scheduler options, values as given (``{"exclusive": None, "mem": 100}``)."""
        return self._batch_args

    @batch_args.setter
    def batch_args(self, value: Mapping[str, ArgValue]) -> None:
        if not isinstance(value, Mapping):
            raise SettingsTypeError(f"batch_args must be a dict of name to value, got {value!r}")
        previous, self._batch_args = self._batch_args, {}
        try:
            for key, item in value.items():
                self.set_batch_arg(key, item)
        except SettingsError:
            self._batch_args = previous
            raise

    def extra_args(self) -> list[tuple[str, ArgValue]]:
        """``batch_args`` checked again (drivers may change the dict directly), for directives."""
        for key, value in self.batch_args.items():
            self._check_batch_arg(key, value)
        return list(self.batch_args.items())

    def format_batch_args(self) -> list[str]:
        """The directive arguments (SmartSim's name for :meth:`directives`)."""
        return self.directives()

    def set_nodes(self, num_nodes: int) -> None:
        """Request ``num_nodes`` nodes (a positive int)."""
        self.nodes = check_count("nodes", num_nodes)

    def set_hostlist(self, host_list: str | list[str]) -> None:
        """Run the job on these hosts (each scheduler class says how it asks for them)."""
        check_hosts("set_hostlist", host_list)
        raise UnsupportedSettingsError(
            f"{type(self).__name__} is not tied to a scheduler and cannot request hosts; "
            "use SbatchSettings, QsubBatchSettings or BsubBatchSettings"
        )

    def set_walltime(self, walltime: str) -> None:
        """Request a walltime of ``walltime`` (``HH:MM:SS``)."""
        self.walltime = parse_walltime(walltime)

    def set_account(self, account: str) -> None:
        """Charge the job to ``account``."""
        self.account = check_token("account", account)

    def set_queue(self, queue: str) -> None:
        """Submit the job to ``queue`` (Slurm's partition)."""
        self.queue = check_token("queue", queue)

    def set_batch_arg(self, arg: str, value: ArgValue = None) -> None:
        """Any other scheduler option, written as a directive after hpcsim's own; the value is
        kept as given."""
        name = self._check_batch_arg(arg, value)
        self._batch_args[name] = value

    def _check_batch_arg(self, arg: object, value: object) -> str:
        if not isinstance(arg, str):
            raise SettingsTypeError(f"batch argument names must be strings, got {arg!r}")
        name = check_token("batch argument name", arg).lstrip("-")
        if not name:
            raise SettingsError(f"batch argument name {arg!r} is only dashes")
        if name in self.reserved_batch_args:
            raise SettingsError(f"batch argument {name!r} is set by hpcsim and cannot be given")
        if value is not None:
            check_token(f"batch argument {name!r}", value)
        return name

    def add_preamble(self, lines: str | Iterable[str]) -> None:
        """Lines written verbatim right after the scheduler directives."""
        new = [lines] if isinstance(lines, str) else list(lines) if isinstance(lines, Iterable) else [lines]
        if not all(isinstance(line, str) for line in new):
            raise SettingsTypeError(f"preamble lines must be strings, got {lines!r}")
        self._preamble.extend(line for text in new for line in text.splitlines())

    @property
    def preamble(self) -> list[str]:
        """The lines added with ``add_preamble``, written before the job's commands."""
        return list(self._preamble)

    @property
    def walltime_str(self) -> str:
        """The walltime as ``HH:MM:SS``, or an empty string when none was set."""
        if self.walltime is None:
            return ""
        hours, minutes, seconds = self.walltime
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}"

    # -- what hpcsim asks of any scheduler; each subclass says it in its scheduler's terms --

    #: the keywords ``create_batch_settings`` passes the account and the queue as
    account_keyword: ClassVar[str] = "account"
    queue_keyword: ClassVar[str] = "queue"

    def request_cpus_per_task(self, cpus: int) -> None:
        """Ask for ``cpus`` cores per task where the scheduler takes that (else nothing)."""

    def request_gpus(self, gpus: int) -> None:
        """Ask for ``gpus`` GPUs."""
        raise SettingsError(f"{type(self).__name__} cannot request GPUs")

    def request_hosts(self, hosts: Sequence[str]) -> None:
        """Make the job hold ``hosts`` where the scheduler lets a step name them (else nothing)."""

    def memory_per_node_gib(self) -> float | None:
        """The memory the job asks for on each node, where it says (else None)."""
        return None

    def fill_site_defaults(self, defaults: SiteDefaults) -> None:
        """Take the site's defaults for the fields left unset."""
        if not self.account and defaults.account:
            self.set_account(defaults.account)
        queue = defaults.partition or defaults.queue
        if not self.queue and queue:
            self.set_queue(queue)
        if self.walltime is None and defaults.walltime:
            self.set_walltime(defaults.walltime)
        if self.nodes is None and defaults.nodes:
            self.set_nodes(defaults.nodes)

    def directives(self) -> list[str]:
        """Directive arguments in a stable order (scheduler subclasses define them)."""
        raise NotImplementedError(f"{type(self).__name__} is not tied to a scheduler; use SbatchSettings, ...")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(nodes={self.nodes!r}, time={self.walltime_str!r}, queue={self.queue!r})"
