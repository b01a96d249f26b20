"""The batch engine: one copy of the rules for one game and for many."""

import numpy as np
import pytest

from whitecell.engine.game import Game, sample_beta
from whitecell.policies import make_policies
from whitecell.scenario.actions import CATALOGUE
from whitecell.scenario.load import bundled_ids, load_scenario
from whitecell.world.compile import compile_world
from whitecell.world.state import END_REASONS


def _batch(world, seed=11, runs=200):
    g = Game(world, make_policies(world), seed=seed, runs=runs, record=False)
    g.play()
    return g


def test_batch_run_equals_single_run(taiwan_world):
    """Run i of a batch gives the outcome of run i played alone (same global index)."""
    g = _batch(taiwan_world, runs=60)
    cols = g.columns()
    for i in (0, 7, 33, 59):
        one = Game(taiwan_world, make_policies(taiwan_world), seed=11, runs=np.array([i]),
                   record=False)
        one.play()
        c1 = one.columns()
        for k in cols:  # nan (no share defined) equals nan here
            assert np.array_equal(cols[k][i:i + 1], c1[k][:1], equal_nan=True), (i, k)


def test_same_seed_same_outcomes(taiwan_world):
    a, b = _batch(taiwan_world, seed=3).columns(), _batch(taiwan_world, seed=3).columns()
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True)


def test_outcome_invariants(taiwan_world):
    c = _batch(taiwan_world, runs=500).columns()
    assert np.array_equal(c["deterrence_held"], ~c["war"] & ~c["challenger_success"])
    assert (c["peak_rung"] >= 1).all() and (c["peak_rung"] <= 44).all()
    assert (c["turns"] >= 1).all() and (c["turns"] <= taiwan_world.scenario.max_turns).all()
    assert (c["end_reason"] > 0).all()  # every run ended
    used = c["nuclear_use"]
    assert ((c["nuclear_first_user"] >= 0) == used).all()
    assert (c["nuclear_turn"][used] >= 1).all()
    assert (c["cumulative_risk"] >= 0).all() and (c["cumulative_risk"] <= 1).all()


def test_forces_never_negative_and_magazines_deplete(taiwan_world):
    g = _batch(taiwan_world, runs=300)
    assert (g.state.forces >= -1e-9).all()


def test_every_run_ends_by_the_turn_limit():
    for sid in bundled_ids():
        w = compile_world(load_scenario(sid).scenario)
        g = _batch(w, runs=50)
        assert g.state.done.all()
        assert g.state.turn <= w.scenario.max_turns
        assert set(np.unique(g.state.end_reason)) <= set(range(1, len(END_REASONS)))


def test_narrated_game_explains_every_ruling(taiwan_world):
    g = Game(taiwan_world, make_policies(taiwan_world), seed=7)
    g.play()
    kinds = {e.kind for e in g.events}
    assert {"start", "move", "ruling", "turn", "end"} <= kinds
    for e in g.events:
        if e.kind == "ruling":
            assert e.data.get("model"), e
            assert "probability" in e.data and "draw" in e.data and "result" in e.data
        if e.kind == "move":
            assert e.data["action"] in {a.id for a in CATALOGUE}
            assert 1 <= e.data["rung"] <= 44
            assert e.data["reason"]


def test_narration_needs_one_run(taiwan_world):
    with pytest.raises(ValueError):
        Game(taiwan_world, make_policies(taiwan_world), seed=1, runs=2, record=True)


def test_missing_policy_is_an_error(taiwan_world):
    with pytest.raises(ValueError, match="no policy"):
        Game(taiwan_world, {}, seed=1)


def test_prior_sampling_matches_beta_moments():
    u = (np.arange(100_000) + 0.5) / 100_000
    x = sample_beta(u, 6.0, 3.0)
    assert abs(x.mean() - 6 / 9) < 1e-3
    assert abs(x.var() - (6 * 3) / (81 * 10)) < 1e-3


def test_compacting_finished_runs_changes_nothing(taiwan_world, monkeypatch):
    """Setting finished runs aside mid-batch gives exactly the uncompacted results."""
    import whitecell.engine.game as game_mod

    compacted = _batch(taiwan_world, seed=5, runs=1500)
    monkeypatch.setattr(game_mod, "COMPACT_MIN_RUNS", 10**9)
    plain = _batch(taiwan_world, seed=5, runs=1500)
    a, b = compacted.columns(), plain.columns()
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert np.array_equal(compacted.state.forces, plain.state.forces)
    assert compacted.state.runs == 1500 and compacted.state.done.all()
