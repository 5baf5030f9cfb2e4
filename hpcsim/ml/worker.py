"""The inference worker beside one server: takes requests from the server's queue, runs models
and scripts on tensors stored there, writes the outputs back and answers each caller.

It serves one request at a time, except that requests for one model with ``batch_size`` set
are merged (:mod:`hpcsim.ml.batching`), waiting up to ``min_batch_timeout`` ms for
``min_batch_size`` requests. A failure is the caller's answer, never the worker's end; only losing
the server ends it. See :mod:`hpcsim.dataplane.protocol` for the keys.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import redis
from redis.exceptions import ResponseError

from hpcsim.dataplane import codec, protocol
from hpcsim.dataplane.objects import FIELDS, Stored
from hpcsim.dataplane.wire import Command, Connection, exchange
from hpcsim.errors import ClientError
from hpcsim.ml.backends import BackendError, Runner, ScriptRunner
from hpcsim.ml.batching import concatenate, plan_batches, split_outputs
from hpcsim.ml.objects import Loaded, ObjectCache

__all__ = ["Worker"]

_log = logging.getLogger("hpcsim.ml.worker")
#: requests taken from the queue at once
_TAKE = 256
#: the shortest BLPOP wait worth asking for, in seconds
_MIN_WAIT = 0.002
_FIELDS = tuple(name.encode() for name in FIELDS)

Arrays = list[np.ndarray[Any, Any]]


class RequestError(Exception):
    """What went wrong with one request, for its caller."""


@dataclass
class _Group:
    """Requests for one model (or one script function) and what they need."""

    key: str
    function: str
    stored: Stored | None
    requests: list[protocol.Request] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Requests gathered so far (``min_batch_size`` counts requests, each usually one row)."""
        return len(self.requests)


@dataclass
class _Fetched:
    """Model descriptions by key and each request's inputs (or why not) by its reply key."""

    described: dict[str, Stored | None] = field(default_factory=dict)
    inputs: dict[str, Arrays | str] = field(default_factory=dict)


def _arrays(request: protocol.Request, values: Sequence[Any]) -> Arrays | str:
    """The request's input arrays from the GET replies, or why they cannot be had."""
    arrays: Arrays = []
    for key, value in zip(request.inputs, values, strict=True):
        if value is None:
            return f"input tensor {key!r} does not exist"
        if isinstance(value, ResponseError):
            return f"input {key!r} cannot be read: {value}"
        try:
            arrays.append(codec.decode_tensor(value, key))
        except ClientError as exc:
            return f"input {exc}"
    return arrays


