"""Fault tier: many writers on one run store at once, as real processes.

Eight ``whitecell run`` processes started together on a store that does not
exist yet race twice: to create its tables (the migration) and to insert the
same run. Every one must exit 0 and the store must hold the run once.
"""

import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from whitecell.record.store import RunStore

PG_URL = os.environ.get("WHITECELL_TEST_PG_URL")

WRITERS = 8
SC = "taiwan-strait-crisis"


def _start(store: Path, seed: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WHITECELL_DB": str(store / "whitecell.sqlite")}
    return subprocess.Popen([sys.executable, "-m", "whitecell.cli", "run", SC, "--seed",
                             str(seed), "--json", "--out", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def _finish(procs: list[subprocess.Popen[bytes]]) -> list[tuple[int, str]]:
    return [(p.wait(timeout=180), p.stderr.read().decode() if p.stderr else "") for p in procs]


def _count_runs(db: Path | str) -> int:
    if isinstance(db, str):
        eng = sa.create_engine(db)
        try:
            with eng.connect() as c:
                return int(c.execute(sa.text("select count(*) from runs")).scalar_one())
        finally:
            eng.dispose()
    with sqlite3.connect(db) as c:
        return int(c.execute("select count(*) from runs").fetchone()[0])


def _drop_pg_tables(url: str) -> None:
    """A fresh store: drop every table of the schema (whatever migrations created)."""
    eng = sa.create_engine(url)
    with eng.begin() as c:
        names = c.execute(sa.text("SELECT tablename FROM pg_tables "
                                  "WHERE schemaname = current_schema()")).scalars().all()
        for t in names:
            c.execute(sa.text(f'DROP TABLE IF EXISTS "{t}" CASCADE'))
    eng.dispose()


def test_eight_identical_runs_on_a_fresh_store(tmp_path):
    store = tmp_path / "store"
    results = _finish([_start(store, 5) for _ in range(WRITERS)])
    assert [rc for rc, _ in results] == [0] * WRITERS, [e for _, e in results if e]
    assert all("Traceback" not in e for _, e in results)
    assert _count_runs(store / "whitecell.sqlite") == 1
    with sqlite3.connect(store / "whitecell.sqlite") as c:
        assert c.execute("pragma journal_mode").fetchone()[0] == "wal"


def _open_and_save(url: str, barrier: object, rec: object, q: object) -> None:
    store = None
    try:
        barrier.wait(timeout=60)  # type: ignore[attr-defined]
        store = RunStore(url)
    except BaseException as e:
        q.put(("error", f"open: {type(e).__name__}: {e}"))  # type: ignore[attr-defined]
    try:
        barrier.wait(timeout=60)  # type: ignore[attr-defined]
        if store is not None:
            q.put(("ok", store.save(rec)))  # type: ignore[attr-defined]
    except BaseException as e:  # reported to the parent, which fails the test
        q.put(("error", f"{type(e).__name__}: {e}"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("fresh", [True, False], ids=["new-store", "migrated-store"])
@pytest.mark.parametrize("round_", range(2))
def test_barrier_synchronised_open_and_save(tmp_path, round_, fresh):
    """Processes released together at the two racy steps: migration, then insert."""
    from whitecell.record.session import run_scenario

    rec = run_scenario(SC, seed=round_)
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    if not fresh:
        RunStore(url).engine.dispose()
    ctx = multiprocessing.get_context("fork")
    barrier, q = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_open_and_save, args=(url, barrier, rec, q))
             for _ in range(WRITERS)]
    for p in procs:
        p.start()
    got = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert all(kind == "ok" for kind, _ in got), got
    assert sorted(v for _, v in got) == [False] * (WRITERS - 1) + [True]
    assert _count_runs(tmp_path / "w.sqlite") == 1


@pytest.mark.skipif(not PG_URL, reason="WHITECELL_TEST_PG_URL not set (CI starts PostgreSQL)")
@pytest.mark.parametrize("fresh", [True, False], ids=["new-store", "migrated-store"])
def test_postgresql_concurrent_open_and_save(fresh):
    """The same two races on PostgreSQL: advisory lock around the migration, ON CONFLICT."""
    from whitecell.record.session import run_scenario

    assert PG_URL is not None
    _drop_pg_tables(PG_URL)
    if not fresh:
        RunStore(PG_URL).engine.dispose()
    rec = run_scenario(SC, seed=4)
    ctx = multiprocessing.get_context("fork")
    barrier, q = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_open_and_save, args=(PG_URL, barrier, rec, q))
             for _ in range(WRITERS)]
    for p in procs:
        p.start()
    got = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    try:
        assert all(kind == "ok" for kind, _ in got), got
        assert sorted(v for _, v in got) == [False] * (WRITERS - 1) + [True]
        assert _count_runs(PG_URL) == 1
    finally:
        _drop_pg_tables(PG_URL)
