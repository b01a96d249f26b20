"""Counter-based dice: reproducible, batch-independent, well distributed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whitecell.engine.dice import Dice, binomial_from_uniform, seed_key, slot_of


def test_same_seed_same_draws():
    a, b = Dice(42, 100), Dice(42, 100)
    assert np.array_equal(a.uniform(5), b.uniform(5))


def test_different_seeds_differ():
    assert not np.array_equal(Dice(1, 50).uniform(0), Dice(2, 50).uniform(0))
    assert seed_key(1) != seed_key(2)


def test_run_draws_do_not_depend_on_the_batch():
    batch = Dice(7, np.arange(1000))
    alone = Dice(7, np.array([737]))
    for slot in (0, 1, slot_of(3, 12, 4)):
        assert batch.uniform(slot)[737] == alone.uniform(slot)[0]


def test_uniform_range_and_moments():
    u = Dice(3, 200_000).uniform(11)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005
    assert abs(u.var() - 1 / 12) < 0.002
    # consecutive slots are uncorrelated
    v = Dice(3, 200_000).uniform(12)
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


def test_override_replaces_one_draw():
    d = Dice(5, np.arange(4))
    d.overrides[(9, 2)] = 0.123
    u = d.uniform(9)
    assert u[2] == 0.123
    assert np.array_equal(np.delete(u, 2), np.delete(Dice(5, np.arange(4)).uniform(9), 2))


@given(n=st.integers(0, 300), p=st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_binomial_from_uniform_in_range(n, p):
    u = Dice(1, 64).uniform(0)
    k = binomial_from_uniform(u, np.full(64, n), np.full(64, p))
    assert (k >= 0).all() and (k <= n).all()
    assert np.array_equal(k, np.floor(k))


@pytest.mark.parametrize("n,p", [(10, 0.3), (40, 0.1), (200, 0.5), (400, 0.95)])
def test_binomial_from_uniform_matches_binomial_moments(n, p):
    u = Dice(9, 100_000).uniform(0)
    k = binomial_from_uniform(u, np.full(len(u), n), np.full(len(u), p))
    assert abs(k.mean() - n * p) < 4 * np.sqrt(n * p * (1 - p) / len(u)) + 1e-9
    assert abs(k.var() - n * p * (1 - p)) < 0.05 * n * p * (1 - p) + 1e-9


def test_binomial_is_monotone_in_the_draw():
    u = np.linspace(0, 0.999999, 1000)
    k = binomial_from_uniform(u, np.full(1000, 30), np.full(1000, 0.4))
    assert (np.diff(k) >= 0).all()


@pytest.mark.parametrize("seed", range(6))
def test_grouped_binomial_is_the_per_run_recursion_bit_for_bit(seed, monkeypatch):
    """Salvos shared by many runs use one CDF per (n, p): the same counts exactly."""
    import whitecell.engine.dice as dice

    rng = np.random.default_rng(seed)
    R = 3000
    ns = rng.choice([0.0, 1.0, 2.0, 7.0, 50.0, 450.0, 1000.0], 4)
    ps = rng.choice([0.0, 1.0, 1e-9, 0.01, 0.3, 0.77, 1 - 1e-12], 4)
    pick = rng.integers(0, 4, R)
    n, p, u = ns[pick], ps[pick], rng.random(R)
    u[:200] = 0.0
    fast = binomial_from_uniform(u, n, p)
    monkeypatch.setattr(dice, "_grouped_binomial", lambda *a: None)
    with np.errstate(over="ignore"):
        slow = binomial_from_uniform(u, n, p)
    assert np.array_equal(fast, slow)
