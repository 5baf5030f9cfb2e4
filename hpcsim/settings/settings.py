"""SmartSim's ``smartsim.settings.settings``: the module-level factories
``create_run_settings(launcher, exe, ...)`` and ``create_batch_settings(launcher, ...)``, also
exported by :mod:`hpcsim.settings`."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from hpcsim.errors import ConfigError, ConfigTypeError, SettingsTypeError, UnsupportedError
from hpcsim.schedulers import detect_scheduler
from hpcsim.schedulers.kinds import BATCH_NAMES
from hpcsim.settings import factory
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.dragonRunSettings import NO_DRAGON
from hpcsim.settings.run import RunSettings, refuse_container
from hpcsim.settings.values import ArgValue
from hpcsim.site import select_site

__all__ = ["create_batch_settings", "create_run_settings"]

_log = logging.getLogger("hpcsim.settings")


def _launcher(launcher: object) -> str:
    """``launcher`` in lower case, ``auto`` resolved as an Experiment does (the site's
    scheduler, else the one whose commands are on PATH). Names hpcsim does not know are left
    to :mod:`hpcsim.settings.factory` to refuse."""
    if not isinstance(launcher, str):
        raise factory.unknown_launcher(launcher)
    name = launcher.lower()
    if name == "dragon":
        raise UnsupportedError(f"launcher {launcher!r}: {NO_DRAGON}")
    if name == "auto":
        site = select_site()
        return site.scheduler if site is not None else detect_scheduler()
    return name


def _check_keywords(what: str, target: Any, keywords: Mapping[str, object], named: Iterable[str] = ()) -> None:
    """Refuse keywords ``target`` does not take with a TypeError that names the ones it does
    (SmartSim drops unknown keywords silently; a misspelt one is a mistake worth a message)."""
    params = inspect.signature(target).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    unknown = sorted(set(keywords) - set(params))
    if unknown:
        known = [
            n for n, p in params.items() if (p.kind is p.KEYWORD_ONLY or p.default is not p.empty) and n not in named
        ]
        raise ConfigTypeError(f"{what} takes no keyword {', '.join(map(repr, unknown))}; it takes {', '.join(known)}")


def _batch_keywords() -> set[str]:
    """Every keyword some scheduler's batch settings take."""
    return {name for kind in BATCH_NAMES for name in inspect.signature(factory.batch_class(kind)).parameters}


def _check_mapping(what: str, value: object) -> None:
    if value is not None and not isinstance(value, Mapping):
        raise SettingsTypeError(f"{what} must be a dict of name to value (or None), got {value!r}")


def create_batch_settings(
    launcher: str,
    nodes: int | None = None,
    time: str = "",
    queue: str | None = None,
    account: str | None = None,
    batch_args: Mapping[str, ArgValue] | None = None,
    **kwargs: Any,
) -> BatchSettings:
    """SmartSim's ``create_batch_settings``: the batch settings class of ``launcher`` (slurm:
    :class:`SbatchSettings`, pbs and pals: :class:`QsubBatchSettings`, lsf:
    :class:`BsubBatchSettings`, sge: :class:`SgeQsubBatchSettings`; ``auto`` detects it).

    ``queue`` becomes the class's queue (Slurm's partition) and ``account`` its account (LSF's
    project); other keywords go to the class. As in SmartSim, a keyword that another
    scheduler's class takes (``ncpus=`` for PBS, given to Slurm) is dropped, with a warning,
    so one driver serves several machines; a keyword no batch class takes is a misspelling
    (:class:`~hpcsim.errors.ConfigTypeError`, a ``TypeError``), and so is a value of the wrong
    type (``batch_args=["exclusive"]``: :class:`~hpcsim.errors.SettingsTypeError`). The
    ``local`` launcher runs no batch jobs (:class:`~hpcsim.errors.ConfigError`, which
    ``except SmartSimError`` catches as SmartSim's refusal there).
    """
    name = _launcher(launcher)
    cls = factory.batch_class(name)
    _check_mapping("batch_args", batch_args)
    call: dict[str, Any] = {"nodes": nodes, "time": time, "batch_args": batch_args}
    for keyword, value, what in ((cls.queue_keyword, queue, "queue"), (cls.account_keyword, account, "account")):
        if kwargs.get(keyword) not in (None, "") and value not in (None, ""):
            raise ConfigError(f"create_batch_settings: give {what}= or {keyword}=, not both")
        call[keyword] = kwargs.pop(keyword, None) or ("" if value is None else value)
    taken = inspect.signature(cls).parameters
    foreign = sorted(k for k in kwargs if k not in taken and k in _batch_keywords())
    if foreign:
        _log.warning("%s takes no %s; dropped (another scheduler's batch settings take it)", cls.__name__, foreign)
    call.update((k, v) for k, v in kwargs.items() if k not in foreign)
    _check_keywords(f"{cls.__name__} (create_batch_settings for {name})", cls, call)
    return cls(**call)


def create_run_settings(
    launcher: str,
    exe: str,
    exe_args: str | Iterable[str] | None = None,
    run_command: str | None = "auto",
    run_args: Mapping[str, ArgValue] | None = None,
    env_vars: Mapping[str, ArgValue] | None = None,
    container: object | None = None,
    **kwargs: Any,
) -> RunSettings:
    """SmartSim's ``create_run_settings``: run settings for ``exe`` under ``launcher`` (``local``,
    ``slurm``, ``pbs``, ``pals``, ``lsf``, ``sge`` or ``auto``), the class chosen by the launch
    command (``auto``: the launcher's first one on PATH; srun, mpirun, mpiexec, orterun, aprun
    and jsrun have their own classes, any other command gives :class:`RunSettings`; under
    ``pals``, ``mpiexec`` gives :class:`PalsMpiexecSettings`).

    ``container`` must be None: hpcsim runs no containers
    (:class:`~hpcsim.errors.UnsupportedError`). Other keywords go to the settings class
    (``lenient=True``: SmartSim's warn-and-ignore for setters the launch command lacks). A
    value of the wrong type (a launcher, command or ``run_args`` that is no string or dict) is
    a :class:`~hpcsim.errors.SettingsTypeError`, a ``TypeError``.
    """
    refuse_container(container)
    name = _launcher(launcher)
    _check_mapping("run_args", run_args)
    _check_mapping("env_vars", env_vars)
    _check_keywords(
        f"create_run_settings for {name}",
        factory.create_run_settings,
        kwargs,
        ("exe_args", "run_command", "run_args", "env_vars"),
    )
    return factory.create_run_settings(name, exe, exe_args, run_command, run_args, env_vars, **kwargs)
