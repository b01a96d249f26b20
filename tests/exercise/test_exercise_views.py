"""Isolation: what a cell, an observer and the white cell each see."""

from __future__ import annotations

import json

import pytest

from whitecell.exercise import WHITE, ExerciseError, Exercises, Role
from whitecell.exercise.tokens import CELL, OBSERVER

SCENARIO = "taiwan-strait-crisis"
SECRET = "SECRET-RATIONALE-<script>"


def _played(ex: Exercises) -> tuple[str, Role, Role]:
    c = ex.create(SCENARIO, seed=7, cells={"USA": "human", "JPN": "human"},
                  sets=["max_turns=4"], start=True)
    usa, jpn = Role(CELL, "USA"), Role(CELL, "JPN")
    ex.submit_move(c.id, usa, "USA", ["military_exercise"], SECRET)
    ex.adjudicate(c.id, WHITE)
    ex.publish(c.id, WHITE, advance=True)
    ex.submit_move(c.id, usa, "USA", ["deploy_forces"], "PENDING-" + SECRET)
    return c.id, usa, jpn


def test_a_cell_never_sees_another_cells_move_rationale_or_ai_reasoning(ex: Exercises) -> None:
    x, usa, jpn = _played(ex)
    text = json.dumps(ex.view(x, jpn))
    assert SECRET not in text and "PENDING" not in text
    assert "doctrine:" not in text  # the AI cells' private "why"
    assert '"move": null' in text  # JPN's own pending move: none
    # its own past move and rationale are shown to USA
    mine = ex.view(x, usa)
    assert mine["past_moves"][0]["rationale"] == SECRET
    assert mine["move"]["rationale"] == "PENDING-" + SECRET
    assert "doctrine:" not in json.dumps(mine)


def test_the_observer_sees_the_public_record_only(ex: Exercises) -> None:
    x, _, _ = _played(ex)
    v = ex.view(x, Role(OBSERVER))
    text = json.dumps(v)
    assert SECRET not in text and "doctrine:" not in text and "PENDING" not in text
    assert "beliefs" not in text and "resolve" not in text
    assert v["chart"]["turns"] == [1]
    assert "picture" not in v and "moves" not in v


def test_the_white_cell_sees_everything(ex: Exercises) -> None:
    x, _, _ = _played(ex)
    v = ex.view(x, WHITE)
    text = json.dumps(v)
    assert SECRET in text and "PENDING-" in text and "doctrine:" in text
    assert v["submitted"] == {"USA": True, "JPN": False}


def test_the_picture_is_exact_for_itself_and_fogged_for_others(ex: Exercises) -> None:
    x, _, jpn = _played(ex)
    pic = ex.view(x, jpn)["picture"]
    rows = {r["actor"]: r for r in pic["actors"]}
    assert rows["JPN"]["own"] and "resolve" in rows["JPN"]
    assert all("value" in f for f in rows["JPN"]["forces"].values())
    for a, r in rows.items():
        if a != "JPN":
            assert "resolve" not in r and "belief_in_resolve" in r
            for f in r["forces"].values():
                assert f["low"] <= f["estimate"] <= f["high"]


def test_start_event_private_values_are_hidden_from_cells(ex: Exercises) -> None:
    from whitecell.exercise.views import redact_events

    x, _, jpn = _played(ex)
    rec = ex.run_record(x)
    assert rec is not None
    start = rec.events[0]
    assert start["kind"] == "start" and "resolve" in start["data"]
    seen = redact_events(rec.events, jpn, ["CHN", "TWN", "USA", "JPN", "RUS"])
    assert set(seen[0]["data"]) == {"actors"}
    assert all("beliefs" not in e["data"] or set(e["data"]["beliefs"]) == {"JPN"}
               for e in seen)


def test_messages_between_cells_wait_for_the_white_cell(ex: Exercises) -> None:
    x, usa, jpn = _played(ex)
    m = ex.send_message(x, usa, ["JPN"], "diplomatic note <b>x</b>", kind="note")
    assert m["status"] == "held"
    assert ex.view(x, jpn)["messages"] == []
    assert [mm["text"] for mm in ex.view(x, usa)["messages"]] == ["diplomatic note <b>x</b>"]
    ex.release_message(x, WHITE, m["id"])
    assert [mm["text"] for mm in ex.view(x, jpn)["messages"]] == ["diplomatic note <b>x</b>"]
    r = ex.send_message(x, jpn, "white", "request for information", kind="rfi")
    assert r["status"] == "delivered" and ex.view(x, usa)["messages"][-1]["id"] != r["id"]
    with pytest.raises(ExerciseError) as e:
        ex.send_message(x, Role(OBSERVER), "white", "hi")
    assert e.value.code == 403


def test_adhoc_injects_reach_their_recipients_only(ex: Exercises) -> None:
    x, usa, jpn = _played(ex)
    ex.adhoc_inject(x, WHITE, "Flash", "a typhoon closes the strait", ["USA"])
    assert [i["title"] for i in ex.view(x, usa)["adhoc_injects"]] == ["Flash"]
    assert ex.view(x, jpn)["adhoc_injects"] == []
    assert ex.view(x, Role(OBSERVER))["adhoc_injects"] == []
    ex.adhoc_inject(x, WHITE, "All", "markets fall", "all")
    assert [i["title"] for i in ex.view(x, jpn)["adhoc_injects"]] == ["All"]


def test_the_msel_can_be_held_released_and_rescheduled_until_it_fires(ex: Exercises) -> None:
    c = ex.create(SCENARIO, seed=7, cells={"USA": "human"}, sets=["max_turns=4"], start=True)
    x = c.id
    first = ex.look(x).injects
    assert first, "turn 1 of the scenario releases an inject"
    iid = first[0]["data"]["inject"]
    ex.msel(x, WHITE, iid, "hold")
    assert all(e["data"]["inject"] != iid for e in ex.look(x).injects)
    ex.msel(x, WHITE, iid, "release")
    assert any(e["data"]["inject"] == iid for e in ex.look(x).injects)
    ex.adjudicate(x, WHITE)
    ex.publish(x, WHITE, advance=True)
    with pytest.raises(ExerciseError) as e:
        ex.msel(x, WHITE, iid, "disable")
    assert e.value.code == 409
    rows = {r["id"]: r for r in ex.view(x, WHITE)["msel"]}
    assert rows[iid]["status"] == "fired"
    later = next((r["id"] for r in rows.values() if r["status"] == "scheduled"), None)
    if later:
        ex.msel(x, WHITE, later, "reschedule", at=3)
        assert {r["id"]: r for r in ex.view(x, WHITE)["msel"]}[later]["when"] == "turn 3"


def test_cells_see_that_a_draw_was_overridden_but_not_why(ex: Exercises) -> None:
    c = ex.create("taiwan-strait-crisis", seed=7, cells={"USA": "human", "JPN": "human"},
                  sets=["max_turns=3"], start=True)
    prop = ex.adjudicate(c.id, WHITE)
    rid = next(r["id"] for r in prop["rulings"] if r["overridable"])
    ex.decide(c.id, WHITE, rid, "override_draw", draw=0.987, reason="SECRET-REASON steer")
    ex.publish(c.id, WHITE)
    v = ex.view(c.id, Role(CELL, "USA"))
    text = " ".join(str(e) for e in v["timeline"])
    assert "white cell override" in text and "0.987" in text
    assert "SECRET-REASON" not in str(v)
    assert "SECRET-REASON" in str(ex.audit(c.id, WHITE))
