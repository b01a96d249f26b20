"""Pieces shared by the AI players: power, targets, the ladder, talks.

All functions work on whole batches: arrays with a leading run axis.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Observation
from whitecell.models import contest, deterrence
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.world.compile import K, World

F = NDArray[np.float64]
B = NDArray[np.bool_]
IntA = NDArray[np.int64]

#: Weights that turn force packages into one "combat power" figure for the
#: contest success function (designers' judgement, docs/model.md §Power).
POWER_WEIGHTS: dict[str, float] = {
    "air": 1.0, "naval": 6.0, "submarine": 4.0, "ground": 0.5, "amphibious": 0.5,
    "coast_guard": 0.5, "missiles": 0.5, "interceptors": 0.05, "strike": 0.05,
}

_W = np.zeros(len(K))
for _k, _v in POWER_WEIGHTS.items():
    _W[K[_k]] = _v

VIOLENT = np.array([a.violent for a in CATALOGUE])
NUCLEAR = np.array([a.nuclear and a.violent for a in CATALOGUE])
#: one-off acts that holding a ladder position does not repeat
ONE_OFF = np.array([a.nuclear and a.id != "nuclear_alert" for a in CATALOGUE])
RUNG = np.array([a.kahn_rung for a in CATALOGUE])
WAIT = ACTION_INDEX["wait"]
MESSAGE = ACTION_INDEX["diplomatic_message"]
TALKS = ACTION_INDEX["propose_talks"]
ACCEPT = ACTION_INDEX["accept_settlement"]
CEASEFIRE = ACTION_INDEX["ceasefire"]


def power(forces: F) -> F:
    """Combat power per actor from force packages: (..., K) -> (...)."""
    return forces @ _W


def side_powers(obs: Observation) -> tuple[F, F]:
    """(own side power, opposing power) as this actor sees them, per run."""
    w = obs.world
    p = power(obs.seen_forces)  # (R, A)
    me = obs.actor
    mine = w.side == w.side[me]
    opp = w.adversaries[me].copy()
    for j in range(w.n_actors):
        if w.adversaries[j, me]:
            opp[j] = True
    return (p[:, mine].sum(axis=1), p[:, opp].sum(axis=1))


def p_win(obs: Observation) -> F:
    """Probability of prevailing if it comes to a fight (Hirshleifer contest)."""
    own, opp = side_powers(obs)
    m = obs.world.scenario.parameters.combat.contest_exponent
    return np.asarray(contest.success_probability(own, opp, m), dtype=float)


def principal_defender(w: World) -> int:
    """The actor whose resolve the challenger must gauge: the strongest patron.

    Extended deterrence turns on the patron: the challenger's question is
    whether the patron will fight for the protege. Without a patron, the
    challenger's principal adversary.
    """
    best, strength = -1, 0.0
    for p in range(w.n_actors):
        s = float(w.commitment[p].max())
        if s > strength and w.adversaries[w.challenger, p]:
            best, strength = p, s
    return best if best >= 0 else int(w.adversary[w.challenger])


def deterrence_check(obs: Observation) -> tuple[B, F, F]:
    """Zagare & Kilgour (2000): is the challenger deterred in each run?

    The challenger values winning at its stakes V, the status quo at 0 and
    conflict at p_win V - c (c its war cost); it is deterred when its belief
    that the principal defender is the Hard type (the mean of its Beta belief
    about that defender's resolve) reaches (u_win - u_sq) / (u_win - u_conflict).
    Returns (deterred, p_hard, threshold).
    """
    w = obs.world
    me = obs.actor
    d = principal_defender(w)
    V = float(w.stakes[me])
    conflict = p_win(obs) * V - float(w.war_cost[me])
    conflict = np.minimum(conflict, V * 0.999 - 1e-9)
    thr = np.asarray(deterrence.deterrence_threshold(V, 0.0, conflict), dtype=float)
    thr = np.where(conflict >= 0.0, np.inf, thr)
    p_hard = obs.belief[:, d]
    return p_hard >= thr, p_hard, thr


def pick_target(obs: Observation, actions: IntA) -> IntA:
    """Target per run: the strongest belligerent adversary for fleet and air
    battles, otherwise the principal adversary."""
    w = obs.world
    me = obs.actor
    R = obs.runs
    principal = np.full(R, w.adversary[me], dtype=np.int64)
    adv = w.adversaries[me]
    if not adv.any():
        return principal
    out = principal.copy()
    for act_id, kind in (("naval_engagement", "naval"), ("air_campaign", "air")):
        m = actions == ACTION_INDEX[act_id]
        if not m.any():
            continue
        strength = obs.seen_forces[:, :, K[kind]] * (adv[None, :] & (obs.belligerent | (
            np.arange(w.n_actors) == w.adversary[me])[None, :]))
        best = np.argmax(strength, axis=1)
        has = strength.max(axis=1) > 0
        out = np.where(m & has, best, out)
    return out


def highest_legal_at_or_below(obs: Observation, ladder: IntA, pos: IntA,
                              permitted: B | None = None) -> tuple[IntA, IntA]:
    """Walk down the ladder from ``pos`` to the first legal (and permitted) step.

    ``permitted`` (runs x ladder steps) carries the doctrine's gates, so walking
    down never lands on a step the doctrine forbids (say, a nuclear step below
    a conventional one that is out of ammunition).

    Returns (position, action): position -1 and action 'diplomatic message'
    (or 'wait') where nothing on the ladder is legal.
    """
    R = obs.runs
    rows = np.arange(R)
    out_pos = np.full(R, -1, dtype=np.int64)
    out_act = np.where(obs.legal[:, MESSAGE], MESSAGE, WAIT).astype(np.int64)
    pending = pos >= 0
    p = pos.copy()
    for _ in range(len(ladder)):
        if not pending.any():
            break
        cand = ladder[np.clip(p, 0, len(ladder) - 1)]
        ok = pending & (p >= 0) & obs.legal[rows, cand]
        if permitted is not None:
            ok &= permitted[rows, np.clip(p, 0, len(ladder) - 1)]
        out_pos = np.where(ok, p, out_pos)
        out_act = np.where(ok, cand, out_act)
        pending &= ~ok
        p = p - 1
        pending &= p >= 0
    return out_pos, out_act
