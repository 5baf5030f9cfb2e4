"""Which requests share an execution, and how a batch's outputs go back to each request."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.dataplane.protocol import Request, cluster_tag
from hpcsim.ml.batching import concatenate, plan_batches, split_outputs


def _rows(n: int, width: int = 4, dtype: str = "float32") -> list[np.ndarray]:
    return [np.zeros((n, width), dtype=dtype)]


def test_no_batch_size_runs_every_request_alone() -> None:
    assert plan_batches([_rows(1)] * 3, 0) == [[0], [1], [2]]


def test_compatible_requests_merge_up_to_batch_size() -> None:
    assert plan_batches([_rows(1)] * 5, 2) == [[0, 1], [2, 3], [4]]
    assert plan_batches([_rows(2), _rows(1), _rows(2), _rows(1)], 3) == [[0, 1], [2, 3]]


def test_incompatible_requests_do_not_merge() -> None:
    requests = [_rows(1), _rows(1, width=5), _rows(1, dtype="float64"), _rows(1), [np.float32(1.0) * np.ones(())]]
    assert plan_batches(requests, 8) == [[0, 3], [1], [2], [4]]


def test_a_request_larger_than_the_batch_runs_alone() -> None:
    assert plan_batches([_rows(1), _rows(9), _rows(1)], 4) == [[0, 2], [1]]


def test_inputs_with_different_row_counts_in_one_request_never_batch() -> None:
    odd = [np.zeros((2, 3)), np.zeros((3, 3))]
    assert plan_batches([odd, odd], 16) == [[0], [1]]


def test_concatenate_and_split_round_trip() -> None:
    first = [np.arange(4.0).reshape(2, 2), np.ones((2, 1))]
    second = [np.arange(4.0, 6.0).reshape(1, 2), np.zeros((1, 1))]
    merged = concatenate([first, second])
    assert [m.shape for m in merged] == [(3, 2), (3, 1)]
    shares = split_outputs([merged[0] * 2], [2, 1])
    np.testing.assert_array_equal(shares[0][0], first[0] * 2)
    np.testing.assert_array_equal(shares[1][0], second[0] * 2)


def test_outputs_without_one_row_per_input_row_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be batched"):
        split_outputs([np.zeros((1, 4))], [2, 1])


def test_request_round_trip_and_malformed_requests() -> None:
    request = Request("run", "{a}.model", "{a}.__hpcsim.ai.reply.x", "fn", ("in",), ("out",))
    assert Request.decode(request.encode()) == request
    with pytest.raises(ValueError):
        Request.decode(b"[1, 2]")
    with pytest.raises(KeyError):
        Request.decode(b'{"op": "run"}')


def test_cluster_tag_is_the_first_candidate_in_the_owned_slots() -> None:
    from redis.crc import key_slot

    everything = cluster_tag(lambda slot: True)
    assert everything == "{a}."
    upper = cluster_tag(lambda slot: slot >= 10923)
    assert key_slot(upper.encode()) >= 10923
    assert key_slot((upper + "model").encode()) == key_slot(upper.encode())
