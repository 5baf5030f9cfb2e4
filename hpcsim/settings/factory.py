"""Pick the run-settings class for a launcher and a launch command, as SmartSim's
``create_run_settings`` does, with ``run_command="auto"`` detection on ``PATH``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping

from hpcsim.errors import ConfigError, LaunchCommandNotFoundError, SettingsError, SettingsTypeError
from hpcsim.schedulers.kinds import BATCH_NAMES, KINDS, LOCAL, load
from hpcsim.settings.aprun import AprunSettings
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.fit import LAUNCHER_ALIASES, scheduler_of
from hpcsim.settings.jsrun import JsrunSettings
from hpcsim.settings.mpi import MpiexecSettings, MpirunSettings, OrterunSettings
from hpcsim.settings.pals import PalsMpiexecSettings
from hpcsim.settings.run import ArgValue, LauncherSettings, RunSettings
from hpcsim.settings.srun import SrunSettings
from hpcsim.settings.values import resolve_exe

__all__ = ["RUN_COMMANDS", "batch_class", "create_run_settings", "unknown_launcher"]

#: launch command name -> its settings class
RUN_COMMANDS: dict[str, type[LauncherSettings]] = {
    "srun": SrunSettings,
    "mpirun": MpirunSettings,
    "mpiexec": MpiexecSettings,
    "orterun": OrterunSettings,
    "aprun": AprunSettings,
    "jsrun": JsrunSettings,
}
#: where a launcher name that is no scheduler of its own changes the class of a command
_LAUNCHER_COMMANDS: dict[str, dict[str, type[LauncherSettings]]] = {"pals": {"mpiexec": PalsMpiexecSettings}}
#: the launch commands ``auto`` looks for under such a launcher (SmartSim's order)
_LAUNCHER_SEARCH: dict[str, tuple[str, ...]] = {"pals": ("mpiexec",)}


def batch_class(scheduler: str) -> type[BatchSettings]:
    """The batch settings class ``scheduler`` reads (one of the registry's batch schedulers,
    or ``pals``: PBS with PALS)."""
    if not isinstance(scheduler, str):
        raise unknown_launcher(scheduler)
    name = LAUNCHER_ALIASES.get(scheduler, scheduler)
    if name not in BATCH_NAMES:
        raise ConfigError(f"the {scheduler!r} launcher runs no batch jobs; batch schedulers: {', '.join(BATCH_NAMES)}")
    cls = load(KINDS[name].batch_settings)
    assert issubclass(cls, BatchSettings), cls
    return cls


def _auto_command(launcher: str) -> str:
    """The first of the launcher's launch commands found on PATH (SmartSim's order), else its
    own command, which compute nodes have even where the login node lacks it."""
    kind = KINDS[scheduler_of(launcher)]
    search = _LAUNCHER_SEARCH.get(launcher, kind.run_commands)
    found = [name for name in search if shutil.which(name)]
    return found[0] if found else (search[0] if launcher in _LAUNCHER_SEARCH else kind.default_run_command)


def unknown_launcher(launcher: object) -> ConfigError:
    """The error for a launcher name hpcsim does not know (a TypeError too for a non-string)."""
    aliases = ", ".join(f"{name} ({of} with {name.upper()} mpiexec)" for name, of in LAUNCHER_ALIASES.items())
    message = f"unknown launcher {launcher!r}; choose one of {', '.join(sorted(KINDS))}, or {aliases}"
    return ConfigError(message) if isinstance(launcher, str) else SettingsTypeError(f"{message} (a string)")


def _launcher(launcher: object) -> str:
    if not isinstance(launcher, str):
        raise unknown_launcher(launcher)
    choice = launcher.lower()
    if choice not in KINDS and choice not in LAUNCHER_ALIASES:
        raise unknown_launcher(launcher)
    return choice


def create_run_settings(
    launcher: str,
    exe: str,
    exe_args: str | Iterable[str] | None = None,
    run_command: str | None = "auto",
    run_args: Mapping[str, ArgValue] | None = None,
    env_vars: Mapping[str, ArgValue] | None = None,
    lenient: bool = False,
    fail_if_missing_exec: bool | None = None,
) -> RunSettings:
    """Run settings for ``exe`` under ``launcher``: ``local``, a scheduler of the registry, or
    ``pals`` (PBS whose ``mpiexec`` is HPE's PALS, as SmartSim's "pals" launcher).

    ``run_command`` is "auto" (detected for the launcher), a known command (srun, mpirun,
    mpiexec, orterun, aprun, jsrun; a path to one keeps the path), "" or None (run the
    executable directly), or any other literal command (plain :class:`RunSettings`).

    Under the local launcher the script runs on this host, so a given launch command must
    exist here (on ``PATH``, or as an executable file); under a scheduler it runs on compute
    nodes, whose ``PATH`` may differ (modules loaded in the preamble), so it is not checked,
    not even for the MPI classes that check it when made directly, unless
    ``fail_if_missing_exec`` says so (True: raise, False: warn, as those classes do). Either way
    ``run_command`` reads as the command's absolute path where this host has it.
    """
    choice = _launcher(launcher)
    if run_command is not None and not isinstance(run_command, str):
        raise SettingsTypeError(f"run_command must be a string, 'auto' or None, got {run_command!r}")
    command = _auto_command(choice) if run_command == "auto" else (run_command or "").strip()
    local = choice == LOCAL.name
    cls = _LAUNCHER_COMMANDS.get(choice, {}).get(os.path.basename(command)) or RUN_COMMANDS.get(
        os.path.basename(command)
    )
    if local and command:
        try:
            resolve_exe(command, "run_command")
        except SettingsError as exc:  # MPI classes raise what SmartSim's do (LauncherError)
            if cls is not None and cls.checks_launch_binary:
                raise LaunchCommandNotFoundError(str(exc)) from None
            raise
    if cls is None:
        return RunSettings(exe, exe_args, command, run_args, env_vars, lenient=lenient)
    check = fail_if_missing_exec if fail_if_missing_exec is not None else (True if local else None)
    return cls(exe, exe_args, run_args, env_vars, lenient=lenient, run_command=command, fail_if_missing_exec=check)
