"""Where a launch command lives, and the checks SmartSim's MPI settings make on it.

``run_command`` reads as the absolute path of the launch binary where it is on this host's
``PATH`` (SmartSim resolves it with ``which``), and as given where it is not: a launch script
runs on compute nodes, which may have commands the login node lacks. Scripts keep the command
as it was given, so the text a preview shows does not depend on the login node's ``PATH``.
"""

from __future__ import annotations

import logging
import os
import shutil

from hpcsim.errors import LaunchCommandNotFoundError, UnsupportedSettingsError

__all__ = [
    "check_mpi_command",
    "expand_command",
    "is_slurm_mpiexec",
]

_log = logging.getLogger("hpcsim.settings")
#: how much of a launcher script is read to recognise Slurm's mpiexec wrapper
_SCRIPT_BYTES = 64 * 1024


def expand_command(command: str) -> str:
    """The absolute path of ``command`` where ``PATH`` (or the path itself) has it, else
    ``command`` unchanged."""
    found = shutil.which(os.path.expanduser(command))
    return os.path.abspath(found) if found else command


def is_slurm_mpiexec(path: str) -> bool:
    """Whether ``path`` is Slurm's ``mpiexec.slurm`` wrapper, which takes none of MPICH's or
    Open MPI's options. SmartSim runs ``mpiexec --help`` and looks for ``mpiexec.slurm``; this
    reads instead of running: the name the link resolves to, or the text of a script."""
    real = os.path.realpath(path)
    if os.path.basename(real).startswith("mpiexec.slurm"):
        return True
    try:
        with open(real, "rb") as handle:
            head = handle.read(_SCRIPT_BYTES)
    except OSError:
        return False
    return head.startswith(b"#!") and b"mpiexec.slurm" in head


def check_mpi_command(owner: str, command: str, fail_if_missing_exec: bool | None, slurm_wrapper: bool) -> None:
    """SmartSim's checks when MPI settings are made: the command must be on ``PATH`` (or a
    warning, with ``fail_if_missing_exec=False``; ``None`` skips the check, for scripts that run
    where this host's ``PATH`` does not reach), and ``mpiexec`` must not be Slurm's wrapper."""
    found = shutil.which(os.path.expanduser(command))
    if found is None:
        message = f"{owner}: cannot find {command!r} on PATH. Try passing the full path via run_command"
        if fail_if_missing_exec:
            raise LaunchCommandNotFoundError(message)
        if fail_if_missing_exec is not None:
            _log.warning("%s", message)
        return
    if slurm_wrapper and is_slurm_mpiexec(found):
        raise UnsupportedSettingsError(
            f"{owner}: {found} is Slurm's mpiexec wrapper (mpiexec.slurm), which is unsupported; "
            "use SrunSettings (run_command='srun') instead"
        )
