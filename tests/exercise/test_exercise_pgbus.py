"""Notices across processes on PostgreSQL (LISTEN/NOTIFY): a move stored through one
server process reaches the event streams of another on the same database."""

from __future__ import annotations

import os
import threading

import pytest

from whitecell.exercise import Exercises, Role
from whitecell.exercise.bus import Bus
from whitecell.exercise.pgbus import PgBus, conninfo
from whitecell.exercise.tokens import CELL

PG_URL = os.environ.get("WHITECELL_TEST_PG_URL")


def test_conninfo_drops_the_driver_name() -> None:
    assert conninfo("postgresql+psycopg://u:p@127.0.0.1:5432/db") == \
        "postgresql://u:p@127.0.0.1:5432/db"


def test_sqlite_keeps_the_in_process_bus(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ex = Exercises(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert type(ex.bus) is Bus


@pytest.mark.skipif(not PG_URL, reason="WHITECELL_TEST_PG_URL not set (CI starts PostgreSQL)")
def test_a_move_through_one_process_reaches_the_streams_of_another() -> None:
    assert PG_URL is not None
    a, b = Exercises(PG_URL), Exercises(PG_URL)  # two server processes' exercise layers
    assert isinstance(a.bus, PgBus) and isinstance(b.bus, PgBus)
    try:
        c = a.create("taiwan-strait-crisis", seed=7, cells={"USA": "human", "JPN": "human"},
                     start=True)
        got_white: list[dict] = []
        got_jpn: list[dict] = []
        moved = threading.Event()

        def white(n: dict) -> None:
            got_white.append(n)
            if n.get("type") == "move":
                moved.set()

        b.bus.subscribe(c.id, "white", white)
        b.bus.subscribe(c.id, "cell:JPN", got_jpn.append)
        a.submit_move(c.id, Role(CELL, "USA"), "USA", ["military_exercise"], "across")
        assert moved.wait(10), got_white
        note = next(n for n in got_white if n.get("type") == "move")
        assert note["actor"] == "USA" and note["exercise"] == c.id
        # audiences hold across processes: JPN's stream never hears of USA's move
        assert not any(n.get("type") == "move" for n in got_jpn)
        # and a process does not hear its own notices twice
        mine: list[dict] = []
        a.bus.subscribe(c.id, "white", mine.append)
        a.submit_move(c.id, Role(CELL, "USA"), "USA", ["wait"], "again")
        threading.Event().wait(1.5)
        assert len([n for n in mine if n.get("type") == "move"]) == 1
    finally:
        for ex in (a, b):
            assert isinstance(ex.bus, PgBus)
            ex.bus.close()
