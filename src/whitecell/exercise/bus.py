"""Live notices of an exercise, fanned out in-process to whoever may see them.

The exercise layer publishes a notice after each committed write, addressed
to audiences: ``white`` (the white cell), ``observer``, ``cell:ACTOR`` or
``*`` (everyone in the exercise). A front end subscribes with its role's
audience and a callback; the web server's callback hands the notice to the
event loop that feeds that client's event stream. Notices carry no secrets
beyond what their audience may see: the server filters nothing further.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from typing import Any

Callback = Callable[[dict[str, Any]], None]


class Bus:
    """Subscriptions per exercise; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, dict[int, tuple[str, Callback]]] = {}
        self._ids = itertools.count(1)

    def subscribe(self, exercise: str, audience: str, callback: Callback) -> Callable[[], None]:
        """Call ``callback(notice)`` for each notice to ``audience``; returns unsubscribe."""
        sid = next(self._ids)
        with self._lock:
            self._subs.setdefault(exercise, {})[sid] = (audience, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subs.get(exercise, {}).pop(sid, None)

        return unsubscribe

    def publish(self, exercise: str, notice: dict[str, Any], audiences: Iterable[str]) -> None:
        """Deliver ``notice`` to every subscriber of ``exercise`` in ``audiences``."""
        aud = set(audiences)
        with self._lock:
            targets = [cb for a, cb in self._subs.get(exercise, {}).values()
                       if "*" in aud or a in aud]
        for cb in targets:
            cb(notice)

    def audiences(self, exercise: str) -> list[str]:
        """The audiences connected to ``exercise`` now (one entry per connection)."""
        with self._lock:
            return [a for a, _ in self._subs.get(exercise, {}).values()]
