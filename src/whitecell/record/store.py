"""Run storage: SQLite by default, PostgreSQL (or any SQLAlchemy URL) by URL.

The schema is managed by Alembic migrations shipped in the package and applied
on open. A run is written in one transaction, so a crash never leaves a
half-written run that looks complete; storing a run id that already exists
with the same event digest is a no-op (AI-played runs are idempotent).

**Many writers at once.** Several ``whitecell run`` processes may share one
store (a class running the same seed, a script in a loop):

* the migration on open runs under a lock -- ``fcntl.flock`` on a sidecar file
  ``<db>.lock`` for SQLite, ``pg_advisory_xact_lock`` for PostgreSQL -- so the
  first uses of a new store do not all try to create its tables;
* the run row is written with ``INSERT ... ON CONFLICT DO NOTHING`` (the
  dialect's own insert), then re-read: two processes saving the same run race
  harmlessly instead of one failing with an IntegrityError;
* SQLite connections use WAL journal mode (readers do not block the writer)
  and wait up to :data:`BUSY_TIMEOUT` seconds for a lock instead of failing at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_dir

from whitecell.record.run import RunRecord
from whitecell.record.schema import (
    decisions_table,
    events_table,
    llm_calls_table,
    metadata,
    runs_table,
)
from whitecell.sqlite_wal import enable_wal

ENV_DB = "WHITECELL_DB"
#: Seconds a SQLite connection waits for another writer's lock before giving up.
BUSY_TIMEOUT = 30.0
#: Key of the PostgreSQL advisory lock held while migrating (any fixed 64-bit number).
PG_MIGRATION_LOCK = zlib.crc32(b"whitecell-run-store-migration")


class StoreError(Exception):
    """A storage problem a user can fix (bad URL, unwritable folder, unknown run)."""


def default_url(out: str | Path | None = None) -> str:
    """Where runs go: ``--out DIR``, else $WHITECELL_DB, else the user data dir."""
    if out is not None:
        s = str(out)
        if "://" in s:
            return s
        return f"sqlite:///{Path(s).expanduser().resolve() / 'whitecell.sqlite'}"
    env = os.environ.get(ENV_DB)
    if env:
        return env if "://" in env else f"sqlite:///{Path(env).expanduser().resolve()}"
    return f"sqlite:///{Path(user_data_dir('whitecell')) / 'whitecell.sqlite'}"


def _sqlite_path(url: str) -> Path | None:
    """The database file of a file-backed SQLite URL (None for memory or other dialects)."""
    u = sa.make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    """WAL journal and a busy timeout on every new SQLite connection."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        enable_wal(cur.execute)  # processes opening one new file together retry
    finally:
        cur.close()


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if needed) for the block."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: SQLite's own locking and the retry
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _migrate(engine: sa.Engine) -> None:
    """Bring the schema to head, one process at a time (see the module docstring)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    db = _sqlite_path(engine.url.render_as_string(hide_password=False))
    lock = _file_lock(db.with_name(db.name + ".lock")) if db else contextlib.nullcontext()
    with lock, engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # released when this transaction ends, i.e. after the upgrade commits
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _insert_ignoring_duplicate(conn: sa.Connection, table: sa.Table,
                               values: dict[str, Any]) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``; True when the row was inserted."""
    name = conn.dialect.name
    stmt: Any
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:  # other dialects: a plain insert inside a savepoint, duplicate = not inserted
        try:
            with conn.begin_nested():
                conn.execute(table.insert().values(**values))
        except sa.exc.IntegrityError:
            return False
        return True
    # RETURNING, not rowcount: psycopg reports no usable rowcount for this statement
    key = next(iter(table.primary_key.columns))
    return conn.execute(stmt.returning(key)).first() is not None


