"""The run store: atomic saves, idempotent AI runs, SQLite and PostgreSQL by URL."""

import os

import pytest
import sqlalchemy as sa

from whitecell.record.run import RunRecord, event_digest
from whitecell.record.session import ReplayError, rebuild_session, replay, run_scenario
from whitecell.record.store import RunStore, StoreError, default_url

PG_URL = os.environ.get("WHITECELL_TEST_PG_URL")


def _rec(seed=2):
    return run_scenario("taiwan-strait-crisis", excursion="optimistic", seed=seed)


def _roundtrip(store: RunStore) -> None:
    rec = _rec()
    assert store.save(rec) is True
    assert store.save(rec) is False  # same run stored twice keeps one
    back = store.load(rec.run_id[:10])
    assert back.event_digest == rec.event_digest == event_digest(back.events)
    assert back.outcome == rec.outcome and back.decisions == rec.decisions
    assert back.overrides == rec.overrides and back.policies == rec.policies
    assert [r["run_id"] for r in store.list()] == [rec.run_id]
    new, same = replay(back)
    assert same and new.event_digest == rec.event_digest


def test_sqlite_roundtrip(tmp_path):
    _roundtrip(RunStore(f"sqlite:///{tmp_path / 'w.sqlite'}"))


@pytest.mark.skipif(not PG_URL, reason="WHITECELL_TEST_PG_URL not set (CI starts PostgreSQL)")
def test_postgresql_roundtrip():
    assert PG_URL is not None
    eng = sa.create_engine(PG_URL)
    with eng.begin() as c:  # a fresh store: every table any migration created
        names = c.execute(sa.text("SELECT tablename FROM pg_tables "
                                  "WHERE schemaname = current_schema()")).scalars().all()
        for t in names:
            c.execute(sa.text(f'DROP TABLE IF EXISTS "{t}" CASCADE'))
    eng.dispose()
    _roundtrip(RunStore(PG_URL))


def test_run_id_derives_from_inputs():
    a, b = _rec(2), _rec(2)
    assert a.run_id == b.run_id and a.event_digest == b.event_digest
    assert _rec(3).run_id != a.run_id
    base = run_scenario("taiwan-strait-crisis", excursion="base", seed=2)
    plain = run_scenario("taiwan-strait-crisis", seed=2)
    assert base.run_id != plain.run_id  # same data, different excursion label


def test_failed_save_leaves_nothing(tmp_path):
    store = RunStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    rec = _rec()
    rec.events.append({"turn": 1, "kind": "move", "text": None, "actor": None, "data": {}})
    with pytest.raises(sa.exc.IntegrityError):
        store.save(rec)
    assert store.list() == []
    with store.engine.connect() as c:
        assert c.execute(sa.text("select count(*) from events")).scalar() == 0


def test_tampered_log_is_detected(tmp_path):
    rec = _rec()
    rec.events[3]["text"] = "something else"
    rec2 = RunRecord(**{**rec.__dict__, "event_digest": ""})
    _, same = replay(RunRecord(**{**rec2.__dict__, "event_digest": rec.event_digest}))
    assert same  # the stored digest is the original's; replay re-simulates the truth
    bad = RunRecord(**{**rec.__dict__, "event_digest": "0" * 64})
    _, same = replay(bad)
    assert not same


def test_changed_scenario_refuses_replay():
    rec = _rec()
    rec.scenario_digest = "f" * 64
    with pytest.raises(ReplayError, match="has changed"):
        rebuild_session(rec)


def test_default_url_honours_out_and_env(tmp_path, monkeypatch):
    assert default_url(tmp_path).endswith("whitecell.sqlite")
    monkeypatch.setenv("WHITECELL_DB", "postgresql+psycopg://u:p@localhost/db")
    assert default_url() == "postgresql+psycopg://u:p@localhost/db"


def test_bad_url_is_a_store_error():
    with pytest.raises(StoreError):
        RunStore("nosuchdialect://x")


def test_store_created_by_an_older_release_is_migrated(tmp_path):
    """A store at schema 0001 (before run_index) opens and gains the column."""
    from alembic import command
    from alembic.config import Config

    import whitecell.record.store as store_mod

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    eng = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(store_mod.Path(store_mod.__file__).parent
                                               / "migrations"))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with eng.connect() as conn:
        cols = {c["name"] for c in sa.inspect(conn).get_columns("runs")}
    assert "run_index" not in cols
    store = RunStore(url)
    rec = _rec()
    store.save(rec)
    assert store.load(rec.run_id).run_index == 0
