"""A model: one application launch with parameters, attached files and data-plane identity."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hpcsim.entities.db_methods import DBObjectMethods
from hpcsim.entities.dbobjects import DBModel, DBObject, DBObjects, DBScript
from hpcsim.entities.entity import Entity
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.params import check_params
from hpcsim.errors import ConfigError, ParameterError, SettingsError
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.colocated import ColocatedDB, colocated_tcp, colocated_uds
from hpcsim.settings.run import RunSettings, format_arg

__all__ = ["Model"]

PathArg = str | Path | Iterable[str | Path] | None


class Model(Entity, DBObjectMethods):
    """An application to launch; created through :meth:`Experiment.create_model` (made
    directly, ``path`` defaults to the working directory, as in SmartSim)."""

    def __init__(
        self,
        name: str,
        params: Mapping[str, object] | None,
        run_settings: RunSettings,
        path: str | Path | None = None,
        params_as_args: Iterable[str] | None = None,
        batch_settings: BatchSettings | None = None,
    ) -> None:
        super().__init__(name, os.getcwd() if path is None else path)
        if not isinstance(run_settings, RunSettings):
            raise TypeError(f"run_settings must be RunSettings, got {type(run_settings).__name__}")
        if batch_settings is not None and not isinstance(batch_settings, BatchSettings):
            raise TypeError(f"batch_settings must be BatchSettings, got {type(batch_settings).__name__}")
        self.params = check_params(params)
        self.run_settings = run_settings
        self.batch_settings = batch_settings
        self.files = EntityFiles()
        self._db_objects = DBObjects(f"model {name!r}")
        if isinstance(params_as_args, str):
            raise ParameterError(f"params_as_args must be a list of parameter names, got the string {params_as_args!r}")
        self.params_as_args = list(params_as_args or [])
        unknown = [p for p in self.params_as_args if p not in self.params]
        if unknown:
            raise ParameterError(
                f"params_as_args names {unknown!r} that are not parameters of {name!r} "
                f"(parameters: {sorted(self.params)})"
            )
        if self.params_as_args:
            self.params_to_args()

    def params_to_args(self) -> None:
        """Append each parameter named in ``params_as_args`` to the executable arguments."""
        for name in self.params_as_args:
            self.run_settings.add_exe_args(format_arg(name, self.params[name]))

    def attach_generator_files(
        self, to_copy: PathArg = None, to_symlink: PathArg = None, to_configure: PathArg = None
    ) -> None:
        """Files placed in the model directory by :meth:`Experiment.generate`.

        Each call replaces earlier attachments. ``to_configure`` files have their tagged
        parameters (``;name;`` by default) replaced by this model's values.
        """
        files = EntityFiles.from_user(to_copy, to_symlink, to_configure)
        files.check_outside(self.path, f"model {self.name!r}")
        self.files = files

    # -- ML models and scripts loaded into the database before the launch ---------------

    def _add_db_object(self, obj: DBObject, again_ok: bool = False) -> None:
        self._db_objects.add(obj, again_ok)

    def add_ml_model_object(self, db_model: DBModel) -> None:
        """Attach an ML model made beforehand (``DBModel(...)``), as :meth:`add_ml_model`
        does with the one it makes. A name this model already holds raises
        :class:`~hpcsim.errors.EntityExistsError` (SmartSim would keep both)."""
        if not isinstance(db_model, DBModel):
            raise TypeError(f"add_ml_model_object takes a DBModel, got {type(db_model).__name__}")
        self._add_db_object(db_model)

    def add_script_object(self, db_script: DBScript) -> None:
        """Attach a script or function made beforehand (``DBScript(...)``), as
        :meth:`add_script` does with the one it makes; names as for :meth:`add_ml_model_object`."""
        if not isinstance(db_script, DBScript):
            raise TypeError(f"add_script_object takes a DBScript, got {type(db_script).__name__}")
        self._add_db_object(db_script)

    @property
    def db_models(self) -> list[DBModel]:
        """The ML models added to this model (and to its ensemble), in order."""
        return list(self._db_objects.models)

    @property
    def db_scripts(self) -> list[DBScript]:
        """The scripts and functions added to this model (and to its ensemble), in order."""
        return list(self._db_objects.scripts)

    @property
    def has_db_objects(self) -> bool:
        """Whether ML models or scripts are attached to load into the database at start."""
        return bool(self._db_objects.models or self._db_objects.scripts)

    # -- colocated database --------------------------------------------------------------

    def colocate_db_tcp(
        self,
        port: int = 6379,
        ifname: str | Iterable[str] = "lo",
        db_cpus: int = 1,
        custom_pinning: Iterable[int | Iterable[int]] | None = None,
        debug: bool = False,
        db_identifier: str = "",
        **kwargs: object,
    ) -> None:
        """Run a database server on every node of this model, on ``port`` of ``ifname``
        (loopback by default), pinned to ``db_cpus`` CPUs (or ``custom_pinning``). Extra
        keywords become redis-server options; ``debug`` keeps each server's log in the
        model's directory."""
        self._colocate(colocated_tcp(port, ifname, db_cpus, custom_pinning, debug, db_identifier, kwargs))

    def colocate_db_uds(
        self,
        unix_socket: str = "/tmp/redis.socket",
        socket_permissions: int = 755,
        db_cpus: int = 1,
        custom_pinning: Iterable[int | Iterable[int]] | None = None,
        debug: bool = False,
        db_identifier: str = "",
        **kwargs: object,
    ) -> None:
        """As :meth:`colocate_db_tcp`, reached through the Unix socket ``unix_socket`` only."""
        self._colocate(
            colocated_uds(unix_socket, socket_permissions, db_cpus, custom_pinning, debug, db_identifier, kwargs)
        )

    def colocate_db(self, *args: Any, **kwargs: Any) -> None:
        """Deprecated alias of :meth:`colocate_db_tcp` (as in SmartSim)."""
        warnings.warn("colocate_db is deprecated; use colocate_db_tcp or colocate_db_uds", DeprecationWarning, 2)
        self.colocate_db_tcp(*args, **kwargs)

    def _colocate(self, db: ColocatedDB) -> None:
        if self.run_settings.mpmd:
            raise SettingsError(
                f"model {self.name!r} is MPMD; a colocated database with MPMD is not supported: "
                "launch the programs as separate models, each with its own colocated database"
            )
        if self.run_settings.colocated_db_settings is not None:
            raise ConfigError(f"model {self.name!r} already has a colocated database")
        self.run_settings.colocated_db_settings = db

    @property
    def colocated(self) -> bool:
        """Whether the model has a colocated database (``colocate_db_tcp``/``colocate_db_uds``)."""
        return self.run_settings.colocated_db_settings is not None

    @property
    def attached_files_table(self) -> str:
        """A table of the files attached to copy, symlink and configure."""
        return self.files.table()

    def print_attached_files(self) -> None:
        """Print ``attached_files_table``."""
        print(self.attached_files_table)

    def __repr__(self) -> str:
        return f"Model({self.name!r}, path={self.path!r}, params={self.params!r})"
