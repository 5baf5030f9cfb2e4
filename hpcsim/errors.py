"""The hpcsim error tree.

Every error a user can cause derives from :class:`HpcsimError` and carries a message that says
what went wrong and what to do about it. Bugs in hpcsim itself raise :class:`InternalError`,
which deliberately sits outside that tree so it is never swallowed as a user error.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ClientConnectionError",
    "ClientError",
    "CommandError",
    "ConfigError",
    "DatabaseError",
    "EntityExistsError",
    "GenerationError",
    "HpcsimError",
    "InferenceError",
    "InternalError",
    "KeyNotFoundError",
    "LaunchError",
    "MissingFileError",
    "ParameterError",
    "SchedulerError",
    "SettingsError",
    "SiteConfigError",
    "SpecError",
    "SubmitError",
    "TemplateError",
    "TimeoutError",
    "TrainingDataError",
    "UserStrategyError",
]


class HpcsimError(Exception):
    """Base of every error a user of hpcsim can cause and fix."""


class ConfigError(HpcsimError):
    """Bad configuration: environment knobs, experiment arguments, launcher names."""


class SiteConfigError(ConfigError):
    """A site configuration file is missing, unreadable or invalid."""


class SpecError(ConfigError):
    """An experiment spec file (``hpcsim submit --spec``) is unreadable or invalid; the message
    starts with ``FILE:LINE: key.path:``."""


class TemplateError(HpcsimError):
    """A batch-script template is missing or fails to render."""


class SettingsError(HpcsimError):
    """Run or batch settings that cannot be honoured."""


class EntityExistsError(HpcsimError):
    """Two entities with one name, or an entity registered twice."""


class UserStrategyError(HpcsimError):
    """A parameter-permutation strategy is unknown or returned something unusable."""


class GenerationError(HpcsimError):
    """Entity directories or attached files cannot be generated."""


class LaunchError(HpcsimError):
    """An entity cannot be launched (already running, never started, ...)."""


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


class SubmitError(CommandError):
    """A scheduler command refused a submission."""


class SchedulerError(HpcsimError):
    """A scheduler could not be queried or controlled."""


class DatabaseError(HpcsimError):
    """A database could not be started, reached or stopped."""


class ClientError(HpcsimError):
    """A data-plane client request failed."""


class ClientConnectionError(ClientError):
    """A data-plane client cannot reach or authenticate to its database."""


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
