"""Exports: one sheet per kind, turn and game time on every row, redacted per role."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from whitecell.exercise import WHITE, Exercises, Role
from whitecell.exercise.export import SHEETS, record, record_json, record_xlsx
from whitecell.exercise.tokens import CELL, OBSERVER


def _played(ex: Exercises) -> str:
    c = ex.create("taiwan-strait-crisis", seed=5, cells={"USA": "human", "JPN": "human"},
                  sets=["max_turns=4"], start=True)
    usa, jpn = Role(CELL, "USA"), Role(CELL, "JPN")
    ex.submit_move(c.id, usa, "USA", ["military_exercise"], "=HYPERLINK(\"x\") usa secret")
    ex.submit_move(c.id, jpn, "JPN", ["wait"], "jpn secret")
    ex.send_message(c.id, jpn, "white", "rfi from JPN", kind="rfi")
    ex.adhoc_inject(c.id, WHITE, "Flash", "to USA only", ["USA"])
    prop = ex.adjudicate(c.id, WHITE)
    rid = next(r["id"] for r in prop["rulings"] if r["overridable"])
    ex.decide(c.id, WHITE, rid, "override_draw", draw=0.5, reason="seminar reason")
    ex.publish(c.id, WHITE, advance=True)
    ex.add_note(c.id, WHITE, "improvement", "finding one", {"recommendation": "fix it",
                                                           "owner": "J5", "due": "2026-09-01"})
    ex.add_note(c.id, Role(OBSERVER), "evaluator", "evaluator saw it")
    return c.id


def test_every_row_has_turn_and_game_time(ex: Exercises) -> None:
    xid = _played(ex)
    data = record(ex, xid, WHITE)
    for sheet in (*SHEETS, "decisions", "audit"):
        assert data[sheet], sheet
        for row in data[sheet]:
            assert isinstance(row["turn"], int) and row["game_time"].startswith("D+"), sheet
    assert data["decisions"][0]["reason"] == "seminar reason"
    wb = load_workbook(io.BytesIO(record_xlsx(ex, xid, WHITE)))
    assert wb.sheetnames == [*SHEETS, "decisions", "audit"]
    head = [c.value for c in wb["moves"][1]]
    assert head[:2] == ["turn", "game_time"]
    cells = [c.value for row in wb["moves"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"x\") usa secret" in cells  # no formula runs in a spreadsheet


def test_a_cells_export_holds_only_what_it_may_see(ex: Exercises) -> None:
    xid = _played(ex)
    jpn = json.loads(record_json(ex, xid, Role(CELL, "JPN")))
    text = json.dumps(jpn)
    assert "jpn secret" in text and "usa secret" not in text
    assert "to USA only" not in text and "seminar reason" not in text
    assert "doctrine:" not in text and "decisions" not in jpn and "audit" not in jpn
    assert "finding one" not in text and "evaluator saw it" not in text
    obs = json.dumps(record(ex, xid, Role(OBSERVER)))
    assert "secret" not in obs and "rfi from JPN" not in obs and "evaluator saw it" in obs
    wb = load_workbook(io.BytesIO(record_xlsx(ex, xid, Role(CELL, "USA"))))
    assert wb.sheetnames == list(SHEETS)
