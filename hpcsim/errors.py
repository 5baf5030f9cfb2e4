"""The hpcsim error tree.

Every error a user can cause derives from :class:`HpcsimError` and carries a message that says
what went wrong and what to do about it. Bugs in hpcsim itself raise :class:`InternalError`,
which deliberately sits outside that tree so it is never swallowed as a user error.

Each class also derives from the builtin exception SmartSim 0.8 or SmartRedis 0.6.1 raises for
the same mistake (``ValueError`` for a bad value, ``TypeError`` for a wrong type,
``RuntimeError`` for a failed client request), so ported code that catches builtins keeps
working; :mod:`hpcsim.error` maps SmartSim's own exception names onto these classes.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ClientConnectionError",
    "ClientError",
    "CommandError",
    "ConfigError",
    "ConfigTypeError",
    "DatabaseError",
    "DatabaseIdentifierError",
    "EntityExistsError",
    "GenerationError",
    "HpcsimError",
    "InferenceError",
    "InternalError",
    "KeyNotFoundError",
    "LaunchCommandNotFoundError",
    "LaunchError",
    "MissingFileError",
    "ParameterError",
    "SchedulerError",
    "SettingsError",
    "SettingsTypeError",
    "SiteConfigError",
    "SpecError",
    "SubmitError",
    "TemplateError",
    "TimeoutError",
    "TrainingDataError",
    "UnknownStrategyError",
    "UnsupportedError",
    "UnsupportedSettingsError",
    "UserStrategyError",
]


class HpcsimError(Exception):
    """Base of every error a user of hpcsim can cause and fix."""


class ConfigError(HpcsimError, ValueError):
    """Bad configuration: environment knobs, experiment arguments, launcher names. A
    ``ValueError`` too, which is what SmartSim raises for most such mistakes."""


class ConfigTypeError(ConfigError, TypeError):
    """A configuration value of the wrong type (SmartSim raises ``TypeError`` there)."""


class UnsupportedError(ConfigError):
    """Something hpcsim does not do: a SmartSim feature it leaves out (containers, the dragon
    launcher) or a combination it cannot honour. SmartSim raises ``SSUnsupportedError`` there."""


class SiteConfigError(ConfigError):
    """A site configuration file is missing, unreadable or invalid."""


class SpecError(ConfigError):
    """An experiment spec file (``hpcsim submit --spec``) is unreadable or invalid; the message
    starts with ``FILE:LINE: key.path:``."""


class TemplateError(HpcsimError):
    """A batch-script template is missing or fails to render."""


class SettingsError(ConfigError):
    """Run or batch settings that cannot be honoured. Settings are configuration: SmartSim
    raises ``SSConfigError`` for some settings mistakes (PBS ``select`` with ``nodes``), which
    maps onto :class:`ConfigError`, and ``ValueError`` for most others."""


class SettingsTypeError(SettingsError, ConfigTypeError):
    """A run or batch setting of the wrong type (SmartSim raises ``TypeError`` there)."""


class EntityExistsError(HpcsimError):
    """Two entities with one name, or an entity registered twice (SmartSim's class of the same
    name, which derives from no builtin either)."""


class UserStrategyError(HpcsimError):
    """A parameter-permutation strategy is unknown or returned something unusable."""


class GenerationError(HpcsimError):
    """Entity directories or attached files cannot be generated (SmartSim's
    ``ParameterWriterError``)."""


class LaunchError(HpcsimError, ValueError):
    """An entity cannot be launched or asked about (already running, never started, an empty
    ensemble). A ``ValueError`` too, as SmartSim's ``finished`` of a never-launched entity and
    its launch of an empty ensemble raise."""


class DatabaseIdentifierError(EntityExistsError, LaunchError):
    """A database identifier already taken, by another database of the experiment or by one
    still running: an existing entity and a refused launch both (SmartSim's
    ``SSDBIDConflictError``)."""


class CommandError(HpcsimError):
    """An external command (a scheduler's, redis-cli, a compiler) is missing, timed out, or
    failed; it carries the command line, its exit code and both streams."""

    def __init__(
        self,
        message: str,
        argv: Sequence[str] = (),
        returncode: int | None = None,
        stdout: str = "",
        stderr: str = "",
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.transient = transient


class SchedulerError(HpcsimError):
    """A scheduler could not be queried or controlled (SmartSim's ``LauncherError``)."""


class SubmitError(CommandError, SchedulerError):
    """A scheduler command refused a submission: a failed command and a scheduler error both,
    as SmartSim's launchers raise ``LauncherError`` for a refused ``sbatch``/``qsub``."""


class DatabaseError(HpcsimError):
    """A database could not be started, reached or stopped."""


class ClientError(HpcsimError, RuntimeError):
    """A data-plane client request failed. A ``RuntimeError`` too, as every SmartRedis error
    (``RedisReplyError`` and its subclasses) is."""


class ClientConnectionError(ClientError):
    """A data-plane client cannot reach or authenticate to its database (SmartRedis'
    ``RedisConnectionError``, a ``RuntimeError``)."""


class KeyNotFoundError(ClientError):
    """A requested key does not exist in the database."""


class InferenceError(ClientError):
    """A model or script could not be stored, loaded or run; the message carries the ML
    backend's own reason."""


class TimeoutError(ClientError):  # noqa: A001 - mirrors SmartRedis' name on purpose
    """A client request did not finish within its configured timeout."""


class TrainingDataError(ClientError):
    """Training data did not appear in the database within the downloader's fetch trials."""


class InternalError(Exception):
    """A bug in hpcsim: please report it with the traceback."""


class ParameterError(HpcsimError, TypeError):
    """An entity parameter has a type hpcsim cannot write into files or arguments."""


class MissingFileError(HpcsimError, FileNotFoundError):
    """A file attached to an entity does not exist."""


class LaunchCommandNotFoundError(SettingsError, SchedulerError):
    """An MPI launch command is not on this host's ``PATH``: a settings mistake, and what
    SmartSim raises ``LauncherError`` for (``hpcsim.error.LauncherError`` catches it)."""


class UnsupportedSettingsError(SettingsError, UnsupportedError):
    """Settings that cannot work in this combination (SmartSim raises ``SSUnsupportedError``,
    which ``hpcsim.error.SSUnsupportedError`` is)."""


class UnknownStrategyError(UserStrategyError, UnsupportedError):
    """A strategy that is neither a built-in name nor a callable (SmartSim raises
    ``SSUnsupportedError`` there)."""
