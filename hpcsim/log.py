"""hpcsim's logging: quiet as a library, readable in a driver, and a DEBUG record of every
experiment in ``<exp>/.hpcsim/driver.log``.

**As a library**, hpcsim follows the Python logging HOWTO: its modules log through plain
``logging.getLogger("hpcsim.<part>")`` loggers, the ``hpcsim`` logger has a ``NullHandler``,
and records propagate to the application's handlers. Imported and used with no logging
configured, hpcsim prints nothing.

**In a driver**, one call shows hpcsim's progress (the ``hpcsim`` command makes it itself)::

    import hpcsim
    hpcsim.log_to_console()          # HPCSIM_LOG_LEVEL, else INFO; "DEBUG" shows more

It prints ``HH:MM:SS name LEVEL message`` lines on stderr; calling it again only changes the
level. ``get_logger(name)`` (SmartSim's ``smartsim.log.get_logger``) gives a driver a logger of
its own that prints the same way, and calls ``log_to_console()`` if nothing has yet.

**driver.log**: every Experiment, when it first writes its job store, also logs to
``<exp>/.hpcsim/driver.log`` at DEBUG: each step's command line, the script it submits, the
scheduler's submit command and the job id it gets back. The file rotates at 5 MB, keeping three
old ones (``driver.log.1`` to ``driver.log.3``); it is created ``0600`` and never through a
symlink (one planted there is refused with a ConfigError). A process that drives several
experiments writes the records of all of them to each one's open driver.log.

**Levels.** For DEBUG records to be made at all, hpcsim sets the ``hpcsim`` logger to DEBUG
(or to the console's level) once it has a driver.log (or a console). Plain propagation would
then hand those DEBUG records to any root handler without a level of its own, such as the one
``logging.basicConfig(level=logging.INFO)`` installs. So, while hpcsim sets its logger's level,
that logger does not propagate; a relay handler on it passes each record to the root logger's
handlers only when the record's level reaches the level its logger would have without hpcsim's:
that of the nearest logger from the record's up that has one (a ``hpcsim.<part>`` logger, else
the root). Under ``basicConfig(level=logging.INFO)`` your handler gets hpcsim's INFO records and
up, exactly as with plain propagation, and ``driver.log`` gets everything; set
``logging.getLogger("hpcsim.control")`` (or the root) to DEBUG to see more. If the application
sets the ``hpcsim`` logger's level itself, hpcsim leaves it alone and that level decides for
your handlers and driver.log alike. A handler added to the ``hpcsim`` logger itself receives
DEBUG records: give it a level.

PSI/J, which hpcsim loads for batch schedulers only, logs through ``psij`` loggers (at import it
reports each executor it cannot load: ``No module named 'flux'``); hpcsim gives them a
``NullHandler`` and stops their propagation, so none reaches the application's handlers.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from hpcsim import config
from hpcsim.errors import ConfigError

__all__ = ["attach_driver_log", "get_logger", "log_to_console"]

_NAME = "hpcsim"
_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
#: the console shows the time of day; driver.log, which outlives a day, the date too
_CONSOLE_DATE = "%H:%M:%S"
_FILE_DATE = "%Y-%m-%d %H:%M:%S"
#: rotation of driver.log: its size limit and how many old files are kept
DRIVER_LOG_BYTES = 5 * 1024 * 1024
DRIVER_LOG_BACKUPS = 3
_OPEN = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class _Relay(logging.Handler):
    """Propagation at the application's levels: hands a record to the root logger's handlers
    when its level reaches the level its logger would have without hpcsim's (see above)."""

    #: the level hpcsim set on its logger (NOTSET: none yet)
    owned = logging.NOTSET

    def handle(self, record: logging.LogRecord) -> bool:
        if record.levelno >= _application_level(record.name):
            called = logging.getLogger(_NAME).handlers  # a handler on both (pytest's) is called once
            for handler in logging.getLogger().handlers:
                if handler not in called and record.levelno >= handler.level:
                    handler.handle(record)
        return True


