"""Shared fixtures: a fresh exercise database per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from whitecell.exercise import Exercises

SCENARIO = "taiwan-strait-crisis"


@pytest.fixture
def ex(tmp_path: Path) -> Exercises:
    return Exercises(f"sqlite:///{tmp_path / 'x.sqlite'}")
