"""Device strings (``CPU``, ``GPU``, ``GPU:<n>``) and whether the named GPU exists here.

Each backend counts GPUs its own way (``torch.cuda``, onnxruntime's CUDA provider,
``tf.config``) when it loads a model; ``check_device`` answers without importing any framework,
from what the NVIDIA driver shows this process, so it is cheap enough to call on every store.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from hpcsim.ml.backends.base import BackendError

__all__ = ["Device", "check_device", "driver_gpu_count", "missing_gpu", "parse_device"]

_DEVICE = re.compile(r"(CPU|GPU)(?::(\d+))?")
_NVIDIA_NODE = re.compile(r"nvidia\d+")


@dataclass(frozen=True)
class Device:
    """A parsed device: ``kind`` is ``"CPU"`` or ``"GPU"``; ``index`` is the GPU's ordinal."""

    kind: str
    index: int = 0

    @property
    def is_gpu(self) -> bool:
        return self.kind == "GPU"

    def __str__(self) -> str:
        return f"GPU:{self.index}" if self.is_gpu else "CPU"


def parse_device(device: str) -> Device:
    """``device`` as a ``Device``; ``GPU`` means ``GPU:0``. BackendError when malformed."""
    match = _DEVICE.fullmatch(device.strip().upper())
    if match is None or (match.group(1) == "CPU" and match.group(2) is not None):
        raise BackendError(f"device {device!r} is not valid: use CPU, GPU or GPU:<n>")
    return Device(match.group(1), int(match.group(2) or 0))


def missing_gpu(device: Device, count: int, view: str) -> BackendError:
    """The error for a GPU that ``view`` (who counted) does not see on this host."""
    plural = "" if count == 1 else "s"
    return BackendError(
        f"device {device} does not exist on {socket.gethostname()}: it has {count} GPU{plural} visible to {view}"
    )


def driver_gpu_count() -> int:
    """GPUs the NVIDIA driver gives this process: its ``/dev/nvidia<n>`` nodes, narrowed by
    ``CUDA_VISIBLE_DEVICES`` the way CUDA reads it (up to the first entry that names no GPU)."""
    try:
        nodes = sum(1 for entry in Path("/dev").iterdir() if _NVIDIA_NODE.fullmatch(entry.name))
    except OSError:
        nodes = 0
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return nodes
    count = 0
    for entry in (part.strip() for part in visible.split(",")):
        valid = (entry.isdigit() and int(entry) < nodes) or entry.startswith(("GPU-", "MIG-"))
        if not valid:
            break
        count += 1
    return min(count, nodes)


def check_device(device: str) -> None:
    """BackendError if ``device`` is malformed or names a GPU the driver does not show here."""
    parsed = parse_device(device)
    if parsed.is_gpu:
        count = driver_gpu_count()
        if parsed.index >= count:
            raise missing_gpu(parsed, count, "the NVIDIA driver")
