"""An ensemble: many models made from one run configuration and a parameter space."""

from __future__ import annotations

import copy
import os
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from hpcsim import config
from hpcsim.entities.db_methods import DBObjectMethods
from hpcsim.entities.dbobjects import DBModel, DBObject, DBObjects, DBScript
from hpcsim.entities.entity import Entity
from hpcsim.entities.entity_list import EntityList
from hpcsim.entities.model import Model, PathArg
from hpcsim.entities.params import check_param_lists
from hpcsim.entities.strategies import Strategy, check_member_count, check_strategy, expand
from hpcsim.errors import ConfigError, ConfigTypeError, EntityExistsError, HpcsimError, ParameterError
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.run import RunSettings

__all__ = ["Ensemble"]


def _names(params_as_args: Iterable[str] | None) -> list[str]:
    if isinstance(params_as_args, str):
        raise ParameterError(f"params_as_args must be a list of parameter names, got the string {params_as_args!r}")
    return list(params_as_args or [])


def _check_max_members(max_members: object) -> int:
    if max_members is None:
        return config.max_members()
    if isinstance(max_members, bool) or not isinstance(max_members, int) or max_members < 1:
        raise ConfigError(f"max_members must be a positive integer, got {max_members!r}")
    return max_members


def _check_replicas(replicas: object) -> int:
    if replicas is None:
        return 1
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        raise HpcsimError(f"replicas must be a positive integer, got {replicas!r}")
    return replicas


_KWARGS = ("replicas", "n_models", "max_concurrent", "array", "max_members", "perm_strategy")


