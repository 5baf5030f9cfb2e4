"""How a model or script is stored in the database: the hash fields at its key (the blob
apart), which clients write and the inference worker reads, and the backends it may name."""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["BACKENDS", "FIELDS", "Stored"]

#: the backends a model may name, as clients and the worker spell them
BACKENDS = ("TF", "TFLITE", "TORCH", "ONNX")

#: every field of a stored object except the blob, in the order the worker asks for them
FIELDS = (
    "kind",
    "backend",
    "device",
    "version",
    "batch_size",
    "min_batch_size",
    "min_batch_timeout",
    "inputs",
    "outputs",
    "tag",
)


@dataclass(frozen=True)
class Stored:
    """A model's or script's description, without its blob."""

    kind: str
    backend: str
    device: str
    version: str
    batch_size: int = 0
    min_batch_size: int = 0
    min_batch_timeout: int = 0
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    tag: str = ""

    @classmethod
    def from_fields(cls, values: list[bytes | None]) -> Stored | None:
        """From an HMGET of :data:`FIELDS`; None when nothing is stored there."""
        text = dict(zip(FIELDS, ((v or b"").decode() for v in values), strict=True))
        if not text["kind"]:
            return None
        return cls(
            kind=text["kind"],
            backend=text["backend"],
            device=text["device"],
            version=text["version"],
            batch_size=int(text["batch_size"] or 0),
            min_batch_size=int(text["min_batch_size"] or 0),
            min_batch_timeout=int(text["min_batch_timeout"] or 0),
            inputs=tuple(json.loads(text["inputs"] or "[]")),
            outputs=tuple(json.loads(text["outputs"] or "[]")),
            tag=text["tag"],
        )

    def fields(self, blob: bytes) -> dict[str, bytes | str | int]:
        """The hash to store, blob included."""
        return {
            "kind": self.kind,
            "backend": self.backend,
            "device": self.device,
            "version": self.version,
            "batch_size": self.batch_size,
            "min_batch_size": self.min_batch_size,
            "min_batch_timeout": self.min_batch_timeout,
            "inputs": json.dumps(list(self.inputs)),
            "outputs": json.dumps(list(self.outputs)),
            "tag": self.tag,
            "blob": blob,
        }
