"""Tests for whitecell.models.beliefs (Bayes with a Beta prior; Fearon 1997, JCR 41(1))."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whitecell.models import beliefs


def _simpson_cdf(x: float, a: float, b: float, n: int = 20_000) -> float:
    """Beta(a, b) CDF at x by composite Simpson's rule (a, b >= 2: smooth enough density)."""
    if x <= 0.0:
        return 0.0
    grid = np.linspace(0.0, x, n + 1)
    norm = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b))
    dens = norm * grid ** (a - 1) * (1 - grid) ** (b - 1)
    h = x / n
    return float(h / 3 * (dens[0] + dens[-1] + 4 * dens[1:-1:2].sum() + 2 * dens[2:-1:2].sum()))


def test_beta_mean_and_variance() -> None:
    assert beliefs.beta_mean(2, 3) == pytest.approx(0.4)
    assert beliefs.beta_variance(1, 1) == pytest.approx(1 / 12)
    np.testing.assert_allclose(beliefs.beta_mean([1, 3], [1, 1]), [0.5, 0.75])


def test_update_by_signal() -> None:
    assert beliefs.update(2, 3, +1, 2.0) == pytest.approx((4.0, 3.0))
    assert beliefs.update(2, 3, -1, 2.0) == pytest.approx((2.0, 5.0))
    assert beliefs.update(2, 3, 0, 2.0) == pytest.approx((2.0, 3.0))
    a, b = beliefs.update(np.array([1.0, 1.0, 1.0]), 1.0, np.array([1, 0, -1]), 0.5)
    np.testing.assert_allclose(a, [1.5, 1.0, 1.0])
    np.testing.assert_allclose(b, [1.0, 1.0, 1.5])


@settings(max_examples=30)
@given(
    a=st.floats(1.0, 20),  # a, b >= 1 keep the brute-force grid free of endpoint spikes
    b=st.floats(1.0, 20),
    w=st.floats(0, 5),
    signal=st.sampled_from([-1, 1]),
)
def test_update_is_bayes_rule(a: float, b: float, w: float, signal: int) -> None:
    # Posterior mean by brute force: prior density times tempered likelihood on a grid.
    r = np.linspace(0.0005, 0.9995, 2000)
    likelihood = r**w if signal == 1 else (1 - r) ** w
    posterior = r ** (a - 1) * (1 - r) ** (b - 1) * likelihood
    brute_mean = float((r * posterior).sum() / posterior.sum())
    a_post, b_post = beliefs.update(a, b, signal, w)
    assert beliefs.beta_mean(a_post, b_post) == pytest.approx(brute_mean, abs=2e-3)


@given(a=st.floats(0.1, 50), b=st.floats(0.1, 50), w=st.floats(0.01, 5))
def test_costly_signal_raises_expected_resolve(a: float, b: float, w: float) -> None:
    before = beliefs.beta_mean(a, b)
    assert beliefs.beta_mean(*beliefs.update(a, b, 1, w)) > before
    assert beliefs.beta_mean(*beliefs.update(a, b, -1, w)) < before


def test_prob_exceeds_known_values() -> None:
    t = np.linspace(0, 1, 11)
    np.testing.assert_allclose(beliefs.prob_exceeds(1, 1, t), 1 - t, atol=1e-14)  # uniform
    assert beliefs.prob_exceeds(2, 2, 0.5) == pytest.approx(0.5, abs=1e-14)
    # Beta(2, 2): CDF 3x^2 - 2x^3.
    x = np.linspace(0, 1, 21)
    np.testing.assert_allclose(beliefs.beta_cdf(x, 2, 2), 3 * x**2 - 2 * x**3, atol=1e-14)
    # Beta(1/2, 1/2), the arcsine law: CDF (2/pi) arcsin(sqrt(x)).
    np.testing.assert_allclose(
        beliefs.beta_cdf(x, 0.5, 0.5), 2 / np.pi * np.arcsin(np.sqrt(x)), atol=1e-13
    )
    # Beta(a, 1): CDF x^a; Beta(1, b): CDF 1 - (1 - x)^b.
    np.testing.assert_allclose(beliefs.beta_cdf(x, 3.7, 1), x**3.7, atol=1e-13)
    np.testing.assert_allclose(beliefs.beta_cdf(x, 1, 2.5), 1 - (1 - x) ** 2.5, atol=1e-13)
    # Outside [0, 1].
    assert beliefs.prob_exceeds(2, 3, -0.5) == 1.0
    assert beliefs.prob_exceeds(2, 3, 1.5) == 0.0


