"""The exercise record for the hotwash and the AAR: JSON and XLSX, redacted per role.

One table per kind -- moves, rulings, injects, messages, notes -- and every
row stamped with its turn and game time (``D+14``). The white cell's export
holds everything (rationales, AI reasoning, overrides with their reasons,
the audit log); any other role's export is built from the same views its
pages show, so an export can never hold more than the screen.
"""

from __future__ import annotations

import io
import json
from typing import Any

import sqlalchemy as sa

from whitecell.exercise.live import Exercises
from whitecell.exercise.schema import decisions_table
from whitecell.exercise.tokens import CELL, Role

SHEETS = ("moves", "rulings", "injects", "messages", "notes")


def _decisions(ex: Exercises, xid: str) -> list[dict[str, Any]]:
    with ex.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(decisions_table).where(decisions_table.c.exercise_id == xid)
            .order_by(decisions_table.c.turn, decisions_table.c.ruling)).mappings()]


def record(ex: Exercises, xid: str, role: Role) -> dict[str, Any]:
    """The exercise record as ``role`` may see it: ``{"exercise": ..., SHEET: [rows]}``."""
    v = ex.view(xid, role)
    snap = ex.snapshot(xid)

    def day(turn: int) -> str:
        return ex.game_day(snap, int(turn)) if turn else ""

    moves, rulings, injects = [], [], []
    for e in v["timeline"]:
        t = int(e["turn"])
        d = e.get("data") or {}
        if e["kind"] == "move":
            moves.append({"turn": t, "game_time": day(t), "actor": e["actor"],
                          "action": d.get("action"), "target": d.get("target"),
                          "rung": d.get("rung"), "rationale": d.get("rationale") or "",
                          "reason": d.get("reason") or ""})
        elif e["kind"] in ("ruling", "incident"):
            rulings.append({"turn": t, "game_time": day(t), "actor": e.get("actor") or "",
                            "ruling": e["text"], "model": d.get("model") or "",
                            "probability": d.get("probability"), "draw": d.get("draw"),
                            "result": json.dumps(d.get("result"), sort_keys=True)})
        elif e["kind"] == "inject":
            injects.append({"turn": t, "game_time": day(t), "source": "MSEL",
                            "title": d.get("inject") or "", "text": e["text"],
                            "to": ", ".join(d.get("to") or [])})
    for i in v["adhoc_injects"]:
        t = int(i["turn"])
        to = i["recipients"]
        injects.append({"turn": t, "game_time": day(t), "source": "ad hoc (white cell)",
                        "title": i["title"], "text": i["text"],
                        "to": "all" if to == "all" else ", ".join(to)})
    injects.sort(key=lambda r: r["turn"])
    messages = [{"turn": int(m["turn"]), "game_time": day(m["turn"]), "from": m["sender"],
                 "to": ", ".join(m["recipients"]), "kind": m["kind"], "status": m["status"],
                 "text": m["text"], "sent": m["created"]} for m in v["messages"]]
    notes = [{"turn": int(n["turn"]), "game_time": day(n["turn"]), "author": n["author"],
              "kind": n["kind"], "text": n["text"], **{k: n["fields"].get(k, "") for k in (
                  "recommendation", "owner", "due", "capability")}} for n in v["notes"]]
    out: dict[str, Any] = {
        "exercise": {"id": xid, "scenario": v["scenario"]["id"],
                     "title": v["scenario"]["title"], "status": v["status"],
                     "turn": v["turn"], "published_turns": v["published_turns"],
                     "role": role.label},
        "moves": moves, "rulings": rulings, "injects": injects, "messages": messages,
        "notes": notes,
    }
    if role.is_white:
        out["decisions"] = [{"turn": d["turn"], "game_time": day(d["turn"]),
                             "ruling": d["ruling"], "decision": d["decision"],
                             "draw": d["draw"], "reason": d["reason"], "decided": d["decided"]}
                            for d in _decisions(ex, xid)]
        out["audit"] = [{"turn": a["turn"], "game_time": day(a["turn"]), "at": a["at"],
                         "role": a["role"], "action": a["action"],
                         "detail": json.dumps(a["detail"], sort_keys=True)}
                        for a in reversed(ex.audit(xid, role, limit=100000))]
    elif role.kind == CELL:
        out["exercise"]["cell"] = role.actor
    return out


def record_json(ex: Exercises, xid: str, role: Role) -> str:
    """:func:`record` as indented JSON."""
    return json.dumps(record(ex, xid, role), indent=2, sort_keys=False, ensure_ascii=False)


def _cell(value: Any) -> Any:
    """A spreadsheet cell: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def record_xlsx(ex: Exercises, xid: str, role: Role) -> bytes:
    """:func:`record` as an XLSX workbook: one sheet per kind, header row first."""
    from openpyxl import Workbook

    data = record(ex, xid, role)
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    sheets = [*SHEETS, *(k for k in ("decisions", "audit") if k in data)]
    for name in sheets:
        ws = wb.create_sheet(name)
        rows = data[name]
        cols = list(rows[0]) if rows else ["turn", "game_time"]
        ws.append(cols)
        for r in rows:
            ws.append([_cell(r.get(c)) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
