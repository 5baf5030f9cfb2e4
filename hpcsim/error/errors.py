"""SmartSim 0.8's exception names (``smartsim.error.errors``) on hpcsim's error tree.

hpcsim raises the classes of :mod:`hpcsim.errors`. Each SmartSim name here is one of them, or a
base of them, chosen so that ``except <SmartSim name>`` in a ported driver catches what hpcsim
raises for the mistake SmartSim raised that name for:

=============================  ==============================================================
SmartSim name                  hpcsim class
=============================  ==============================================================
SmartSimError, SSInternalError :class:`~hpcsim.errors.HpcsimError`, the base of every error a
                               user can cause. SmartSim splits user errors (SmartSimError) from
                               configuration and launcher errors (SSInternalError); hpcsim's
                               tree has one root, so both names catch both kinds.
SSConfigError                  :class:`~hpcsim.errors.ConfigError` (settings errors included)
SSUnsupportedError             :class:`~hpcsim.errors.UnsupportedError`
EntityExistsError              :class:`~hpcsim.errors.EntityExistsError`
SSDBIDConflictError            :class:`~hpcsim.errors.EntityExistsError` (a database identifier
                               used twice; :class:`~hpcsim.errors.DatabaseIdentifierError`, for
                               one still running, is one)
UserStrategyError              :class:`~hpcsim.errors.UserStrategyError`
ParameterWriterError           :class:`~hpcsim.errors.GenerationError`
SSReservedKeywordError         :class:`~hpcsim.errors.SettingsError` (a reserved argument)
LauncherUnsupportedFeature     :class:`~hpcsim.errors.SettingsError` (what a scheduler's
                               settings cannot express)
SSDBFilesNotParseable          :class:`~hpcsim.errors.DatabaseError`
LauncherError, AllocationError :class:`~hpcsim.errors.SchedulerError` (a refused submission,
                               :class:`~hpcsim.errors.SubmitError`, is one)
ShellError                     :class:`~hpcsim.errors.CommandError`
=============================  ==============================================================

``TelemetryError``, ``UnproxyableStepError`` and ``SmartSimCLIActionCancelled`` are classes
that nothing in hpcsim raises (it has no telemetry monitor and its CLI is not SmartSim's), so
code that catches them ports unchanged. ``PreviewFormatError`` is an
:class:`~hpcsim.errors.UnsupportedError`: a preview format hpcsim cannot write.
"""

from __future__ import annotations

from hpcsim import errors

__all__ = [
    "AllocationError",
    "EntityExistsError",
    "LauncherError",
    "LauncherUnsupportedFeature",
    "ParameterWriterError",
    "PreviewFormatError",
    "SSConfigError",
    "SSDBFilesNotParseable",
    "SSDBIDConflictError",
    "SSInternalError",
    "SSReservedKeywordError",
    "SSUnsupportedError",
    "ShellError",
    "SmartSimCLIActionCancelled",
    "SmartSimError",
    "TelemetryError",
    "UnproxyableStepError",
    "UserStrategyError",
]

SmartSimError = errors.HpcsimError
SSInternalError = errors.HpcsimError
SSConfigError = errors.ConfigError
SSUnsupportedError = errors.UnsupportedError
EntityExistsError = errors.EntityExistsError
SSDBIDConflictError = errors.EntityExistsError
UserStrategyError = errors.UserStrategyError
ParameterWriterError = errors.GenerationError
SSReservedKeywordError = errors.SettingsError
LauncherUnsupportedFeature = errors.SettingsError
SSDBFilesNotParseable = errors.DatabaseError
LauncherError = errors.SchedulerError
AllocationError = errors.SchedulerError
ShellError = errors.CommandError


class TelemetryError(errors.HpcsimError):
    """SmartSim's telemetry-monitor failure; hpcsim has no telemetry monitor, so nothing raises it."""


class UnproxyableStepError(TelemetryError):
    """SmartSim's refusal to proxy a managed step for telemetry; never raised by hpcsim."""


class SmartSimCLIActionCancelled(errors.HpcsimError):
    """A cancelled ``smart`` command; hpcsim's CLI (``hpcsim``) never raises it."""


class PreviewFormatError(errors.UnsupportedError):
    """A preview output format hpcsim cannot write (it writes the scripts as plain text)."""
