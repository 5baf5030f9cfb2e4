"""SmartSim's ``smartsim.error``: its exception names on hpcsim's error tree.

``from smartsim.error import SmartSimError`` ports as ``from hpcsim.error import SmartSimError``
(and ``smartsim.error.errors`` as ``hpcsim.error.errors``). What each name catches is in
:mod:`hpcsim.error.errors`; hpcsim's own classes are in :mod:`hpcsim.errors`.
"""

from hpcsim.error.errors import (
    AllocationError,
    EntityExistsError,
    LauncherError,
    LauncherUnsupportedFeature,
    ParameterWriterError,
    ShellError,
    SmartSimError,
    SSConfigError,
    SSDBFilesNotParseable,
    SSDBIDConflictError,
    SSInternalError,
    SSReservedKeywordError,
    SSUnsupportedError,
    UserStrategyError,
)

__all__ = [
    "AllocationError",
    "EntityExistsError",
    "LauncherError",
    "LauncherUnsupportedFeature",
    "ParameterWriterError",
    "SSConfigError",
    "SSDBFilesNotParseable",
    "SSDBIDConflictError",
    "SSInternalError",
    "SSReservedKeywordError",
    "SSUnsupportedError",
    "ShellError",
    "SmartSimError",
    "UserStrategyError",
]
