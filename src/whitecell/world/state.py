"""The mutable state of many runs at once: numpy arrays with a leading run axis.

A single game is ``runs=1``; a sweep chunk is ``runs=10_000``. The engine updates
these arrays in place, masking runs that have ended, so one copy of the rules
serves both. Every variable is documented in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from whitecell.world.compile import World

#: Why a run ended. 0 = still running.
END_REASONS: tuple[str, ...] = (
    "running",
    "settlement",
    "capitulation",
    "ceasefire",
    "strategic_exchange",
    "time_limit",
    "objective",
    "stalemate",
)

F = NDArray[np.float64]
B = NDArray[np.bool_]
I16 = NDArray[np.int16]


@dataclass
class State:
    """Per-run state; shapes use R runs, A actors, K force kinds."""

    turn: int
    forces: F  # (R, A, K) forces in the theatre
    rung: I16  # (R, A) Kahn rung of the actor's current posture
    peak: I16  # (R, A) highest rung reached
    alert: F  # (R, A) alert level 0..1
    tension: F  # (R,) public tension 0..1
    resolve: F  # (R, A) private resolve (Powell critical risk), sampled per run
    tolerance: F  # (R, A) private share of its stakes it will pay before conceding
    belief_a: F  # (R, A, A) Beta alpha of i's belief about j's resolve
    belief_b: F  # (R, A, A) Beta beta
    costs: F  # (R, A) accumulated costs in units of stakes (posture + damage)
    posture_costs: F  # (R, A) what its own moves cost it (alert, deployments, sanctions)
    damage: F  # (R, A) what others' actions did to it (losses, leakers, blockade)
    lost: F  # (R, A, K) forces lost (never negative; whole units in narrated games)
    score: F  # (R, A) accumulated Rivera escalation score
    turn_score: F  # (R, A) this turn's Rivera score
    belligerent: B  # (R, A) has carried out a violent action
    attacked: B  # (R, A) was the target of violence this turn
    attacked_turn: I16  # (R, A) first turn attacked (0 = never)
    homeland_struck: B  # (R, A) its territory has been struck
    nuclear_attacked: B  # (R, A) nuclear weapons used against it
    blockade: F  # (R,) share of the protege's shipping stopped
    escort: F  # (R,) escort strength committed this turn
    landed: F  # (R,) challenger troops ashore (thousands)
    lodgment: F  # (R,) share of the contested territory the challenger controls
    islands_held: B  # (R,) the challenger holds the disputed islands
    objective_turns: I16  # (R,) consecutive turns the objective fact has held
    proposal: B  # (R, A) proposed talks this turn
    bmd_bonus: F  # (R, A) tracking bonus from a missile-defence surge
    contact: F  # (R,) close-contact intensity this turn
    risk: F  # (R,) this turn's inadvertent-escalation probability
    cumrisk: F  # (R,) cumulative risk 1 - prod(1 - risk)
    incidents: I16  # (R,)
    war: B  # (R,)
    nuclear_use: B  # (R,)
    nuclear_test: B  # (R,)
    first_user: I16  # (R,) actor index of first nuclear use, -1 none
    nuclear_turn: I16  # (R,)
    conceded: B  # (R, A)
    deployed: I16  # (R, A) reinforcement packages deployed so far
    done: B  # (R,)
    end_reason: NDArray[np.int8]  # (R,) index into END_REASONS
    end_turn: I16  # (R,)
    success: B  # (R,) challenger success
    last_action: I16  # (R, A)
    last_target: I16  # (R, A)
    prev_action: I16  # (R, A) the action two turns back (responses read this and last turn)
    violent_turn: I16  # (R, A) last turn the actor carried out violence (0 = never)
    first_violence_by: I16  # (R,) actor index of the first violent act, -1 none
    first_violence_turn: I16  # (R,)
    capitulated_by: I16  # (R,) actor index of the side that capitulated, -1 none
    settlement_share: F  # (R,) challenger's share of the stakes at the end: the terms of a
    # deal or ceasefire, the control frozen by a stalemate, 1 for an objective held or the
    # protege's capitulation, 0 for the challenger's (nan = none, e.g. a strategic exchange)
    incident: B  # (R,) an inadvertent incident this turn (not an armed attack)
    closure: I16  # (R, A) turns the actor's air bases stay closed after a base strike
    assurance: F  # (R, A) confidence in its patron's commitment (1 where no patron)
    optimism: F  # (R, 2) each side's initial over-estimate of its own chances of war
    war_turns: I16  # (R,) turns of fighting so far
    calm_turns: I16  # (R,) consecutive war turns with no material change of control
    control: F  # (R,) challenger's control of the objective (lodgment/islands/blockade)
    nuclear_attacked_turn: I16  # (R, A) last turn nuclear weapons were used against it
    exposure: F  # (R, A) audience cost it would pay for backing down now (share of stakes)
    fired: B  # (R, n_injects)
    support_rung: I16  # (R, A) highest rung of last turn's supporting actions (0 = none)
    prev_support_rung: I16  # (R, A) the same two turns back

    @property
    def runs(self) -> int:
        return int(self.tension.shape[0])

    @classmethod
    def allocate(cls, world: World, runs: int) -> State:
        """Zeroed state for ``runs`` runs with the scenario's starting forces."""
        A = world.n_actors
        R = runs
        Kn = world.forces0.shape[1]
        nI = len(world.scenario.injects)
        z = np.zeros
        return cls(
            turn=0,
            forces=np.broadcast_to(world.forces0, (R, A, Kn)).copy(),
            rung=np.ones((R, A), dtype=np.int16),
            peak=np.ones((R, A), dtype=np.int16),
            alert=z((R, A)),
            tension=np.full(R, 0.1),
            resolve=z((R, A)),
            tolerance=z((R, A)),
            belief_a=np.ones((R, A, A)),
            belief_b=np.ones((R, A, A)),
            costs=z((R, A)),
            posture_costs=z((R, A)),
            damage=z((R, A)),
            lost=z((R, A, Kn)),
            score=z((R, A)),
            turn_score=z((R, A)),
            belligerent=z((R, A), dtype=bool),
            attacked=z((R, A), dtype=bool),
            attacked_turn=z((R, A), dtype=np.int16),
            homeland_struck=z((R, A), dtype=bool),
            nuclear_attacked=z((R, A), dtype=bool),
            blockade=z(R),
            escort=z(R),
            landed=z(R),
            lodgment=z(R),
            islands_held=z(R, dtype=bool),
            objective_turns=z(R, dtype=np.int16),
            proposal=z((R, A), dtype=bool),
            bmd_bonus=z((R, A)),
            contact=z(R),
            risk=z(R),
            cumrisk=z(R),
            incidents=z(R, dtype=np.int16),
            war=z(R, dtype=bool),
            nuclear_use=z(R, dtype=bool),
            nuclear_test=z(R, dtype=bool),
            first_user=np.full(R, -1, dtype=np.int16),
            nuclear_turn=z(R, dtype=np.int16),
            conceded=z((R, A), dtype=bool),
            deployed=z((R, A), dtype=np.int16),
            done=z(R, dtype=bool),
            end_reason=z(R, dtype=np.int8),
            end_turn=z(R, dtype=np.int16),
            success=z(R, dtype=bool),
            last_action=z((R, A), dtype=np.int16),
            last_target=np.full((R, A), -1, dtype=np.int16),
            prev_action=z((R, A), dtype=np.int16),
            violent_turn=z((R, A), dtype=np.int16),
            first_violence_by=np.full(R, -1, dtype=np.int16),
            first_violence_turn=z(R, dtype=np.int16),
            capitulated_by=np.full(R, -1, dtype=np.int16),
            settlement_share=np.full(R, np.nan),
            incident=z(R, dtype=bool),
            closure=z((R, A), dtype=np.int16),
            assurance=np.broadcast_to(world.assurance0, (R, A)).copy(),
            optimism=z((R, 2)),
            war_turns=z(R, dtype=np.int16),
            calm_turns=z(R, dtype=np.int16),
            control=z(R),
            nuclear_attacked_turn=z((R, A), dtype=np.int16),
            exposure=z((R, A)),
            fired=z((R, nI), dtype=bool),
            support_rung=z((R, A), dtype=np.int16),
            prev_support_rung=z((R, A), dtype=np.int16),
        )

    def belief_mean(self) -> F:
        """(R, A, A): i's expected value of j's resolve."""
        return self.belief_a / (self.belief_a + self.belief_b)

    def copy(self) -> State:
        """Deep copy (arrays copied)."""
        kw: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            kw[f.name] = v.copy() if isinstance(v, np.ndarray) else v
        return State(**kw)

    def take(self, index: NDArray[np.bool_] | NDArray[np.int64]) -> State:
        """The runs selected by a boolean mask or index array, as a new State."""
        idx: NDArray[np.intp] = np.asarray(index)
        if idx.dtype == np.bool_:  # one nonzero for all fields, not one per field
            idx = np.flatnonzero(idx)
        kw: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            # take() returns a new array: no second copy
            kw[f.name] = v.take(idx, axis=0) if isinstance(v, np.ndarray) else v
        return State(**kw)

    @staticmethod
    def concat(parts: list[State]) -> State:
        """Stack the runs of several States (same turn counter: the last one's)."""
        kw: dict[str, Any] = {}
        for f in fields(State):
            vals = [getattr(p, f.name) for p in parts]
            if isinstance(vals[0], np.ndarray):
                kw[f.name] = np.concatenate(vals, axis=0)
            else:
                kw[f.name] = vals[-1]
        return State(**kw)

    def select(self, run: int) -> State:
        """The state of one run as a runs=1 State (for narratives and tests)."""
        kw: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            kw[f.name] = v[run : run + 1].copy() if isinstance(v, np.ndarray) else v
        return State(**kw)
