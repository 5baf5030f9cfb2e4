"""Entity directories and their files: copies, symlinks, configured files, params logs.

Everything is checked before the first directory is made, so a failing ``generate`` leaves
nothing half-created. Containment: an entity path inside the experiment may not go through a
symlink, nothing is deleted outside the experiment's real directory, and every write and
delete below an entity directory goes through :class:`~hpcsim.control.confine.Dir`, which
never follows a symlink. Symlinks inside a copied directory are copied as symlinks (their
text verbatim, never their targets' contents); a configured directory may not hold any.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from hpcsim.control.confine import Dir
from hpcsim.control.modelwriter import TagWriter
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.files import PARAMS_LOG, EntityFiles
from hpcsim.entities.model import Model
from hpcsim.errors import GenerationError

__all__ = ["generate"]

_log = logging.getLogger("hpcsim.generate")

#: one thing below a copied directory: (its path, its path relative to the source, kind)
_Entry = tuple[Path, Path, str]


def _inside(path: Path, root: Path) -> bool:
    return path != root and root in path.parents


def _abs(path: str | Path) -> Path:
    return Path(os.path.abspath(path))


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def _targets(models: Sequence[Model], ensembles: Sequence[Ensemble]) -> list[Path]:
    """Top-level directories this generate owns (member dirs inside their ensemble's dir
    are covered by it)."""
    dirs = [Path(m.path) for m in models] + [Path(e.path) for e in ensembles]
    for ensemble in ensembles:
        dirs += [Path(m.path) for m in ensemble if not _inside(Path(m.path), Path(ensemble.path))]
    return dirs


def _walk(source: Path, what: str) -> list[_Entry]:
    """Everything below directory ``source``, parents first; symlinks are listed, never entered."""
    found: list[_Entry] = []
    pending = [source]
    while pending:
        with os.scandir(pending.pop()) as listing:
            for entry in listing:
                path = Path(entry.path)
                if entry.is_symlink():
                    kind = "link"
                elif entry.is_dir(follow_symlinks=False):
                    kind = "dir"
                    pending.append(path)
                elif entry.is_file(follow_symlinks=False):
                    kind = "file"
                else:
                    raise GenerationError(
                        f"{what} {source}: {path} is not a regular file, directory or symlink; remove it"
                    )
                found.append((path, path.relative_to(source), kind))
    return sorted(found, key=lambda item: item[1])


def _regular(source: Path, what: str) -> None:
    """A source named directly (links to it are followed: the user named it) must be a file."""
    try:
        mode = os.stat(source).st_mode
    except OSError as exc:
        raise GenerationError(f"{what} {source} cannot be read ({exc.strerror}); attach an existing file") from None
    if not stat.S_ISREG(mode):
        raise GenerationError(f"{what} {source} is not a regular file or directory; attach a regular file")


class _Plan:
    """What one set of attachments puts where, worked out once and shared by every entity
    that has the same attachments (all members of an ensemble)."""

    def __init__(self, files: EntityFiles) -> None:
        self.copies: list[tuple[Path, list[_Entry] | None]] = []
        self.configure: list[tuple[Path, Path]] = []
        self._leaves: dict[Path, str] = {Path(PARAMS_LOG): "the params log"}
        self._dirs: dict[Path, str] = {}
        for source in files.to_copy:
            what = f"to_copy {source}"
            if source.is_dir():
                entries = _walk(source, "to_copy")
                for _, relative, kind in entries:
                    self._place(relative, what, kind == "dir")
                self.copies.append((source, entries))
            else:
                _regular(source, "to_copy")
                self._place(Path(source.name), what, False)
                self.copies.append((source, None))
        for source in files.to_symlink:
            self._place(Path(source.name), f"to_symlink {source}", False)
        for source in files.to_configure:
            if source.is_dir():
                for path, relative, kind in _walk(source, "to_configure"):
                    if kind == "link":
                        raise GenerationError(
                            f"to_configure {source}: {path} is a symlink; attach its target as a file to "
                            "configure it, or remove the link"
                        )
                    if kind == "file":
                        self.configure.append((path, relative))
            else:
                _regular(source, "to_configure")
                self.configure.append((source, Path(source.name)))
        for source, relative in self.configure:
            self._place(relative, f"to_configure {source}", False)

    def _place(self, relative: Path, what: str, is_dir: bool) -> None:
        clash = next((self._leaves[p] for p in relative.parents if p in self._leaves), None)
        if clash is None:
            clash = self._leaves.get(relative) or (None if is_dir else self._dirs.get(relative))
        if clash is not None:
            raise GenerationError(f"{what} would write {relative}, which {clash} already provides; rename one of them")
        (self._dirs if is_dir else self._leaves)[relative] = what


class _Writer:
    def __init__(self, tag: str, exp_path: Path) -> None:
        self._tags = TagWriter(tag)
        self._texts: dict[Path, str] = {}
        self._plans: dict[EntityFiles, _Plan] = {}
        self._exp_path = _abs(exp_path)

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

    def open_root(self, exp: Dir, path: str | Path) -> Dir:
        """An entity's directory, made if missing: reached from the experiment without following
        a symlink when it lies inside the experiment, else the declared path itself."""
        path = _abs(path)
        if _inside(path, self._exp_path):
            return exp.sub(path.relative_to(self._exp_path))
        return Dir.open(path)

    def write(self, exp: Dir, model: Model) -> None:
        plan = self.plan(model.files)
        with self.open_root(exp, model.path) as root:
            for source, entries in plan.copies:
                if entries is None:
                    root.copy_in(source, source.name, follow=True)
                for path, relative, kind in entries or ():
                    with root.sub(relative.parent) as parent:
                        if kind == "dir":
                            parent.sub(Path(relative.name)).close()
                        elif kind == "link":
                            parent.symlink(os.readlink(path), relative.name)
                        else:
                            parent.copy_in(path, relative.name, follow=False)
            for source in model.files.to_symlink:
                root.symlink(str(source), source.name)
            self._configure(root, model, plan)

    def _configure(self, root: Dir, model: Model, plan: _Plan) -> None:
        log = [f"model: {model.name}", "parameters:"]
        log += [f"  {name} = {value}" for name, value in model.params.items()]
        log.append("configured files:")
        for source, relative in plan.configure:
            done = self._tags.configure(self.text(source), model.params)
            with root.sub(relative.parent) as parent:
                parent.write_text(relative.name, done.text, stat.S_IMODE(os.stat(source).st_mode))
            log.append(f"  {relative} (from {source}): {', '.join(done.used) or 'no parameters'}")
            if done.unmatched:
                _log.warning(
                    "%s: %s has tags that name no parameter, replaced by their own text: %s",
                    model.name,
                    source,
                    ", ".join(sorted(set(done.unmatched))),
                )
        root.write_text(PARAMS_LOG, "\n".join(log) + "\n")


def _contained(exp_path: Path, roots: list[Path]) -> None:
    """An entity path inside the experiment must be the real path it names: no symlink on the way."""
    exp_abs, exp_real = _abs(exp_path), _real(exp_path)
    for root in roots:
        path = _abs(root)
        if not _inside(path, exp_abs):
            continue
        real = _real(path)
        if real != exp_real / path.relative_to(exp_abs):
            where = "" if _inside(real, exp_real) else f", outside the experiment directory {exp_path}"
            raise GenerationError(
                f"entity path {path} goes through a symlink (it resolves to {real}{where}); generate never "
                "writes or deletes through symlinks: give the entity the real path or remove the link"
            )


def _check(exp_path: Path, dirs: list[Path], models: list[Model], overwrite: bool, writer: _Writer) -> None:
    existing = [d for d in dirs if os.path.lexists(d)]
    not_dirs = [d for d in existing if d.is_symlink() or not d.is_dir()]
    if not_dirs:
        raise GenerationError(
            f"entity path {not_dirs[0]} exists and is not a directory; remove it or choose another path"
        )
    _contained(exp_path, [*dirs, *(Path(m.path) for m in models)])
    if existing and not overwrite:
        shown = ", ".join(str(d) for d in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise GenerationError(
            f"{len(existing)} entity director{'y' if len(existing) == 1 else 'ies'} already exist "
            f"({shown}); pass overwrite=True to replace them"
        )
    outside = [d for d in existing if not _inside(_real(d), _real(exp_path))]
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
    writer = _Writer(tag, exp_path)
    all_models = [*models, *(m for e in ensembles for m in e)]
    dirs = _targets(models, ensembles)
    _check(exp_path, dirs, all_models, overwrite, writer)
    with Dir.open(_real(exp_path)) as exp:
        for directory in dirs:
            if os.path.lexists(directory):
                real = _real(directory).relative_to(_real(exp_path))
                with exp.sub(real.parent, create=False) as parent:
                    parent.remove_tree(real.name)
        for ensemble in ensembles:
            writer.open_root(exp, ensemble.path).close()
        for model in all_models:
            writer.write(exp, model)
