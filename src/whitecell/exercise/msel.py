"""The white cell's hand on the MSEL: hold, release, reschedule or disable injects.

The engine releases the scenario's injects itself (timed or conditional).
The white cell changes *which* and *when* by changing the scenario the game
is built from: each change becomes part of one ``--set injects=[...]``
override, so the run record (which stores its overrides) replays to the same
game. Only injects that have not fired in a published turn may change; the
past stays as it was published.

Statuses of an inject: ``scheduled`` (as written), ``held`` (kept back until
released), ``disabled`` (never fires), ``rescheduled`` (fires at a turn the
white cell chose; releasing an inject reschedules it to the turn being
played).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from whitecell.exercise.states import ExerciseError
from whitecell.scenario.model import Scenario

OPERATIONS = ("release", "hold", "disable", "enable", "reschedule")


def apply_operation(state: Mapping[str, Mapping[str, Any]], scenario: Scenario, inject: str,
                    op: str, turn: int, fired: set[str], at: int | None = None
                    ) -> dict[str, dict[str, Any]]:
    """The MSEL state after operation ``op`` on ``inject`` during turn ``turn``."""
    ids = [i.id for i in scenario.injects]
    if inject not in ids:
        raise ExerciseError(f"no inject {inject!r} in the MSEL (known: {', '.join(ids)})", 404)
    if op not in OPERATIONS:
        raise ExerciseError(f"unknown inject operation {op!r} (expected one of "
                            f"{', '.join(OPERATIONS)})", 422)
    if inject in fired:
        raise ExerciseError(f"inject {inject} was already released in a published turn", 409)
    new = {k: dict(v) for k, v in state.items()}
    if op == "release":
        new[inject] = {"status": "rescheduled", "turn": turn}
    elif op == "hold":
        new[inject] = {"status": "held", "turn": None}
    elif op == "disable":
        new[inject] = {"status": "disabled", "turn": None}
    elif op == "enable":
        new.pop(inject, None)
    else:
        if at is None or not turn <= at <= scenario.max_turns:
            raise ExerciseError(f"reschedule needs a turn from {turn} to {scenario.max_turns}",
                                422)
        new[inject] = {"status": "rescheduled", "turn": int(at)}
    return new


def msel_sets(state: Mapping[str, Mapping[str, Any]], scenario: Scenario) -> tuple[str, ...]:
    """The ``--set`` override that gives the MSEL its white-cell changes (none if none)."""
    if not state:
        return ()
    out = []
    for inj in scenario.injects:
        st = state.get(inj.id)
        data = inj.model_dump(mode="json", exclude_none=True)
        if st is None:
            out.append(data)
        elif st["status"] == "rescheduled":
            data.pop("when", None)
            data["turn"] = int(st["turn"])
            out.append(data)
    return ("injects=" + json.dumps(out, sort_keys=True),)


def msel_rows(state: Mapping[str, Mapping[str, Any]], scenario: Scenario,
              fired: Mapping[str, int], due: set[str]) -> list[dict[str, Any]]:
    """The MSEL as the white cell sees it: each inject with its status and timing."""
    rows = []
    for inj in scenario.injects:
        st = state.get(inj.id)
        if inj.id in fired:
            status, when = "fired", f"turn {fired[inj.id]}"
        elif st is not None:
            status = st["status"]
            when = f"turn {st['turn']}" if st.get("turn") else "-"
        else:
            status = "scheduled"
            when = f"turn {inj.turn}" if inj.turn is not None else "when " + "; ".join(
                f"{c.var}{'(' + c.actor + ')' if c.actor else ''} {c.op} {c.value:g}"
                for c in inj.when or [])
        rows.append({"id": inj.id, "title": inj.title, "text": inj.text.strip(),
                     "to": inj.to if isinstance(inj.to, str) else list(inj.to),
                     "status": status, "when": when, "due_now": inj.id in due,
                     "moves": dict(inj.moves)})
    return rows
