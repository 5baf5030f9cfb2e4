"""How a batch job is requested from a scheduler: validated data that scheduler subclasses
turn into directive arguments (``--nodes=2``, ``-l walltime=01:00:00``) in a stable order.

Directive lines are parsed by the scheduler, not by a shell, so values are checked rather
than quoted: whitespace, quotes and newlines are refused with a message saying where such a
value can go instead (the preamble, verbatim).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.settings.run import ArgValue
from hpcsim.site.schema import Defaults as SiteDefaults

__all__ = ["BatchSettings", "check_count", "check_token", "parse_walltime"]

_WALLTIME = re.compile(r"^(?:(\d+)-)?(\d+):([0-5]\d):([0-5]\d)$")
_UNSAFE = re.compile(r"[\s'\"\\`$;#]")


def check_count(what: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SettingsError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def check_token(what: str, value: object) -> str:
    """A directive value: a non-empty string (or number) with no whitespace, quotes or shell
    metacharacters."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SettingsError(f"{what} must be a string or number, got {value!r}")
    text = str(value)
    if not text or _UNSAFE.search(text):
        raise SettingsError(
            f"{what} {text!r} cannot go into a batch directive (empty, or has whitespace, quotes, "
            "'$', ';', '#' or a backslash); put such settings in the preamble with add_preamble()"
        )
    return text


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
        raise SettingsError(f"walltime must be HH:MM:SS or D-HH:MM:SS with minutes and seconds < 60, got {value!r}")
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
        nodes: int | None = None,
        time: str = "",
        account: str = "",
        queue: str = "",
        batch_args: Mapping[str, ArgValue] | None = None,
    ) -> None:
        self.batch_cmd = batch_cmd
        self.nodes: int | None = None
        self.walltime: tuple[int, int, int] | None = None
        self.account = ""
        self.queue = ""
        self.batch_args: dict[str, str | None] = {}
        self._preamble: list[str] = []
        if nodes is not None:
            self.set_nodes(nodes)
        if time:
            self.set_walltime(time)
        if account:
            self.set_account(account)
        if queue:
            self.set_queue(queue)
        for key, value in (batch_args or {}).items():
            self.set_batch_arg(key, value)

    def set_nodes(self, nodes: int) -> None:
        self.nodes = check_count("nodes", nodes)

    def set_walltime(self, walltime: str) -> None:
        self.walltime = parse_walltime(walltime)

    def set_account(self, account: str) -> None:
        self.account = check_token("account", account)

    def set_queue(self, queue: str) -> None:
        self.queue = check_token("queue", queue)

    def set_batch_arg(self, arg: str, value: ArgValue = None) -> None:
        """Any other scheduler option, written as a directive after hpcsim's own."""
        name = check_token("batch argument name", arg).lstrip("-")
        if name in self.reserved_batch_args:
            raise SettingsError(f"batch argument {name!r} is set by hpcsim and cannot be given")
        self.batch_args[name] = None if value is None else check_token(f"batch argument {name!r}", value)

    def add_preamble(self, lines: str | Iterable[str]) -> None:
        """Lines written verbatim right after the scheduler directives."""
        new = [lines] if isinstance(lines, str) else list(lines)
        if not all(isinstance(line, str) for line in new):
            raise SettingsError(f"preamble lines must be strings, got {new!r}")
        self._preamble.extend(line for text in new for line in text.splitlines())

    @property
    def preamble(self) -> list[str]:
        return list(self._preamble)

    @property
    def walltime_str(self) -> str:
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
