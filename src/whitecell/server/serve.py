"""``whitecell serve``: the live-exercise server on one port, with no other setup step.

The server's facilitator token is printed once, inside the console URL; it
is new at each start unless ``WHITECELL_CONSOLE_TOKEN`` sets it. Exercise
tokens (facilitator, cells, observer) live in the database as hashes and
survive restarts, so an interrupted exercise carries on from the same links.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import TextIO

ENV_TOKEN = "WHITECELL_CONSOLE_TOKEN"


class ServeError(Exception):
    """The server cannot start (address in use, bad database URL); the message says why."""


def check_address(host: str, port: int) -> None:
    """ServeError unless ``host:port`` can be listened on now."""
    if not 0 < port < 65536:
        raise ServeError(f"--port {port}: expected 1..65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ServeError(f"--host {host}: {err.strerror}") from None
    fam, _, _, _, addr = infos[0]
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as err:
            raise ServeError(f"cannot listen on {host}:{port}: {err.strerror}") from None


def serve(host: str = "127.0.0.1", port: int = 8000, db: str | None = None,
          out: TextIO = sys.stdout) -> None:
    """Open (and migrate) the database, print the console URL, serve until stopped."""
    import uvicorn

    from whitecell.exercise import Exercises
    from whitecell.record.store import StoreError
    from whitecell.server.app import create_app

    check_address(host, port)
    try:
        exercises = Exercises(db)
    except StoreError as err:
        raise ServeError(str(err)) from None
    token = exercises.console_token(os.environ.get(ENV_TOKEN) or None)
    app = create_app(exercises)
    shown = f"[{host}]" if ":" in host else host
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import sqlalchemy as sa

    shown_db = sa.make_url(exercises.url).render_as_string(hide_password=True)
    out.write(f"whitecell serve: database {shown_db}\n"
              f"facilitator console (keep this link secret):\n"
              f"  http://{shown}:{port}/join?t={token}\n")
    out.flush()
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning",
                timeout_graceful_shutdown=2)
