"""White-cell overrides of chance: set the draw of a named ruling.

A ruling is a chance outcome with its probability and its draw. A facilitator
who wants a different outcome (to steer a seminar, or to explore "what if the
salvo had got through") sets the draw instead of the result, so the model
still decides what that draw means and the log shows it. An override reads

    TURN:RULING[:ACTOR]=DRAW      e.g.  1:strike_bases:PRK=0.99

with DRAW in [0, 1): high draws mean more leakers or losses, an incident or a
spiral where the probability is compared with the draw (``draw < p`` succeeds).
Overrides are part of a run's inputs: they are recorded with the run, change
its run id, and are applied again by a replay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whitecell.engine import adjudication as adj
from whitecell.world.compile import World

#: Ruling names a facilitator may override, and their dice codes.
RULINGS: dict[str, int] = {
    "incident": adj.R_INCIDENT,
    "blockade": adj.R_BLOCKADE,
    "grey_zone": adj.R_GREY,
    "seize_islands": adj.R_SEIZE,
    "retake_islands": adj.R_RETAKE,
    "missile_strike": adj.R_MISSILE,
    "strike_bases": adj.R_BASES,
    "counterstrike": adj.R_COUNTER,
    "naval_own_losses": adj.R_NAVAL_A,
    "naval_enemy_losses": adj.R_NAVAL_B,
    "invasion": adj.R_INVASION,
    "nuclear_spiral": adj.R_NUCLEAR,
}

#: Rulings drawn once per turn for the whole crisis, not per actor.
UNACTORED = {"incident"}

_PATTERN = re.compile(r"^\s*(\d+)\s*:\s*([a-z_]+)\s*(?::\s*([A-Za-z0-9_]+))?\s*=\s*(\S+)\s*$")


class OverrideError(ValueError):
    """A malformed or impossible override; the message says what was expected."""


@dataclass(frozen=True)
class DrawOverride:
    """The draw of one ruling (turn, ruling, actor) set by the white cell."""

    turn: int
    ruling: str
    actor: str | None
    draw: float

    @property
    def text(self) -> str:
        """Canonical form, as recorded with the run."""
        who = f":{self.actor}" if self.actor else ""
        return f"{self.turn}:{self.ruling}{who}={self.draw:.6g}"

    def key(self, world: World) -> tuple[int, int, int]:
        """(turn, dice code, actor index) of the ruling in ``world``."""
        i = 0 if self.actor is None else world.actor_index(self.actor)
        return self.turn, RULINGS[self.ruling], i


def parse_override(text: str, world: World) -> DrawOverride:
    """Parse ``TURN:RULING[:ACTOR]=DRAW`` against a scenario (OverrideError if wrong)."""
    m = _PATTERN.match(text)
    if not m:
        raise OverrideError(f"--override {text!r}: expected TURN:RULING[:ACTOR]=DRAW, "
                            "e.g. 1:strike_bases:PRK=0.99")
    turn, ruling, actor, value = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    if ruling not in RULINGS:
        raise OverrideError(f"--override {text!r}: unknown ruling {ruling!r} (known: "
                            f"{', '.join(sorted(RULINGS))})")
    if not 1 <= turn <= world.scenario.max_turns:
        raise OverrideError(f"--override {text!r}: turn must be 1..{world.scenario.max_turns}")
    if ruling in UNACTORED:
        if actor:
            raise OverrideError(f"--override {text!r}: the {ruling} ruling has no actor")
    else:
        if not actor:
            raise OverrideError(f"--override {text!r}: name the actor whose {ruling} "
                                f"ruling it is ({', '.join(world.ids)})")
        actor = actor.upper()
        if actor not in world.ids:
            raise OverrideError(f"--override {text!r}: unknown actor {actor!r} (known: "
                                f"{', '.join(world.ids)})")
    try:
        draw = float(value)
    except ValueError:
        raise OverrideError(f"--override {text!r}: the draw must be a number in [0, 1)") from None
    if not 0.0 <= draw < 1.0:
        raise OverrideError(f"--override {text!r}: the draw must lie in [0, 1) (got {draw})")
    return DrawOverride(turn=turn, ruling=ruling, actor=actor, draw=draw)
