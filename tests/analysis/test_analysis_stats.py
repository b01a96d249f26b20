"""Wilson and Newcombe intervals against published worked values."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitecell.analysis.stats import difference_interval, wilson_interval


def test_wilson_worked_example():
    # Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-4) and hi == pytest.approx(0.3662, abs=5e-4)


def test_wilson_zero_successes_is_not_degenerate():
    lo, hi = wilson_interval(0, 100)
    assert lo == 0.0 and 0.03 < hi < 0.04


def test_newcombe_worked_example():
    # Newcombe (1998), example (56/70 vs 48/80): difference 0.2, CI 0.0524 to 0.3339
    d, lo, hi = difference_interval(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert lo == pytest.approx(0.0524, abs=5e-4) and hi == pytest.approx(0.3339, abs=5e-4)


@given(n=st.integers(1, 10_000), frac=st.floats(0, 1))
def test_wilson_contains_estimate(n, frac):
    k = int(frac * n)
    lo, hi = wilson_interval(k, n)
    assert 0 <= lo <= k / n <= hi <= 1


def test_bad_input():
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(5, 3)
