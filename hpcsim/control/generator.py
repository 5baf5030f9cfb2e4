"""Entity directories and their files: copies, symlinks, configured files, params logs.

Everything is checked before the first directory is made, so a failing ``generate`` leaves
nothing half-created.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from hpcsim.control.modelwriter import TagWriter
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.files import PARAMS_LOG
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


def _check(exp_path: Path, dirs: list[Path], all_models: list[Model], overwrite: bool) -> None:
    existing = [d for d in dirs if d.exists()]
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
    for model in all_models:
        files = model.files
        for path in (*files.to_copy, *files.to_symlink, *files.to_configure):
            if not path.exists():
                raise GenerationError(f"{model.name}: attached file {path} no longer exists")


def _configure_sources(model: Model) -> list[tuple[Path, Path]]:
    """(source file, path relative to the entity dir) for every file to configure."""
    pairs = []
    for source in model.files.to_configure:
        if source.is_dir():
            pairs += [(f, f.relative_to(source)) for f in sorted(source.rglob("*")) if f.is_file()]
        else:
            pairs.append((source, Path(source.name)))
    return pairs


class _Writer:
    def __init__(self, tag: str) -> None:
        self._tags = TagWriter(tag)
        self._texts: dict[Path, str] = {}

    def _text(self, source: Path) -> str:
        if source not in self._texts:
            try:
                self._texts[source] = source.read_text()
            except UnicodeDecodeError:
                raise GenerationError(f"cannot configure {source}: it is not a text file") from None
        return self._texts[source]

    def preload(self, models: Sequence[Model]) -> None:
        """Read every file to configure now, so unreadable ones fail before anything is made."""
        for model in models:
            for source, _ in _configure_sources(model):
                self._text(source)

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
        for source, relative in _configure_sources(model):
            done = self._tags.configure(self._text(source), model.params)
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(done.text)
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
    _check(exp_path, dirs, all_models, overwrite)
    writer.preload(all_models)
    for directory in dirs:
        if directory.exists():
            shutil.rmtree(directory)
    exp_path.mkdir(parents=True, exist_ok=True)
    for ensemble in ensembles:
        Path(ensemble.path).mkdir(parents=True, exist_ok=True)
    for model in all_models:
        writer.write(model)
