"""Tests for whitecell.models.deterrence (Zagare & Kilgour, Perfect Deterrence, 2000)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from whitecell.models import deterrence

utility = st.floats(-100.0, 100.0)
gap = st.floats(1e-2, 100.0)


def test_threshold_worked_example() -> None:
    # Win 10, status quo 0, conflict -10: deterred once P(Hard) >= 1/2.
    assert deterrence.deterrence_threshold(10, 0, -10) == pytest.approx(0.5)
    assert deterrence.is_deterred(0.5, 10, 0, -10)
    assert not deterrence.is_deterred(0.49, 10, 0, -10)


def test_threshold_outside_unit_interval() -> None:
    # Nothing to gain: always deterred. Conflict better than the status quo: never.
    assert deterrence.deterrence_threshold(0, 5, -10) < 0
    assert deterrence.is_deterred(0.0, 0, 5, -10)
    assert deterrence.deterrence_threshold(10, -5, 0) > 1
    assert not deterrence.is_deterred(1.0, 10, -5, 0)


@given(p=st.floats(0, 1), w=utility, sq=utility, c=utility)
def test_deterred_iff_challenge_not_better(p: float, w: float, sq: float, c: float) -> None:
    assume(w - c > 1e-3)
    challenge = p * c + (1 - p) * w
    deterred = bool(deterrence.is_deterred(p, w, sq, c))
    if challenge < sq - 1e-6:
        assert deterred
    elif challenge > sq + 1e-6:
        assert not deterred


def test_vectorised_over_runs() -> None:
    result = deterrence.is_deterred(np.array([0.1, 0.5, 0.9]), 10, 0, -10)
    np.testing.assert_array_equal(result, [False, True, True])


def test_chicken_worked_examples() -> None:
    assert deterrence.chicken_mixed(4, 3, 2, 1) == pytest.approx(0.5)
    assert deterrence.chicken_mixed(10, 5, 1, -10) == pytest.approx(5 / 16)


@given(p=utility, g1=gap, g2=gap, g3=gap)
def test_chicken_mixed_makes_opponent_indifferent(
    p: float, g1: float, g2: float, g3: float
) -> None:
    s = p + g1
    r = s + g2
    t = r + g3  # T > R > S > P by construction
    q = deterrence.chicken_mixed(t, r, s, p)
    assert 0.0 < q < 1.0
    swerve = (1 - q) * r + q * s
    firm = (1 - q) * t + q * p
    assert swerve == pytest.approx(firm, abs=1e-9 * (abs(t) + abs(p) + 1))


def test_errors() -> None:
    with pytest.raises(ValueError, match="win > conflict"):
        deterrence.deterrence_threshold(0, 0, 0)
    with pytest.raises(ValueError, match="p_hard"):
        deterrence.is_deterred(1.5, 10, 0, -10)
    with pytest.raises(ValueError, match="T > R > S > P"):
        deterrence.chicken_mixed(3, 4, 2, 1)
