"""The outcome record of a run (DESIGN.md): the shared vocabulary for analysis."""

from __future__ import annotations

from typing import Any

import numpy as np

from whitecell.scenario.actions import FORCE_KINDS
from whitecell.world.compile import World
from whitecell.world.state import END_REASONS, State


def outcome_columns(world: World, st: State) -> dict[str, np.ndarray]:
    """Column arrays (one value per run) of the outcome record, for sweeps."""
    cols: dict[str, np.ndarray] = {
        "war": st.war.copy(),
        "nuclear_use": st.nuclear_use.copy(),
        "nuclear_first_user": st.first_user.copy(),
        "nuclear_turn": st.nuclear_turn.copy(),
        "nuclear_test": st.nuclear_test.copy(),
        "peak_rung": st.peak.max(axis=1),
        "escalation_score": st.score.sum(axis=1),
        "challenger_success": st.success.copy(),
        "deterrence_held": ~st.war & ~st.success,
        "end_reason": st.end_reason.copy(),
        "turns": st.end_turn.copy(),
        "incidents": st.incidents.copy(),
        "cumulative_risk": st.cumrisk.copy(),
        "first_violence_by": st.first_violence_by.copy(),
        "first_violence_turn": st.first_violence_turn.copy(),
        "capitulated_by": st.capitulated_by.copy(),
        "settlement_share": st.settlement_share.copy(),
    }
    for i, a in enumerate(world.ids):
        cols[f"peak_rung_{a}"] = st.peak[:, i].copy()
        cols[f"escalation_score_{a}"] = st.score[:, i].copy()
        cols[f"costs_{a}"] = st.costs[:, i].copy()
        cols[f"damage_{a}"] = st.damage[:, i].copy()
    return cols


def outcome_record(world: World, st: State, run: int = 0) -> dict[str, Any]:
    """The outcome record of one run as plain JSON-ready values."""
    fu = int(st.first_user[run])
    fv = int(st.first_violence_by[run])
    cap = int(st.capitulated_by[run])
    share = float(st.settlement_share[run])
    losses = {}
    for i, a in enumerate(world.ids):
        lost = st.lost[run, i]
        losses[a] = {k: round(float(lost[j]), 3) for j, k in enumerate(FORCE_KINDS)
                     if lost[j] > 1e-9}
    return {
        "war": bool(st.war[run]),
        "nuclear_use": bool(st.nuclear_use[run]),
        "nuclear_first_user": world.ids[fu] if fu >= 0 else None,
        "nuclear_turn": int(st.nuclear_turn[run]) if st.nuclear_use[run] else None,
        "nuclear_test": bool(st.nuclear_test[run]),
        "peak_rung": int(st.peak[run].max()),
        "peak_rung_by_actor": {a: int(st.peak[run, i]) for i, a in enumerate(world.ids)},
        "escalation_score": round(float(st.score[run].sum()), 6),
        "escalation_score_by_actor": {a: round(float(st.score[run, i]), 6)
                                      for i, a in enumerate(world.ids)},
        "challenger_success": bool(st.success[run]),
        "deterrence_held": bool(~st.war[run] & ~st.success[run]),
        "end_reason": END_REASONS[int(st.end_reason[run])],
        "turns": int(st.end_turn[run]),
        "incidents": int(st.incidents[run]),
        "first_violence_by": world.ids[fv] if fv >= 0 else None,
        "first_violence_turn": int(st.first_violence_turn[run]) if fv >= 0 else None,
        "capitulated_by": world.ids[cap] if cap >= 0 else None,
        "settlement_share": round(share, 6) if np.isfinite(share) else None,
        "losses": losses,
        "damage": {a: round(float(st.damage[run, i]), 6) for i, a in enumerate(world.ids)},
    }
