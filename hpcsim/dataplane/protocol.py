"""How clients and the inference worker beside a server talk, through that server.

Everything an inference needs lives on one server, so the worker only ever talks to its own:

- A model or script is a hash at its key (``<tag><name>``): ``kind`` (model|script),
  ``backend``, ``device``, ``blob`` (model bytes or script source), the batching fields, TF's
  ``inputs``/``outputs`` (JSON lists) and ``version``, a random token that changes with every
  store, so the worker knows when its cached copy is stale.
- A request is JSON pushed onto ``<tag>__hpcsim.ai.queue``; the worker answers on the
  caller's own reply list (``<tag>__hpcsim.ai.reply.<token>``), which expires by itself.
- The worker keeps ``<tag>__hpcsim.ai.worker`` alive (a key with a short expiry); a request is
  only queued while it exists (one Lua step), so a caller never waits on a dead worker.
- Statistics per model or script are a hash at ``<tag>__hpcsim.ai.stats.<key>``.

On a standalone server the tag is empty. In a Redis Cluster it is a hash tag ``{t}.`` whose slot
the server owns (:func:`cluster_tag`), so a copy of each model sits on every shard and the
worker's keys are local to it.
"""

from __future__ import annotations

import itertools
import json
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from redis.crc import key_slot

__all__ = [
    "HEARTBEAT_MS",
    "PUSH_SCRIPT",
    "REPLY_TTL_MS",
    "Request",
    "cluster_tag",
    "heartbeat_key",
    "queue_key",
    "reply_key",
    "stats_key",
]

#: how long a worker's heartbeat outlives its last refresh (it refreshes every second)
HEARTBEAT_MS = 3000
#: an answer nobody collected disappears after this long
REPLY_TTL_MS = 60_000
#: KEYS[1] heartbeat, KEYS[2] queue, ARGV[1] request: queue it only while a worker lives
PUSH_SCRIPT = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end redis.call('RPUSH', KEYS[2], ARGV[1]) return 1"
_PREFIX = "__hpcsim.ai."


def queue_key(tag: str) -> str:
    return f"{tag}{_PREFIX}queue"


def heartbeat_key(tag: str) -> str:
    return f"{tag}{_PREFIX}worker"


def reply_key(tag: str, token: str) -> str:
    return f"{tag}{_PREFIX}reply.{token}"


def stats_key(tag: str, key: str) -> str:
    """Statistics of the model or script stored at ``key`` (its full key, tag included)."""
    return f"{tag}{_PREFIX}stats.{key}"


def _candidates() -> Iterator[str]:
    alphabet = string.ascii_letters + string.digits
    for size in itertools.count(1):
        for letters in itertools.product(alphabet, repeat=size):
            yield "".join(letters)


def cluster_tag(owns: Callable[[int], bool]) -> str:
    """The hash tag ``{t}.`` of the first candidate ``t`` (in a fixed order) whose slot the
    server owns; client and worker compute the same one from the same slot ranges."""
    for candidate in _candidates():
        if owns(key_slot(candidate.encode())):
            return "{" + candidate + "}."
    raise AssertionError("unreachable: the candidates cover every slot")


@dataclass(frozen=True)
class Request:
    """One call for the worker: ``op`` is ``run`` (execute) or ``load`` (check that the object
    at ``key`` loads); ``inputs``/``outputs`` are keys on the worker's server."""

    op: str
    key: str
    reply: str
    function: str = ""
    inputs: Sequence[str] = field(default_factory=tuple)
    outputs: Sequence[str] = field(default_factory=tuple)

    def encode(self) -> bytes:
        body: dict[str, object] = {"op": self.op, "key": self.key, "reply": self.reply, "fn": self.function}
        body.update({"in": list(self.inputs), "out": list(self.outputs)})
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Request:
        """ValueError for anything that is not a request."""
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("a request must be a JSON object")
        return cls(
            op=str(body["op"]),
            key=str(body["key"]),
            reply=str(body["reply"]),
            function=str(body.get("fn", "")),
            inputs=tuple(str(k) for k in body.get("in", ())),
            outputs=tuple(str(k) for k in body.get("out", ())),
        )
