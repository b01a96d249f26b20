"""The AI players behave as the theory they cite says they should."""

import numpy as np
import pytest

from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.policies.common import deterrence_check, p_win
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

VIOLENT = np.array([a.violent for a in CATALOGUE])


def _game(*sets, excursion=None, kind="doctrine", runs=1000, seed=11):
    w = compile_world(load_scenario("taiwan-strait-crisis", excursion=excursion,
                                    sets=tuple(sets)).scenario)
    g = Game(w, make_policies(w, {a: kind for a in w.ids}), seed=seed, runs=runs,
             record=False)
    return w, g


def test_zagare_kilgour_check_matches_the_formula():
    """Deterred iff P(hard) >= (u_win - u_sq) / (u_win - u_conflict), u_sq = 0 (Zagare &
    Kilgour 2000), with u_conflict = p V - c and p the contest odds scaled by the share
    of the lift expected to survive the crossing if the committed defenders fight."""
    w, g = _game("commitments.taiwan-relations-act.strength=0.9", runs=200)
    obs = g.observe(w.challenger)
    deterred, p_hard, thr, odds = deterrence_check(obs)
    V, c = float(w.stakes[w.challenger]), float(w.war_cost[w.challenger])
    assert (odds <= p_win(obs) + 1e-12).all() and (odds < p_win(obs)).any()
    conflict = odds * V - c
    expected = np.where(conflict >= 0, np.inf, V / (V - conflict))
    assert np.allclose(thr, expected)
    assert np.array_equal(deterred, p_hard >= thr)
    assert 0 < deterred.mean() < 1  # misperception makes it differ across runs


@pytest.mark.parametrize("kind", ["doctrine", "strategic"])
def test_a_credible_patron_deters_violence(kind):
    _, weak = _game("commitments.taiwan-relations-act.strength=0.1", kind=kind)
    _, strong = _game("commitments.taiwan-relations-act.strength=0.95",
                      "actors.CHN.war_cost=1.2", kind=kind)
    weak.play()
    strong.play()
    assert strong.state.war.mean() < weak.state.war.mean()


def test_defenders_never_strike_first():
    """Doctrine rule 5: no violence before the actor or an ally it defends was attacked."""
    w, g = _game(runs=400)
    while not g.finished:
        live = ~g.state.done
        before = g.state.attacked_turn.copy()  # what the players saw when deciding
        g.step()
        acts = g.state.last_action
        for i in range(w.n_actors):
            if w.side[i] != 1:
                continue
            guarded = w.intervene_for[i].copy()
            guarded[i] = True
            hit = (before[:, guarded] > 0).any(axis=1)
            assert not (live & VIOLENT[acts[:, i]] & ~hit).any(), w.ids[i]


def test_no_first_use_is_respected_by_both_players():
    for kind in ("doctrine", "strategic"):
        w, g = _game(excursion="taiwan-alone", kind=kind, runs=2000)
        g.play()
        assert not (g.state.nuclear_use & (g.state.first_user == w.challenger)).any()


def test_strategic_challenger_presses_when_the_protege_is_alone():
    _, base = _game(excursion="base", kind="strategic")
    _, alone = _game(excursion="taiwan-alone", kind="strategic")
    base.play()
    alone.play()
    assert alone.state.war.mean() > base.state.war.mean() + 0.3
    assert alone.state.success.mean() > base.state.success.mean()


def test_held_nuclear_steps_are_not_repeated():
    """A challenger holding at a one-off nuclear step does not test again and again."""
    w, g = _game("actors.CHN.doctrine.ladder=[military_exercise, nuclear_test]",
                 "actors.CHN.doctrine.max_step=1", runs=300)
    c = w.challenger
    test = ACTION_INDEX["nuclear_test"]
    prev = np.zeros(300, dtype=bool)
    tested = np.zeros(300, dtype=bool)
    while not g.finished:
        live = ~g.state.done
        g.step()
        now = live & (g.state.last_action[:, c] == test)
        assert not (now & prev).any()
        tested |= now
        prev = now
    assert tested.any()  # the step was reached, so the check above meant something


def test_strategic_challenger_follows_the_balance_in_every_taiwan_case():
    """The strategic China read the aggregate contest (0.59 in every case), so its
    P(war) ignored the balance: 0.19 in the base, optimistic and no-Japanese-bases cases
    and 0.04 pessimistic. Weighing the crossing and the protege left alone, it fights
    more as the defence weakens (paired on the same seeds, every actor strategic)."""
    from whitecell.analysis.stats import difference_interval

    war = {}
    for e in ("optimistic", "base", "pessimistic", "no-japan-bases", "taiwan-alone"):
        _, g = _game(excursion=e, kind="strategic", runs=2000, seed=0)
        g.play()
        war[e] = int(g.state.war.sum())
    assert war["optimistic"] <= war["base"], war
    for lo_case, hi_case in (("base", "pessimistic"), ("pessimistic", "no-japan-bases"),
                             ("no-japan-bases", "taiwan-alone")):
        _, low, _ = difference_interval(war[hi_case], 2000, war[lo_case], 2000)
        assert low > 0, (lo_case, hi_case, war)


def test_strategic_challenger_fights_more_when_the_commitment_is_ambiguous():
    """East China Sea: an ambiguous US commitment invites the challenge the firm one deters."""
    from whitecell.analysis.stats import difference_interval

    war = {}
    for e in ("base", "us-ambiguous"):
        w = compile_world(load_scenario("east-china-sea", excursion=e).scenario)
        g = Game(w, make_policies(w, {a: "strategic" for a in w.ids}), seed=0, runs=2000,
                 record=False)
        g.play()
        war[e] = int(g.state.war.sum())
    _, low, _ = difference_interval(war["us-ambiguous"], 2000, war["base"], 2000)
    assert low > 0, war
