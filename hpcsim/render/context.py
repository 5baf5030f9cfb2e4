"""Typed contexts handed to templates: everything a template prints is computed here first."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BatchContext", "ColocatedContext", "StepContext"]


@dataclass(frozen=True)
class StepContext:
    """One launch of one entity as a shell step.

    ``env`` pairs with value ``None`` export the variable as the job finds it.
    """

    name: str
    kind: str
    cwd: str
    command: tuple[str, ...]
    env: tuple[tuple[str, str | None], ...]
    out: str
    err: str
    exit_code_file: str
    #: a variable the step sets to a value unique to this launch (colocated databases key their
    #: node-local state on it); empty: none
    launch_token: str = ""


@dataclass(frozen=True)
class ColocatedContext:
    """The per-node prologue of a model with a colocated database."""

    name: str
    #: ``python -m hpcsim.db.shard ...`` without the per-node arguments
    shard: tuple[str, ...]
    #: where the servers' output goes; "" discards it (debug=False). The node name is appended.
    log_prefix: str
    #: variables every rank gets besides the database address, and the names the address is given under
    env: tuple[tuple[str, str], ...]
    address_names: tuple[str, ...]


@dataclass(frozen=True)
class BatchContext:
    """One batch script: directives computed in Python, then the steps it runs.

    With ``array_index`` set (``SLURM_ARRAY_TASK_ID``, ...), each array task runs the step
    whose position plus ``array_base`` equals the index; otherwise steps run concurrently,
    at most ``concurrency`` at once.
    """

    name: str
    directives: tuple[str, ...]
    out: str
    err: str
    preamble: tuple[str, ...]
    modules: tuple[str, ...]
    env: tuple[tuple[str, str | None], ...]
    steps: tuple[StepContext, ...]
    concurrency: int
    exit_code_file: str
    array_index: str = ""
    array_base: int = 0
