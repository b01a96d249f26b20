"""What a cell sees (fog of war) and what it decides: the policy protocol.

Each actor observes its own picture: its own forces, resolve and costs exactly;
the others' forces within the scenario's fog (± a share, drawn per run), their
public moves and rungs, the public facts (blockade, lodgment, islands) and its
own beliefs about the others' resolve. Private resolve of others is never shown
unless the scenario's fog says so (teaching mode).

A policy is anything with ``decide(obs) -> Decision``; decisions cover every
run of the batch at once, so AI players are vectorised and a human player is the
same protocol with ``runs == 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from whitecell.world.compile import World

F = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Observation:
    """One actor's picture at the start of a turn, for every run (leading axis R)."""

    world: World
    actor: int
    turn: int
    own_forces: F  # (R, K) exact
    seen_forces: F  # (R, A, K) own row exact, others with fog noise
    resolve: F  # (R,) own private resolve
    tolerance: F  # (R,) own private cost tolerance
    costs: F  # (R, A) own exact; others as publicly visible (same model value)
    rungs: NDArray[np.int16]  # (R, A) posture rung after last turn (public)
    last_action: NDArray[np.int16]  # (R, A) last turn's actions (public)
    belief: F  # (R, A) own mean belief about each actor's resolve
    belief_a: F  # (R, A)
    belief_b: F  # (R, A)
    tension: F  # (R,)
    cumrisk: F  # (R,) running risk that the crisis slips out of control
    risk: F  # (R,) last turn's inadvertent-escalation probability
    attacked: B  # (R, A) who was attacked last turn
    attacked_turn: NDArray[np.int16]  # (R, A) first turn each actor was attacked
    homeland_struck: B  # (R, A)
    nuclear_attacked: B  # (R, A)
    belligerent: B  # (R, A)
    war: B  # (R,)
    nuclear_use: B  # (R,)
    blockade: F  # (R,)
    lodgment: F  # (R,)
    islands_held: B  # (R,)
    proposal: B  # (R,) an adversary proposed talks last turn
    legal: B  # (R, n_actions) legal actions this turn
    active: B  # (R,) runs still going
    prev_action: NDArray[np.int16]  # (R, A) the actions of two turns back (public)
    violent_turn: NDArray[np.int16]  # (R, A) last turn each actor used force (0 = never)
    incident: B  # (R,) an inadvertent incident last turn (not an armed attack)
    assurance: F  # (R, A) each actor's confidence in its patron (public reading)
    nuclear_attacked_turn: NDArray[np.int16]  # (R, A) last turn nuclear use struck it
    damage: F  # (R, A) damage each actor has suffered (own exact; others as visible)
    closure: NDArray[np.int16]  # (R, A) turns each actor's air bases stay closed
    war_turns: NDArray[np.int16]  # (R,) turns of fighting so far
    last_rung: NDArray[np.int16]  # (R, A) Kahn rung of each actor's last move
    prev_rung: NDArray[np.int16]  # (R, A) and of its move the turn before
    last_violent: B  # (R, A) the last move was violent
    prev_violent: B  # (R, A) the move before was violent
    injects: tuple[str, ...] = ()  # ids of injects delivered to this actor this turn (run 0)
    inject_fired: B | None = None  # (R, n_injects) the scenario's injects released this turn
    explain: bool = False  # True when a narrative is being recorded (runs == 1)

    @property
    def runs(self) -> int:
        return int(self.resolve.shape[0])


class Deferred:
    """An observation field given as a function, worked out the first time it is read.

    Most players never read some of the fields (the fogged forces of every
    actor, say), so the engine defers them; a player that reads one gets the
    same array it would have got eagerly.
    """

    __slots__ = ("fn", "kind")

    def __init__(self, fn: Callable[[], NDArray[Any]],
                 kind: Callable[[int], NDArray[Any]] | None = None) -> None:
        self.fn = fn
        self.kind = kind  # for seen_forces: the (R, A) slice of one force kind


class _DeferredField:
    """Descriptor of a field that may hold a :class:`Deferred` (evaluated once, on read)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        d = obj.__dict__
        v = d[self.name]
        if type(v) is Deferred:
            v = v.fn()
            d[self.name] = v
        return v

    def __set__(self, obj: object, value: Any) -> None:
        # reached only from the dataclass __init__ (the frozen __setattr__ refuses others)
        obj.__dict__[self.name] = value


#: fields the engine may defer (see :class:`Deferred`)
DEFERRED_FIELDS = ("seen_forces", "belief")
for _name in DEFERRED_FIELDS:
    setattr(Observation, _name, _DeferredField(_name))


def seen_kind(obs: Observation, k: int) -> NDArray[np.float64]:
    """``obs.seen_forces[:, :, k]`` (R, A), without working out the other kinds.

    The same numbers: each element is one product of the true force and its
    fog factor, whether computed for one kind or for all of them.
    """
    v = obs.__dict__.get("seen_forces")
    if type(v) is Deferred and v.kind is not None:
        return v.kind(k)
    return obs.seen_forces[:, :, k]


@dataclass
class Decision:
    """An actor's moves for every run: action index, target actor, and why."""

    action: NDArray[np.int64]  # (R,)
    target: NDArray[np.int64]  # (R,) actor index, -1 for none
    reasons: list[str] | None = None  # per run, only when obs.explain
    rationale: str | None = None  # free text from a human cell (run 0)
    extra: dict[str, object] = field(default_factory=dict)
    #: supporting actions (R, S) and their targets, -1 for none; only when the
    #: scenario's ``parameters.action_cap`` > 1 (human and language-model cells)
    support: NDArray[np.int64] | None = None
    support_target: NDArray[np.int64] | None = None


@runtime_checkable
class Policy(Protocol):
    """Anything that chooses moves for one actor over a batch of runs."""

    name: str

    def decide(self, obs: Observation) -> Decision:
        """Return this actor's moves for every run of ``obs``."""
        ...
