"""Entity directories and their files: copies, symlinks, configured files, params logs.

Everything is checked before the first directory is made, so a failing ``generate`` leaves
nothing half-created, and nothing outside the experiment directory is ever deleted.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from hpcsim.control.modelwriter import TagWriter
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.files import PARAMS_LOG, EntityFiles
from hpcsim.entities.model import Model
from hpcsim.errors import GenerationError

__all__ = ["generate"]

_log = logging.getLogger("hpcsim.generate")


def _inside(path: Path, root: Path) -> bool:
    return path != root and root in path.parents


def _targets(models: Sequence[Model], ensembles: Sequence[Ensemble]) -> list[Path]:
    """Top-level directories this generate owns (member dirs inside their ensemble's dir
    are covered by it)."""
    dirs = [Path(m.path) for m in models] + [Path(e.path) for e in ensembles]
    for ensemble in ensembles:
        dirs += [Path(m.path) for m in ensemble if not _inside(Path(m.path), Path(ensemble.path))]
    return dirs


class _Plan:
    """What one set of attachments puts where, worked out once and shared by every entity
    that has the same attachments (all members of an ensemble)."""

    def __init__(self, files: EntityFiles) -> None:
        self.configure: list[tuple[Path, Path]] = []
        for source in files.to_configure:
            if source.is_dir():
                self.configure += [(f, f.relative_to(source)) for f in sorted(source.rglob("*")) if f.is_file()]
            else:
                self.configure.append((source, Path(source.name)))
        placed: dict[Path, str] = {Path(PARAMS_LOG): "the params log"}
        for source in files.to_copy:
            entries = [p.relative_to(source) for p in source.rglob("*") if not p.is_dir()] if source.is_dir() else []
            for relative in entries if source.is_dir() else [Path(source.name)]:
                self._place(placed, relative, f"to_copy {source}")
        for source in files.to_symlink:
            self._place(placed, Path(source.name), f"to_symlink {source}")
        for source, relative in self.configure:
            self._place(placed, relative, f"to_configure {source}")

    @staticmethod
    def _place(placed: dict[Path, str], relative: Path, what: str) -> None:
        clash = placed.get(relative) or next((placed[p] for p in relative.parents if p in placed), None)
        if clash is not None:
            raise GenerationError(f"{what} would write {relative}, which {clash} already provides; rename one of them")
        placed[relative] = what


class _Writer:
    def __init__(self, tag: str) -> None:
        self._tags = TagWriter(tag)
        self._texts: dict[Path, str] = {}
        self._plans: dict[EntityFiles, _Plan] = {}

    def plan(self, files: EntityFiles) -> _Plan:
        if files not in self._plans:
            self._plans[files] = _Plan(files)
        return self._plans[files]

    def text(self, source: Path) -> str:
        if source not in self._texts:
            try:
                with open(source, encoding="utf-8", newline="") as handle:
                    self._texts[source] = handle.read()
            except UnicodeDecodeError:
                raise GenerationError(f"cannot configure {source}: it is not a UTF-8 text file") from None
        return self._texts[source]

    def write(self, model: Model) -> None:
        root = Path(model.path)
        root.mkdir(parents=True, exist_ok=True)
        for source in model.files.to_copy:
            if source.is_dir():
                shutil.copytree(source, root, dirs_exist_ok=True, symlinks=True)
            else:
                shutil.copy2(source, root / source.name)
        for source in model.files.to_symlink:
            os.symlink(source, root / source.name)
        log = [f"model: {model.name}", "parameters:"]
        log += [f"  {name} = {value}" for name, value in model.params.items()]
        log.append("configured files:")
        for source, relative in self.plan(model.files).configure:
            done = self._tags.configure(self.text(source), model.params)
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(done.text)
            shutil.copymode(source, target)
            log.append(f"  {relative} (from {source}): {', '.join(done.used) or 'no parameters'}")
            if done.unmatched:
                _log.warning(
                    "%s: %s has tags that name no parameter, replaced by their own text: %s",
                    model.name,
                    source,
                    ", ".join(sorted(set(done.unmatched))),
                )
        (root / PARAMS_LOG).write_text("\n".join(log) + "\n")


def _check(exp_path: Path, dirs: list[Path], models: list[Model], overwrite: bool, writer: _Writer) -> None:
    existing = [d for d in dirs if os.path.lexists(d)]
    not_dirs = [d for d in existing if d.is_symlink() or not d.is_dir()]
    if not_dirs:
        raise GenerationError(
            f"entity path {not_dirs[0]} exists and is not a directory; remove it or choose another path"
        )
    if existing and not overwrite:
        shown = ", ".join(str(d) for d in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise GenerationError(
            f"{len(existing)} entity director{'y' if len(existing) == 1 else 'ies'} already exist "
            f"({shown}); pass overwrite=True to replace them"
        )
    outside = [d for d in existing if not _inside(d, exp_path)]
    if outside:
        raise GenerationError(
            f"refusing to overwrite {outside[0]}: it is outside the experiment directory {exp_path}; "
            "remove it yourself or give the entity a path inside the experiment"
        )
    for model in models:
        files = model.files
        for path in (*files.to_copy, *files.to_symlink, *files.to_configure):
            if not os.path.lexists(path):
                raise GenerationError(f"{model.name}: attached file {path} no longer exists")
        for source, _ in writer.plan(files).configure:
            writer.text(source)


def generate(
    exp_path: Path,
    models: Sequence[Model],
    ensembles: Sequence[Ensemble],
    tag: str = ";",
    overwrite: bool = False,
) -> None:
    """Create the directories of ``models`` and ``ensembles`` (and their members)."""
    writer = _Writer(tag)
    all_models = [*models, *(m for e in ensembles for m in e)]
    dirs = _targets(models, ensembles)
    _check(exp_path, dirs, all_models, overwrite, writer)
    for directory in dirs:
        if directory.exists():
            shutil.rmtree(directory)
    exp_path.mkdir(parents=True, exist_ok=True)
    for ensemble in ensembles:
        Path(ensemble.path).mkdir(parents=True, exist_ok=True)
    for model in all_models:
        writer.write(model)