class _DriverLog(RotatingFileHandler):
    """A rotating log file opened ``0600`` with ``O_NOFOLLOW``: a symlink planted at its path
    is refused, never written through (rotation reopens it the same way)."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, _OPEN, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


if TYPE_CHECKING:
    _StreamHandler = logging.StreamHandler[TextIO]
else:  # StreamHandler is subscriptable at run time only from Python 3.11
    _StreamHandler = logging.StreamHandler


class _Stderr(_StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes, as logging's last resort
    does, so a stream swapped in later (captured output, a click test runner) is followed."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr


_relay = _Relay()
#: driver logs open in this process, by path: the handler and how many attachments use it
_driver_logs: dict[Path, tuple[_DriverLog, int]] = {}

logging.getLogger(_NAME).addHandler(logging.NullHandler())
# PSI/J reports at INFO, when imported, every executor whose package is missing ("No module
# named 'flux'"); hpcsim reports what it submits itself, so PSI/J's records stop at its logger
_psij = logging.getLogger("psij")
_psij.addHandler(logging.NullHandler())
_psij.propagate = False


def _application_level(name: str) -> int:
    """The level of the nearest logger from ``name`` up that has one, not counting a level
    hpcsim set on its own logger."""
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        if logger.level and not (logger.name == _NAME and logger.level == _relay.owned):
            return logger.level
        logger = logger.parent
    return logging.NOTSET


def _lower(level: int) -> None:
    """Let records of ``level`` and up be made, relaying them at the application's levels;
    nothing changes while the application has set the ``hpcsim`` logger's level itself."""
    logger = logging.getLogger(_NAME)
    if logger.level not in (logging.NOTSET, _relay.owned):
        return
    _relay.owned = min(level, logger.level or level)
    logger.setLevel(_relay.owned)
    if _relay not in logger.handlers:
        logger.addHandler(_relay)
        logger.propagate = False


def _level(level: int | str | None) -> int | str:
    """``level``, else ``HPCSIM_LOG_LEVEL``, else INFO (an unknown one too: making an Experiment
    or running a command refuses it with a one-line :class:`~hpcsim.errors.ConfigError`)."""
    if level is not None:
        return level
    try:
        return config.log_level()
    except ConfigError:
        return logging.INFO


@functools.cache
def _console() -> _Stderr:
    """The one console handler of the process."""
    handler = _Stderr()
    handler.setFormatter(logging.Formatter(_FORMAT, datefmt=_CONSOLE_DATE))
    return handler


def log_to_console(level: int | str | None = None) -> None:
    """Print hpcsim's log records on stderr from ``level`` up (default: ``HPCSIM_LOG_LEVEL``,
    else INFO), as ``HH:MM:SS name LEVEL message``. The ``hpcsim`` command calls it; a driver
    calls it once near the top. Calling it again changes the level and adds nothing."""
    handler = _console()
    handler.setLevel(_level(level))
    logger = logging.getLogger(_NAME)
    if handler not in logger.handlers:
        logger.addHandler(handler)
    _lower(handler.level)


def get_logger(name: str) -> logging.Logger:
    """A driver's own logger, printing on stderr at ``HPCSIM_LOG_LEVEL`` (default INFO), as
    SmartSim's ``smartsim.log.get_logger`` does; like SmartSim, a driver that makes one also
    sees hpcsim's progress (:func:`log_to_console`, at its level if already called). hpcsim's
    modules never use it."""
    if _console() not in logging.getLogger(_NAME).handlers:
        log_to_console()
    logger = logging.getLogger(name)
    if _console() not in logger.handlers:
        logger.addHandler(_console())
        logger.setLevel(_level(None))
        logger.propagate = False
    return logger


def attach_driver_log(directory: Path) -> Callable[[], None]:
    """Log everything (DEBUG) to ``directory/driver.log`` as well (``directory`` is an
    experiment's ``.hpcsim``), and return the call that stops it. Each path has one handler in a
    process, closed when every attachment to it is released. A symlink at that path is refused
    with a :class:`ConfigError`."""
    path = Path(os.path.abspath(directory / "driver.log"))
    if path not in _driver_logs:
        try:
            handler = _DriverLog(path, maxBytes=DRIVER_LOG_BYTES, backupCount=DRIVER_LOG_BACKUPS, encoding="utf-8")
        except OSError as exc:
            why = "it is a symlink, which hpcsim does not follow" if path.is_symlink() else exc.strerror
            raise ConfigError(f"cannot write the driver log {str(path)!r}: {why}") from None
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt=_FILE_DATE))
        logging.getLogger(_NAME).addHandler(handler)
        _driver_logs[path] = (handler, 0)
        _lower(logging.DEBUG)
    handler, count = _driver_logs[path]
    _driver_logs[path] = (handler, count + 1)
    return functools.partial(_release, path)


def _release(path: Path) -> None:
    handler, count = _driver_logs[path]
    if count > 1:
        _driver_logs[path] = (handler, count - 1)
        return
    del _driver_logs[path]
    logging.getLogger(_NAME).removeHandler(handler)
    handler.close()
