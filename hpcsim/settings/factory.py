"""Pick the run-settings class for a launcher and a launch command, as SmartSim's
``create_run_settings`` does, with ``run_command="auto"`` detection on ``PATH``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping

from hpcsim.errors import ConfigError
from hpcsim.schedulers.kinds import BATCH_NAMES, KINDS, LOCAL, load
from hpcsim.settings.aprun import AprunSettings
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.jsrun import JsrunSettings
from hpcsim.settings.mpi import MpiexecSettings, MpirunSettings, OrterunSettings
from hpcsim.settings.run import ArgValue, LauncherSettings, RunSettings, resolve_exe
from hpcsim.settings.srun import SrunSettings

__all__ = ["RUN_COMMANDS", "batch_class", "create_run_settings"]

#: launch command name -> its settings class
RUN_COMMANDS: dict[str, type[LauncherSettings]] = {
    "srun": SrunSettings,
    "mpirun": MpirunSettings,
    "mpiexec": MpiexecSettings,
    "orterun": OrterunSettings,
    "aprun": AprunSettings,
    "jsrun": JsrunSettings,
}


def batch_class(scheduler: str) -> type[BatchSettings]:
    """The batch settings class ``scheduler`` reads (one of the registry's batch schedulers)."""
    if scheduler not in BATCH_NAMES:
        raise ConfigError(f"the {scheduler!r} launcher runs no batch jobs; batch schedulers: {', '.join(BATCH_NAMES)}")
    cls = load(KINDS[scheduler].batch_settings)
    assert issubclass(cls, BatchSettings), cls
    return cls


def _auto_command(launcher: str) -> str:
    """The first of the scheduler's launch commands found on PATH (SmartSim's order), else its
    own command, which compute nodes have even where the login node lacks it."""
    kind = KINDS[launcher]
    found = [name for name in kind.run_commands if shutil.which(name)]
    return found[0] if found else kind.default_run_command


def create_run_settings(
    launcher: str,
    exe: str,
    exe_args: str | Iterable[str] | None = None,
    run_command: str | None = "auto",
    run_args: Mapping[str, ArgValue] | None = None,
    env_vars: Mapping[str, ArgValue] | None = None,
    lenient: bool = False,
) -> RunSettings:
    """Run settings for ``exe`` under ``launcher`` (``local`` or a scheduler of the registry).

    ``run_command`` is "auto" (detected for the launcher), a known command (srun, mpirun,
    mpiexec, orterun, aprun, jsrun; a path to one keeps the path), "" or None (run the
    executable directly), or any other literal command (plain :class:`RunSettings`).

    Under the local launcher the script runs on this host, so a given launch command must
    exist here (on ``PATH``, or as an executable file); under a scheduler it runs on compute
    nodes, whose ``PATH`` may differ (modules loaded in the preamble), so it is not checked.
    """
    choice = launcher.lower() if isinstance(launcher, str) else launcher
    if choice not in KINDS:
        raise ConfigError(f"unknown launcher {launcher!r}; choose one of {', '.join(sorted(KINDS))}")
    command = _auto_command(str(choice)) if run_command == "auto" else run_command or ""
    if choice == LOCAL.name and isinstance(command, str) and command.strip():
        resolve_exe(command, "run_command")
    cls = RUN_COMMANDS.get(os.path.basename(command))
    if cls is None:
        return RunSettings(exe, exe_args, command, run_args, env_vars, lenient)
    return cls(exe, exe_args, run_args, env_vars, lenient, run_command=command)