class Worker:
    """Serves the queue of the server behind ``connection`` (keys tagged with ``tag``), on one
    connection of its pool: each round trip is one :func:`~hpcsim.dataplane.wire.exchange`."""

    def __init__(self, connection: redis.Redis, tag: str, cache: ObjectCache) -> None:
        self.connection = cast(Connection, connection.connection_pool.get_connection())
        self.tag = tag
        self.cache = cache
        self.queue = protocol.queue_key(tag)
        self._pending: list[Command] = []
        self._blmpop = True

    # -- the loop ------------------------------------------------------------------------------

    def serve_once(self, wait: float = 1.0) -> int:
        """Serve what is queued, waiting up to ``wait`` seconds for it; the number of requests
        answered. Up to 256 requests are taken in one round trip, which also carries the
        previous call's answers; a version-2 request comes with its object's description and
        small inputs, so only what it lacks (and all of a version-1 request's) is fetched."""
        fetched = _Fetched()
        taken = [self._admit(raw, fetched) for raw in self._take(wait)]
        requests = [r for r in taken if r is not None]
        self.handle(requests, fetched)
        return len(requests)

    def _exchange(self, commands: Sequence[Command]) -> list[Any]:
        """One round trip: the answers waiting to be sent, then ``commands``; their replies."""
        pending, self._pending = self._pending, []
        return exchange(self.connection, [*pending, *commands])[len(pending) :]

    def _take(self, wait: float) -> list[bytes]:
        """Up to 256 queued requests, waiting up to ``wait`` s for the first: one ``BLMPOP``
        (redis >= 7), else an ``LPOP`` and, if nothing was queued, a ``BLPOP``."""
        queue = self.queue.encode()
        if self._blmpop:
            popped = self._exchange([(b"BLMPOP", b"%.3f" % wait, b"1", queue, b"LEFT", b"COUNT", b"%d" % _TAKE)])[0]
            if not isinstance(popped, ResponseError):
                return [] if popped is None else list(popped[1])
            self._blmpop = False
        taken = self._exchange([(b"LPOP", queue, b"%d" % _TAKE)])[0]
        if isinstance(taken, list) and taken:
            return taken
        first = self._exchange([(b"BLPOP", queue, b"%.3f" % wait)])[0]
        return [] if first is None else [first[1]]

    def _admit(self, raw: bytes, fetched: _Fetched) -> protocol.Request | None:
        """The request in queue element ``raw``, with what its push read kept in ``fetched``;
        None for one that cannot be served (a malformed one is dropped, a newer one answered)."""
        try:
            queued = protocol.decode_queued(raw)
        except (ValueError, KeyError) as exc:
            _log.warning("dropping a malformed request %.200r: %s", raw, exc)
            return None
        request = queued.request
        if request.version > protocol.VERSION:
            error = (
                f"the request is in format version {request.version}, newer than this inference worker's "
                f"({protocol.VERSION}): use the same hpcsim version for the client and the database"
            )
            self._queue_reply(self._pending, request, error)
            return None
        if queued.described is not None and request.key not in fetched.described:
            fetched.described[request.key] = Stored.from_fields(queued.described)
        values = [queued.inputs.get(i, protocol.NOT_INLINED) for i in range(len(request.inputs))]
        if request.op == "run" and not any(value is protocol.NOT_INLINED for value in values):
            fetched.inputs[request.reply] = _arrays(request, values)
        return request

    def handle(self, requests: Sequence[protocol.Request], fetched: _Fetched | None = None) -> None:
        """Answer ``requests``: loads first, then the runs, grouped by model and batched.
        Requests that arrive while a batch waits for its minimum size are served next. Outputs
        and answers go to the server with the next round trip (the next :meth:`serve_once`)."""
        fetched = fetched or _Fetched()
        pending = list(requests)
        while pending:
            runs: list[protocol.Request] = []
            for request in pending:
                if request.op == "load":
                    self._answer_load(request)
                elif request.op == "run":
                    runs.append(request)
                else:
                    self._reply(request, f"unknown operation {request.op!r}")
            self._fetch_missing(runs, fetched)
            pending = []
            for group in self._group(runs, fetched):
                pending += self._fill_min_batch(group, fetched)
                self._fetch_missing(group.requests, fetched)
                self._execute(group, fetched)

    def _group(self, runs: Sequence[protocol.Request], fetched: _Fetched) -> list[_Group]:
        groups: dict[tuple[str, str], _Group] = {}
        for request in runs:
            ident = (request.key, request.function)
            if ident not in groups:
                groups[ident] = _Group(request.key, request.function, fetched.described.get(request.key))
            groups[ident].requests.append(request)
        return list(groups.values())

    # -- fetching descriptions and inputs ------------------------------------------------------

    def _fetch_missing(self, runs: Sequence[protocol.Request], fetched: _Fetched) -> None:
        """Fetch, in one round trip, the descriptions and inputs ``runs`` still lack."""
        keys = sorted({r.key for r in runs} - set(fetched.described))
        missing = [r for r in runs if r.reply not in fetched.inputs]
        if not keys and not missing:
            return
        pipe: list[Command] = [(b"HMGET", key.encode(), *_FIELDS) for key in keys]
        for request in missing:
            pipe += [(b"GET", key.encode()) for key in request.inputs]
        values = iter(self._exchange(pipe))
        for key in keys:
            reply = next(values)
            fetched.described[key] = None if isinstance(reply, ResponseError) else Stored.from_fields(reply)
        for request in missing:
            fetched.inputs[request.reply] = _arrays(request, [next(values) for _ in request.inputs])

    def _fill_min_batch(self, group: _Group, fetched: _Fetched) -> list[protocol.Request]:
        """Wait for more requests while ``group`` is below its model's ``min_batch_size``;
        other requests that arrive meanwhile are returned for later."""
        stored = group.stored
        if stored is None or stored.kind != "model" or stored.batch_size <= 0 or stored.min_batch_timeout <= 0:
            return []
        others: list[protocol.Request] = []
        deadline = time.monotonic() + stored.min_batch_timeout / 1000
        while group.size < stored.min_batch_size:
            remaining = deadline - time.monotonic()
            if remaining < _MIN_WAIT:  # redis truncates BLPOP timeouts to ms, and 0 blocks forever
                break
            taken = [self._admit(raw, fetched) for raw in self._take(remaining)]
            if not taken:
                break
            for request in taken:
                if request is None:
                    continue
                if request.op == "run" and (request.key, request.function) == (group.key, group.function):
                    group.requests.append(request)
                else:
                    others.append(request)
        return others

    # -- answering -----------------------------------------------------------------------------

    def _answer_load(self, request: protocol.Request) -> None:
        try:
            stored, blob = self._fetch(request.key)
            self.cache.load(stored, blob)
        except (RequestError, BackendError) as exc:
            self._reply(request, str(exc))
        else:
            self._reply(request, None)

    def _fetch(self, key: str) -> tuple[Stored, bytes]:
        values, blob = self._exchange([(b"HMGET", key.encode(), *_FIELDS), (b"HGET", key.encode(), b"blob")])
        if isinstance(values, ResponseError):
            raise RequestError(f"{key!r} is not a model or script ({values})")
        stored = Stored.from_fields(values)
        if stored is None or blob is None:
            raise RequestError(f"no model or script {key!r} in the database")
        return stored, blob

    def _loaded(self, group: _Group) -> tuple[Stored, Loaded]:
        """The group's object as described, loaded from the cache or (a new version) the server."""
        if group.stored is None:
            raise RequestError(f"no model or script {group.key!r} in the database")
        loaded = self.cache.get(group.stored)
        if loaded is not None:
            return group.stored, loaded
        stored, blob = self._fetch(group.key)
        return stored, self.cache.get(stored) or self.cache.load(stored, blob)

    def _execute(self, group: _Group, known: _Fetched) -> None:
        try:
            stored, loaded = self._loaded(group)
        except (RequestError, BackendError) as exc:
            self._finish(group, [(r, None, str(exc)) for r in group.requests], 0.0, [])
            return
        fetched = [known.inputs.pop(r.reply) for r in group.requests]
        results: list[tuple[protocol.Request, Arrays | None, str | None]] = []
        ready = [(r, a) for r, a in zip(group.requests, fetched, strict=True) if not isinstance(a, str)]
        results += [(r, None, a) for r, a in zip(group.requests, fetched, strict=True) if isinstance(a, str)]
        batch_size = stored.batch_size if stored.kind == "model" else 0
        elapsed = 0.0
        durations: list[float] = []
        for indices in plan_batches([arrays for _, arrays in ready], batch_size):
            batch = [ready[i] for i in indices]
            started = time.perf_counter()
            try:
                outputs = self._run(stored.kind, loaded, group.function, concatenate([arrays for _, arrays in batch]))
                shares = split_outputs(outputs, [arrays[0].shape[0] if len(batch) > 1 else 1 for _, arrays in batch])
            except Exception as exc:
                results += [(request, None, _message(exc)) for request, _ in batch]
            else:
                results += [(request, share, None) for (request, _), share in zip(batch, shares, strict=True)]
            duration = time.perf_counter() - started
            elapsed += duration
            durations.append(duration)
        self._finish(group, results, elapsed, durations)

    @staticmethod
    def _run(kind: str, loaded: Loaded, function: str, inputs: Arrays) -> Arrays:
        if kind == "script":
            if not function:
                raise BackendError("this is a script: call run_script with one of its functions")
            return list(cast(ScriptRunner, loaded).run(function, inputs))
        if function:
            raise BackendError("a model has no functions; call run_model, not run_script")
        return list(cast(Runner, loaded).run(inputs))

    def _finish(
        self,
        group: _Group,
        results: Sequence[tuple[protocol.Request, Arrays | None, str | None]],
        elapsed: float,
        durations: Sequence[float],
    ) -> None:
        """Queue the writes of outputs, the answers and the counts, for the next round trip:
        ``elapsed`` is the seconds all executions took, ``durations`` each execution's seconds
        (counted in the ``hist.<b>`` fields, one HINCRBY per bucket)."""
        pipe: list[Command] = []
        errors = 0
        samples = 0
        for request, outputs, error in results:
            if outputs is not None and len(outputs) != len(request.outputs):
                error = f"it returned {len(outputs)} output(s) but {len(request.outputs)} output name(s) were given"
            if error is None and outputs is not None:
                for key, array in zip(request.outputs, outputs, strict=True):
                    pipe.append((b"SET", key.encode(), codec.encode_tensor(np.asarray(array))))
                samples += outputs[0].shape[0] if outputs and outputs[0].ndim else 1
            else:
                errors += 1
            self._queue_reply(pipe, request, error)
        stats = protocol.stats_key(self.tag, group.key).encode()
        counts = {b"calls": len(results), b"executions": len(durations), b"errors": errors, b"samples": samples}
        counts[b"duration_us"] = int(elapsed * 1e6)
        counts.update((b"hist.%d" % bucket, n) for bucket, n in sorted(Counter(map(_bucket, durations)).items()))
        pipe += [(b"HINCRBY", stats, name, b"%d" % value) for name, value in counts.items()]
        self._pending += pipe

    def _reply(self, request: protocol.Request, error: str | None) -> None:
        self._queue_reply(self._pending, request, error)

    @staticmethod
    def _queue_reply(pipe: list[Command], request: protocol.Request, error: str | None) -> None:
        answer = b'{"ok":true}' if error is None else json.dumps({"error": error}).encode()
        pipe.append((b"RPUSH", request.reply.encode(), answer))
        pipe.append((b"PEXPIRE", request.reply.encode(), b"%d" % protocol.REPLY_TTL_MS))


def _bucket(seconds: float) -> int:
    """The time histogram's bucket of one execution: ``max(0, ceil(log2(microseconds)))``, so
    bucket ``b`` counts executions that took more than ``2**(b-1)`` and at most ``2**b`` µs."""
    micros = seconds * 1e6
    return math.ceil(math.log2(micros)) if micros > 1 else 0


def _message(exc: Exception) -> str:
    if isinstance(exc, (BackendError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
