"""Backends without a model, for tests and dry runs of a language-model game.

:class:`FunctionBackend` answers each request with whatever a Python function
returns (a reply text, or an exception to raise), so tests can script
well-formed, malformed and slow replies; :func:`first_legal` is such a
function: it always answers the first action of the schema's menu.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from whitecell.llm.client import ChatRequest, Completion


class FunctionBackend:
    """Answers ``fn(request)``: a string is the reply, an exception is raised.

    ``peak`` is the largest number of requests it held in flight at once (the
    concurrency a client actually used), ``delay`` how long each one waits.
    """

    def __init__(self, fn: Callable[[ChatRequest], str | BaseException],
                 delay: float = 0.0) -> None:
        self.fn = fn
        self.delay = delay
        self.requests: list[ChatRequest] = []
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()

    async def send(self, req: ChatRequest) -> Completion:
        self.requests.append(req)
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
        finally:
            with self._lock:
                self.in_flight -= 1
        out = self.fn(req)
        if isinstance(out, BaseException):
            raise out
        words = sum(len(c.split()) for _, c in req.messages)
        return Completion(content=out, prompt_tokens=words, completion_tokens=len(out.split()),
                          finish_reason="stop", wall_ms=self.delay * 1000.0)


def menu_of(req: ChatRequest) -> list[tuple[str, list[str] | None]]:
    """(action id, targets or None) of every action the request's schema allows."""
    item: dict[str, Any] = req.schema["properties"]["actions"]["items"]
    out: list[tuple[str, list[str] | None]] = []
    for b in item.get("anyOf", [item]):
        tgt = b["properties"]["target"]
        for a in b["properties"]["action"]["enum"]:
            out.append((a, list(tgt["enum"]) if "enum" in tgt else None))
    return out


def reply(action: str, target: str | None, signal: str = "We act to protect our interests.",
          intent: str = "status_quo", reasoning: str = "scripted reply") -> str:
    """A well-formed reply text."""
    return json.dumps({"reasoning": reasoning, "signal": signal, "signal_intent": intent,
                       "actions": [{"action": action, "target": target}]})


def first_legal(req: ChatRequest) -> str:
    """Reply with the first legal action of the menu and its first target."""
    a, targets = menu_of(req)[0]
    return reply(a, targets[0] if targets else None)
