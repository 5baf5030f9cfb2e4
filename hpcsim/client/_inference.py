"""Asking the inference worker beside a server for something, and waiting for its answer.

A request is queued only while the worker's heartbeat exists (one Lua step, which also
appends the object's description and the small inputs for the worker), and the caller waits
on its own reply list in slices, checking the heartbeat after each empty one. So a dead or
missing worker is reported within a second or so, and a slow model only until the model
timeout (``HPCSIM_MODEL_TIMEOUT``), after which the request is taken back off the queue.
In a cluster, inputs held by other shards are copied next to the worker first, and outputs
whose keys belong elsewhere are moved there afterwards.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

from redis.crc import key_slot

from hpcsim import errors
from hpcsim.client._base import ClientBase
from hpcsim.client.connection import Node
from hpcsim.client.options import Timeouts
from hpcsim.dataplane import protocol
from hpcsim.errors import InferenceError, KeyNotFoundError

__all__ = ["InferenceBase"]

#: the first wait for an answer, sent along with the request: small models answer within it
_FIRST_WAIT = 0.1
#: seconds a missing heartbeat is waited for (the worker refreshes it every second)
_HEARTBEAT_GRACE = 1.5
_PUSH = protocol.PUSH_SCRIPT.encode()
_WITHDRAW = protocol.WITHDRAW_SCRIPT.encode()
_INLINE_MAX = b"%d" % protocol.INLINE_MAX


class InferenceBase(ClientBase):
    """Hash tags per server, requests to workers, and inputs/outputs placed for them."""

    _ai_tags: dict[str, str]
    _timeouts: Timeouts

    def _tag(self, node: Node) -> str:
        """The key tag local to ``node`` ("" on a standalone server)."""
        if self._transport.kind != "cluster":
            return ""
        tag = self._ai_tags.get(node.label)
        if tag is None:
            tag = self._ai_tags[node.label] = protocol.cluster_tag(lambda slot: self._transport.owns(node, slot))
        return tag

    def _is_local(self, node: Node, key: str) -> bool:
        return self._transport.owns(node, key_slot(key.encode()))

    def _ask(self, node: Node, request: protocol.Request, what: str) -> None:
        """Queue ``request`` with ``node``'s worker and wait for its answer; InferenceError
        with the worker's message if it failed."""
        tag = self._tag(node)
        heartbeat = protocol.heartbeat_key(tag).encode()
        queue = protocol.queue_key(tag).encode()
        reply = request.reply.encode()
        body = request.encode()
        keys = [heartbeat, queue, request.key.encode(), *(request.inputs[i].encode() for i in request.inline)]
        push = (b"EVAL", _PUSH, b"%d" % len(keys), *keys, body, _INLINE_MAX)
        wait = min(_FIRST_WAIT, self._timeouts.socket / 2)
        missing_since = time.monotonic()
        while True:
            pushed, answer = self._run([(node, push), (node, (b"BLPOP", reply, b"%g" % wait))])
            self._check_replies([pushed, answer], what)
            # a heartbeat also vanishes with FLUSHDB for up to a second: look again before giving up
            if pushed == 1 or time.monotonic() - missing_since > _HEARTBEAT_GRACE:
                break
        if pushed != 1:
            raise InferenceError(
                f"{what}: no inference worker is running beside the database server {node.label}; hpcsim starts "
                "one with every server it launches, so this server was started some other way or its worker "
                "stopped (see the database's log)"
            )
        deadline = time.monotonic() + self._timeouts.model
        slice_ = min(1.0, self._timeouts.socket / 2)
        while answer is None:
            if time.monotonic() >= deadline:
                self._run([(node, (b"EVAL", _WITHDRAW, b"1", queue, body + b"\n"))])
                raise errors.TimeoutError(
                    f"{what}: no answer from the inference worker beside {node.label} within "
                    f"HPCSIM_MODEL_TIMEOUT={self._timeouts.model:g} s; the request was withdrawn"
                )
            answer, alive = self._run(
                [
                    (node, (b"BLPOP", reply, b"%g" % min(slice_, deadline - time.monotonic()))),
                    (node, (b"EXISTS", heartbeat)),
                ]
            )
            self._check_replies([answer, alive], what)
            if answer is None and not alive:
                self._run([(node, (b"EVAL", _WITHDRAW, b"1", queue, body + b"\n"))])
                raise InferenceError(f"{what}: the inference worker beside {node.label} stopped before answering")
        result = json.loads(answer[1])
        if "error" in result:
            raise InferenceError(f"{what}: {result['error']}")

    def _execute(self, what: str, key: str, function: str, inputs: Sequence[str], outputs: Sequence[str]) -> None:
        """Run the model or script at ``key`` (untagged) on tensors ``inputs`` into ``outputs``
        on the worker of the server holding the first input."""
        if not inputs:
            raise ValueError(f"{what}: give at least one input tensor")
        if not outputs:
            raise ValueError(f"{what}: give at least one output tensor name")
        node = self._transport.route(inputs[0].encode())
        tag = self._tag(node)
        token = secrets.token_hex(8)
        temporary: list[str] = []
        local_in = [self._place_input(node, tag, token, i, key_) for i, key_ in enumerate(inputs)]
        local_out = [
            k if self._is_local(node, k) else f"{tag}__hpcsim.ai.tmp.{token}.out{i}" for i, k in enumerate(outputs)
        ]
        temporary += [k for k, original in zip(local_in, inputs, strict=True) if k != original]
        temporary += [k for k, original in zip(local_out, outputs, strict=True) if k != original]
        queue = protocol.queue_key(tag)
        inline = tuple(i for i, k in enumerate(local_in) if self._same_slot(k, queue))
        reply = protocol.reply_key(tag, token)
        request = protocol.Request("run", tag + key, reply, function, local_in, local_out, inline)
        try:
            self._ask(node, request, what)
            for moved, final in zip(local_out, outputs, strict=True):
                if moved != final:
                    value = self._run([(node, (b"GET", moved.encode()))])[0]
                    self._call(final, b"SET", value)
        finally:
            if temporary:
                self._run([(node, (b"DEL", *(k.encode() for k in temporary)))])

    def _place_input(self, node: Node, tag: str, token: str, index: int, key: str) -> str:
        """``key`` itself if ``node`` holds it, else a temporary copy on ``node``."""
        if self._is_local(node, key):
            return key
        value: Any = self._call(key, b"GET")
        if value is None:
            raise KeyNotFoundError(f"input tensor {key!r} does not exist")
        local = f"{tag}__hpcsim.ai.tmp.{token}.in{index}"
        replies = self._run([(node, (b"SET", local.encode(), value))])
        self._check_replies(replies, f"copying input {key!r} next to the worker")
        return local

    def _each_node(self) -> list[tuple[Node, str]]:
        """Every primary with its tag: a cluster keeps a copy of each model on every shard."""
        return [(node, self._tag(node)) for node in self._transport.nodes()]

    def _first_node(self) -> tuple[Node, str]:
        node = self._transport.nodes()[0]
        return node, self._tag(node)
