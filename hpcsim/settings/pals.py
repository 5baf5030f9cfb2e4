"""HPE Cray PALS ``mpiexec`` (PBS systems such as ALCF Polaris and Aurora)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError
from hpcsim.schedulers.kinds import LOCAL, PBS
from hpcsim.settings.mpi import MpiBase
from hpcsim.settings.values import ArgValue

__all__ = ["PalsMpiexecSettings"]


class PalsMpiexecSettings(MpiBase):
    """``mpiexec`` under the Parallel Application Launch Service. PALS has no walltime,
    task-map or cpus-per-task option; those setters say what to use instead. PALS runs under
    PBS: ``create_run_settings("pals", ...)`` gives these settings for ``mpiexec``."""

    default_command = "mpiexec"
    launchers = frozenset({LOCAL.name, PBS.name})
    broadcast_destination = False  # --transfer
    # hpcsim sets the working directory and forwards the environment itself
    reserved_run_args = frozenset({"wdir", "env", "envlist", "envall", "envnone"})
    flags: ClassVar[Mapping[str, str]] = {
        "set_tasks": "np",
        "set_tasks_per_node": "ppn",
        "set_hostlist": "hosts",
        "set_hostlist_from_file": "hostfile",
        "set_broadcast": "transfer",
        "set_binding": "cpu-bind",
        "set_verbose_launch": "verbose",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_nodes": "PALS takes its nodes from the PBS allocation; use set_tasks with set_tasks_per_node",
        "set_cpus_per_task": "PALS spaces ranks with set('depth', N) together with set_binding('depth')",
        "set_walltime": "PALS has no launch time limit; set the walltime in the batch settings",
        "set_task_map": "PALS has no mapping option; use set_binding('list:0-3:4-7') or set('depth', N)",
        "set_cpu_bindings": "use set_binding('list:0:1:2') for PALS' CPU list form",
        "set_memory_per_node": "PALS does not limit memory; request it in the batch settings",
        "set_excluded_hosts": "list the hosts to use with set_hostlist or set_hostlist_from_file instead",
        "set_quiet_launch": "PALS mpiexec has no quiet mode",
        "set_broadcast": "--transfer copies the executable and takes no destination; call set_broadcast()",
    }

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        fail_if_missing_exec: bool | None = True,
        lenient: bool = False,
        run_command: str | None = None,
        *,
        container: object | None = None,
    ) -> None:
        """SmartSim's parameters, in its order (``fail_if_missing_exec`` fifth); ``lenient`` and
        ``run_command`` are hpcsim's."""
        self.affinity_script: list[str] = []
        super().__init__(
            exe,
            exe_args,
            run_args,
            env_vars,
            lenient,
            run_command,
            fail_if_missing_exec=fail_if_missing_exec,
            container=container,
        )

    def set_gpu_affinity_script(self, affinity: str | os.PathLike[str], *args: str | int | float) -> None:
        """Run ``affinity`` with ``args`` in front of the executable on every rank
        (``mpiexec ... affinity args exe exe_args``), as SmartSim's: ALCF's
        ``set_affinity_gpu_polaris.sh`` gives each rank its GPU this way. A path with a
        directory is made absolute (launches run in the entity's directory); a bare name is
        looked up on the compute node's PATH. Calls add up, each after the last."""
        if not isinstance(affinity, (str, os.PathLike)) or not str(affinity).strip():
            error = SettingsError if isinstance(affinity, (str, os.PathLike)) else SettingsTypeError
            raise error(f"set_gpu_affinity_script: expected the script's path, got {affinity!r}")
        script = os.path.expanduser(os.fspath(affinity))
        words = [os.path.abspath(script) if os.sep in script else script]
        for arg in args:
            if isinstance(arg, bool) or not isinstance(arg, (str, int, float)):
                raise SettingsTypeError(f"set_gpu_affinity_script: arguments must be str, int or float, got {arg!r}")
            words.append(str(arg))
        self.affinity_script += words

    def _exe_prefix(self) -> list[str]:
        return list(self.affinity_script)

    def format_env_vars(self) -> list[str]:
        """SmartSim's format: ``--env K=V`` per value, then ``--envlist A,B`` for the variables
        passed as they are."""
        valued = [part for key, value in self.env_vars.items() if value for part in ("--env", f"{key}={value}")]
        passed = [key for key, value in self.env_vars.items() if not value]
        return valued + (["--envlist", ",".join(passed)] if passed else [])

    def _forward_env(self, names: list[str]) -> list[str]:
        # `--envall` forwards every variable the script exported, the way ALCF's Polaris and
        # Aurora job examples launch (`mpiexec --envall -n N --ppn P ...`). `--envlist K1,K2`
        # (SmartSim's choice) is avoided: PALS mirrors Hydra, where a list replaces "all" and
        # drops the user's environment. Source: https://docs.alcf.anl.gov/polaris/running-jobs/
        # (HPE's own PALS mpiexec(1) page could not be consulted).
        return ["--envall"]
