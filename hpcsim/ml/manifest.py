"""The file that tells a database which ML models and scripts to load before an application starts.

The driver writes it (:func:`write_manifest`): in-memory models and sources become files next to
it, so a colocated database on a compute node can read everything from the shared filesystem.
Whoever holds a client of the database reads it back and loads each object
(:func:`load_manifest`): the driver for a standalone database, the colocated server's worker
for its own server (``--load``). Every entry is checked again on reading, with the rules of
``Model.add_ml_model``/``add_script``, so a hand-edited manifest fails with the field named.

``manifest.json``::

    {"models": [{"name", "backend", "file", "device", "devices_per_node", "first_device",
                 "batch_size", "min_batch_size", "min_batch_timeout", "tag", "inputs", "outputs"}],
     "scripts": [{"name", "file", "device", "devices_per_node", "first_device"}]}
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hpcsim._atomic import write_atomic
from hpcsim.entities.dbobjects import DBModel, DBScript
from hpcsim.errors import ConfigError, HpcsimError, MissingFileError

if TYPE_CHECKING:
    from hpcsim.client import Client

__all__ = ["MANIFEST_NAME", "load_manifest", "load_objects", "read_manifest", "write_manifest"]

MANIFEST_NAME = "manifest.json"
#: file suffix of an in-memory model written out, by backend
_SUFFIX = {"TF": ".pb", "TFLITE": ".tflite", "TORCH": ".pt", "ONNX": ".onnx"}
#: files this module writes (``model0-name.pt``), so stale ones from an earlier launch can go
_WRITTEN = re.compile(r"^(model|script)\d+-")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")

_KINDS = {str: "a string", int: "an integer", list: "a list"}
_MODEL_FIELDS: dict[str, type] = {
    "name": str,
    "backend": str,
    "file": str,
    "device": str,
    "devices_per_node": int,
    "first_device": int,
    "batch_size": int,
    "min_batch_size": int,
    "min_batch_timeout": int,
    "tag": str,
    "inputs": list,
    "outputs": list,
}
_SCRIPT_FIELDS: dict[str, type] = {
    "name": str,
    "file": str,
    "device": str,
    "devices_per_node": int,
    "first_device": int,
}


def _file_name(kind: str, index: int, name: str, suffix: str) -> str:
    return f"{kind}{index}-{_UNSAFE.sub('_', name)[:64]}{suffix}"


def write_manifest(models: Sequence[DBModel], scripts: Sequence[DBScript], directory: Path) -> Path:
    """Write ``directory/manifest.json`` for ``models`` and ``scripts``, with each in-memory
    model or source written to its own file there; return the manifest's path. Files named
    the same way by an earlier call and not needed now are removed."""
    directory = Path(os.path.abspath(directory))
    directory.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    model_entries = []
    for index, model in enumerate(models):
        file = model.file
        if file is None:
            file = directory / _file_name("model", index, model.name, _SUFFIX[model.backend])
            write_atomic(file, model.model or b"")
            written.add(file.name)
        model_entries.append(
            {
                "name": model.name,
                "backend": model.backend,
                "file": str(file),
                "device": model.device,
                "devices_per_node": model.devices_per_node,
                "first_device": model.first_device,
                "batch_size": model.batch_size,
                "min_batch_size": model.min_batch_size,
                "min_batch_timeout": model.min_batch_timeout,
                "tag": model.tag,
                "inputs": list(model.inputs),
                "outputs": list(model.outputs),
            }
        )
    script_entries = []
    for index, script in enumerate(scripts):
        file = script.file
        if file is None:
            file = directory / _file_name("script", index, script.name, ".py")
            write_atomic(file, (script.script or "").encode())
            written.add(file.name)
        script_entries.append(
            {
                "name": script.name,
                "file": str(file),
                "device": script.device,
                "devices_per_node": script.devices_per_node,
                "first_device": script.first_device,
            }
        )
    for stale in directory.iterdir():
        if _WRITTEN.match(stale.name) and stale.name not in written and stale.is_file():
            stale.unlink(missing_ok=True)
    manifest = directory / MANIFEST_NAME
    text = json.dumps({"models": model_entries, "scripts": script_entries}, indent=2) + "\n"
    write_atomic(manifest, text.encode())
    return manifest


def _entry(raw: object, where: str, fields: Mapping[str, type], base: Path) -> dict[str, Any]:
    """``raw`` with every field present and of its JSON type; a relative file is taken as
    relative to the manifest's directory."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be an object, got {raw!r}")
    missing = [f for f in fields if f not in raw]
    if missing:
        raise ConfigError(f"{where} lacks the field {missing[0]!r}")
    for field, kind in fields.items():
        value = raw[field]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: field {field!r} must be {_KINDS[kind]}, got {value!r}")
    entry = dict(raw)
    entry["file"] = str(base / entry["file"])
    return entry


