"""The dashboard's web server: a Starlette app, served by uvicorn (``hpcsim dashboard``).

Every route needs the run's token, as ``?token=`` or ``Authorization: Bearer``; without it the
answer is 403. Routes: ``/`` (the page), ``/static/<file>`` (only the files shipped beside this
module), ``/api/snapshot``, ``/api/entity/<exp>/<job id>``, ``/api/tail/<exp>/<job id>/<out|err>``
(``?bytes=N``) and ``/api/events`` (the snapshot as server-sent events, once a second).

One snapshot is computed at a time, in a worker thread: requests that arrive while one is under
way share the next one, and a single background task refreshes it every second for all the
event streams. Starlette and uvicorn are the ``dashboard`` extra, imported when an app is made.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from hpcsim.dashboard.files import Refused
from hpcsim.dashboard.snapshot import Dashboard

if TYPE_CHECKING:
    import anyio
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["MAX_TAIL", "PERIOD", "STATIC", "TAIL", "create_app", "end_streams"]

#: the page's files: index.html, app.js, app.css
STATIC = Path(__file__).with_name("static")
#: seconds between two snapshots sent to the event streams
PERIOD = 1.0
#: bytes of a log the tail route gives by default, and at most
TAIL = 8192
MAX_TAIL = 65536
#: the largest job id a route takes (ids are launch number * 1,000,000 + index)
_MAX_ID = 2**53
_log = logging.getLogger("hpcsim.dashboard")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the page's URL
    # the page's own inline script adds the token to its stylesheet's and script's URLs
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'",
}


class _TokenGate:
    """ASGI middleware: a request without the token (query or bearer header) gets 403."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    def _allowed(self, scope: Scope) -> bool:
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given.append(value[7:].strip().decode("latin-1"))
        return any(hmac.compare_digest(candidate.encode("latin-1", "replace"), self._token) for candidate in given)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(scope):
            from starlette.responses import PlainTextResponse

            message = "403 forbidden: open the URL hpcsim dashboard printed (it carries ?token=...)\n"
            await PlainTextResponse(message, status_code=403, headers=_HEADERS)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _json(value: Any, status: int = 200) -> Response:
    from starlette.responses import Response

    body = json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
    return Response(body, status_code=status, media_type="application/json", headers=_HEADERS)


def _not_found(what: str) -> Response:
    return _json({"error": what}, 404)


class _Hub:
    """The latest snapshot as JSON, computed one at a time and shared."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self._latest = b"{}"
        #: when the computation that gave ``_latest`` began (monotonic seconds)
        self._began = float("-inf")
        self._listeners = 0
        #: set when the server stops: the event streams end at their next snapshot
        self.closing = False
        self._lock: anyio.Lock | None = None
        self._new: anyio.Event | None = None

    def _compute(self) -> bytes:
        return json.dumps(self.dashboard.snapshot(), separators=(",", ":"), allow_nan=False).encode()

    async def fresh(self) -> bytes:
        """A snapshot whose computation began after this call: the one under way when it was
        asked is not fresh enough, the next is shared by everyone waiting."""
        import anyio
        from starlette.concurrency import run_in_threadpool

        asked = time.monotonic()
        assert self._lock is not None and self._new is not None, "the app's lifespan has not started"
        async with self._lock:
            if self._began < asked:
                began = time.monotonic()
                self._latest = await run_in_threadpool(self._compute)
                self._began = began
                self._new.set()
                self._new = anyio.Event()
            return self._latest

    async def _refresh(self) -> None:
        """While any event stream is open, a new snapshot every :data:`PERIOD` seconds."""
        import anyio

        while True:
            if self._listeners:
                try:
                    await self.fresh()
                except Exception:  # the streams keep the last snapshot; the next second tries again
                    _log.exception("cannot read the experiments' state")
            await anyio.sleep(PERIOD)

    async def events(self) -> AsyncIterator[bytes]:
        """Server-sent events: the snapshot now, then each new one."""
        self._listeners += 1
        try:
            data = await self.fresh()
            while True:
                assert self._new is not None
                waiting = self._new
                yield b"event: snapshot\ndata: " + data + b"\n\n"
                await waiting.wait()
                if self.closing:
                    return
                data = self._latest
        finally:
            self._listeners -= 1

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Run the refresh task while the app serves; close the databases' connections after."""
        import anyio

        self._lock, self._new = anyio.Lock(), anyio.Event()
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._refresh)
                yield
                tasks.cancel_scope.cancel()
        finally:
            self.dashboard.close()


