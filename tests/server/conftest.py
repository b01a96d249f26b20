"""Fixtures: a real server per module on a fresh database.

The database is a fresh SQLite file, and -- when WHITECELL_TEST_PG_URL is set
(CI sets it) -- the same tests run once more against that PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import PG_URL, Server


def _dbs() -> list[str]:
    return ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="module", params=_dbs())
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        assert PG_URL
        return PG_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'whitecell.sqlite'}"


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(db=db_url, log=tmp_path_factory.mktemp("log") / "server.log").start()
    try:
        yield s
    finally:
        s.stop()
