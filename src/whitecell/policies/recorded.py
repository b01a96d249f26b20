"""Recorded player: plays back a cell's stored moves (replays, resumed games).

Human decisions are not reproducible by re-asking the human, so a replay or a
resumed game feeds the stored moves back through this player, which reports
the same policy name, reason and rationale as the original so the event log,
and its digest, come out identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from whitecell.engine.observation import Decision, Observation, Policy
from whitecell.scenario.actions import ACTION_INDEX


class RecordedPolicy:
    """Replays ``moves[turn-1]`` (dicts with action, target, reason, rationale).

    When the record runs out, ``then`` (another policy, e.g. the human at the
    terminal again) takes over; without it the player waits.
    """

    def __init__(self, moves: Sequence[dict[str, Any]], name: str = "human",
                 then: Policy | None = None) -> None:
        self.moves = list(moves)
        self.name = name
        self.then = then

    def decide(self, obs: Observation) -> Decision:
        k = obs.turn - 1
        if k >= len(self.moves):
            if self.then is not None:
                return self.then.decide(obs)
            return Decision(action=np.full(obs.runs, ACTION_INDEX["wait"], dtype=np.int64),
                            target=np.full(obs.runs, -1, dtype=np.int64),
                            reasons=["record ended: wait"])
        m = self.moves[k]
        act = ACTION_INDEX[m["action"]]
        tgt = obs.world.actor_index(m["target"]) if m.get("target") else -1
        sup, sup_t = support_arrays(obs, m.get("support") or ())
        return Decision(action=np.full(obs.runs, act, dtype=np.int64),
                        target=np.full(obs.runs, tgt, dtype=np.int64),
                        reasons=[m.get("reason", "")], rationale=m.get("rationale"),
                        support=sup, support_target=sup_t)


def support_arrays(obs: Observation, rows: Sequence[Any]
                   ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(R, S) supporting actions and targets from ``[{"action", "target"}, ...]`` (None if none)."""
    if not rows:
        return None, None
    acts = [ACTION_INDEX[r["action"]] for r in rows]
    tgts = [obs.world.actor_index(r["target"]) if r.get("target") else -1 for r in rows]
    return (np.tile(np.array(acts, dtype=np.int64), (obs.runs, 1)),
            np.tile(np.array(tgts, dtype=np.int64), (obs.runs, 1)))


