"""What every backend shares: the error type, thread settings, the runner protocols and the
wording of the checks that all backends make before handing inputs to their framework."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = [
    "BackendError",
    "Runner",
    "ScriptRunner",
    "Threads",
    "check_count",
    "check_inputs",
    "clip",
    "last_paragraph",
]

# Framework messages are relayed to clients; beyond this they are noise, not information.
_MAX_MESSAGE = 2000


class BackendError(Exception):
    """A model or script could not be loaded or run; the message is the backend's own
    (plus what hpcsim knows: which model, which input), meant to reach the caller verbatim."""


@dataclass(frozen=True)
class Threads:
    """Thread pools a backend may use; 0 leaves the backend's default (usually one per core)."""

    intra_op: int = 0
    inter_op: int = 0


class Runner(Protocol):
    """A loaded model: safe to call again and again, from the cache of the worker."""

    n_inputs: int | None  # None when the backend cannot tell

    def run(self, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        """The model's outputs, in order, for ``inputs`` matched positionally."""
        ...


class ScriptRunner(Protocol):
    """A loaded script: a set of named functions over tensors."""

    functions: list[str]

    def run(self, function: str, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        """The outputs of ``function`` called with ``inputs`` positionally."""
        ...


def check_count(what: str, expected: int, got: int, at_least: int | None = None) -> None:
    """BackendError unless ``got`` inputs fit ``expected`` (or ``at_least``..``expected``)."""
    low = expected if at_least is None else at_least
    if low <= got <= expected:
        return
    wanted = str(expected) if low == expected else f"{low} to {expected}"
    noun = "input" if expected == 1 else "inputs"
    raise BackendError(f"{what} expects {wanted} {noun}, got {got}")


def check_inputs(
    names: Sequence[str], dtypes: Sequence[np.dtype[Any] | None], inputs: Sequence[np.ndarray[Any, Any]]
) -> None:
    """BackendError unless ``inputs`` are as many as the model declares, each of its declared
    dtype (``None``: any dtype)."""
    check_count("model", len(names), len(inputs))
    for index, (array, dtype) in enumerate(zip(inputs, dtypes, strict=True)):
        if dtype is not None and array.dtype != dtype:
            raise BackendError(f"input {index} ({names[index]!r}) must be {dtype}, got {array.dtype}")


def clip(text: str) -> str:
    """``text`` cut to a length a client can still read in one error reply."""
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def last_paragraph(message: str) -> str:
    """The part of a framework message that states the error: frameworks put tracebacks of
    the model's own code first and the actual error last, separated by blank lines."""
    paragraphs = [part.strip() for part in message.strip().split("\n\n") if part.strip()]
    text = paragraphs[-1] if paragraphs else message.strip()
    return clip(text)
