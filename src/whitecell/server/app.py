"""The web application: routes, error mapping, request limits and token-free logging.

Errors: an :class:`~whitecell.exercise.ExerciseError` becomes its HTTP code
with ``{"detail": message}`` (an HTML page outside ``/api``); a body that
fails validation is a 422 naming the field; a body over :data:`MAX_BODY`
bytes is a 413, whether it declares its length or streams it in chunks.
Nothing is logged but method, path (never the query string, which may hold
an invite token), status and time.
"""

from __future__ import annotations

import html
import json
import logging
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from whitecell import __version__
from whitecell.exercise import ExerciseError, Exercises
from whitecell.server import api
from whitecell.server.auth import role_of
from whitecell.server.stream import event_stream

#: Largest request body accepted, in bytes.
MAX_BODY = 64 * 1024

log = logging.getLogger("whitecell.server")


class BodyLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                too_big = True
            if too_big:
                await _too_large(send, self.limit)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            body = msg.get("body", b"")
            size += len(body)
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(body)
            if not msg.get("more_body"):
                break
        whole = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body too large (at most {limit} bytes)"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """ASGI middleware: one log line per request, with the path only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def watch(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            await send(msg)

        try:
            await self.app(scope, receive, watch)
        finally:
            log.info("%s %s %s %.1fms", scope["method"], scope["path"], status,
                     1000 * (time.perf_counter() - start))


def _error(request: Request, code: int, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get(
            "accept", ""):
        return JSONResponse({"detail": message}, status_code=code, headers=headers)
    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{code}</title>"
            f"<body style='font-family:sans-serif;margin:3em'><h1>{code}</h1>"
            f"<p>{html.escape(message)}</p></body></html>")
    return HTMLResponse(page, status_code=code, headers=headers)


def _validation_message(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors()[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


#: Seconds between two looks at the turn clocks (a deadline acts within this).
CLOCK_PERIOD = 1.0


async def _watch_clocks(exercises: Exercises, period: float = CLOCK_PERIOD) -> None:
    """Act on every turn clock that has run out (``at_deadline="adjudicate"``)."""
    import anyio

    while True:
        try:
            for xid in await anyio.to_thread.run_sync(exercises.apply_deadlines):
                log.info("deadline: exercise %s adjudicated by the clock", xid)
        except Exception:  # noqa: BLE001 - the watcher must outlive a failing store call
            log.exception("the turn-clock watcher failed; retrying")
        await anyio.sleep(period)


def create_app(exercises: Exercises, *, pages: bool = True) -> FastAPI:
    """The web app over ``exercises`` (the REST API, event streams and, with ``pages``, the UI)."""
    import asyncio
    import contextlib
    from collections.abc import AsyncIterator

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_watch_clocks(exercises))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(title="whitecell live exercise", version=__version__, lifespan=lifespan,
                  description="REST API of a live whitecell exercise. Authenticate with "
                  "'Authorization: Bearer TOKEN' (the server's facilitator token, an "
                  "exercise's facilitator, cell or observer token).")
    app.state.exercises = exercises

    @app.exception_handler(ExerciseError)
    async def _exercise_error(request: Request, exc: ExerciseError) -> Response:
        return _error(request, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 422, _validation_message(exc))

    app.include_router(api.router(exercises))

    @app.get("/api/exercises/{xid}/events", summary="Live notices this token may see (SSE)")
    async def events(xid: str, request: Request) -> Any:
        import anyio

        role = await anyio.to_thread.run_sync(role_of, exercises, request, xid)
        return event_stream(exercises, request, xid, role)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    if pages:
        from whitecell.server import pages as ui

        ui.mount(app, exercises)
    app.add_middleware(BodyLimit)
    app.add_middleware(AccessLog)
    return app
