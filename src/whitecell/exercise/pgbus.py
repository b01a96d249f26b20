"""Live notices across server processes through PostgreSQL's LISTEN/NOTIFY.

:class:`~whitecell.exercise.bus.Bus` fans notices out inside one process. When
the exercises live in PostgreSQL, several ``whitecell serve`` processes (behind
a load balancer, or a restarted one beside an old one) may serve the same
exercise: a move stored through one must reach the event streams held by the
others. :class:`PgBus` delivers each notice locally at once and also sends it
with ``pg_notify`` on one channel; a listening thread in every process hands
the notices of the other processes to its local subscribers. A notice is sent
after its write has committed (the exercise layer publishes only then), and
PostgreSQL delivers notifications in commit order. Presence (who is connected)
stays per process. A notice too large for a notification (8,000 bytes; none of
the exercise layer's is) is delivered locally only, and logged.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from whitecell.exercise.bus import Bus

#: The notification channel of every whitecell server on the database.
CHANNEL = "whitecell_notices"
#: PostgreSQL's limit on a notification payload, in bytes (less one for safety).
MAX_PAYLOAD = 7999

log = logging.getLogger("whitecell.exercise.pgbus")


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy PostgreSQL URL."""
    u = sa.make_url(url).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


class PgBus(Bus):
    """A :class:`Bus` whose notices also reach the other processes on the database."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import psycopg

        self._psycopg = psycopg
        self._dsn = conninfo(url)
        self.origin = uuid.uuid4().hex
        self._own = f'{{"o":"{self.origin}"'  # payload prefix of this process's notices
        self._send_lock = threading.Lock()
        self._sender: Any = None
        self._outbox: queue.Queue[str | None] = queue.Queue()
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True,
                                        name="whitecell-pgbus")
        self._thread.start()
        # notifications go out from a thread of their own, in order, so a request
        # answers as soon as its write has committed and its local streams are fed
        self._out = threading.Thread(target=self._send_loop, daemon=True,
                                     name="whitecell-pgbus-send")
        self._out.start()
        self._ready.wait(10)

    # ------------------------------------------------------------------ send
    def publish(self, exercise: str, notice: dict[str, Any], audiences: Iterable[str]) -> None:
        aud = list(audiences)
        super().publish(exercise, notice, aud)
        payload = json.dumps({"o": self.origin, "x": exercise, "n": notice, "a": aud},
                             separators=(",", ":"), default=str)
        if len(payload.encode()) > MAX_PAYLOAD:
            log.warning("notice of %s too large for other processes (%d bytes)", exercise,
                        len(payload.encode()))
            return
        self._outbox.put(payload)

    def _send_loop(self) -> None:
        while True:
            payload = self._outbox.get()
            if payload is None:
                return
            self._send(payload)

    def _send(self, payload: str) -> None:
        for attempt in range(2):
            try:
                with self._send_lock:
                    if self._sender is None or self._sender.closed:
                        self._sender = self._psycopg.connect(self._dsn, autocommit=True)
                    self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                return
            except self._psycopg.Error:
                with self._send_lock:
                    self._sender = None
                if attempt:
                    log.exception("could not send a notice to the other processes")

    # ------------------------------------------------------------------ receive
    def _listen(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                with self._psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            self._deliver(n.payload)
            except self._psycopg.Error:
                log.warning("notice listener lost its connection; reconnecting")
                self._ready.set()  # do not hold the constructor up
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _deliver(self, payload: str) -> None:
        if payload.startswith(self._own):
            return  # delivered locally already
        try:
            msg = json.loads(payload)
        except json.JSONDecodeError:
            return
        if msg.get("o") == self.origin:
            return  # delivered locally already
        Bus.publish(self, str(msg.get("x")), dict(msg.get("n") or {}), msg.get("a") or [])

    def close(self) -> None:
        """Stop listening (tests; the server's process simply ends)."""
        self._outbox.put(None)
        self._out.join(5)
        self._stop.set()
        self._thread.join(5)
        with self._send_lock:
            if self._sender is not None:
                self._sender.close()
