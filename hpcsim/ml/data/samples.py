"""The checks every batch of training data passes, and the growing arrays that hold them."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Growing", "Layout"]

Array = np.ndarray[Any, Any]


def _describe(array: Array) -> str:
    return f"shape {tuple(array.shape)} ({array.dtype})"


class Layout:
    """Remembers the first batch's dtypes and per-sample shapes; every later batch must match."""

    def __init__(self) -> None:
        self._first: tuple[str, Array, Array | None] | None = None

    def check(self, label: str, samples: object, targets: object | None) -> None:
        """ValueError (TypeError for non-arrays) naming ``label`` if this batch is malformed or
        differs from the first one."""
        for what, value in (("samples", samples), ("targets", targets)):
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"{what} of batch {label!r} must be a numpy.ndarray, not {type(value).__name__}")
        assert isinstance(samples, np.ndarray)
        if samples.ndim == 0:
            raise ValueError(f"samples of batch {label!r} must have a first (sample) axis; got a scalar")
        if isinstance(targets, np.ndarray) and (targets.ndim == 0 or len(targets) != len(samples)):
            count = "a scalar" if targets.ndim == 0 else f"{len(targets)} targets"
            raise ValueError(f"batch {label!r} has {len(samples)} samples but {count}; each sample needs one target")
        if self._first is None:
            self._first = (label, samples, targets if isinstance(targets, np.ndarray) else None)
            return
        first_label, first_samples, first_targets = self._first
        pairs = (("samples", first_samples, samples), ("targets", first_targets, targets))
        for what, before, now in pairs:
            if (before is None) != (now is None):
                had = "has" if now is not None else "has no"
                raise ValueError(
                    f"batch {label!r} {had} {what}, unlike the first batch {first_label!r}; "
                    "every batch must have the same tensors"
                )
            if (
                isinstance(before, np.ndarray)
                and isinstance(now, np.ndarray)
                and (before.shape[1:] != now.shape[1:] or before.dtype != now.dtype)
            ):
                raise ValueError(
                    f"{what} of batch {label!r} have {_describe(now)}, but the first batch {first_label!r} "
                    f"has {_describe(before)}; samples must keep one dtype and shape past the first axis"
                )


class Growing:
    """An array that grows along its first axis with amortised copies (capacity doubles)."""

    def __init__(self) -> None:
        self._buffer: Array | None = None
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, parts: list[Array]) -> None:
        if not parts:
            return
        needed = self._size + sum(len(part) for part in parts)
        if self._buffer is None or needed > len(self._buffer):
            capacity = max(needed, 2 * (0 if self._buffer is None else len(self._buffer)))
            grown = np.empty((capacity, *parts[0].shape[1:]), dtype=parts[0].dtype)
            if self._buffer is not None:
                grown[: self._size] = self._buffer[: self._size]
            self._buffer = grown
        for part in parts:
            self._buffer[self._size : self._size + len(part)] = part
            self._size += len(part)

    @property
    def array(self) -> Array:
        """The data so far (a view; it stays valid until the next ``extend``)."""
        if self._buffer is None:
            return np.empty((0,))
        return self._buffer[: self._size]
