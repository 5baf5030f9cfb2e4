"""How clients and the inference worker beside a server talk, through that server.

Everything an inference needs lives on one server, so the worker only ever talks to its own:

- A model or script is a hash at its key (``<tag><name>``): ``kind`` (model|script),
  ``backend``, ``device``, ``blob`` (model bytes or script source), the batching fields, TF's
  ``inputs``/``outputs`` (JSON lists) and ``version``, a random token that changes with every
  store, so the worker knows when its cached copy is stale.
- A request is JSON pushed onto ``<tag>__hpcsim.ai.queue``; the worker answers on the
  caller's own reply list (``<tag>__hpcsim.ai.reply.<token>``), which expires by itself.
  Version 2 (``"v": 2``) is pushed by :data:`PUSH_SCRIPT`, which appends, after a newline, the
  object's description and the small inputs as the server holds them when it queues the
  request, so the worker needs no round trip to fetch them (:func:`decode_queued`). A request
  without ``v`` is version 1 (JSON alone; the C client writes it) and is still served.
- The worker keeps ``<tag>__hpcsim.ai.worker`` alive (a key with a short expiry); a request is
  only queued while it exists (the same Lua step), so a caller never waits on a dead worker.
- Statistics per model or script are a hash at ``<tag>__hpcsim.ai.stats.<key>``.
- Not the worker's, but named here beside its keys: a training metric that clients log
  (``Client.log_metric``) and ``hpcsim dashboard`` draws is a stream at ``__hpcsim.metrics.<name>``.

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
from typing import cast

from redis.crc import key_slot

from hpcsim.dataplane.objects import FIELDS

__all__ = [
    "HEARTBEAT_MS",
    "INLINE_MAX",
    "METRICS_PREFIX",
    "NOT_INLINED",
    "PUSH_SCRIPT",
    "REPLY_TTL_MS",
    "VERSION",
    "WITHDRAW_SCRIPT",
    "Queued",
    "Request",
    "cluster_tag",
    "decode_queued",
    "heartbeat_key",
    "queue_key",
    "reply_key",
    "stats_key",
]

#: how long a worker's heartbeat outlives its last refresh (it refreshes every second)
HEARTBEAT_MS = 3000
#: an answer nobody collected disappears after this long
REPLY_TTL_MS = 60_000
#: the newest request format; the worker also serves version 1 and answers newer ones with an error
VERSION = 2
#: inputs of at most this many bytes travel inside a version-2 request (a larger one costs the
#: server more to copy through Lua than the worker's GET of it)
INLINE_MAX = 4096
#: KEYS[1] heartbeat, KEYS[2] queue, KEYS[3] the object, KEYS[4...] inputs to inline; ARGV[1]
#: request, ARGV[2] INLINE_MAX. Queue it only while a worker lives (returns 1, else 0), with a
#: newline and then, as ``<length>:<bytes>`` or ``-`` for nil, the object's FIELDS and each
#: input (``~``: not inlined, too big or not a string)
PUSH_SCRIPT = (
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
    "local out = {ARGV[1], '\\n'} "
    "local function put(v) if v then out[#out + 1] = #v .. ':' out[#out + 1] = v "
    "else out[#out + 1] = '-' end end "
    f"local d = redis.pcall('HMGET', KEYS[3], {', '.join(repr(f) for f in FIELDS)}) "
    "if d.err then d = {} end "
    f"for i = 1, {len(FIELDS)} do put(d[i]) end "
    "for i = 4, #KEYS do local n = redis.pcall('STRLEN', KEYS[i]) "
    "if type(n) ~= 'number' or n > tonumber(ARGV[2]) then out[#out + 1] = '~' "
    "else put(redis.call('GET', KEYS[i])) end end "
    "redis.call('RPUSH', KEYS[2], table.concat(out)) return 1"
)
#: KEYS[1] queue, ARGV[1] a request's JSON and newline: take that request back off the queue
WITHDRAW_SCRIPT = (
    "for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do "
    "if string.sub(item, 1, #ARGV[1]) == ARGV[1] then return redis.call('LREM', KEYS[1], 1, item) end end "
    "return 0"
)
_PREFIX = "__hpcsim.ai."
#: a training metric ``name`` is the stream at ``METRICS_PREFIX + name`` (never key-prefixed)
METRICS_PREFIX = "__hpcsim.metrics."


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
    at ``key`` loads); ``inputs``/``outputs`` are keys on the worker's server. ``inline`` are
    the positions of the inputs :data:`PUSH_SCRIPT` is given to inline (its KEYS[4...])."""

    op: str
    key: str
    reply: str
    function: str = ""
    inputs: Sequence[str] = field(default_factory=tuple)
    outputs: Sequence[str] = field(default_factory=tuple)
    inline: Sequence[int] = field(default_factory=tuple)
    version: int = VERSION

    def encode(self) -> bytes:
        """The JSON a client queues (version :data:`VERSION`)."""
        body: dict[str, object] = {"v": self.version, "op": self.op, "key": self.key, "reply": self.reply}
        body.update({"fn": self.function, "in": list(self.inputs), "out": list(self.outputs)})
        body["inl"] = list(self.inline)
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
            inline=tuple(int(i) for i in body.get("inl", ())),
            version=int(body.get("v", 1)),
        )


class _NotInlined:
    def __repr__(self) -> str:
        return "NOT_INLINED"


#: an input :data:`PUSH_SCRIPT` left on the server (too big, or not a string)
NOT_INLINED = _NotInlined()


@dataclass(frozen=True)
class Queued:
    """A request as taken off the queue, with what a version-2 push read on the server:
    ``described``, the object's :data:`FIELDS` (None for a version-1 request), and ``inputs``,
    inlined input values by position (None for a missing key, or :data:`NOT_INLINED`)."""

    request: Request
    described: list[bytes | None] | None = None
    inputs: dict[int, bytes | _NotInlined | None] = field(default_factory=dict)


def _values(raw: bytes, start: int) -> list[bytes | _NotInlined | None]:
    values: list[bytes | _NotInlined | None] = []
    at = start
    while at < len(raw):
        mark = raw[at : at + 1]
        if mark in (b"-", b"~"):
            values.append(None if mark == b"-" else NOT_INLINED)
            at += 1
            continue
        colon = raw.index(b":", at)
        end = colon + 1 + int(raw[at:colon])
        if end > len(raw):
            raise ValueError("a request's inlined value is cut short")
        values.append(raw[colon + 1 : end])
        at = end
    return values


def decode_queued(raw: bytes) -> Queued:
    """A queue element: the request's JSON, then (version 2) a newline and the values
    :data:`PUSH_SCRIPT` appended. ValueError (or KeyError) for anything malformed."""
    newline = raw.find(b"\n")
    if newline < 0:
        return Queued(Request.decode(raw))
    request = Request.decode(raw[:newline])
    values = _values(raw, newline + 1)
    if len(values) != len(FIELDS) + len(request.inline):
        raise ValueError(f"{len(values)} values follow a request that needs {len(FIELDS) + len(request.inline)}")
    described = values[: len(FIELDS)]
    if any(isinstance(value, _NotInlined) for value in described):
        raise ValueError("a stored object's field cannot be left out of a request")
    inputs = dict(zip(request.inline, values[len(FIELDS) :], strict=True))
    return Queued(request, cast(list[bytes | None], described), inputs)
