"""Compile a validated scenario into static numpy tables (the World).

The World holds everything that does not change during a run: actor order,
sides, roles, starting forces, priors, doctrine ladders as index arrays, and the
action catalogue as column arrays. The engine reads these tables; the mutable
per-run quantities live in :class:`whitecell.world.state.State`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from whitecell.models.escalation import RIVERA_WEIGHT_ARRAY
from whitecell.scenario.actions import CATALOGUE, FORCE_KINDS, RIVERA_CATEGORIES, ActionSpec
from whitecell.scenario.model import Scenario, value_of

#: Rivera et al. (2024) weights in category order (2^x - 4 for x = 1..6), as floats
#: for the engine's score arrays; from the scheme file models/data/rivera.yaml.
RIVERA_WEIGHTS = RIVERA_WEIGHT_ARRAY.astype(np.float64)

SIDES = ("challenger", "defender", "neutral")
K = {k: i for i, k in enumerate(FORCE_KINDS)}

#: Weights that turn force packages into one "combat power" figure for the
#: contest success function (designers' judgement, docs/model.md §Power).
#: Strategic warheads and launchers are not theatre combat power.
POWER_WEIGHTS: dict[str, float] = {
    "air": 1.0, "naval": 6.0, "submarine": 4.0, "ground": 0.5, "amphibious": 0.5,
    "coast_guard": 0.5, "missiles": 0.5, "interceptors": 0.05, "strike": 0.05,
}
_W = np.zeros(len(FORCE_KINDS))
for _k, _v in POWER_WEIGHTS.items():
    _W[K[_k]] = _v


def power_of(forces: NDArray[np.float64]) -> NDArray[np.float64]:
    """Combat power from force packages: (..., K) -> (...)."""
    return np.asarray(forces @ _W, dtype=np.float64)


@dataclass(frozen=True)
class ActionTable:
    """The action catalogue as column arrays indexed by action number."""

    specs: tuple[ActionSpec, ...]
    rung: NDArray[np.int16]
    rivera: NDArray[np.int8]
    weight: NDArray[np.float64]
    violent: NDArray[np.bool_]
    nuclear: NDArray[np.bool_]
    cost: NDArray[np.float64]
    tension: NDArray[np.float64]
    alert: NDArray[np.float64]
    contact: NDArray[np.float64]
    signal: NDArray[np.float64]
    deescalation: NDArray[np.bool_]

    @classmethod
    def build(cls) -> ActionTable:
        specs = CATALOGUE
        riv = np.array([RIVERA_CATEGORIES.index(a.rivera) for a in specs], dtype=np.int8)
        return cls(
            specs=specs,
            rung=np.array([a.kahn_rung for a in specs], dtype=np.int16),
            rivera=riv,
            weight=RIVERA_WEIGHTS[riv],
            violent=np.array([a.violent for a in specs]),
            nuclear=np.array([a.nuclear for a in specs]),
            cost=np.array([a.cost for a in specs]),
            tension=np.array([a.tension for a in specs]),
            alert=np.array([a.alert for a in specs]),
            contact=np.array([a.contact for a in specs]),
            signal=np.array([a.signal for a in specs]),
            deescalation=riv == 0,
        )

    def index(self, action_id: str) -> int:
        for i, a in enumerate(self.specs):
            if a.id == action_id:
                return i
        raise KeyError(action_id)

    def __len__(self) -> int:
        return len(self.specs)


@dataclass(frozen=True)
class World:
    """Static tables of one (resolved) scenario."""

    scenario: Scenario
    actions: ActionTable
    ids: tuple[str, ...]
    side: NDArray[np.int8]  # index into SIDES
    role: tuple[str, ...]
    forces0: NDArray[np.float64]  # (A, K)
    reinforcements: NDArray[np.float64]  # (A, K)
    resolve_prior: NDArray[np.float64]  # (A, 2)
    tolerance_prior: NDArray[np.float64]  # (A, 2)
    stakes: NDArray[np.float64]
    war_cost: NDArray[np.float64]
    vulnerability: NDArray[np.float64]
    nuclear_armed: NDArray[np.bool_]
    counterstrike: NDArray[np.bool_]
    bmd: NDArray[np.float64]  # (A, 3): sspk, p_track, shots per warhead (0 = none)
    naval: NDArray[np.float64]  # (A, 3): offence, defence, staying
    adversary: NDArray[np.int64]  # principal adversary per actor (-1 none)
    adversaries: NDArray[np.bool_]  # (A, A)
    ladder: tuple[NDArray[np.int64], ...]  # per actor, action indices
    intervene_for: NDArray[np.bool_]  # (A, A): i fights for j
    commitment: NDArray[np.float64]  # (A patron, A protege) strength
    challenger: int
    static_legal: NDArray[np.bool_] = field(repr=False)  # (A, n_actions)
    survivability: NDArray[np.float64] = field(repr=False)  # (A,) second-strike share
    targets: NDArray[np.int64] = field(repr=False)  # (A, n_actions) doctrine target or -1
    patron_of: NDArray[np.int64] = field(repr=False)  # (A,) strongest patron, -1 none
    assurance0: NDArray[np.float64] = field(repr=False)  # (A,) initial assurance
    #: defence budget per actor, US$ bn (SIPRI); 0 where the scenario gives none
    budget: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))

    @property
    def n_actors(self) -> int:
        return len(self.ids)

    def actor_index(self, actor_id: str) -> int:
        return self.ids.index(actor_id)

    @property
    def protege(self) -> int:
        """Index of the defender whose fate the objective is about (-1 if none)."""
        for i, r in enumerate(self.role):
            if r == "protege":
                return i
        return -1


def _force_vector(forces: dict[str, object]) -> NDArray[np.float64]:
    v = np.zeros(len(FORCE_KINDS))
    for k, s in forces.items():
        v[K[k]] = float(s.in_theatre)  # type: ignore[attr-defined]
    return v


def compile_world(sc: Scenario) -> World:
    """Compile ``sc`` (already validated and cross-checked) into a World."""
    acts = ActionTable.build()
    ids = tuple(sc.actor_ids)
    A = len(ids)
    n = len(acts)
    side = np.array([SIDES.index(a.side) for a in sc.actors], dtype=np.int8)
    forces0 = np.stack([_force_vector(dict(a.forces)) for a in sc.actors])
    reinf = np.stack([_force_vector(dict(a.reinforcements)) for a in sc.actors])
    bmd = np.zeros((A, 3))
    naval = np.tile(np.array([4.0, 2.0, 2.0]), (A, 1))
    for i, a in enumerate(sc.actors):
        if a.defence is not None:
            bmd[i] = (value_of(a.defence.sspk), value_of(a.defence.p_track),
                      a.defence.shots_per_warhead)
        if a.naval_combat is not None:
            naval[i] = (a.naval_combat.offence, a.naval_combat.defence, a.naval_combat.staying)
    adversaries = np.zeros((A, A), dtype=bool)
    adversary = np.full(A, -1, dtype=np.int64)
    intervene = np.zeros((A, A), dtype=bool)
    for i, a in enumerate(sc.actors):
        for j, adv in enumerate(a.adversaries):
            adversaries[i, ids.index(adv)] = True
            if j == 0:
                adversary[i] = ids.index(adv)
        for ally in a.doctrine.intervene_for:
            intervene[i, ids.index(ally)] = True
    commitment = np.zeros((A, A))
    for c in sc.commitments:
        p, q = ids.index(c.patron), ids.index(c.protege)
        commitment[p, q] = max(commitment[p, q], c.strength)
    ladder = tuple(
        np.array([acts.index(x) for x in a.doctrine.ladder], dtype=np.int64) for a in sc.actors
    )
    nuclear_armed = np.array([a.nuclear_armed for a in sc.actors])
    counterstrike = np.array(
        [a.counterstrike is not None and a.counterstrike.value > 0 for a in sc.actors]
    )
    challenger = next(i for i, a in enumerate(sc.actors) if a.role == "challenger")
    targets = np.full((A, n), -1, dtype=np.int64)
    for i, a in enumerate(sc.actors):
        for act_id, tgt in a.doctrine.targets.items():
            targets[i, acts.index(act_id)] = ids.index(tgt)
    patron_of = np.full(A, -1, dtype=np.int64)
    assurance0 = np.ones(A)
    for q in range(A):
        col = commitment[:, q].copy()
        col[q] = 0.0
        if col.max() > 0:
            patron_of[q] = int(np.argmax(col))
            assurance0[q] = float(col.max())

    legal = np.ones((A, n), dtype=bool)
    for j, spec in enumerate(acts.specs):
        for i, a in enumerate(sc.actors):
            ok = True
            if "nuclear_armed" in spec.requires and not nuclear_armed[i]:
                ok = False
            if "counterstrike_capability" in spec.requires and not counterstrike[i]:
                ok = False
            if "challenger" in spec.requires and a.side != "challenger":
                ok = False
            if "defender" in spec.requires and a.side != "defender":
                ok = False
            if spec.needs_target and adversary[i] < 0 and spec.rivera not in (
                "status_quo", "de_escalation", "posturing"
            ):
                ok = False
            legal[i, j] = ok
    return World(
        scenario=sc,
        actions=acts,
        ids=ids,
        side=side,
        role=tuple(a.role for a in sc.actors),
        forces0=forces0,
        reinforcements=reinf,
        resolve_prior=np.array([[a.resolve.alpha, a.resolve.beta] for a in sc.actors]),
        tolerance_prior=np.array(
            [[a.risk_tolerance.alpha, a.risk_tolerance.beta] for a in sc.actors]
        ),
        stakes=np.array([a.stakes for a in sc.actors]),
        war_cost=np.array([a.war_cost for a in sc.actors]),
        vulnerability=np.array([a.economic_vulnerability for a in sc.actors]),
        nuclear_armed=nuclear_armed,
        counterstrike=counterstrike,
        bmd=bmd,
        naval=naval,
        adversary=adversary,
        adversaries=adversaries,
        ladder=ladder,
        intervene_for=intervene,
        commitment=commitment,
        challenger=challenger,
        static_legal=legal,
        survivability=np.array([a.nuclear_survivability for a in sc.actors]),
        targets=targets,
        patron_of=patron_of,
        assurance0=assurance0,
        budget=np.array([a.defence_budget.value if a.defence_budget is not None else 0.0
                         for a in sc.actors]),
    )
