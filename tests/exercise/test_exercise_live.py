"""A live exercise end to end on a real SQLite store: moves, rulings, overrides, replay."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from whitecell.exercise import WHITE, ExerciseError, Exercises, Role
from whitecell.exercise.tokens import CELL, OBSERVER
from whitecell.record.session import replay

SCENARIO = "taiwan-strait-crisis"


def _new(ex: Exercises, turns: int = 3, **kw: object):
    c = ex.create(SCENARIO, seed=7, cells={"USA": "human", "JPN": "human"},
                  sets=[f"max_turns={turns}"], start=True, **kw)
    return c, Role(CELL, "USA"), Role(CELL, "JPN")


def _code(fn, *a, **kw) -> int:
    with pytest.raises(ExerciseError) as e:
        fn(*a, **kw)
    return e.value.code


def test_tokens_name_their_role_and_nothing_else(ex: Exercises) -> None:
    c, _, _ = _new(ex)
    c2, _, _ = _new(ex)
    assert ex.authenticate(c.id, c.facilitator).kind == "facilitator"
    assert ex.authenticate(c.id, c.observer) == Role(OBSERVER)
    assert ex.authenticate(c.id, c.cells["JPN"]) == Role(CELL, "JPN")
    assert set(c.cells) == {"USA", "JPN"}  # AI cells get no token
    assert _code(ex.authenticate, c.id, None) == 401
    assert _code(ex.authenticate, c.id, "not-a-token") == 401
    assert _code(ex.authenticate, c.id, c2.cells["USA"]) == 403
    assert _code(ex.authenticate, "x-000000000000", c.facilitator) == 404
    # only hashes are stored
    with ex.engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for t in ("exercises", "exercise_cells")
                           for r in conn.execute(sa.text(f"SELECT * FROM {t}"))])
    for tok in (c.facilitator, c.observer, *c.cells.values()):
        assert tok not in dump


def test_three_turns_with_every_white_cell_decision_replay_identically(ex: Exercises) -> None:
    c, usa, jpn = _new(ex)
    x = c.id
    decided = set()
    for turn in (1, 2, 3):
        ex.submit_move(x, usa, "USA", ["military_exercise"], "show force")
        ex.submit_move(x, jpn, "JPN", [{"action": "diplomatic_message"}], "talk")
        ex.submit_move(x, jpn, "JPN", [{"action": "wait"}], "second thoughts")  # revised
        assert ex.get_move(x, jpn, "JPN")["revision"] == 2
        prop = ex.adjudicate(x, WHITE)
        assert prop["moves"]["JPN"]["action"] == "wait"
        assert prop["moves"]["JPN"]["rationale"] == "second thoughts"
        over = [r for r in prop["rulings"] if r["overridable"]]
        assert over, prop["rulings"]
        rid = over[0]["id"]
        if turn == 1:
            opts = ex.ruling_options(x, WHITE, rid)
            target = opts[0]
            prop = ex.decide(x, WHITE, rid, "override_result", result=target["result"],
                             reason="steer the seminar")
            now = next(r for r in prop["rulings"] if r["id"] == rid)
            assert now["result"] == target["result"] and now["draw"] == target["draw"]
        elif turn == 2:
            prop = ex.decide(x, WHITE, rid, "override_draw", draw=0.987, reason="what if")
            assert next(r for r in prop["rulings"] if r["id"] == rid)["draw"] == 0.987
        else:
            prop = ex.decide(x, WHITE, rid, "reroll", reason="fresh dice")
            prop = ex.decide(x, WHITE, rid, "accept")
        decided.add(rid)
        res = ex.publish(x, WHITE, advance=True)
        assert res["turn"] == turn
    snap = ex.snapshot(x)
    assert snap.status == "ended" and len(snap.turns) == 3
    rec = ex.run_record(x)
    assert rec is not None and rec.status == "complete"
    assert len(rec.draw_overrides) == 2  # turn 3's re-roll was then accepted: no override
    assert any(o.startswith("1:") for o in rec.draw_overrides)
    new, same = replay(rec)
    assert same, "the published game must replay event for event"
    actions = [a["action"] for a in ex.audit(x, WHITE)]
    for a in ("create", "move", "adjudicate", "override_result", "override_draw", "reroll",
              "accept", "publish"):
        assert a in actions
    reasons = [a["detail"].get("reason") for a in ex.audit(x, WHITE)]
    assert "steer the seminar" in reasons and "what if" in reasons


def test_a_stored_game_holds_no_ai_move_of_the_turn_being_played(ex: Exercises) -> None:
    c, usa, _ = _new(ex, turns=5)
    x = c.id
    ex.submit_move(x, usa, "USA", ["wait"], "watch")
    ex.adjudicate(x, WHITE)
    ex.publish(x, WHITE, advance=True)
    ex.submit_move(x, usa, "USA", ["military_exercise"], "turn two")
    with ex.engine.connect() as conn:
        ev = conn.execute(sa.text("SELECT turn, kind, actor FROM events")).all()
        moves = conn.execute(sa.text("SELECT turn, actor FROM exercise_moves")).all()
        prop = conn.execute(sa.text("SELECT proposal FROM exercises")).scalar()
        decs = conn.execute(sa.text("SELECT turn, actor FROM decisions")).all()
    assert max(t for t, _, _ in ev) == 1  # the run record: published turn 1 only
    assert {(t, a) for t, a in decs} == {(1, a) for a in ("CHN", "TWN", "USA", "JPN", "RUS")}
    assert (2, "USA") in moves and all(a in ("USA", "JPN") for _, a in moves)
    assert prop is None


def test_moves_are_checked_and_only_open_while_running(ex: Exercises) -> None:
    c, usa, jpn = _new(ex)
    x = c.id
    assert _code(ex.submit_move, x, usa, "JPN", ["wait"], "") == 403
    assert _code(ex.submit_move, x, usa, "USA", ["no_such_action"], "") == 422
    assert _code(ex.submit_move, x, usa, "USA", ["wait", "wait"], "") == 422
    assert _code(ex.submit_move, x, usa, "USA", [{"action": "ultimatum", "target": "JPN"}],
                 "") == 422
    assert _code(ex.submit_move, x, usa, "USA", ["wait"], "x" * 5000) == 422
    assert _code(ex.submit_move, x, WHITE, "USA", ["wait"], "") == 403
    assert _code(ex.get_move, x, jpn, "USA") == 403
    assert _code(ex.get_move, x, usa, "USA") == 404
    ok = ex.submit_move(x, usa, "USA", [{"action": "ultimatum"}], "")
    assert ok["actions"][0]["target"] == "CHN"  # the sensible default
    ex.pause(x, WHITE)
    assert _code(ex.submit_move, x, usa, "USA", ["wait"], "") == 409
    ex.resume(x, WHITE)
    ex.adjudicate(x, WHITE)
    assert _code(ex.submit_move, x, usa, "USA", ["wait"], "") == 409  # frozen
    ex.reopen(x, WHITE)
    ex.submit_move(x, usa, "USA", ["wait"], "revised after reopening")
    assert _code(ex.publish, x, WHITE) == 409  # nothing adjudicated
    assert _code(ex.adjudicate, x, usa) == 403
    assert _code(ex.decide, x, WHITE, "incident", "reroll", reason="x") == 409


def test_overrides_need_a_reason_and_a_valid_draw(ex: Exercises) -> None:
    c, _, _ = _new(ex)
    x = c.id
    prop = ex.adjudicate(x, WHITE)
    rid = next(r["id"] for r in prop["rulings"] if r["overridable"])
    assert _code(ex.decide, x, WHITE, rid, "override_draw", draw=0.5, reason="") == 422
    assert _code(ex.decide, x, WHITE, rid, "override_draw", draw=1.0, reason="r") == 422
    assert _code(ex.decide, x, WHITE, rid, "override_result", result={"nope": 1},
                 reason="r") == 422
    assert _code(ex.decide, x, WHITE, "r99", "accept") == 404
    assert _code(ex.decide, x, WHITE, rid, "shrug") == 422


def test_everything_survives_a_new_process_on_the_same_database(ex: Exercises) -> None:
    c, usa, jpn = _new(ex)
    x = c.id
    ex.submit_move(x, usa, "USA", ["military_exercise"], "kept")
    ex.send_message(x, jpn, ["USA"], "a note between allies")
    ex.add_note(x, WHITE, "hotwash", "cells hesitated")
    again = Exercises(ex.url)
    assert again.get_move(x, WHITE, "USA")["rationale"] == "kept"
    assert again.authenticate(x, c.cells["USA"]) == usa
    v = again.view(x, WHITE)
    assert [m["text"] for m in v["messages"]] == ["a note between allies"]
    assert [n["text"] for n in v["notes"]] == ["cells hesitated"]


def test_reissued_tokens_replace_the_old_ones(ex: Exercises) -> None:
    c, _, _ = _new(ex)
    new = ex.reissue(c.id, WHITE)
    assert ex.authenticate(c.id, new.cells["USA"]) == Role(CELL, "USA")
    for old in (c.facilitator, c.observer, c.cells["USA"]):
        assert _code(ex.authenticate, c.id, old) == 401
    assert _code(ex.reissue, c.id, Role(CELL, "USA")) == 403


def test_the_turn_clock_warns_and_stops_while_paused(ex: Exercises) -> None:
    c, _, _ = _new(ex)
    ex.set_clock(c.id, WHITE, 1, warning_minutes=2)
    clock = ex.view(c.id, WHITE)["clock"]
    assert 50 <= clock["seconds_left"] <= 60 and clock["warning"] and not clock["paused"]
    ex.set_clock(c.id, WHITE, 30, warning_minutes=2)
    assert not ex.view(c.id, WHITE)["clock"]["warning"]
    ex.pause(c.id, WHITE)
    paused = ex.view(c.id, Role(CELL, "USA"))["clock"]
    assert paused["paused"] and 1790 <= paused["seconds_left"] <= 1800
    ex.resume(c.id, WHITE)
    assert not ex.view(c.id, WHITE)["clock"]["paused"]
    assert _code(ex.set_clock, c.id, WHITE, -5) == 422
    assert _code(ex.set_clock, c.id, Role(CELL, "USA"), 5) == 403


def _expire(ex: Exercises, xid: str) -> None:
    """Move the stored deadline into the past (as if the minutes had gone by)."""
    from whitecell.exercise.schema import exercises_table
    with ex.engine.begin() as conn:
        conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                     .values(deadline="2000-01-01T00:00:00.000000Z"))


def test_the_clock_closes_moves_at_the_deadline_when_told_to(ex: Exercises) -> None:
    c, usa, jpn = _new(ex)
    ex.set_clock(c.id, WHITE, 10, at_deadline="close")
    ex.submit_move(c.id, usa, "USA", ["military_exercise"], "in time")
    assert ex.view(c.id, usa)["clock"]["at_deadline"] == "close"
    _expire(ex, c.id)
    assert ex.view(c.id, jpn)["clock"]["expired"]
    assert _code(ex.submit_move, c.id, jpn, "JPN", ["wait"], "late") == 409
    assert _code(ex.submit_move, c.id, usa, "USA", ["wait"], "revised late") == 409
    assert ex.apply_deadlines() == []  # "close" does not adjudicate
    prop = ex.adjudicate(c.id, WHITE)
    assert prop["moves"]["USA"]["action"] == "military_exercise"
    assert prop["moves"]["JPN"]["action"] == "wait"  # no move by the deadline: it waits
    assert _code(ex.set_clock, c.id, WHITE, 5, at_deadline="explode") == 422


def test_the_clock_adjudicates_at_the_deadline_and_says_so(ex: Exercises) -> None:
    c, usa, _ = _new(ex)
    ex.set_clock(c.id, WHITE, 10, at_deadline="adjudicate")
    ex.submit_move(c.id, usa, "USA", ["military_exercise"], "in time")
    assert ex.apply_deadlines() == []  # not yet
    _expire(ex, c.id)
    assert ex.apply_deadlines() == [c.id]
    assert ex.view(c.id, WHITE)["status"] == "adjudicating"
    assert ex.apply_deadlines() == []  # once only
    with ex.engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT role, action FROM exercise_audit "
                                     "WHERE exercise_id = :x"), {"x": c.id}).all()
    assert ("clock", "adjudicate") in [tuple(r) for r in audit]
    # the white cell decides and publishes as after its own "Adjudicate"
    ex.publish(c.id, WHITE)
    assert ex.view(c.id, WHITE)["status"] == "published"


def test_a_move_of_several_actions_where_the_scenario_allows_it(ex: Exercises) -> None:
    c, usa, jpn = _new(ex)  # action_cap 1 (the bundled default)
    two = [{"action": "military_exercise", "target": "CHN"}, {"action": "bomber_flight",
                                                             "target": "CHN"}]
    assert _code(ex.submit_move, c.id, usa, "USA", two, "two") == 422
    c2 = ex.create(SCENARIO, seed=7, cells={"USA": "human", "JPN": "human"},
                   sets=["max_turns=3", "parameters.action_cap=3"], start=True)
    assert ex.actions(c2.id, usa)["action_cap"] == 3
    assert "bomber_flight" in ex.actions(c2.id, usa)["supporting"]
    got = ex.submit_move(c2.id, usa, "USA", two, "show force, twice")
    assert [a["action"] for a in got["actions"]] == ["military_exercise", "bomber_flight"]
    # a violent action may only be the main effort; no repeats; the cap holds
    assert _code(ex.submit_move, c2.id, usa, "USA",
                 ["military_exercise", {"action": "missile_strike", "target": "CHN"}], "") == 422
    assert _code(ex.submit_move, c2.id, usa, "USA",
                 ["bomber_flight", {"action": "bomber_flight", "target": "CHN"}], "") == 422
    assert _code(ex.submit_move, c2.id, usa, "USA",
                 ["military_exercise", "bomber_flight", "sanctions", "raise_alert"], "") == 422
    prop = ex.adjudicate(c2.id, WHITE)
    assert prop["moves"]["USA"]["support"] == [{"action": "bomber_flight", "target": "CHN"}]
    ex.publish(c2.id, WHITE, advance=True)
    v = ex.view(c2.id, Role(CELL, "USA"))
    assert v["past_moves"][0]["support"][0]["action"] == "bomber_flight"
    for _turn in (2, 3):
        if ex.snapshot(c2.id).status != "running":
            break
        ex.submit_move(c2.id, usa, "USA", ["diplomatic_message", "sanctions"], "pressure")
        ex.adjudicate(c2.id, WHITE)
        ex.publish(c2.id, WHITE, advance=True)
    # the published game replays event for event from its record
    rec = ex.run_record(c2.id)
    assert rec is not None
    _, same = replay(rec)
    assert same
