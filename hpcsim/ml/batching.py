"""Which requests run together: RedisAI's batching rule, as pure functions.

Requests for one model may share an execution when their inputs agree in count, dtype and
every dimension but the first; their inputs are concatenated along axis 0 until the total
first dimension would exceed the model's ``batch_size``, and each request gets back its own
rows of every output. A request too large for ``batch_size`` runs alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["concatenate", "plan_batches", "split_outputs"]

Arrays = Sequence[np.ndarray[Any, Any]]


def _signature(inputs: Arrays) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
    """What must match for two requests to share a batch; None if this one cannot batch."""
    if not inputs or any(array.ndim == 0 for array in inputs):
        return None
    rows = {array.shape[0] for array in inputs}
    if len(rows) != 1:
        return None
    return tuple((array.dtype.str, array.shape[1:]) for array in inputs)


def plan_batches(requests: Sequence[Arrays], batch_size: int) -> list[list[int]]:
    """Indices of ``requests`` grouped into executions, in arrival order within each group."""
    if batch_size <= 0:
        return [[index] for index in range(len(requests))]
    batches: list[list[int]] = []
    open_batches: dict[object, tuple[list[int], int]] = {}
    for index, inputs in enumerate(requests):
        signature = _signature(inputs)
        rows = inputs[0].shape[0] if signature is not None else 0
        if signature is None or rows >= batch_size:
            batches.append([index])
            continue
        current = open_batches.get(signature)
        if current is not None and current[1] + rows <= batch_size:
            current[0].append(index)
            open_batches[signature] = (current[0], current[1] + rows)
            continue
        batch = [index]
        batches.append(batch)
        open_batches[signature] = (batch, rows)
    return batches


def concatenate(inputs: Sequence[Arrays]) -> list[np.ndarray[Any, Any]]:
    """The model's inputs for a batch: input *i* of every request, stacked along axis 0."""
    if len(inputs) == 1:
        return list(inputs[0])
    return [np.concatenate([request[i] for request in inputs]) for i in range(len(inputs[0]))]


def split_outputs(outputs: Arrays, rows: Sequence[int]) -> list[list[np.ndarray[Any, Any]]]:
    """Each request's share of ``outputs``; ValueError if an output is not one row per input row."""
    if len(rows) == 1:
        return [list(outputs)]
    total = sum(rows)
    for number, output in enumerate(outputs):
        if output.ndim == 0 or output.shape[0] != total:
            shape = tuple(output.shape)
            raise ValueError(
                f"output {number} has shape {shape} for a batch of {total} rows; a model whose outputs do not "
                "have one row per input row cannot be batched (store it with batch_size=0)"
            )
    bounds = np.cumsum(rows)[:-1]
    per_output = [np.split(output, bounds) for output in outputs]
    return [[parts[i] for parts in per_output] for i in range(len(rows))]
