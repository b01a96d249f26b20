"""Tests for whitecell.models.bargaining (Fearon 1995, International Organization 49(3))."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitecell.models import bargaining

prob = st.floats(0.0, 1.0)
cost = st.floats(0.0, 2.0)


def test_range_worked_example() -> None:
    # A wins with p = 0.6; war costs A 0.1 and B 0.2: deals from 0.5 to 0.8.
    low, high = bargaining.bargaining_range(0.6, 0.1, 0.2)
    assert (low, high) == pytest.approx((0.5, 0.8))


def test_range_clipped_to_feasible_shares() -> None:
    low, high = bargaining.bargaining_range(0.9, 0.1, 0.5)
    assert (low, high) == pytest.approx((0.8, 1.0))
    low, high = bargaining.bargaining_range(0.05, 0.3, 0.0)
    assert (low, high) == pytest.approx((0.0, 0.05))


def test_range_vectorised() -> None:
    low, high = bargaining.bargaining_range(np.array([0.2, 0.5, 0.8]), 0.1, 0.1)
    np.testing.assert_allclose(low, [0.1, 0.4, 0.7])
    np.testing.assert_allclose(high, [0.3, 0.6, 0.9])


@given(p=prob, cost_a=cost, cost_b=cost)
def test_range_never_empty_for_costly_war(p: float, cost_a: float, cost_b: float) -> None:
    low, high = bargaining.bargaining_range(p, cost_a, cost_b)
    assert 0.0 <= low <= p <= high <= 1.0
    assert bargaining.deal_acceptable(p, p, cost_a, cost_b)


@given(x=prob, p=prob, cost_a=cost, cost_b=cost)
def test_acceptable_deals_beat_war_for_both(
    x: float, p: float, cost_a: float, cost_b: float
) -> None:
    ok = bargaining.deal_acceptable(x, p, cost_a, cost_b)
    a_prefers = x >= bargaining.war_expected_value(p, cost_a) - 1e-12
    b_prefers = 1 - x >= bargaining.war_expected_value(1 - p, cost_b) - 1e-12
    if ok:
        assert a_prefers and b_prefers
    elif x < p - cost_a - 1e-9 or x > p + cost_b + 1e-9:
        assert not (a_prefers and b_prefers)


@given(p=prob, cost_a=cost, cost_b=cost)
def test_war_destroys_value(p: float, cost_a: float, cost_b: float) -> None:
    total = bargaining.war_expected_value(p, cost_a) + bargaining.war_expected_value(1 - p, cost_b)
    assert total == pytest.approx(1.0 - cost_a - cost_b)


def test_war_expected_value() -> None:
    assert bargaining.war_expected_value(0.6, 0.1) == pytest.approx(0.5)


def test_errors() -> None:
    with pytest.raises(ValueError, match="cost_a"):
        bargaining.bargaining_range(0.5, -0.1, 0.1)
    with pytest.raises(ValueError, match="p must"):
        bargaining.bargaining_range(1.5, 0.1, 0.1)
    with pytest.raises(ValueError, match="x must"):
        bargaining.deal_acceptable(-0.1, 0.5, 0.1, 0.1)
