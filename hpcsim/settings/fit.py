"""Which settings classes fit which launcher, checked before anything is submitted.

SmartSim's launchers each take a fixed set of settings classes (its ``supported_rs`` tables)
and raise ``SSUnsupportedError`` for any other; here each run-settings class names the
launchers its command runs under (``launchers``) and each batch class its scheduler.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import TYPE_CHECKING

from hpcsim.errors import UnsupportedSettingsError
from hpcsim.schedulers.kinds import PBS

if TYPE_CHECKING:
    from hpcsim.settings.run import RunSettings

__all__ = ["LAUNCHER_ALIASES", "check_fits", "scheduler_of"]

#: launcher names that are no scheduler of their own: SmartSim's "pals" is PBS with HPE's
#: PALS ``mpiexec`` (its PBSLauncher), so it plans and submits as ``pbs``
LAUNCHER_ALIASES = MappingProxyType({"pals": PBS.name})


def scheduler_of(launcher: str) -> str:
    """The scheduler a launcher name plans and submits with."""
    return LAUNCHER_ALIASES.get(launcher, launcher)


def check_fits(settings: Iterable[RunSettings], launcher: str) -> None:
    """Raise :class:`UnsupportedSettingsError` (SmartSim: ``SSUnsupportedError``) for the first
    run settings whose launch command does not run under ``launcher`` (JsrunSettings under
    Slurm, SrunSettings under PBS, ...). The local launcher runs any command on this host."""
    scheduler = scheduler_of(launcher)
    for item in settings:
        for program in [item, *item.mpmd]:
            if scheduler not in type(program).launchers:
                fits = ", ".join(sorted(type(program).launchers))
                raise UnsupportedSettingsError(
                    f"{type(program).__name__} does not run under the {launcher} "
                    f"launcher (it fits: {fits}); use create_run_settings to get the settings for {launcher}"
                )
