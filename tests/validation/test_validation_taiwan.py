"""Calibration and comparative statics that an analyst would check (docs/validation.md).

CSIS, "The First Battle of the Next War" (Cancian, Cancian & Heginbotham, 2023):
the invasion failed in the base and optimistic cases, stalled more often as
conditions worsened, and succeeded when Taiwan stood alone. The Taiwan
excursions must reproduce that ordering of P(challenger success), with 95%
Wilson intervals that separate the ends of the ordering.
"""

import numpy as np
import pytest

from whitecell.analysis.stats import difference_interval, wilson_interval
from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

N = 4000


def _cols(excursion=None, sets=(), scenario="taiwan-strait-crisis"):
    w = compile_world(load_scenario(scenario, excursion=excursion,
                                    sets=tuple(sets)).scenario)
    g = Game(w, make_policies(w), seed=2024, runs=N, record=False)
    g.play()
    return g.columns()


@pytest.fixture(scope="module")
def csis():
    return {e: _cols(e) for e in ("base", "optimistic", "pessimistic", "no-japan-bases",
                                  "taiwan-alone")}


def _succ(c):
    return int(c["challenger_success"].sum())


#: CSIS (2023) results per case: (games, games China succeeded). Base 3 games and
#: optimistic 2: every invasion failed; pessimistic 18: 4 decisive failures and 14
#: stalemates (none a Chinese success); Taiwan alone 1: China succeeded.
CSIS = {"base": (3, 0), "optimistic": (2, 0), "pessimistic": (18, 0), "taiwan-alone": (1, 1)}


@pytest.mark.parametrize("case", ["base", "optimistic", "taiwan-alone"])
def test_csis_levels_within_the_series_sampling_error(csis, case):
    """P(challenger success) lies inside the 95% Wilson interval of the CSIS games."""
    games, won = CSIS[case]
    lo, hi = wilson_interval(won, games)
    p = _succ(csis[case]) / N
    assert lo <= p <= hi, (case, p, (lo, hi))


@pytest.mark.xfail(reason="crisis model v2 (issue 6): the pessimistic case ends in failed "
                          "invasions, not CSIS's stalemates; see docs/validation.md",
                   strict=True)
def test_csis_pessimistic_level():
    c = _cols("pessimistic")
    games, won = CSIS["pessimistic"]
    assert _succ(c) / N <= wilson_interval(won, games)[1]
    from whitecell.world.state import END_REASONS
    stalemates = (c["end_reason"] == END_REASONS.index("stalemate")).mean()
    assert stalemates >= wilson_interval(14, 18)[0]


def test_csis_ordering_of_challenger_success(csis):
    p = {e: _succ(c) / N for e, c in csis.items()}
    assert p["optimistic"] <= p["base"] + 0.02, p
    assert p["base"] < p["no-japan-bases"] < p["taiwan-alone"], p


def test_csis_extremes_are_statistically_separated(csis):
    d, lo, hi = difference_interval(_succ(csis["taiwan-alone"]), N, _succ(csis["base"]), N)
    assert lo > 0.2, (d, lo, hi)
    b_hi = wilson_interval(_succ(csis["base"]), N)[1]
    j_lo = wilson_interval(_succ(csis["no-japan-bases"]), N)[0]
    assert b_hi < j_lo


def test_more_credible_patron_deters_more():
    weak = _cols(sets=["commitments.taiwan-relations-act.strength=0.2"])
    strong = _cols(sets=["commitments.taiwan-relations-act.strength=0.9"])
    assert strong["war"].mean() < weak["war"].mean() - 0.3
    assert strong["deterrence_held"].mean() > weak["deterrence_held"].mean() + 0.3


def test_higher_war_costs_mean_less_war():
    low = _cols(sets=["actors.CHN.war_cost=0.5"])
    high = _cols(sets=["actors.CHN.war_cost=1.5"])
    assert high["war"].mean() < low["war"].mean()


def test_higher_alert_sensitivity_raises_inadvertent_incidents():
    # incidents count before war; in Taiwan the blockade starts the war by turn
    # 3 in nine runs out of ten, so the static is read where crises last:
    # the Senkaku coast-guard confrontation (Schelling: alert raises the risk)
    calm = _cols(sets=["parameters.risk.k_alert=0.0"], scenario="east-china-sea")
    tense = _cols(sets=["parameters.risk.k_alert=0.1"], scenario="east-china-sea")
    k1, k2 = int((tense["incidents"] > 0).sum()), int((calm["incidents"] > 0).sum())
    d, lo, _ = difference_interval(k1, N, k2, N)
    assert lo > 0, (d, lo)


def test_no_run_uses_nuclear_weapons_under_no_first_use_without_nuclear_attack(csis):
    for c in csis.values():
        assert not (c["nuclear_use"] & (c["nuclear_first_user"] == 0)).any()
        assert np.isin(c["end_reason"], [1, 2, 3, 4, 5, 6, 7]).all()  # never 'running'
