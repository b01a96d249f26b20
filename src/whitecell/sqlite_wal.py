"""SQLite files that several processes open at once: WAL mode and "locked" retries.

Switching a file to WAL takes an exclusive lock, and SQLite answers "database is
locked" at once, without waiting on the busy timeout, when another process opens
the same file at that moment (sweep workers opening one new cache or store do).
Used by the run store and the language-model completion cache alike.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["enable_wal", "retry_locked"]


def retry_locked(fn: Callable[[], T], attempts: int = 60) -> T:
    """Call ``fn``, retrying with back-off (up to ~15 s) while SQLite reports the file
    locked or busy; any other error, or the last attempt's, is raised."""
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as err:
            if ("locked" not in str(err) and "busy" not in str(err)) or i == attempts - 1:
                raise
            time.sleep(0.05 + random.random() * 0.45)
    raise AssertionError("unreachable")  # the last attempt returns or raises


def enable_wal(execute: Callable[[str], Any]) -> None:
    """Put the database in WAL mode, skipping the switch when it already is.

    ``execute`` runs one SQL statement and returns a cursor (a connection's or a
    cursor's ``execute``).
    """
    def switch() -> None:
        if str(execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            execute("PRAGMA journal_mode = WAL")

    retry_locked(switch)
