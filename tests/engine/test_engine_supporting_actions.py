"""A move of several actions (``parameters.action_cap`` > 1): the main effort and
supporting signals, ruled into the move's posture, recorded and replayed."""

from __future__ import annotations

import numpy as np
import pytest

from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.policies.recorded import RecordedPolicy
from whitecell.record.session import replay, start_session
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE, SUPPORTING
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

SID = "east-china-sea"
CAP2 = ("parameters.action_cap=2",)


def _game(moves, sets=CAP2, runs=1):
    w = compile_world(load_scenario(SID, sets=sets).scenario)
    pol = make_policies(w)
    pol["USA"] = RecordedPolicy(moves, name="human")
    g = Game(w, pol, seed=3, runs=runs, record=runs == 1)
    g.play()
    return w, g


def test_supporting_actions_are_signals_only() -> None:
    assert "bomber_flight" in SUPPORTING and "sanctions" in SUPPORTING
    for a in CATALOGUE:
        if a.id in SUPPORTING:
            assert not a.violent and a.adjudicator is None, a.id
    assert "wait" not in SUPPORTING and "missile_strike" not in SUPPORTING


def test_a_supporting_action_adds_to_the_moves_posture_and_is_recorded() -> None:
    main = {"action": "diplomatic_message", "target": "CHN"}
    plain = [main] * 3
    backed = [dict(main, support=[{"action": "bomber_flight", "target": "CHN"}])] * 3
    _, g0 = _game(plain)
    w, g1 = _game(backed)
    usa = w.actor_index("USA")
    # the Rivera score adds the supporting action's weight every turn
    bomber = float(w.actions.weight[ACTION_INDEX["bomber_flight"]])
    assert g1.state.score[0, usa] > g0.state.score[0, usa]
    first = [e for e in g1.events if e.turn == 1 and e.kind == "move" and e.actor == "USA"]
    assert [e.data["action"] for e in first] == ["diplomatic_message", "bomber_flight"]
    assert first[1].data["support"] is True
    assert "supporting action of its move (diplomatic_message)" in first[1].data["reason"]
    assert bomber > 0
    # the rung others saw is the move's highest
    assert g1.state.peak[0, usa] >= CATALOGUE[ACTION_INDEX["bomber_flight"]].kahn_rung
    assert g1.decisions[0]["USA"]["support"] == [{"action": "bomber_flight", "target": "CHN"}]


def test_only_signals_may_support_and_the_cap_holds() -> None:
    moves = [{"action": "diplomatic_message", "target": "CHN",
              "support": [{"action": "missile_strike", "target": "CHN"}]}]
    w, g = _game(moves)
    t1 = [e for e in g.events if e.turn == 1]
    assert not [e for e in t1 if e.kind == "move" and e.data.get("action") == "missile_strike"]
    dropped = [e for e in t1 if e.kind == "ruling" and "supporting action" in e.text]
    assert dropped and "not a supporting action" in dropped[0].text
    usa = w.actor_index("USA")
    assert not g.state.belligerent[0, usa]  # the strike was never ruled
    # with the default cap of 1 a supporting action is not played at all
    _, g1 = _game([dict(moves[0], support=[{"action": "bomber_flight", "target": "CHN"}])],
                  sets=())
    assert not [e for e in g1.events if e.kind == "move" and e.data.get("support")]


def test_a_game_with_supporting_actions_replays_to_the_same_digest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from whitecell.record.store import RunStore

    moves = [{"action": "military_exercise", "target": "CHN",
              "support": [{"action": "reaffirm_commitment", "target": "JPN"}]}] * 4
    ss = start_session(SID, seed=4, sets=CAP2, humans={"USA": RecordedPolicy(moves)})
    ss.game.play()
    rec = ss.record()
    assert any(e["data"].get("support") for e in rec.events if e["kind"] == "move")
    store = RunStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    store.save(rec)
    again, same = replay(store.load(rec.run_id))
    assert same and again.event_digest == rec.event_digest


@pytest.mark.parametrize("runs", [64])
def test_a_batch_plays_supporting_actions_as_a_run_alone(runs: int) -> None:
    moves = [{"action": "diplomatic_message", "target": "CHN",
              "support": [{"action": "sanctions", "target": "CHN"}]}] * 10
    _, batch = _game(moves, runs=runs)
    _, alone = _game(moves)
    for k, v in alone.columns().items():
        a, b = np.asarray(v)[0], np.asarray(batch.columns()[k])[0]
        assert a == b or (np.issubdtype(np.asarray(a).dtype, np.floating)
                          and np.isnan(a) and np.isnan(b)), k
