"""A model: one application launch with parameters, attached files and data-plane identity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from hpcsim.entities.entity import Entity
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.params import check_params
from hpcsim.errors import ParameterError
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.run import RunSettings, format_arg

__all__ = ["Model"]

PathArg = str | Path | Iterable[str | Path] | None


class Model(Entity):
    """An application to launch; created through :meth:`Experiment.create_model`."""

    def __init__(
        self,
        name: str,
        params: Mapping[str, object] | None,
        run_settings: RunSettings,
        path: str | Path,
        params_as_args: Iterable[str] | None = None,
        batch_settings: BatchSettings | None = None,
    ) -> None:
        super().__init__(name, path)
        if not isinstance(run_settings, RunSettings):
            raise TypeError(f"run_settings must be RunSettings, got {type(run_settings).__name__}")
        if batch_settings is not None and not isinstance(batch_settings, BatchSettings):
            raise TypeError(f"batch_settings must be BatchSettings, got {type(batch_settings).__name__}")
        self.params = check_params(params)
        self.run_settings = run_settings
        self.batch_settings = batch_settings
        self.files = EntityFiles()
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
        self.files = EntityFiles.from_user(to_copy, to_symlink, to_configure)

    @property
    def attached_files_table(self) -> str:
        return self.files.table()

    def print_attached_files(self) -> None:
        print(self.attached_files_table)

    def __repr__(self) -> str:
        return f"Model({self.name!r}, path={self.path!r}, params={self.params!r})"