@contextlib.contextmanager
def _blame(where: str) -> Iterator[None]:
    """Prefix the errors of the entity rules with where in the manifest they happened."""
    try:
        yield
    except MissingFileError as exc:
        raise MissingFileError(f"{where}: {exc}") from None
    except (HpcsimError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _model(where: str, raw: object, base: Path) -> DBModel:
    e = _entry(raw, where, _MODEL_FIELDS, base)
    with _blame(where):
        return DBModel(
            e["name"],
            e["backend"],
            model_path=e["file"],
            device=e["device"],
            devices_per_node=e["devices_per_node"],
            first_device=e["first_device"],
            batch_size=e["batch_size"],
            min_batch_size=e["min_batch_size"],
            min_batch_timeout=e["min_batch_timeout"],
            tag=e["tag"],
            inputs=e["inputs"],
            outputs=e["outputs"],
        )


def _script(where: str, raw: object, base: Path) -> DBScript:
    e = _entry(raw, where, _SCRIPT_FIELDS, base)
    with _blame(where):
        return DBScript(
            e["name"],
            script_path=e["file"],
            device=e["device"],
            devices_per_node=e["devices_per_node"],
            first_device=e["first_device"],
        )


def read_manifest(path: Path) -> tuple[list[DBModel], list[DBScript]]:
    """The models and scripts of the manifest at ``path``, every entry checked (ConfigError
    naming the file, the entry and the field; MissingFileError for a missing file)."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise MissingFileError(f"ML manifest {str(path)!r} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"ML manifest {str(path)!r} cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"ML manifest {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"ML manifest {str(path)!r} must hold a JSON object with 'models' and 'scripts'")
    lists: dict[str, list[Any]] = {}
    for key in ("models", "scripts"):
        value = data.get(key, [])
        if not isinstance(value, list):
            raise ConfigError(f"ML manifest {str(path)!r}: field {key!r} must be a list, got {value!r}")
        lists[key] = value
    base = path.parent.absolute()
    where = f"ML manifest {str(path)!r}"
    models = [_model(f"{where}: models[{i}]", raw, base) for i, raw in enumerate(lists["models"])]
    scripts = [_script(f"{where}: scripts[{i}]", raw, base) for i, raw in enumerate(lists["scripts"])]
    return models, scripts


def load_objects(client: Client, models: Sequence[DBModel], scripts: Sequence[DBScript]) -> list[str]:
    """Store ``models`` and ``scripts`` through ``client`` (its worker loads each, and a
    failure raises the client's ClientError); the names, in order. Several GPUs use the
    ``_multigpu`` calls; otherwise the single device of :attr:`DBObject.devices`."""
    names = []
    for model in models:
        options: dict[str, Any] = {
            "batch_size": model.batch_size,
            "min_batch_size": model.min_batch_size,
            "min_batch_timeout": model.min_batch_timeout,
            "tag": model.tag,
            "inputs": list(model.inputs) or None,
            "outputs": list(model.outputs) or None,
        }
        file = str(model.file)
        if model.device == "GPU" and model.devices_per_node > 1:
            client.set_model_from_file_multigpu(
                model.name, file, model.backend, model.first_device, model.devices_per_node, **options
            )
        else:
            client.set_model_from_file(model.name, file, model.backend, model.devices[0], **options)
        names.append(model.name)
    for script in scripts:
        if script.device == "GPU" and script.devices_per_node > 1:
            client.set_script_from_file_multigpu(
                script.name, str(script.file), script.first_device, script.devices_per_node
            )
        else:
            client.set_script_from_file(script.name, str(script.file), script.devices[0])
        names.append(script.name)
    return names


def load_manifest(client: Client, path: Path) -> list[str]:
    """Load every model and script of the manifest at ``path`` through ``client``; the
    names loaded, in order. The manifest is checked whole before anything is loaded."""
    models, scripts = read_manifest(path)
    return load_objects(client, models, scripts)