class Ensemble(EntityList[Model], DBObjectMethods):
    """Members ``<name>_<i>`` live in ``<path>/<name>_<i>``; each parameter set from the
    strategy ``perm_strat`` is repeated ``replicas`` times, so params x replicas members are
    made. More than ``max_members`` (default ``HPCSIM_MAX_MEMBERS``, else 10000) are refused
    before any is made.

    SmartSim's signature: ``path`` defaults to the working directory, and the keywords are
    ``replicas``, ``n_models`` (for ``random``), ``max_concurrent``, ``array`` and
    ``max_members`` (``perm_strategy`` is accepted for ``perm_strat``).
    """

    def __init__(
        self,
        name: str,
        params: Mapping[str, object] | None,
        path: str | Path | None = None,
        params_as_args: Iterable[str] | None = None,
        batch_settings: BatchSettings | None = None,
        run_settings: RunSettings | None = None,
        perm_strat: str | Strategy = "all_perm",
        **kwargs: Any,
    ) -> None:
        unknown = sorted(set(kwargs) - set(_KWARGS))
        if unknown:
            raise ConfigTypeError(f"Ensemble got unexpected keyword(s) {unknown}; accepted: {', '.join(_KWARGS)}")
        max_concurrent = kwargs.get("max_concurrent")
        if max_concurrent is not None and (
            isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int) or max_concurrent < 1
        ):
            raise HpcsimError(f"max_concurrent must be a positive integer, got {max_concurrent!r}")
        #: in one batch job, run at most this many members at once (None: all of them)
        self.max_concurrent: int | None = max_concurrent
        #: in one batch job, run the members as a scheduler job array instead of concurrent steps
        self.array = bool(kwargs.get("array", False))
        self.batch_settings = batch_settings
        self.run_settings = run_settings
        self.params = dict(params) if isinstance(params, Mapping) else {}
        self.params_as_args = _names(params_as_args)
        self.replicas: int | None = kwargs.get("replicas")
        self._models: list[Model] = []
        self._db_objects = DBObjects(f"ensemble {name!r}")
        super().__init__(
            name,
            os.getcwd() if path is None else path,
            params=params,
            perm_strat=kwargs.get("perm_strategy", perm_strat),
            n_models=kwargs.get("n_models"),
            max_members=kwargs.get("max_members"),
        )

    def _initialize_entities(self, **kwargs: Any) -> None:
        name, params, replicas = self.name, kwargs["params"], self.replicas
        check_strategy(kwargs["perm_strat"])
        param_lists = check_param_lists(params)
        copies = _check_replicas(replicas)
        if self.run_settings is None:
            if self.batch_settings is None:
                raise HpcsimError(f"ensemble {name!r} needs run_settings, batch_settings, or both")
            if param_lists or replicas is not None:
                raise HpcsimError(
                    f"ensemble {name!r} has params or replicas but no run_settings to launch its members with"
                )
            return
        if not param_lists and replicas is None:
            raise HpcsimError(
                f"ensemble {name!r} has run_settings but neither params nor replicas, so it would have "
                "no members; pass params=..., replicas=N, or create it empty with batch_settings only"
            )
        limit = _check_max_members(kwargs["max_members"])
        if param_lists:
            param_sets = expand(kwargs["perm_strat"], param_lists, kwargs["n_models"] or 0, copies, limit)
        else:
            check_member_count(1, copies, limit, f"replicas={copies}")
            param_sets = iter([{}])
        for index, member_params in enumerate(p for p in param_sets for _ in range(copies)):
            member_name = f"{name}_{index}"
            member = Model(
                member_name,
                member_params,
                copy.deepcopy(self.run_settings),
                Path(self.path) / member_name,
                params_as_args=self.params_as_args,
            )
            member.enable_key_prefixing()
            self._models.append(member)
        self._key_prefixing = True

    @property
    def entities(self) -> list[Model]:
        """The members (SmartSim's name for :attr:`models`)."""
        return list(self._models)

    @property
    def batch(self) -> bool:
        """Whether the members run together in one batch job."""
        return self.batch_settings is not None

    def set_path(self, new_path: str | Path) -> None:
        """Move the ensemble's directory; members that lived in it move along."""
        old = Path(self.path)
        super().set_path(new_path)
        for member in self._models:
            if Path(member.path).parent == old:
                member.set_path(Path(self.path) / member.name)

    @property
    def models(self) -> list[Model]:
        """The ensemble's members, in order (a copy: use ``add_model`` to add one)."""
        return list(self._models)

    @property
    def attached_files_table(self) -> str:
        """The files attached to each member, member by member."""
        if not self._models:
            return "The ensemble is empty, no files to show."
        return "\n".join(f"{m.name}:\n" + textwrap.indent(m.attached_files_table, "  ") for m in self._models)

    def print_attached_files(self) -> None:
        """Print ``attached_files_table``."""
        print(self.attached_files_table)

    def run_in_driver_cwd(self) -> None:
        super().run_in_driver_cwd()
        for member in self._models:
            member.run_in_driver_cwd()

    def mark_generated(self) -> None:
        super().mark_generated()
        for member in self._models:
            member.mark_generated()

    def add_model(self, model: Model) -> None:
        """Add a model made elsewhere; its own batch settings are ignored inside the ensemble.
        It receives the ensemble's ML models and scripts."""
        if not isinstance(model, Model):
            raise TypeError(f"add_model takes a Model, got {type(model).__name__}")
        if any(m.name == model.name for m in self._models):
            raise EntityExistsError(f"ensemble {self.name!r} already has a member named {model.name!r}")
        objects = [*self._db_objects.models, *self._db_objects.scripts]
        for obj in objects:
            model._db_objects.check_free(obj, again_ok=True)
        for obj in objects:
            model._add_db_object(obj, again_ok=True)
        self._models.append(model)

    # -- ML models and scripts: every member (current and later) gets them ------------------

    def _add_db_object(self, obj: DBObject) -> None:
        """Add ``obj`` to the ensemble and every member, or (on a name clash) to none."""
        self._db_objects.check_free(obj)
        for member in self._models:
            member._db_objects.check_free(obj)
        self._db_objects.add(obj)
        for member in self._models:
            member._add_db_object(obj)

    @property
    def db_models(self) -> list[DBModel]:
        """The ML models added to the ensemble itself (each member also has them)."""
        return list(self._db_objects.models)

    @property
    def db_scripts(self) -> list[DBScript]:
        """The scripts and functions added to the ensemble itself (each member also has them)."""
        return list(self._db_objects.scripts)

    def attach_generator_files(
        self, to_copy: PathArg = None, to_symlink: PathArg = None, to_configure: PathArg = None
    ) -> None:
        """Attach the same files to every member (each configured with its own params)."""
        for model in self._models:
            model.attach_generator_files(to_copy, to_symlink, to_configure)

    def enable_key_prefixing(self) -> None:
        super().enable_key_prefixing()
        for model in self._models:
            model.enable_key_prefixing()

    def disable_key_prefixing(self) -> None:
        """Stop prefixing the keys of the ensemble and of every member."""
        super().disable_key_prefixing()
        for model in self._models:
            model.disable_key_prefixing()

    def query_key_prefixing(self) -> bool:
        """Whether every member prefixes its keys (the ensemble's own setting while it has none)."""
        if not self._models:
            return self._key_prefixing
        return all(m.query_key_prefixing() for m in self._models)

    def register_incoming_entity(self, incoming_entity: Entity) -> None:
        """Register ``incoming_entity`` on the ensemble and every member, or on none of them."""
        if not isinstance(incoming_entity, Entity):
            raise TypeError(f"register_incoming_entity takes a Model or Ensemble, got {type(incoming_entity).__name__}")
        name = incoming_entity.name
        holders = [e for e in (self, *self._models) if any(i.name == name for i in e.incoming_entities)]
        if holders:
            raise EntityExistsError(f"{name!r} is already registered as incoming to {holders[0].name!r}")
        super().register_incoming_entity(incoming_entity)
        for model in self._models:
            model.register_incoming_entity(incoming_entity)

    def colocate_db_tcp(self, port: int = 6379, **kwargs: Any) -> None:
        """Give every member its own colocated database, member ``i`` on ``port + i`` (members
        may share a node, so they cannot share a port); other keywords as for a model."""
        for index, model in enumerate(self._models):
            model.colocate_db_tcp(port + index, **kwargs)

    def colocate_db_uds(self, unix_socket: str = "/tmp/redis.socket", **kwargs: Any) -> None:
        """Give every member its own colocated database on a Unix socket named after it
        (``/tmp/redis.socket`` becomes ``/tmp/redis.<member>.socket``)."""
        path = PurePosixPath(unix_socket)
        for model in self._models:
            model.colocate_db_uds(str(path.with_name(f"{path.stem}.{model.name}{path.suffix}")), **kwargs)

    def __iter__(self) -> Iterator[Model]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def __repr__(self) -> str:
        return f"Ensemble({self.name!r}, members={len(self._models)}, path={self.path!r})"
