"""Scripted player: a fixed list of moves, for tests and MSEL-driven cells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from whitecell.engine.observation import Decision, Observation
from whitecell.scenario.actions import ACTION_INDEX


class ScriptedPolicy:
    """Plays ``moves[turn - 1]`` (an action id, optionally ``action@TARGET``).

    After the script runs out it waits. Unknown action ids fail at construction,
    not in the middle of a game.
    """

    name = "scripted"

    def __init__(self, moves: Sequence[str]) -> None:
        self.moves: list[tuple[int, str | None]] = []
        for m in moves:
            act, _, tgt = m.partition("@")
            if act not in ACTION_INDEX:
                raise ValueError(f"scripted move {m!r}: unknown action {act!r}")
            self.moves.append((ACTION_INDEX[act], tgt or None))

    def decide(self, obs: Observation) -> Decision:
        R = obs.runs
        if obs.turn - 1 < len(self.moves):
            act, tgt = self.moves[obs.turn - 1]
        else:
            act, tgt = ACTION_INDEX["wait"], None
        t = obs.world.actor_index(tgt) if tgt else int(obs.world.adversary[obs.actor])
        reasons = [f"script: move {obs.turn}"] if obs.explain else None
        return Decision(action=np.full(R, act, dtype=np.int64),
                        target=np.full(R, t, dtype=np.int64), reasons=reasons)
