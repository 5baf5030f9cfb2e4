"""The request path between ``run_model`` and the worker: version-2 requests carry the object's
description and small inputs from the server's push; version-1 requests (the C client's) are
still served; a newer version, a missing or oversized input and a withdrawn request each behave
as documented in docs/ml.md."""

from __future__ import annotations

import io
import json
import os
import secrets
import signal

import numpy as np
import pytest
import redis
import torch

from hpcsim import Client, errors
from hpcsim.dataplane import codec, protocol
from hpcsim.dataplane.objects import FIELDS
from hpcsim.db.secret import read_secret
from hpcsim.errors import InferenceError
from tests.ml.conftest import MLDatabase

#: what version-1 clients (clients/src/c) push: the request's JSON alone
_V1_PUSH = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end redis.call('RPUSH', KEYS[2], ARGV[1]) return 1"


class Double(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2


def _blob() -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(Double().eval()), buffer)
    return buffer.getvalue()


def _raw(database: MLDatabase) -> redis.Redis:
    host, port = database.addresses[0].rsplit(":", 1)
    return redis.Redis(host=host, port=int(port), password=read_secret(database.password_file), protocol=2)


def _ask_raw(raw: redis.Redis, element: bytes, reply: str, script: str = _V1_PUSH) -> dict[str, object]:
    """Push ``element`` as a client of that version would and wait for the worker's answer."""
    heartbeat, queue = protocol.heartbeat_key(""), protocol.queue_key("")
    assert raw.eval(script, 2, heartbeat, queue, element) == 1
    answer = raw.blpop([reply], 30)
    assert answer is not None, "no answer from the worker"
    return dict(json.loads(answer[1]))


def test_decode_queued_reads_what_the_push_script_appends() -> None:
    request = protocol.Request("run", "m", "r", "", ("a", "b", "c"), ("y",), (0, 2))
    fields = [b"model", None, b"CPU", b"v1", b"0", b"0", b"0", b"[]", b"[]", b""]
    tail = b"".join(b"-" if v is None else b"%d:%s" % (len(v), v) for v in fields)
    queued = protocol.decode_queued(request.encode() + b"\n" + tail + b"3:a:b~")
    assert queued.request == request
    assert queued.described == fields
    assert queued.inputs == {0: b"a:b", 2: protocol.NOT_INLINED}
    assert protocol.decode_queued(request.encode()).described is None  # version 1: nothing appended
    with pytest.raises(ValueError, match="values follow"):
        protocol.decode_queued(request.encode() + b"\n" + tail)
    with pytest.raises(ValueError, match="cut short"):
        protocol.decode_queued(request.encode() + b"\n" + tail + b"9:ab-")
    assert len(FIELDS) == len(fields)


def test_a_version_1_request_is_still_served(standalone_ml: MLDatabase) -> None:
    client = Client(cluster=False)
    model, x, y = f"v1_{secrets.token_hex(4)}", f"v1x_{secrets.token_hex(4)}", f"v1y_{secrets.token_hex(4)}"
    client.set_model(model, _blob(), "TORCH")
    client.put_tensor(x, np.arange(4, dtype=np.float32))
    reply = protocol.reply_key("", secrets.token_hex(8))
    body = {"op": "run", "key": model, "reply": reply, "fn": "", "in": [x], "out": [y]}
    answer = _ask_raw(_raw(standalone_ml), json.dumps(body).encode(), reply)
    assert answer == {"ok": True}
    np.testing.assert_array_equal(client.get_tensor(y), np.arange(4, dtype=np.float32) * 2)


def test_a_newer_request_version_is_answered_with_a_clear_error(standalone_ml: MLDatabase) -> None:
    reply = protocol.reply_key("", secrets.token_hex(8))
    newer = protocol.Request("run", "m", reply, "", ("x",), ("y",), version=protocol.VERSION + 1)
    answer = _ask_raw(_raw(standalone_ml), newer.encode(), reply)
    assert "format version" in str(answer["error"]) and "same hpcsim version" in str(answer["error"])


def test_large_inputs_are_fetched_and_missing_ones_are_named(standalone_ml: MLDatabase) -> None:
    client = Client(cluster=False)
    model = f"big_{secrets.token_hex(4)}"
    client.set_model(model, _blob(), "TORCH")
    big = np.random.default_rng(1).random((2, protocol.INLINE_MAX // 4), dtype=np.float32)  # over INLINE_MAX
    assert len(b"".join(codec.encode_tensor(big))) > protocol.INLINE_MAX
    client.put_tensor("big_in", big)
    client.run_model(model, "big_in", "big_out")
    np.testing.assert_array_equal(client.get_tensor("big_out"), big * 2)
    with pytest.raises(InferenceError, match="input tensor 'never_put' does not exist"):
        client.run_model(model, "never_put", "nothing")
    client.put_tensor("small_in", np.ones(3, dtype=np.float32))
    _raw(standalone_ml).hset("not_a_tensor", "a", "b")
    with pytest.raises(InferenceError, match="'not_a_tensor' cannot be read"):
        client.run_model(model, "not_a_tensor", "nothing")


def test_a_model_stored_field_by_field_as_before_still_runs(standalone_ml: MLDatabase) -> None:
    """The stored form is unchanged: a hash written directly, as earlier versions wrote it."""
    raw = _raw(standalone_ml)
    name = f"old_{secrets.token_hex(4)}"
    fields = {"kind": "model", "backend": "TORCH", "device": "CPU", "version": secrets.token_hex(8)}
    fields.update({"batch_size": "0", "min_batch_size": "0", "min_batch_timeout": "0"})
    raw.hset(name, mapping={**fields, "inputs": "[]", "outputs": "[]", "tag": "", "blob": _blob()})
    client = Client(cluster=False)
    client.put_tensor("old_in", np.ones((1, 2), dtype=np.float32))
    client.run_model(name, "old_in", "old_out")
    np.testing.assert_array_equal(client.get_tensor("old_out"), np.full((1, 2), 2, dtype=np.float32))


def test_a_withdrawn_request_leaves_the_queue(private_ml: MLDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(cluster=False)
    client.set_model("stalled", _blob(), "TORCH")
    client.put_tensor("wx", np.ones(2, dtype=np.float32))
    (pid,) = private_ml.worker_pids()
    os.kill(pid, signal.SIGSTOP)
    monkeypatch.setenv("HPCSIM_MODEL_TIMEOUT", "0.5")
    raw = _raw(private_ml)
    try:
        with pytest.raises(errors.TimeoutError, match="withdrawn"):
            Client(cluster=False).run_model("stalled", "wx", "wy")
        assert raw.llen(protocol.queue_key("")) == 0
    finally:
        os.kill(pid, signal.SIGCONT)
    client.run_model("stalled", "wx", "wy")
    np.testing.assert_array_equal(client.get_tensor("wy"), np.full(2, 2, dtype=np.float32))
