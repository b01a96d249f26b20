"""Comparative statics of the other bundled scenarios (docs/validation.md §3).

Each excursion is played 4,000 times with the base at the same seed and run
indices (common random numbers); the direction theory predicts must hold with a
95% Newcombe interval on the difference that excludes zero.
"""

import numpy as np
import pytest

from shared_sets import NO_HOMELAND_STRIKE
from whitecell.analysis.stats import difference_interval
from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

N = 4000


def _count(scenario, excursion, outcome):
    w = compile_world(load_scenario(scenario, excursion=excursion).scenario)
    g = Game(w, make_policies(w), seed=2024, runs=N, record=False)
    g.play()
    return int(g.columns()[outcome].sum())


def _damage(scenario, excursion, actor):
    w = compile_world(load_scenario(scenario, excursion=excursion).scenario)
    g = Game(w, make_policies(w), seed=2024, runs=N, record=False)
    g.play()
    return g.state.damage[:, w.ids.index(actor)]


@pytest.mark.parametrize("excursion,reference,why", [
    ("more-interceptors", "base",
     "more interceptors, fewer leakers, less coercive pressure (Wilkening)"),
    ("strong-us-commitment", "weak-us-commitment",
     "a more credible patron takes coercive pressure off its ally"),
])
def test_coercive_pressure_on_japan_falls(excursion, reference, why):
    """North Korean coercion never succeeds on v2 (Japan and the US do not give up
    a war they are winning), so the pressure is read on the damage Japan suffers,
    paired run by run (same seed and run indices)."""
    d = (_damage("surprise-missile-attack", excursion, "JPN")
         - _damage("surprise-missile-attack", reference, "JPN"))
    half = 1.96 * float(np.std(d, ddof=1)) / np.sqrt(N)
    assert float(np.mean(d)) + half < 0, f"{why}: {np.mean(d):+.3f} +- {half:.3f}"


def _count_sets(scenario, sets, outcome):
    w = compile_world(load_scenario(scenario, sets=tuple(sets)).scenario)
    g = Game(w, make_policies(w), seed=2024, runs=N, record=False)
    g.play()
    return int(g.columns()[outcome].sum())




@pytest.mark.parametrize("sets,reference,why", [
    (NO_HOMELAND_STRIKE, (), "no strike on the DPRK homeland: its 2022 law's trigger is not "
                             "pulled"),
    (("actors.PRK.doctrine.nuclear_threshold=0.9",), (),
     "a leadership that needs more resolve to use them uses them less"),
])
def test_dprk_nuclear_use_falls(sets, reference, why):
    """surprise-missile-attack: North Korean nuclear use, paired with the base case."""
    k1 = _count_sets("surprise-missile-attack", sets, "nuclear_use")
    k0 = _count_sets("surprise-missile-attack", reference, "nuclear_use")
    d, lo, hi = difference_interval(k1, N, k0, N)
    assert hi < 0, f"{why}: difference {d:+.3f} [{lo:+.3f}, {hi:+.3f}]"


@pytest.mark.parametrize("scenario,excursion,reference,outcome,why", [
    ("east-china-sea", "article5-reaffirmed", "us-ambiguous", "war",
     "a reaffirmed Article 5 deters the landing (Zagare-Kilgour)"),
    ("regional-nuclear-escalation", "dprk-restrained", "base", "war",
     "a less resolute challenger starts fewer wars (Powell)"),
])
def test_excursion_moves_outcome_down(scenario, excursion, reference, outcome, why):
    k1 = _count(scenario, excursion, outcome)
    k0 = _count(scenario, reference, outcome)
    d, lo, hi = difference_interval(k1, N, k0, N)
    assert hi < 0, f"{why}: difference {d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
