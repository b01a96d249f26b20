"""Tests for whitecell.models.bmd (Wilkening 1999, Science & Global Security 8(2))."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whitecell.models import bmd

prob = st.floats(0.0, 1.0, allow_nan=False)
open_prob = st.floats(0.01, 0.99, allow_nan=False)


# --- worked numbers -----------------------------------------------------------------------


def test_kill_probability_worked_example() -> None:
    # SSPK 0.7, two shots, P_track 0.95: K = 0.95 * (1 - 0.3^2) = 0.95 * 0.91.
    k = bmd.kill_probability(0.7, 2, 0.95)
    assert k == pytest.approx(0.8645)
    assert isinstance(k, float)  # numpy float64 for scalar input


def test_zero_leak_and_expected_leakers_worked_example() -> None:
    assert bmd.zero_leak_probability(10, 0.7, 2, 0.95) == pytest.approx(0.8645**10)
    assert bmd.zero_leak_probability(10, 0.7, 2, 0.95) == pytest.approx(0.23316, abs=1e-5)
    assert bmd.expected_leakers(10, 0.7, 2, 0.95) == pytest.approx(10 * 0.1355)


def test_zero_shots_and_zero_warheads() -> None:
    assert bmd.kill_probability(1.0, 0) == 0.0  # 0 ** 0 == 1: no shot, no kill
    assert bmd.zero_leak_probability(0, 0.5, 1) == 1.0
    assert bmd.expected_leakers(0, 0.5, 1) == 0.0


def test_interceptors_required_exact_cases() -> None:
    # One warhead, SSPK 0.5, perfect tracking: P0 = 0.75 needs 1 - 0.5^n = 0.75, n = 2.
    assert bmd.interceptors_required(0.75, 1, 0.5) == pytest.approx(2.0)
    # Two warheads, P0 = 0.75^2: each needs K = 0.75, two shots each, four in all.
    assert bmd.interceptors_required(0.75**2, 2, 0.5) == pytest.approx(4.0)
    # Decoys the defence cannot discriminate draw the same shots: 2 warheads + 4 * 0.5 decoys.
    assert bmd.interceptors_required(0.75**2, 2, 0.5, decoys=4, decoy_engaged=0.5) == pytest.approx(
        8.0
    )


def test_interceptors_required_matches_formula() -> None:
    p0, n_war, sspk, pt = 0.2, 10, 0.7, 0.95
    n = math.log(1 - p0 ** (1 / n_war) / pt) / math.log(1 - sspk)
    assert bmd.shots_required(p0, n_war, sspk, pt) == pytest.approx(n)
    assert bmd.interceptors_required(p0, n_war, sspk, pt) == pytest.approx(n * n_war)


def test_interceptors_required_out_of_reach_is_inf() -> None:
    # p_track < P0^(1/N): no number of interceptors is enough.
    assert bmd.interceptors_required(0.9, 10, 0.7, 0.95) == math.inf  # 0.9^0.1 = 0.9895
    assert bmd.interceptors_required(0.95, 1, 0.99, 0.9) == math.inf
    # The boundary p_track == P0^(1/N) needs infinitely many imperfect shots.
    assert bmd.interceptors_required(0.9, 1, 0.5, 0.9) == math.inf
    # Useless interceptors.
    assert bmd.interceptors_required(0.1, 1, 0.0) == math.inf


def test_interceptors_required_edge_cases() -> None:
    assert bmd.interceptors_required(0.0, 10, 0.7) == 0.0
    assert bmd.interceptors_required(0.99, 0, 0.7, decoys=5) == 0.0
    # A perfect interceptor: one shot per object is the smallest salvo that works.
    assert bmd.shots_required(0.5, 3, 1.0, 0.95) == 1.0
    assert bmd.interceptors_required(0.5, 3, 1.0, 0.95, decoys=2) == pytest.approx(5.0)
    assert bmd.interceptors_required(1.0, 3, 1.0, 1.0) == pytest.approx(3.0)


def test_interceptors_required_vectorised() -> None:
    p0 = np.array([0.0, 0.5, 0.9, 0.99])
    result = bmd.interceptors_required(p0, 4, 0.8, 0.99)
    assert result.shape == (4,)
    assert result[0] == 0.0
    assert np.all(np.diff(result) > 0)  # a tougher requirement costs more


@settings(max_examples=200)
@given(
    p0=st.floats(0.001, 0.999),
    warheads=st.integers(1, 200),
    sspk=st.floats(0.05, 0.99),
    p_track=st.floats(0.5, 1.0),
)
def test_interceptors_required_round_trips(
    p0: float, warheads: int, sspk: float, p_track: float
) -> None:
    n = bmd.shots_required(p0, warheads, sspk, p_track)
    total = bmd.interceptors_required(p0, warheads, sspk, p_track)
    if p_track < p0 ** (1 / warheads):
        assert n == math.inf and total == math.inf
    else:
        assert total == pytest.approx(n * warheads)
        assert bmd.zero_leak_probability(warheads, sspk, n, p_track) == pytest.approx(
            p0, rel=1e-9, abs=1e-12
        )


def test_shoot_look_shoot_worked_example() -> None:
    # Perfect kill assessment: K as if two shots were fired; the second shot is
    # fired only at the 30% of warheads the first one missed.
    k, used = bmd.shoot_look_shoot(0.7, 1, 1, 0.95)
    assert k == pytest.approx(0.8645)
    assert used == pytest.approx(1.3)


@given(sspk=prob, first=st.integers(0, 5), second=st.integers(0, 5), p_track=prob)
def test_shoot_look_shoot_properties(sspk: float, first: int, second: int, p_track: float) -> None:
    k, used = bmd.shoot_look_shoot(sspk, first, second, p_track)
    assert k == pytest.approx(bmd.kill_probability(sspk, first + second, p_track))
    assert first <= used <= first + second + 1e-12


@given(sspk=prob, shots=st.floats(0, 20), p_track=prob, extra=st.floats(0, 5))
def test_kill_probability_bounds_and_monotone(
    sspk: float, shots: float, p_track: float, extra: float
) -> None:
    k = bmd.kill_probability(sspk, shots, p_track)
    assert 0.0 <= k <= p_track
    assert bmd.kill_probability(sspk, shots + extra, p_track) >= k - 1e-15


# --- stochastic draws ---------------------------------------------------------------------


def test_leakers_mean_matches_binomial() -> None:
    rng = np.random.default_rng(20240601)
    runs = 20_000
    drawn = bmd.leakers(rng, np.full(runs, 10), 0.7, 2, 0.95)
    assert drawn.shape == (runs,)
    assert drawn.dtype == np.int64
    # Binomial(10, 0.1355): mean 1.355, sd of the mean sqrt(10*0.8645*0.1355/20000) = 0.0077.
    assert drawn.mean() == pytest.approx(1.355, abs=0.04)
    assert drawn.min() >= 0 and drawn.max() <= 10


def test_leakers_reproducible_and_bounded() -> None:
    a = bmd.leakers(np.random.default_rng(7), [5, 10, 0], 0.5, [1, 2, 3], 0.9)
    b = bmd.leakers(np.random.default_rng(7), [5, 10, 0], 0.5, [1, 2, 3], 0.9)
    np.testing.assert_array_equal(a, b)
    assert a[2] == 0
    assert bmd.leakers(np.random.default_rng(0), 6, 0.5, 0) == 6  # no shots, all leak


def test_salvo_engagement_short_magazine() -> None:
    rng = np.random.default_rng(1)
    # 4 warheads, 10 interceptors, doctrine 3 each: two warheads get 3, two get 2.
    result = bmd.salvo_engagement(rng, 4, 10, 3, 0.7, 0.95)
    assert result.shots == pytest.approx(2.5)
    assert result.interceptors_used == 10
    assert result.interceptors_left == 0
    k2 = bmd.kill_probability(0.7, 2, 0.95)
    k3 = bmd.kill_probability(0.7, 3, 0.95)
    assert result.kill_probability == pytest.approx((k2 + k3) / 2)
    assert result.expected_leakers == pytest.approx(2 * (1 - k2) + 2 * (1 - k3))
    assert 0 <= result.leakers <= 4


def test_salvo_engagement_vectorised_over_runs() -> None:
    rng = np.random.default_rng(2)
    warheads = np.array([4, 4, 0, 5, 3])
    magazine = np.array([10, 20, 5, 0, 1])
    result = bmd.salvo_engagement(rng, warheads, magazine, 3, 0.7, 0.95)
    np.testing.assert_allclose(result.shots, [2.5, 3.0, 0.0, 0.0, 1 / 3])
    np.testing.assert_array_equal(result.interceptors_used, [10, 12, 0, 0, 1])
    np.testing.assert_array_equal(result.interceptors_left, [0, 8, 5, 0, 0])
    assert result.leakers[2] == 0  # nothing to shoot at
    assert result.leakers[3] == 5  # nothing to shoot with
    assert result.expected_leakers[3] == pytest.approx(5.0)


@settings(max_examples=150)
@given(
    warheads=st.integers(0, 60),
    magazine=st.integers(0, 200),
    doctrine=st.integers(0, 6),
    sspk=prob,
    p_track=prob,
    seed=st.integers(0, 2**32 - 1),
)
def test_salvo_engagement_inventory_properties(
    warheads: int, magazine: int, doctrine: int, sspk: float, p_track: float, seed: int
) -> None:
    r = bmd.salvo_engagement(
        np.random.default_rng(seed), warheads, magazine, doctrine, sspk, p_track
    )
    assert r.interceptors_used == min(magazine, doctrine * warheads)
    assert r.interceptors_used + r.interceptors_left == magazine
    if warheads:
        assert r.shots == pytest.approx(min(doctrine, magazine / warheads))
    assert 0 <= r.leakers <= warheads
    assert 0.0 <= r.kill_probability <= 1.0
    assert r.expected_leakers == pytest.approx(warheads * (1 - r.kill_probability), abs=1e-9)


def test_salvo_engagement_mean_leakers() -> None:
    rng = np.random.default_rng(3)
    runs = 20_000
    r = bmd.salvo_engagement(rng, np.full(runs, 7), 17, 3, 0.6, 0.9)
    # sd of a run's leakers is at most sqrt(7/4) = 1.32, so sd of the mean < 0.01.
    assert r.leakers.mean() == pytest.approx(r.expected_leakers[0], abs=0.05)


def test_more_interceptors_fewer_expected_leakers() -> None:
    rng = np.random.default_rng(4)
    magazine = np.arange(0, 41)
    r = bmd.salvo_engagement(rng, 10, magazine, 4, 0.7, 0.95)
    assert np.all(np.diff(r.expected_leakers) <= 1e-12)


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bmd.kill_probability(1.2, 1), "sspk"),
        (lambda: bmd.kill_probability(0.5, -1), "shots"),
        (lambda: bmd.kill_probability(0.5, 1, -0.1), "p_track"),
        (lambda: bmd.kill_probability(float("nan"), 1), "sspk"),
        (lambda: bmd.zero_leak_probability(-1, 0.5, 1), "warheads"),
        (lambda: bmd.interceptors_required(1.5, 1, 0.5), "p0"),
        (lambda: bmd.interceptors_required(0.5, 1, 0.5, decoys=-2), "decoys"),
        (lambda: bmd.interceptors_required(0.5, 1, 0.5, decoy_engaged=2), "decoy_engaged"),
        (lambda: bmd.shoot_look_shoot(0.5, -1, 1), "first"),
        (lambda: bmd.leakers(np.random.default_rng(0), 2.5, 0.5, 1), "warheads"),
        (lambda: bmd.salvo_engagement(np.random.default_rng(0), 2, -1, 1, 0.5), "interceptors"),
        (lambda: bmd.salvo_engagement(np.random.default_rng(0), 2, 4, 1.5, 0.5), "shots_per"),
    ],
)
def test_invalid_inputs_raise(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