class RunStore:
    """Saved runs, with their events and decisions."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        if self.url.startswith("sqlite:///"):
            folder = Path(self.url[len("sqlite:///"):]).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"cannot create the run store folder {folder}: "
                                 f"{err.strerror}") from None
            if not os.access(folder, os.W_OK):
                raise StoreError(f"the run store folder {folder} is not writable")
        try:
            # a server's worker threads each hold a connection: a pool as large as
            # its thread pool, so requests do not queue for one (SQLite: one file)
            pool = {} if self.url.startswith("sqlite") else {"pool_size": 20,
                                                             "max_overflow": 30}
            self.engine = sa.create_engine(self.url, **pool)
            if self.engine.dialect.name == "sqlite":
                sa.event.listen(self.engine, "connect", _on_sqlite_connect)
            _migrate(self.engine)
        except (sa.exc.SQLAlchemyError, OSError) as err:
            raise StoreError(f"cannot open the run store {self.url}: "
                             f"{str(err).splitlines()[0]}") from None

    # ------------------------------------------------------------------ write
    def save(self, rec: RunRecord) -> bool:
        """Store ``rec`` atomically; returns False when the same run was already stored."""
        with self.engine.begin() as conn:
            return self.save_in(conn, rec)

    def save_in(self, conn: sa.Connection, rec: RunRecord) -> bool:
        """Store ``rec`` inside the caller's transaction ``conn`` (see :meth:`save`).

        A live exercise publishes a turn and its run record in one transaction.
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if not rec.created:
            rec.created = now
        values = dict(
            run_id=rec.run_id, scenario_ref=rec.scenario_ref, scenario_id=rec.scenario_id,
            scenario_version=rec.scenario_version, scenario_title=rec.scenario_title,
            scenario_digest=rec.scenario_digest, excursion=rec.excursion,
            overrides=json.dumps(rec.overrides), seed=rec.seed,
            policies=json.dumps(rec.policies, sort_keys=True), version=rec.version,
            created=rec.created or now, status=rec.status,
            outcome=json.dumps(rec.outcome) if rec.outcome is not None else None,
            event_digest=rec.event_digest, turns=len(rec.decisions),
            run_index=rec.run_index, draw_overrides=json.dumps(rec.draw_overrides),
            llm=json.dumps(rec.llm, sort_keys=True) if rec.llm else None,
        )
        # write first (it takes the write lock at once), then look at what is there
        if not _insert_ignoring_duplicate(conn, runs_table, values):
            row = conn.execute(sa.select(runs_table.c.event_digest, runs_table.c.status)
                               .where(runs_table.c.run_id == rec.run_id)).one()
            if row.status == "complete" and row.event_digest == rec.event_digest:
                return False
            conn.execute(events_table.delete().where(events_table.c.run_id == rec.run_id))
            conn.execute(decisions_table.delete()
                         .where(decisions_table.c.run_id == rec.run_id))
            conn.execute(llm_calls_table.delete()
                         .where(llm_calls_table.c.run_id == rec.run_id))
            conn.execute(runs_table.delete().where(runs_table.c.run_id == rec.run_id))
            conn.execute(runs_table.insert().values(**values))
        if rec.events:
            conn.execute(events_table.insert(), [
                {"run_id": rec.run_id, "seq": i, "turn": e["turn"], "kind": e["kind"],
                 "actor": e.get("actor"), "text": e["text"],
                 "data": json.dumps(e.get("data") or {}, sort_keys=True)}
                for i, e in enumerate(rec.events)])
        rows = [{"run_id": rec.run_id, "turn": t + 1, "actor": a,
                 "move": json.dumps(m, sort_keys=True)}
                for t, turn in enumerate(rec.decisions) for a, m in turn.items()]
        if rows:
            conn.execute(decisions_table.insert(), rows)
        if rec.llm_calls:
            conn.execute(llm_calls_table.insert(), [
                {"run_id": rec.run_id, "seq": i, "turn": c["turn"], "actor": c["actor"],
                 "request_key": c["key"], "call": json.dumps(c, sort_keys=True)}
                for i, c in enumerate(rec.llm_calls)])
        return True

    # ------------------------------------------------------------------ read
    def list(self, limit: int = 100) -> list[dict[str, Any]]:
        q = sa.select(runs_table).order_by(runs_table.c.created.desc(),
                                           runs_table.c.run_id).limit(limit)
        with self.engine.connect() as conn:
            out = []
            for r in conn.execute(q).mappings():
                d = dict(r)
                d["outcome"] = json.loads(d["outcome"]) if d["outcome"] else None
                d["policies"] = json.loads(d["policies"])
                d["overrides"] = json.loads(d["overrides"])
                d["draw_overrides"] = json.loads(d["draw_overrides"] or "[]")
                out.append(d)
            return out

    def resolve_id(self, prefix: str) -> str:
        """Full run id from a unique prefix (like git)."""
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(
                sa.select(runs_table.c.run_id).where(
                    runs_table.c.run_id.startswith(prefix, autoescape=True)))]
        if not ids:
            raise StoreError(f"no run {prefix!r} in {self.url} (see `whitecell runs`)")
        if len(ids) > 1 and prefix not in ids:
            raise StoreError(f"run id {prefix!r} is ambiguous ({len(ids)} runs match)")
        return prefix if prefix in ids else ids[0]

    def load(self, run_id: str) -> RunRecord:
        rid = self.resolve_id(run_id)
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(runs_table).where(runs_table.c.run_id == rid)
                             ).mappings().one()
            evs = [{"turn": e.turn, "kind": e.kind, "text": e.text, "actor": e.actor,
                    "data": json.loads(e.data)}
                   for e in conn.execute(sa.select(events_table).where(
                       events_table.c.run_id == rid).order_by(events_table.c.seq))]
            decs: list[dict[str, dict[str, Any]]] = []
            for d in conn.execute(sa.select(decisions_table).where(
                    decisions_table.c.run_id == rid).order_by(decisions_table.c.turn,
                                                              decisions_table.c.actor)):
                while len(decs) < d.turn:
                    decs.append({})
                decs[d.turn - 1][d.actor] = json.loads(d.move)
            calls = [json.loads(c.call) for c in conn.execute(
                sa.select(llm_calls_table.c.call).where(llm_calls_table.c.run_id == rid)
                .order_by(llm_calls_table.c.seq))]
        return RunRecord(
            run_id=r["run_id"], scenario_ref=r["scenario_ref"], scenario_id=r["scenario_id"],
            scenario_version=r["scenario_version"], scenario_title=r["scenario_title"],
            scenario_digest=r["scenario_digest"], excursion=r["excursion"],
            overrides=json.loads(r["overrides"]), seed=int(r["seed"]),
            policies=json.loads(r["policies"]), events=evs, decisions=decs,
            outcome=json.loads(r["outcome"]) if r["outcome"] else None, status=r["status"],
            version=r["version"], created=r["created"], event_digest=r["event_digest"],
            run_index=int(r["run_index"]),
            draw_overrides=json.loads(r["draw_overrides"] or "[]"),
            llm=json.loads(r["llm"]) if r.get("llm") else None, llm_calls=calls)


__all__ = ["RunStore", "StoreError", "default_url", "metadata"]
