"""The frameworks that run stored models and scripts: TF, TFLITE, TORCH and ONNX.

The inference worker hands this package blobs and numpy arrays and gets numpy arrays back; it
knows nothing about frameworks, and this package knows nothing about Redis. Each framework is
imported only when a model of its backend is loaded, so a database host needs only the
frameworks its models use; ``available()`` tells which ones it has without importing any.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Mapping, Sequence

from hpcsim.dataplane.objects import BACKENDS
from hpcsim.ml.backends.base import BackendError, Runner, ScriptRunner, Threads
from hpcsim.ml.backends.devices import Device, parse_device

__all__ = [
    "BACKENDS",
    "BackendError",
    "Runner",
    "ScriptRunner",
    "Threads",
    "available",
    "install_hint",
    "load_model",
    "load_script",
    "package_for",
    "wanted_package",
]

_DEFAULT_THREADS = Threads()  # every backend's own default

# Per backend: the packages that can run it (first found wins) and the extra that installs them.
_PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "TF": (("tensorflow",), "tf"),
    "TFLITE": (("ai_edge_litert", "tensorflow"), "tf"),
    "TORCH": (("torch",), "ml"),
    "ONNX": (("onnxruntime",), "ml"),
}

_Loader = Callable[[bytes, Device, tuple[str, ...], tuple[str, ...], Threads], Runner]


def package_for(backend: str) -> str | None:
    """The installed package that runs ``backend``, found without importing it."""
    return next((name for name in _PACKAGES[backend][0] if importlib.util.find_spec(name) is not None), None)


def wanted_package(backend: str) -> str:
    """The package that ``backend`` is usually run with (what to install when none is)."""
    return _PACKAGES[backend][0][0]


def install_hint(backend: str) -> str:
    """The pip command that installs what ``backend`` needs."""
    return f"pip install 'hpcsim[{_PACKAGES[backend][1]}]'"


def _require(backend: str) -> None:
    if package_for(backend) is None:
        raise BackendError(
            f"backend {backend} needs the {wanted_package(backend)!r} package, which is not installed beside this "
            f"database (python: {sys.executable}); install it with: {install_hint(backend)}"
        )


def _loader(backend: str) -> _Loader:
    """The ``load`` function of ``backend``'s module, importing the framework now."""
    _require(backend)
    try:
        if backend == "TORCH":
            from hpcsim.ml.backends.torch_backend import load as load_torch

            return load_torch
        if backend == "ONNX":
            from hpcsim.ml.backends.onnx_backend import load as load_onnx

            return load_onnx
        if backend == "TF":
            from hpcsim.ml.backends.tf_backend import load as load_tf

            return load_tf
        from hpcsim.ml.backends.tflite_backend import load as load_tflite

        return load_tflite
    except ImportError as exc:  # installed but broken (a missing shared library, a bad build)
        raise BackendError(f"backend {backend} could not import its framework: {exc}") from exc


def load_model(
    backend: str,
    blob: bytes,
    device: str,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    threads: Threads = _DEFAULT_THREADS,
) -> Runner:
    """A runner for the model ``blob`` of ``backend`` on ``device``. ``inputs``/``outputs`` are
    the tensor names TF needs (the other backends take inputs and give outputs by position)."""
    name = backend.strip().upper()
    if name not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; hpcsim runs: {', '.join(BACKENDS)}")
    parsed = parse_device(device)
    return _loader(name)(blob, parsed, tuple(inputs), tuple(outputs), threads)


def load_script(source: str, device: str, threads: Threads = _DEFAULT_THREADS) -> ScriptRunner:
    """A runner for the functions of the TorchScript ``source`` on ``device``."""
    parsed = parse_device(device)
    _require("TORCH")
    try:
        from hpcsim.ml.backends import torch_backend
    except ImportError as exc:
        raise BackendError(f"scripts need torch, which could not be imported: {exc}") from exc
    return torch_backend.load_script(source, parsed, threads)


@functools.cache
def _distributions() -> Mapping[str, list[str]]:
    """Import package -> distributions providing it: a scan of every installed distribution
    (tenths of a second), done once per process."""
    return importlib.metadata.packages_distributions()


def _version(package: str) -> str:
    """The version of the distribution that provides the import package ``package``."""
    for distribution in _distributions().get(package, []):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def available() -> dict[str, str]:
    """Backend name → version of the package that runs it, for the backends installed here."""
    found: dict[str, str] = {}
    for backend in BACKENDS:
        package = package_for(backend)
        if package is not None:
            found[backend] = _version(package)
    return found
