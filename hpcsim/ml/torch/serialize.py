"""TorchScript blobs from PyTorch modules, ready for ``Client.set_model(..., backend="TORCH")``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

__all__ = ["save_model", "serialize_model", "to_torchscript"]


def to_torchscript(module: torch.nn.Module, example_inputs: tuple[Any, ...] | None = None) -> torch.jit.ScriptModule:
    """``module`` compiled for TorchScript: as-is when it already is a ScriptModule, traced with
    ``example_inputs`` when given (for code ``torch.jit.script`` cannot compile), else scripted."""
    if isinstance(module, torch.jit.ScriptModule):
        return module
    if example_inputs is not None:
        # Tracing records what runs, so it runs in eval mode (no dropout, running batch-norm stats).
        training = module.training
        module.eval()
        try:
            traced: torch.jit.ScriptModule = torch.jit.trace(module, example_inputs)  # type: ignore[no-untyped-call]
        finally:
            module.train(training)
        return traced
    scripted: torch.jit.ScriptModule = torch.jit.script(module)
    return scripted


def serialize_model(module: torch.nn.Module, example_inputs: tuple[Any, ...] | None = None) -> bytes:
    """The bytes of ``torch.jit.save`` for ``module`` (see ``to_torchscript``)."""
    buffer = io.BytesIO()
    torch.jit.save(to_torchscript(module, example_inputs), buffer)
    return buffer.getvalue()


def save_model(module: torch.nn.Module, path: str | Path, example_inputs: tuple[Any, ...] | None = None) -> str:
    """Write ``serialize_model(module, example_inputs)`` to ``path``; its absolute path."""
    target = Path(path).resolve()
    target.write_bytes(serialize_model(module, example_inputs))
    return str(target)
