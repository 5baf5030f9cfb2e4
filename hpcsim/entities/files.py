"""Files attached to an entity: copied, symlinked, or configured with parameter values."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hpcsim.errors import GenerationError, MissingFileError

__all__ = ["PARAMS_LOG", "EntityFiles"]

#: name of the per-entity log of configured parameters; attached files may not use it
PARAMS_LOG = "hpcsim_params.txt"


def _paths(kind: str, given: str | Path | Iterable[str | Path] | None) -> tuple[Path, ...]:
    if given is None:
        return ()
    items = [given] if isinstance(given, (str, Path)) else list(given)
    paths = []
    for item in items:
        if not isinstance(item, (str, Path)):
            raise GenerationError(f"{kind} entries must be paths, got {item!r}")
        path = Path(os.path.abspath(os.path.expanduser(item)))
        if kind != "to_symlink" and os.path.realpath(path) == os.path.realpath(os.sep):
            raise GenerationError(
                f"{kind}: {str(item)!r} is the file-system root; {kind} takes the files or directories "
                "an entity needs, never the whole file system"
            )
        if not path.exists():
            raise MissingFileError(f"{kind}: {str(item)!r} does not exist (resolved to {str(path)!r})")
        if path.name == PARAMS_LOG:
            raise GenerationError(f"{kind}: {str(item)!r} uses the reserved file name {PARAMS_LOG}")
        paths.append(path)
    return tuple(paths)


@dataclass(frozen=True)
class EntityFiles:
    """Absolute, existing source paths, checked when they are attached.

    A directory given to ``to_copy`` or ``to_configure`` contributes its contents to the
    entity directory (SmartSim's semantics); a symlinked directory keeps its own name.
    """

    to_copy: tuple[Path, ...] = ()
    to_symlink: tuple[Path, ...] = ()
    to_configure: tuple[Path, ...] = ()

    @classmethod
    def from_user(
        cls,
        to_copy: str | Path | Iterable[str | Path] | None = None,
        to_symlink: str | Path | Iterable[str | Path] | None = None,
        to_configure: str | Path | Iterable[str | Path] | None = None,
    ) -> EntityFiles:
        """Files as a user gives them to ``attach_generator_files``: one path or a list for each kind, checked."""
        return cls(
            _paths("to_copy", to_copy),
            _paths("to_symlink", to_symlink),
            _paths("to_configure", to_configure),
        )

    def check_outside(self, entity_dir: str, what: str) -> None:
        """Refuse a copied or configured directory that holds ``entity_dir``: generating the
        entity would copy that directory into itself (the experiment's own directory, or one
        above it)."""
        target = os.path.realpath(entity_dir)
        for kind, paths in (("to_copy", self.to_copy), ("to_configure", self.to_configure)):
            for path in paths:
                source = os.path.realpath(path)
                if path.is_dir() and os.path.commonpath([source, target]) == source:
                    raise GenerationError(
                        f"{kind}: {str(path)!r} contains the directory of {what} ({entity_dir!r}), so "
                        "generating it would copy the directory into itself; attach the input files "
                        "or a directory beside the experiment instead"
                    )

    def table(self) -> str:
        """A readable list of the attachments, one per line."""
        rows = [
            (kind, str(p))
            for kind, paths in (
                ("copy", self.to_copy),
                ("symlink", self.to_symlink),
                ("configure", self.to_configure),
            )
            for p in paths
        ]
        return "\n".join(f"{kind:<10} {path}" for kind, path in rows) or "no attached files"
