"""Shared fixtures: bundled scenarios compiled once per session, isolated run stores."""

from __future__ import annotations

import pytest

from whitecell.scenario.load import load_scenario
from whitecell.world.compile import World, compile_world


@pytest.fixture(scope="session")
def taiwan_world() -> World:
    return compile_world(load_scenario("taiwan-strait-crisis", excursion="base").scenario)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Never touch the user's run store from tests."""
    monkeypatch.setenv("WHITECELL_DB", str(tmp_path / "runs.sqlite"))
