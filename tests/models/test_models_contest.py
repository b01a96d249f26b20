"""Tests for whitecell.models.contest (Hirshleifer 1989, Public Choice 63)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitecell.models import contest

force = st.floats(0.0, 1e6)
decisive = st.floats(0.0, 10.0)


def test_worked_examples() -> None:
    assert contest.success_probability(1, 1) == 0.5
    assert contest.success_probability(3, 1) == pytest.approx(0.75)
    assert contest.success_probability(3, 1, m=2) == pytest.approx(0.9)
    assert contest.success_probability(0, 0) == 0.5
    assert contest.success_probability(1, 0) == 1.0
    assert contest.success_probability(0, 1) == 0.0
    assert contest.success_probability(5, 1, m=0) == 0.5


def test_no_overflow_for_large_forces() -> None:
    p = contest.success_probability(1e300, 1e299, m=10)
    assert p == pytest.approx(1.0)
    assert contest.success_probability(1e-300, 1e-299, m=10) == pytest.approx(0.0, abs=1e-9)


def test_vectorised() -> None:
    p = contest.success_probability(np.array([1.0, 2.0, 3.0]), 1.0)
    np.testing.assert_allclose(p, [0.5, 2 / 3, 0.75])


@given(fi=force, fj=force, m=decisive)
def test_probability_and_symmetry(fi: float, fj: float, m: float) -> None:
    p = contest.success_probability(fi, fj, m)
    assert 0.0 <= p <= 1.0
    assert p + contest.success_probability(fj, fi, m) == pytest.approx(1.0)


@given(fi=st.floats(1e-3, 1e3), fj=st.floats(1e-3, 1e3), m=decisive, scale=st.floats(1e-3, 1e3))
def test_ratio_form_is_scale_free(fi: float, fj: float, m: float, scale: float) -> None:
    p = contest.success_probability(fi, fj, m)
    assert contest.success_probability(fi * scale, fj * scale, m) == pytest.approx(p, abs=1e-9)
    if m == 1.0:
        assert p == pytest.approx(fi / (fi + fj))


@given(fi=force, fj=force, m=decisive, extra=st.floats(0.0, 1e3))
def test_monotone_in_own_force(fi: float, fj: float, m: float, extra: float) -> None:
    assert (
        contest.success_probability(fi + extra, fj, m)
        >= contest.success_probability(fi, fj, m) - 1e-12
    )


def test_decisiveness_favours_the_stronger() -> None:
    ms = np.array([0.5, 1.0, 2.0, 5.0])
    p = contest.success_probability(2.0, 1.0, ms)
    assert np.all(np.diff(p) > 0)


@given(fi=st.floats(0, 100), fj=st.floats(0, 100), k=st.floats(0, 5), shift=st.floats(0, 100))
def test_difference_form(fi: float, fj: float, k: float, shift: float) -> None:
    p = contest.success_probability_difference(fi, fj, k)
    assert 0.0 <= p <= 1.0
    assert p + contest.success_probability_difference(fj, fi, k) == pytest.approx(1.0)
    assert contest.success_probability_difference(fi + shift, fj + shift, k) == pytest.approx(
        p, abs=1e-9
    )


def test_errors() -> None:
    with pytest.raises(ValueError, match="f_i"):
        contest.success_probability(-1, 1)
    with pytest.raises(ValueError, match="m must"):
        contest.success_probability(1, 1, m=-1)
    with pytest.raises(ValueError, match="f_j"):
        contest.success_probability(1, float("inf"))
