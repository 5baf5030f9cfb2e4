"""Pick the run-settings class for a launcher and a launch command, as SmartSim's
``create_run_settings`` does, with ``run_command="auto"`` detection on ``PATH``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from hpcsim.errors import ConfigError
from hpcsim.schedulers.kinds import KINDS, LOCAL
from hpcsim.settings.aprun import AprunSettings
from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.jsrun import JsrunSettings
from hpcsim.settings.mpi import MpiexecSettings, MpirunSettings, OrterunSettings
from hpcsim.settings.qsub import QsubBatchSettings
from hpcsim.settings.run import ArgValue, LauncherSettings, RunSettings, resolve_exe
from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.settings.srun import SrunSettings

__all__ = ["BATCH_CLASSES", "RUN_COMMANDS", "create_run_settings"]

#: launch command name -> its settings class
RUN_COMMANDS: dict[str, type[LauncherSettings]] = {
    "srun": SrunSettings,
    "mpirun": MpirunSettings,
    "mpiexec": MpiexecSettings,
    "orterun": OrterunSettings,
    "aprun": AprunSettings,
    "jsrun": JsrunSettings,
}
BatchClass = type[SbatchSettings] | type[QsubBatchSettings] | type[BsubBatchSettings]
#: the batch settings class each batch scheduler reads, by its name
BATCH_CLASSES: Mapping[str, BatchClass] = MappingProxyType(
    {cls.scheduler: cls for cls in (SbatchSettings, QsubBatchSettings, BsubBatchSettings)}
)


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
    """Run settings for ``exe`` under ``launcher`` (local, slurm, pbs or lsf).

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
