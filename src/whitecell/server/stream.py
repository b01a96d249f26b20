"""Server-sent events: each client gets the notices its role may see, as they happen.

A client's stream subscribes to the exercise's bus with its role's audience
(:meth:`whitecell.exercise.tokens.Role.audience`); the exercise layer has
already addressed every notice to the audiences allowed to see it. Notices
are handed from the worker thread that committed the write to the event loop
with ``call_soon_threadsafe``. A comment line every 15 s keeps proxies from
closing idle streams; a slow client that lets 1000 notices pile up is cut
off (it reconnects and reloads).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from whitecell.exercise import Exercises, Role

KEEPALIVE = 15.0
QUEUE = 1000


def event_stream(exercises: Exercises, request: Request, xid: str, role: Role
                 ) -> StreamingResponse:
    """The SSE response for ``role`` in exercise ``xid``."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=QUEUE)

    def put(notice: dict[str, Any] | None) -> None:
        try:
            queue.put_nowait(notice)
        except asyncio.QueueFull:
            pass

    def deliver(notice: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(put, notice)

    unsubscribe = exercises.bus.subscribe(xid, role.audience(), deliver)
    exercises.bus.publish(xid, {"exercise": xid, "type": "presence"}, ["white"])

    async def body() -> AsyncIterator[str]:
        try:
            hello = {"exercise": xid, "type": "hello", "role": role.audience()}
            yield f"retry: 2000\nevent: hello\ndata: {json.dumps(hello)}\n\n"
            while True:
                try:
                    notice = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                    continue
                if notice is None or queue.full():
                    return
                yield f"event: {notice['type']}\ndata: {json.dumps(notice)}\n\n"
        finally:
            unsubscribe()
            exercises.bus.publish(xid, {"exercise": xid, "type": "presence"}, ["white"])

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