def _shipped(name: str) -> Path | None:
    """The static file of that name, if it is one of the regular files shipped in :data:`STATIC`."""
    try:
        names = os.listdir(STATIC)
    except OSError:
        return None
    path = STATIC / name
    return path if name in names and not name.startswith(".") and path.is_file() and not path.is_symlink() else None


async def _file(name: str) -> Response:
    from starlette.responses import FileResponse

    path = _shipped(name)
    if path is None:
        return _not_found(f"no file {name!r}")
    return FileResponse(path, headers=_HEADERS)


async def _index(request: Request) -> Response:
    return await _file("index.html")


async def _static(request: Request) -> Response:
    return await _file(str(request.path_params["name"]))


def _number(text: str, most: int) -> int | None:
    """``text`` as a whole number from 0 to ``most``, or None if it is not one."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(most)):
        return None
    return int(text) if int(text) <= most else None


def _tail_size(request: Request) -> int | None:
    size = _number(request.query_params.get("bytes", str(TAIL)), MAX_TAIL)
    return size if size else None


def create_app(directories: Sequence[Path], token: str) -> Starlette:
    """The dashboard's app over the experiments at ``directories`` (numbered ``"0"``, ``"1"``,
    ... in that order), answering only requests that carry ``token``."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.responses import Response, StreamingResponse
    from starlette.routing import Route

    if len(token) < 16:
        raise ValueError("the dashboard's token must be at least 16 characters")
    hub = _Hub(Dashboard(directories))
    experiments = hub.dashboard.experiments

    async def snapshot(request: Request) -> Response:
        return Response(await hub.fresh(), media_type="application/json", headers=_HEADERS)

    async def entity(request: Request) -> Response:
        reader = experiments.get(request.path_params["exp"])
        job_id = _number(request.path_params["job_id"], _MAX_ID)
        found = None if reader is None or job_id is None else await run_in_threadpool(reader.entity, job_id)
        if found is None:
            return _not_found(f"no job {request.path_params['job_id']} in experiment {request.path_params['exp']}")
        return _json(found)

    async def tail(request: Request) -> Response:
        reader = experiments.get(request.path_params["exp"])
        job_id, stream = _number(request.path_params["job_id"], _MAX_ID), request.path_params["stream"]
        if reader is None or job_id is None or stream not in ("out", "err"):
            return _not_found("no such experiment, job or stream (out or err)")
        size = _tail_size(request)
        if size is None:
            return _json({"error": f"bytes must be a whole number from 1 to {MAX_TAIL}"}, 400)
        try:
            found = await run_in_threadpool(reader.tail, job_id, stream, size)
        except Refused:
            return _not_found(f"the {stream} file of job {job_id} is not safely inside its experiment")
        return _not_found(f"no job {job_id} in experiment {reader.exp}") if found is None else _json(found)

    async def events(request: Request) -> Response:
        headers = {**_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(hub.events(), media_type="text/event-stream", headers=headers)

    routes = [
        Route("/", _index),
        Route("/static/{name}", _static),
        Route("/api/snapshot", snapshot),
        Route("/api/entity/{exp}/{job_id}", entity),
        Route("/api/tail/{exp}/{job_id}/{stream}", tail),
        Route("/api/events", events),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(_TokenGate, token=token)], lifespan=hub.lifespan)
    app.state.hub = hub
    return app


def end_streams(app: Starlette) -> None:
    """Make the app's event streams end at their next snapshot (within a second), so a stopping
    server need not cancel them."""
    app.state.hub.closing = True
