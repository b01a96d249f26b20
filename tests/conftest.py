"""Shared fixtures: bundled scenarios compiled once per session, isolated run stores."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from whitecell.scenario.load import load_scenario
from whitecell.world.compile import World, compile_world

# CI runs the property tests on a fixed set of examples (derandomize), so a
# submission's result does not depend on the luck of the draw; locally they
# explore new examples every run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def taiwan_world() -> World:
    return compile_world(load_scenario("taiwan-strait-crisis", excursion="base").scenario)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Never touch the user's run store from tests."""
    monkeypatch.setenv("WHITECELL_DB", str(tmp_path / "runs.sqlite"))
