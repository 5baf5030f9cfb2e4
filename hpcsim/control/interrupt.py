"""Holding Ctrl-C back while jobs are being submitted, so an interrupt never leaves a job
running that the store does not know about."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

__all__ = ["Deferred", "defer_sigint"]


@dataclass
class Deferred:
    """Whether a SIGINT arrived while it was held back."""

    hit: bool = False


@contextmanager
def defer_sigint() -> Iterator[Deferred]:
    """Record SIGINT instead of raising inside the block (main thread only; elsewhere Python
    delivers no signals anyway)."""
    state = Deferred()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def hold(signum: int, frame: FrameType | None) -> None:
        state.hit = True

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)
