"""Device strings (``CPU``, ``GPU``, ``GPU:<n>``), and the error for a GPU that is not there.

Each backend counts GPUs its own way (``torch.cuda``, onnxruntime's CUDA provider,
``tf.config``) when it loads a model, so a GPU that only the framework sees (ROCm, say) counts.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

from hpcsim.ml.backends.base import BackendError

__all__ = ["Device", "missing_gpu", "parse_device"]

_DEVICE = re.compile(r"(CPU|GPU)(?::(\d+))?")


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
