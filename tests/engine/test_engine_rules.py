"""Rules that once had holes: settlements, doctrine gates, magazines, scripts."""

import numpy as np
import pytest

from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import K, compile_world


def _world(*sets, excursion=None):
    return compile_world(load_scenario("taiwan-strait-crisis", excursion=excursion,
                                       sets=tuple(sets)).scenario)


def test_third_party_cannot_settle_the_crisis():
    w = _world("actors.USA.policy=scripted", "actors.USA.script=[propose_talks]")
    g = Game(w, make_policies(w), seed=7)
    g.play()
    deals = [e for e in g.events if e.kind == "ruling" and "accept the offer" in e.text]
    assert all("RUS" not in e.text for e in deals)


def test_walking_down_the_ladder_respects_nuclear_doctrine():
    w = _world("actors.CHN.doctrine.ladder=[military_exercise, limited_nuclear_use, "
               "escort_shipping]", "actors.CHN.doctrine.max_step=2")
    g = Game(w, make_policies(w), seed=0, runs=500, record=False)
    g.play()
    assert not g.state.nuclear_use.any()


def test_short_magazine_still_fires_what_it_has():
    w = _world("actors.CHN.policy=scripted", "actors.CHN.script=[missile_strike@TWN]",
               "actors.TWN.forces.interceptors.value=39",
               "actors.USA.forces.interceptors.value=0",
               "actors.CHN.forces.launchers.value=80")
    g = Game(w, make_policies(w), seed=1)
    g.step()
    ruling = next(e for e in g.events if e.kind == "ruling" and "missile defence" in e.text)
    assert ruling.data["result"]["interceptors_used"] == 39
    assert ruling.data["probability"] > 0.3
    assert g.state.forces[0, w.actor_index("TWN"), K["interceptors"]] == 0


def test_scripts_may_name_targets():
    w = _world("actors.CHN.policy=scripted", "actors.CHN.script=[missile_strike@JPN]")
    g = Game(w, make_policies(w), seed=1)
    g.step()
    move = next(e for e in g.events if e.kind == "move" and e.actor == "CHN")
    assert move.data["target"] == "JPN"
    with pytest.raises(ScenarioError, match="unknown actor 'XXX'"):
        load_scenario("taiwan-strait-crisis",
                      sets=("actors.CHN.policy=scripted", "actors.CHN.script=[wait@XXX]"))


def test_inject_force_kinds_are_validated():
    with pytest.raises(ScenarioError, match="unknown force kind 'navy'"):
        load_scenario("taiwan-strait-crisis",
                      sets=("injects.exercise-does-not-end.effects.forces={CHN: {navy: 1}}",))


def test_deployments_are_capped():
    w = _world("actors.USA.policy=scripted",
               "actors.USA.script=[deploy_forces, deploy_forces, deploy_forces, deploy_forces]")
    g = Game(w, make_policies(w), seed=1)
    for _ in range(4):
        g.step()
    usa = w.actor_index("USA")
    cap = w.scenario.parameters.combat.max_deployments
    assert g.state.forces[0, usa, K["naval"]] <= w.forces0[usa, K["naval"]] + cap * 10 + 1e-9


def test_teaching_mode_reveals_resolve():
    w = _world("fog.show_resolve=true")
    g = Game(w, make_policies(w), seed=3)
    obs = g.observe(0)
    assert np.allclose(obs.belief[0], g.state.resolve[0])


def test_end_conditions_can_be_switched_off():
    from whitecell.world.state import END_REASONS

    def reasons(*sets):
        w = _world(*sets)
        g = Game(w, make_policies(w), seed=4, runs=2000, record=False)
        g.play()
        return {END_REASONS[int(r)] for r in np.unique(g.state.end_reason)}

    assert "capitulation" in reasons()
    assert "capitulation" not in reasons("end_conditions.capitulation=false")
    assert "settlement" not in reasons("end_conditions.settlement=false")
    # China takes and holds the island where Taiwan stands alone
    alone = ("actors.USA.doctrine.intervene_for=[]", "actors.JPN.doctrine.intervene_for=[]")
    assert "objective" in reasons(*alone)
    assert "objective" not in reasons(*alone, "end_conditions.objective=false")