def test_beta_cdf_binomial_identity() -> None:
    # For whole a, b: I_x(k, n - k + 1) = P(Binomial(n, x) >= k).
    n, x = 12, 0.3
    for k in range(1, n + 1):
        tail = sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(k, n + 1))
        assert beliefs.beta_cdf(x, k, n - k + 1) == pytest.approx(tail, rel=1e-12, abs=1e-15)


def test_beta_cdf_large_parameters() -> None:
    # Beta(5000, 5000) is nearly normal with sd 0.005: two sd below the mean.
    assert beliefs.beta_cdf(0.5, 5000, 5000) == pytest.approx(0.5, abs=1e-9)
    assert beliefs.beta_cdf(0.49, 5000, 5000) == pytest.approx(0.02275, abs=5e-4)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(2.0, 30.0), b=st.floats(2.0, 30.0), x=st.floats(0.0, 1.0))
def test_beta_cdf_matches_numerical_integration(a: float, b: float, x: float) -> None:
    assert beliefs.beta_cdf(x, a, b) == pytest.approx(_simpson_cdf(x, a, b), abs=1e-7)


# Dyadic x so that 1 - x is exact: the mirror identity is then a test of the
# function, not of the rounding of 1 - x (which, with a singular density, can
# move the result by more than any fixed tolerance).
dyadic = st.integers(0, 2**20).map(lambda k: k / 2**20)


@given(a=st.floats(0.05, 200), b=st.floats(0.05, 200), x=dyadic)
def test_beta_cdf_symmetry_and_bounds(a: float, b: float, x: float) -> None:
    p = beliefs.beta_cdf(x, a, b)
    assert 0.0 <= p <= 1.0
    assert p + beliefs.beta_cdf(1 - x, b, a) == pytest.approx(1.0, abs=1e-12)
    assert beliefs.prob_exceeds(a, b, x) == pytest.approx(1 - p, abs=1e-12)


def test_beta_cdf_tiny_x_relative_accuracy() -> None:
    # Beta(a, 1) has CDF x^a: check relative accuracy deep in the lower tail.
    for a in (0.05, 0.5, 3.0):
        for x in (1e-300, 1e-100, 1e-10):
            assert beliefs.beta_cdf(x, a, 1.0) == pytest.approx(x**a, rel=1e-12)


def test_beta_cdf_monotone_and_vectorised() -> None:
    x = np.linspace(0, 1, 101)
    cdf = beliefs.beta_cdf(x, np.array([[2.0], [0.3]]), 5.0)
    assert cdf.shape == (2, 101)
    assert np.all(np.diff(cdf, axis=1) >= 0)


def test_sample_resolve() -> None:
    draws = beliefs.sample_resolve(np.random.default_rng(11), 2.0, 6.0, size=50_000)
    assert draws.shape == (50_000,)
    assert np.all((draws >= 0) & (draws <= 1))
    assert draws.mean() == pytest.approx(0.25, abs=0.005)
    again = beliefs.sample_resolve(np.random.default_rng(11), 2.0, 6.0, size=50_000)
    np.testing.assert_array_equal(draws, again)
    # Empirical tail against the analytic one.
    assert (draws > 0.4).mean() == pytest.approx(beliefs.prob_exceeds(2.0, 6.0, 0.4), abs=0.01)
    per_run = beliefs.sample_resolve(np.random.default_rng(0), np.array([1.0, 5.0]), 1.0)
    assert per_run.shape == (2,)


def test_errors() -> None:
    with pytest.raises(ValueError, match="a must"):
        beliefs.beta_mean(0, 1)
    with pytest.raises(ValueError, match="signal"):
        beliefs.update(1, 1, 2, 1.0)
    with pytest.raises(ValueError, match="weight"):
        beliefs.update(1, 1, 1, -1.0)
    with pytest.raises(ValueError, match="b must"):
        beliefs.prob_exceeds(1, -1, 0.5)
    with pytest.raises(ValueError, match="threshold"):
        beliefs.prob_exceeds(1, 1, float("nan"))


def test_posterior_is_the_checked_update_bit_for_bit():
    """The engine's unchecked conjugate step gives the numbers update() gives."""
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.1, 9, (50, 4, 4)), rng.uniform(0.1, 9, (50, 4, 4))
    sig = rng.choice([-1.0, 0.0, 1.0], (50, 1, 4))
    w = rng.uniform(0, 2, (50, 1, 4))
    ua, ub = beliefs.update(a, b, sig, w)
    pa, pb = beliefs.posterior(a, b, sig, w)
    assert ua.tobytes() == pa.tobytes() and ub.tobytes() == pb.tobytes()
    with pytest.raises(ValueError, match="signal"):
        beliefs.update(a, b, sig * 0.5, w)
