"""Adjudication: the rulings of one turn, each a published model applied to arrays.

Every function here takes the turn context (world, state, moves, dice, log) and
updates the state of all runs at once. A ruling draws exactly one uniform per
run from a fixed dice slot, compares it with a probability computed by a model
in :mod:`whitecell.models`, and, when a narrative is being recorded, logs the
model, its inputs, the probability, the draw and the result in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.dice import Dice, binomial_from_uniform
from whitecell.engine.events import EventLog
from whitecell.models import attrition, beliefs, bmd, contest, risk
from whitecell.scenario.actions import (
    ACTION_INDEX,
    BACKING_DOWN,
    FORCE_KINDS,
    PUBLIC_COMMITMENTS,
    STRATEGIC_KINDS,
)
from whitecell.world.compile import K, World, power_of
from whitecell.world.state import END_REASONS, State

F = NDArray[np.float64]
B = NDArray[np.bool_]
IntA = NDArray[np.int64]

# Ruling codes: fixed positions in the dice slot table (never renumber).
R_FOG, R_INCIDENT, R_BLOCKADE, R_GREY, R_SEIZE, R_RETAKE = 1, 2, 3, 4, 5, 6
R_MISSILE, R_BASES, R_COUNTER, R_NAVAL_A, R_NAVAL_B, R_INVASION = 7, 8, 9, 10, 11, 12
R_NUCLEAR, R_AIR = 13, 14
R_AIR_B, R_SUB, R_ESCORT, R_TERMINATION, R_LEAK_AIR, R_RESPONSE = 15, 16, 17, 18, 19, 20
R_PRIOR_RESOLVE, R_PRIOR_TOLERANCE, R_BELIEF, R_OPTIMISM = 60, 61, 62, 63

_PUBLIC = np.array([ACTION_INDEX[a] for a in PUBLIC_COMMITMENTS])
_BACKING = np.array([ACTION_INDEX[a] for a in BACKING_DOWN])


def _action_table(codes: object) -> NDArray[np.bool_]:
    """(n_actions,) True at ``codes``: ``table[act]`` is ``np.isin(act, codes)``."""
    t = np.zeros(len(ACTION_INDEX), dtype=bool)
    t[np.asarray(codes, dtype=np.int64)] = True
    return t


_IS_PUBLIC = _action_table(_PUBLIC)
_IS_BACKING = _action_table(_BACKING)
_IS_TALKS = _action_table([ACTION_INDEX["propose_talks"],
                           ACTION_INDEX["international_arbitration"]])

#: Force kinds fire can destroy (strategic warheads are outside the theatre balance).
_FIREABLE = np.array([k not in STRATEGIC_KINDS for k in FORCE_KINDS])


@dataclass
class Turn:
    """Everything a ruling needs for one turn."""

    world: World
    state: State
    dice: Dice
    log: EventLog
    action: NDArray[np.int64]  # (R, A)
    target: NDArray[np.int64]  # (R, A)
    active: B  # (R,)
    pending: B  # (R, A) proposals of talks made last turn (before this turn's moves)

    @property
    def t(self) -> int:
        return self.state.turn

    masks: dict[str, B] = field(default_factory=dict)  # per-turn cache of move masks
    #: (R, A, S) supporting actions of the moves (-1 none) and their targets, or None
    support: NDArray[np.int64] | None = None
    support_target: NDArray[np.int64] | None = None

    def chose(self, action_id: str) -> B:
        """(R, A) mask of actors that chose ``action_id`` in active runs (cached):
        as the main effort of their move or as one of its supporting actions."""
        m = self.masks.get(action_id)
        if m is None:
            code = ACTION_INDEX[action_id]
            m = self.action == code
            if self.support is not None:
                m = m | (self.support == code).any(axis=2)
            m = m & self.active[:, None]
            self.masks[action_id] = m
        return m

    def chose_adj(self, adjudicator: str) -> B:
        """(R, A) mask of actors whose move is ruled by ``adjudicator`` (cached)."""
        key = "adj:" + adjudicator
        m = self.masks.get(key)
        if m is None:
            codes = [i for i, a in enumerate(self.world.actions.specs)
                     if a.adjudicator == adjudicator]
            m = _action_table(codes)[self.action] & self.active[:, None]
            self.masks[key] = m
        return m

    def name(self, i: int) -> str:
        return self.world.ids[int(i)]

    def narrate(self, mask: B) -> bool:
        """True when run 0 is being narrated and ``mask`` holds there."""
        return self.log.enabled and bool(np.asarray(mask).reshape(-1)[0])


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def add_damage(st: State, who: int, amount: F) -> None:
    """Charge ``amount`` (per run, share of stakes) of damage suffered by ``who``.

    Damage (what others did to it) is kept apart from the cost of its own
    posture: only damage counts toward capitulation (a quiet adversary never
    wins because the defender's own alert was expensive).
    """
    st.damage[:, who] += amount
    st.costs[:, who] += amount


def loss_weight(w: World, i: int) -> float:
    """How much a unit lost weighs on actor ``i`` against the scenario's median budget.

    A state with a larger defence budget replaces losses more easily, so the
    same ship or aircraft lost is a smaller share of its stakes:
    ``(median budget / own budget) ** budget_elasticity`` (budgets: SIPRI 2024;
    the elasticity is a designers' judgement, 0 switches the effect off).
    Actors without a budget in the scenario weigh 1.
    """
    cached = _LOSS_WEIGHTS.get(id(w))
    if cached is None or cached[0] is not w:
        if len(_LOSS_WEIGHTS) > 16:
            _LOSS_WEIGHTS.clear()
        cached = (w, [_loss_weight(w, j) for j in range(w.n_actors)])
        _LOSS_WEIGHTS[id(w)] = cached
    return cached[1][i]


#: loss weights per world (a constant of the world, worked out once)
_LOSS_WEIGHTS: dict[int, tuple[World, list[float]]] = {}
_SIGNED_ZERO_FREE: dict[int, tuple[World, bool]] = {}


def _signed_zero_free(w: World) -> bool:
    """True when the starting forces hold no -0.0, so no force in play ever does.

    Every ruling changes forces by sums, differences, ``np.maximum(0, .)`` and
    selections, and a sum or difference is -0.0 only when its first operand
    is -0.0: forces that start without one never get one. Then ``f + 0.0 ==
    f`` bit for bit, and a ruling may leave untouched the runs it adds nothing to.
    """
    got = _SIGNED_ZERO_FREE.get(id(w))
    if got is None or got[0] is not w:
        if len(_SIGNED_ZERO_FREE) > 16:
            _SIGNED_ZERO_FREE.clear()
        f0 = np.asarray(w.forces0, dtype=float)
        got = (w, not bool(np.signbit(f0[f0 == 0]).any()))
        _SIGNED_ZERO_FREE[id(w)] = got
    return got[1]


def _loss_weight(w: World, i: int) -> float:
    budget = getattr(w, "budget", None)
    if budget is None or len(budget) != w.n_actors or budget[i] <= 0:
        return 1.0
    known = budget[budget > 0]
    e = w.scenario.parameters.combat.budget_elasticity
    return float((np.median(known) / budget[i]) ** e)


def add_posture_cost(st: State, who: int, amount: F) -> None:
    """Charge the cost of an actor's own moves (never a reason to capitulate)."""
    st.posture_costs[:, who] += amount
    st.costs[:, who] += amount


def lose(st: State, who: int, kind: str, n: F) -> F:
    """Remove ``n`` units (per run) of ``kind`` from ``who``; never more than it has.

    Returns the units actually lost; they are added to ``st.lost`` so losses are
    never negative (reinforcements add forces, they do not undo losses).
    """
    have = st.forces[:, who, K[kind]]
    n = np.clip(n, 0.0, have)
    st.forces[:, who, K[kind]] = have - n
    st.lost[:, who, K[kind]] += n
    return n


def round_draw(x: F, u: F) -> F:
    """Whole units from an expected value: floor(x) + 1 with probability frac(x)."""
    fl = np.floor(x)
    return fl + (u < (x - fl))


def access_shares(w: World, closure: NDArray[np.int16]) -> F:
    """(R, A) share of each actor's air and naval power usable this turn.

    A patron fights from its allies' bases: ``base_access`` of its power, and
    only ``closed_access`` of that while a base strike keeps the runways shut
    (any actor's own bases closed cut it likewise). Used by the rulings and by
    the challenger's invasion feasibility check, so both read one model.
    """
    cp = w.scenario.parameters.combat
    base = np.array([cp.base_access if r == "patron" else 1.0 for r in w.role])
    return base[None, :] * np.where(closure > 0, cp.closed_access, 1.0)


def access(tn: Turn, i: int) -> F:
    """Share of actor ``i``'s air and naval power usable this turn (per run)."""
    return access_shares(tn.world, tn.state.closure)[:, i]


# --------------------------------------------------------------------------- posture
def posture(tn: Turn) -> None:
    """Rungs, Rivera scores, own costs, tension, alert, contact and signals.

    Signals: every observer updates its Beta belief about the mover's resolve by
    the action's signal weight (a costly signal is evidence of resolve; a
    concession of its absence): Bayes with a tempered Bernoulli likelihood,
    after Fearon (1997).
    """
    st, acts = tn.state, tn.world.actions
    act = tn.action
    live = tn.active[:, None]
    rung = acts.rung[act]
    status_quo = acts.rivera[act] == 1
    # waiting or messaging lets the posture decay toward the move's rung: an
    # ultimatum of three turns ago is not today's posture
    decay = tn.world.scenario.parameters.risk.rung_decay
    decayed = np.maximum(rung, st.rung - decay)
    new_rung = np.where(status_quo, decayed, rung).astype(np.int16)
    st.rung = np.where(live, new_rung, st.rung).astype(np.int16)
    st.peak = np.maximum(st.peak, st.rung).astype(np.int16)
    st.turn_score = np.where(live, acts.weight[act], 0.0)
    st.score += st.turn_score
    own = np.where(live, acts.cost[act], 0.0)
    st.posture_costs += own
    st.costs += own
    tension_add = acts.tension[act]
    alert_add = acts.alert[act]
    contact_add = acts.contact[act]
    # costly signals (Fearon 1997): a move informs by what it would cost an
    # irresolute type to send it -- its sunk cost and the audience cost of a
    # public commitment; concessions keep their catalogue weight (negative)
    sp = tn.world.scenario.parameters.signals
    public = _IS_PUBLIC[act]
    sig = _signal(acts, act, public, live, sp)  # (R, A) signal of each actor
    sup = tn.support
    top = np.zeros_like(st.rung)  # highest rung of each move's supporting actions
    if sup is not None and (sup >= 0).any():
        # supporting actions add their posture to the move's: the rung is the
        # highest, scores, costs, tension and alert add up, signals are added as
        # independent evidence (log-likelihood ratios add)
        for k in range(sup.shape[2]):
            a = sup[:, :, k]
            has = (a >= 0) & live
            if not has.any():
                continue
            a0 = np.where(has, a, 0)
            top = np.maximum(top, np.where(has, acts.rung[a0], 0)).astype(np.int16)
            w_add = np.where(has, acts.weight[a0], 0.0)
            st.turn_score = st.turn_score + w_add
            st.score += w_add
            c_add = np.where(has, acts.cost[a0], 0.0)
            st.posture_costs += c_add
            st.costs += c_add
            tension_add = tension_add + np.where(has, acts.tension[a0], 0.0)
            alert_add = alert_add + np.where(has, acts.alert[a0], 0.0)
            contact_add = contact_add + np.where(has, acts.contact[a0], 0.0)
            pub = _IS_PUBLIC[a0] & has
            sig = sig + _signal(acts, a0, pub, has, sp)
            public = public | pub
        st.rung = np.where(live, np.maximum(st.rung, top), st.rung).astype(np.int16)
        st.peak = np.maximum(st.peak, st.rung).astype(np.int16)
    if top.any() or st.support_rung.any() or st.prev_support_rung.any():
        st.prev_support_rung = np.where(live, st.support_rung, st.prev_support_rung
                                        ).astype(np.int16)
        st.support_rung = np.where(live, top, st.support_rung).astype(np.int16)
    st.tension = np.clip(st.tension + np.where(tn.active, tension_add.sum(axis=1), 0.0),
                         0.0, 1.0)
    st.alert = np.clip(st.alert + np.where(live, alert_add, 0.0), 0.0, 1.0)
    st.contact = np.where(tn.active, np.clip(contact_add.sum(axis=1), 0.0, 1.0), 0.0)
    # audience costs (Fearon 1994): backing down after public commitments costs
    # the leader at home; each new commitment adds to the exposure
    backs = _IS_BACKING[act] & live
    if backs.any():
        charge = np.where(backs, st.exposure * tn.world.stakes[None, :], 0.0)
        for i in range(tn.world.n_actors):
            if (charge[:, i] > 0).any():
                add_posture_cost(st, i, charge[:, i])
                if tn.narrate(charge[:, i] > 0):
                    tn.log.add(tn.t, "ruling", f"{tn.name(i)} backs down after public "
                               f"commitments: audience cost {charge[0, i]:.3f} of its stakes",
                               actor=tn.name(i), model="audience costs (Fearon 1994)",
                               inputs={"exposure": float(st.exposure[0, i])},
                               probability=1.0, draw=None,
                               result={"audience_cost": float(charge[0, i])})
        st.exposure = np.where(backs, 0.0, st.exposure)
    st.exposure = st.exposure + np.where(public & live, sp.audience_cost, 0.0)
    # observers i update beliefs about movers j
    # (R, 1, A): every observer sees the same signal of mover j (broadcast in the update)
    sig_obs = sig[:, None, :]
    # the conjugate step of beliefs.update; the state's Beta parameters stay > 0
    # and the signals are -1, 0 or +1 with weights >= 0 by construction
    st.belief_a, st.belief_b = beliefs.posterior(st.belief_a, st.belief_b, np.sign(sig_obs),
                                                 np.abs(sig_obs))
    st.proposal = (acts.rivera[act] == 0) & _IS_TALKS[act] & live
    st.prev_action = np.where(live, st.last_action, st.prev_action).astype(np.int16)
    st.last_action = np.where(live, act, st.last_action).astype(np.int16)
    st.last_target = np.where(live, tn.target, st.last_target).astype(np.int16)
    st.attacked = np.zeros_like(st.attacked)
    st.bmd_bonus = np.where(tn.chose("missile_defence_posture"), 0.05, 0.0)
    # shared intelligence (early warning, tracks) helps every actor on the
    # sharer's side track incoming missiles this turn
    shared = tn.chose("share_intelligence")
    for side in (0, 1):
        members = tn.world.side == side
        on = (shared & members[None, :]).any(axis=1)
        st.bmd_bonus[:, members] += np.where(on, 0.03, 0.0)[:, None]
    st.escort = np.zeros_like(st.escort)
    st.incident = np.zeros_like(st.incident)
    st.closure = np.where(live & (st.closure > 0), st.closure - 1, st.closure).astype(np.int16)


def _signal(acts: Any, act: NDArray[np.int64], public: B, live: B, sp: Any) -> F:
    """(R, A) signal weight of the actions ``act`` where ``live`` (0 elsewhere)."""
    weight = np.asarray(beliefs.costly_signal_weight(
        acts.cost[act], np.where(public, sp.audience_cost, 0.0), sp.cheap_scale,
        sp.max_weight), dtype=float)
    sig = np.where(acts.signal[act] < 0, acts.signal[act], weight)
    return np.where(live & (acts.signal[act] != 0), sig, 0.0)


def mark_attacked(tn: Turn, attacker: int, target: NDArray[np.int64], mask: B) -> None:
    """Record violence by ``attacker`` on ``target`` in runs ``mask``."""
    st = tn.state
    if not mask.any():
        return
    st.war |= mask
    st.belligerent[:, attacker] |= mask
    st.violent_turn[:, attacker] = np.where(mask, tn.t, st.violent_turn[:, attacker])
    first_v = mask & (st.first_violence_by < 0)
    st.first_violence_by = np.where(first_v, attacker, st.first_violence_by).astype(np.int16)
    st.first_violence_turn = np.where(first_v, tn.t, st.first_violence_turn).astype(np.int16)
    rows = np.nonzero(mask)[0]
    tgt = target[rows]
    ok = tgt >= 0
    rows, tgt = rows[ok], tgt[ok]
    st.attacked[rows, tgt] = True
    first = st.attacked_turn[rows, tgt] == 0
    st.attacked_turn[rows[first], tgt[first]] = tn.t
    # the defender attacked is now a party to the war
    st.belligerent[rows, tgt] = True


def reinforce(tn: Turn) -> None:
    """Deployments add the scenario's reinforcement packages to the theatre."""
    w, st = tn.world, tn.state
    cap = w.scenario.parameters.combat.max_deployments
    dep = tn.chose("deploy_forces") & (st.deployed < cap)
    if _signed_zero_free(w):
        # only the deploying runs change: adding 0.0 to the others is the
        # identity on forces that hold no -0.0 (see _signed_zero_free)
        for i in range(w.n_actors):
            if w.reinforcements[i].any():
                rows = np.flatnonzero(dep[:, i])
                if rows.size:
                    st.forces[rows, i, :] += w.reinforcements[i]
    else:
        st.forces += dep[:, :, None] * w.reinforcements[None, :, :]
    st.deployed = (st.deployed + dep).astype(np.int16)
    sup = tn.chose("supply_weapons")
    if sup.any():
        for i in range(w.n_actors):
            m = sup[:, i]
            if not m.any():
                continue
            tgt = tn.target[:, i]
            rows = np.nonzero(m & (tgt >= 0))[0]
            # arms transfers: half of the supplier's strike, interceptor and
            # missile reinforcement package goes to the partner
            for kind in ("strike", "interceptors", "missiles"):
                st.forces[rows, tgt[rows], K[kind]] += 0.5 * w.reinforcements[i, K[kind]]


# --------------------------------------------------------------------------- grey zone
def blockade(tn: Turn) -> None:
    """Blockade or quarantine: share of shipping stopped (Hirshleifer 1989 contest).

    p_stop = F_c^m / (F_c^m + F_e^m) with F_c the enforcing force (a blockade:
    navy + 0.3 x (coast guard + submarines); a quarantine: coast guard + 0.3 x
    navy) and F_e the escorts committed this turn. The draw decides whether enforcement holds
    this turn; a leaky turn stops half as much. The protege pays
    blockade x economic vulnerability x blockade_cost per turn (CSIS, "Lights
    Out?", 2025: LNG lasts ~10 days, so costs start at once).
    """
    w, st = tn.world, tn.state
    c = w.challenger
    blk = tn.chose("blockade")[:, c]
    qua = tn.chose("quarantine")[:, c]
    m = blk | qua
    st.blockade = np.where(tn.active & ~m, st.blockade * 0.5, st.blockade)
    if not m.any():
        return
    u = tn.dice.draw(tn.t, R_BLOCKADE, c)
    f = st.forces[:, c].copy()
    force = np.where(blk, f[:, K["naval"]] + 0.3 * f[:, K["coast_guard"]] + 0.3 * f[:, K["submarine"]],
                     f[:, K["coast_guard"]] + 0.3 * f[:, K["naval"]])
    m_exp = w.scenario.parameters.combat.contest_exponent
    p = np.asarray(contest.success_probability(force, st.escort, m_exp), dtype=float)
    holds = u < p
    share = np.where(holds, p, 0.5 * p)
    st.blockade = np.where(m, share, st.blockade)
    prot = w.protege
    if prot >= 0:
        add_damage(st, prot, np.where(
            m, share * w.vulnerability[prot] * w.scenario.parameters.combat.blockade_cost, 0.0))
    mark_attacked(tn, c, np.full(st.runs, prot), blk)
    _escorts_at_risk(tn, blk, share)
    if tn.narrate(m):
        kind = "blockade" if blk[0] else "quarantine"
        tn.log.add(tn.t, "ruling", f"{kind} enforcement: {_pct(share[0])} of shipping stopped "
                   f"(contest model, p={p[0]:.2f}, draw {u[0]:.2f} -> "
                   f"{'holds' if holds[0] else 'leaky'})", actor=tn.name(c),
                   model="contest.success_probability (Hirshleifer 1989)",
                   inputs={"enforcing_force": float(force[0]), "escort_force": float(st.escort[0]),
                           "m": m_exp},
                   probability=float(p[0]), draw=float(u[0]),
                   result={"holds": bool(holds[0]), "share_stopped": float(share[0])})


def escort(tn: Turn) -> None:
    """Defenders escorting shipping commit half their surface fleet as escorts."""
    st = tn.state
    esc = tn.chose("escort_shipping")
    st.escort = (esc * st.forces[:, :, K["naval"]] * 0.5).sum(axis=1)


def _escorts_at_risk(tn: Turn, blk: B, share: F) -> None:
    """Escorts running a naval blockade are fired on (CSIS "Lights Out?", 2025).

    Each escorting ship is hit with probability ``escort_risk`` x the share of
    shipping the blockade stops; expected hits become whole ships by one draw.
    A ship hit makes the escorting state a party to the war (blockades tend to
    escalate, as the CSIS blockade games found).
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    esc = tn.chose("escort_shipping") & blk[:, None]
    for i in range(w.n_actors):
        m = esc[:, i]
        if not m.any():
            continue
        u = tn.dice.draw(tn.t, R_ESCORT, i)
        ships = 0.5 * st.forces[:, i, K["naval"]]
        exp = ships * cp.escort_risk * share
        hit = lose(st, i, "naval", np.where(m, round_draw(exp, u), 0.0))
        add_damage(st, i, hit * 0.01 * loss_weight(w, i))
        struck = m & (hit > 0)
        mark_attacked(tn, w.challenger, np.full(st.runs, i), struck)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"{tn.name(i)} escorts run the blockade: expected "
                       f"{exp[0]:.2f} of {ships[0]:.0f} escorts hit; draw {u[0]:.2f} -> "
                       f"{int(hit[0])} {tn.name(i)} ship(s) lost", actor=tn.name(i),
                       model="escort risk (CSIS Lights Out? 2025 calibration point)",
                       inputs={"escorts": float(ships[0]), "escort_risk": cp.escort_risk,
                               "share_stopped": float(share[0])},
                       probability=float(exp[0] - np.floor(exp[0])), draw=float(u[0]),
                       result={"lost": float(hit[0])})


def grey_zone(tn: Turn) -> None:
    """Coast-guard contest in contested waters (Hirshleifer contest of hulls).

    A win for the challenger adds a step of pressure (costs to the defender's
    standing); each clash adds close contact, the fuel of Schelling's risk.
    """
    w, st = tn.world, tn.state
    m_exp = w.scenario.parameters.combat.contest_exponent
    for i in range(w.n_actors):
        m = tn.chose_adj("grey_zone")[:, i]
        if not m.any():
            continue
        u = tn.dice.draw(tn.t, R_GREY, i)
        j = tn.target[:, i]
        mine = st.forces[:, i, K["coast_guard"]]
        jj = np.clip(j, 0, None)
        theirs = st.forces[np.arange(st.runs), jj, K["coast_guard"]]
        p = np.asarray(contest.success_probability(mine, theirs, m_exp), dtype=float)
        win = m & (u < p)
        rows = np.nonzero(win & (j >= 0))[0]
        st.costs[rows, j[rows]] += 0.02
        st.damage[rows, j[rows]] += 0.02
        st.tension = np.where(win, np.clip(st.tension + 0.03, 0, 1), st.tension)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"grey-zone contest with {tn.name(j[0])}: "
                       f"p={p[0]:.2f}, draw {u[0]:.2f} -> "
                       f"{tn.name(i) if win[0] else tn.name(j[0])} holds the waters",
                       actor=tn.name(i), model="contest.success_probability (Hirshleifer 1989)",
                       inputs={"coast_guard": float(mine[0]), "opposing": float(theirs[0])},
                       probability=float(p[0]), draw=float(u[0]), result={"won": bool(win[0])})


def islands(tn: Turn) -> None:
    """Seizing and retaking the disputed islands (Hirshleifer contest).

    Seizure pits the challenger's coast guard and a third of its navy against
    the coast guard and a third of the navy of the defenders present (the
    protege and any defender already fighting), scaled by ``island_defence``; a
    retaking pits the defender's ground and naval forces against the garrison.
    """
    w, st = tn.world, tn.state
    c = w.challenger
    cp = w.scenario.parameters.combat
    m = tn.chose("seize_islands")[:, c]
    if m.any():
        u = tn.dice.draw(tn.t, R_SEIZE, c)
        f = st.forces[:, c].copy()
        mine = f[:, K["coast_guard"]] + f[:, K["naval"]] / 3
        # defenders present: the protege and any defender already in the fight
        engaged = (w.side == 1)[None, :] & (
            st.belligerent | (np.arange(w.n_actors) == w.protege)[None, :])
        d = st.forces  # read only
        theirs = ((d[:, :, K["coast_guard"]] + d[:, :, K["naval"]] / 3) * engaged).sum(
            axis=1) * cp.island_defence
        p = np.asarray(contest.success_probability(mine, theirs, cp.contest_exponent), dtype=float)
        win = m & (u < p)
        st.islands_held |= win
        prot = w.protege
        mark_attacked(tn, c, np.full(st.runs, prot), m)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"landing on the islands: p={p[0]:.2f}, draw {u[0]:.2f}"
                       f" -> {'islands seized' if win[0] else 'landing repelled'}",
                       actor=tn.name(c), model="contest.success_probability (Hirshleifer 1989)",
                       inputs={"challenger_force": float(mine[0]), "defender_force": float(theirs[0]),
                               "m": cp.contest_exponent},
                       probability=float(p[0]), draw=float(u[0]), result={"seized": bool(win[0])})
    for i in range(w.n_actors):
        r = tn.chose("retake_islands")[:, i] & st.islands_held
        if not r.any():
            continue
        u2 = tn.dice.draw(tn.t, R_RETAKE, i)
        f = st.forces[:, i].copy()
        mine = f[:, K["ground"]] + f[:, K["naval"]]
        g = st.forces[:, c].copy()
        theirs = g[:, K["coast_guard"]] * 0.5 + g[:, K["naval"]] * 0.5
        p = np.asarray(contest.success_probability(mine, theirs, cp.contest_exponent), dtype=float)
        win = r & (u2 < p)
        st.islands_held &= ~win
        mark_attacked(tn, i, np.full(st.runs, c), r)
        add_damage(st, i, np.where(r, 0.05, 0.0))
        add_damage(st, c, np.where(win, 0.1, 0.0))
        if tn.narrate(r):
            tn.log.add(tn.t, "ruling", f"counter-landing: p={p[0]:.2f}, draw {u2[0]:.2f} -> "
                       f"{'islands retaken' if win[0] else 'assault fails'}", actor=tn.name(i),
                       model="contest.success_probability (Hirshleifer 1989)",
                       inputs={"assault_force": float(mine[0]), "garrison_force": float(theirs[0])},
                       probability=float(p[0]), draw=float(u2[0]), result={"retaken": bool(win[0])})


# --------------------------------------------------------------------------- missiles
def _defending_interceptors(tn: Turn, tgt: NDArray[np.int64]) -> tuple[F, F, F, F]:
    """Interceptors, SSPK, P_track and shots/warhead defending each run's target.

    The target defends with its own magazine; a patron with a commitment to the
    target adds its interceptors in theatre (shared BMD, e.g. US Aegis in Japan).
    """
    w, st = tn.world, tn.state
    rows = np.arange(st.runs)
    t = np.clip(tgt, 0, None)
    inv = st.forces[rows, t, K["interceptors"]].copy()
    for p in range(w.n_actors):
        shared = w.commitment[p, t] > 0
        inv += np.where(shared, st.forces[:, p, K["interceptors"]], 0.0)
    sspk = w.bmd[t, 0]
    ptrack = np.clip(w.bmd[t, 1] + st.bmd_bonus[rows, t], 0.0, 1.0)
    shots = w.bmd[t, 2]
    return inv, sspk, ptrack, shots


def _spend_interceptors(tn: Turn, tgt: NDArray[np.int64], used: F) -> None:
    """Draw down the target's magazine first, then its patrons'."""
    w, st = tn.world, tn.state
    rows = np.arange(st.runs)
    t = np.clip(tgt, 0, None)
    own = st.forces[rows, t, K["interceptors"]].copy()
    take = np.minimum(own, used)
    st.forces[rows, t, K["interceptors"]] = own - take
    rest = used - take
    for p in range(w.n_actors):
        shared = (w.commitment[p, t] > 0) & (rest > 0)
        have = st.forces[:, p, K["interceptors"]].copy()
        take2 = np.where(shared, np.minimum(have, rest), 0.0)
        st.forces[:, p, K["interceptors"]] = have - take2
        rest = rest - take2


def missile_salvo(tn: Turn, bases: bool) -> None:
    """A ballistic-missile salvo against missile defences (Wilkening 1999).

    N = min(salvo size, missiles ready) warheads; the defence fires s shots per
    warhead while the magazine lasts (s = min(doctrine shots, interceptors / N));
    K = P_track (1 - (1 - SSPK)^s); leakers ~ Binomial(N, 1 - K), drawn by
    inverse CDF from one uniform. Leakers cost the target ``damage_per_leaker``
    of its stakes each and wear down its forces in the theatre. A strike on
    bases also hits every patron committed to the target: the tripwire.
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    code = R_BASES if bases else R_MISSILE
    act = "strike_bases" if bases else "missile_strike"
    for i in range(w.n_actors):
        m = tn.chose(act)[:, i]
        if not m.any():
            continue
        u = tn.dice.draw(tn.t, code, i)
        tgt = tn.target[:, i]
        have = st.forces[:, i, K["missiles"]].copy()
        n = np.where(m, np.floor(np.minimum(salvo_limit(w, st, i), have)), 0.0)
        inv, sspk, ptrack, shots = _defending_interceptors(tn, tgt)
        # a short magazine is spread as evenly as it goes: some warheads get
        # s_lo + 1 shots, the rest s_lo; the salvo's kill probability is the
        # mean over warheads (leakers then drawn as one binomial, an
        # approximation of the sum of two binomials with the same mean)
        per = np.where(n > 0, inv / np.maximum(n, 1), 0.0)
        s_lo = np.minimum(shots, np.floor(per))
        n_hi = np.where(s_lo < shots, np.minimum(n, np.floor(inv - s_lo * n)), 0.0)
        n_hi = np.clip(n_hi, 0.0, n)
        k_lo = np.asarray(bmd.kill_probability(sspk, s_lo, ptrack), dtype=float)
        k_hi = np.asarray(bmd.kill_probability(sspk, s_lo + 1, ptrack), dtype=float)
        k = np.where(n > 0, (n_hi * k_hi + (n - n_hi) * k_lo) / np.maximum(n, 1), 0.0)
        s = np.where(n > 0, s_lo + n_hi / np.maximum(n, 1), 0.0)
        leak = binomial_from_uniform(u, n, 1.0 - k)
        used = n * s_lo + n_hi
        st.forces[:, i, K["missiles"]] = have - n
        _spend_interceptors(tn, tgt, np.where(m, used, 0.0))
        ua = tn.dice.draw(tn.t, R_LEAK_AIR, i)
        tgt0 = np.clip(tgt, 0, None)
        valid = m & (tgt >= 0)
        hosts = [p for p in range(w.n_actors) if bases and (w.commitment[p] > 0).any()]
        hit_patrons: list[str] = []
        air_lost = np.zeros(st.runs)
        air_by: list[str] = []  # run 0's aircraft destroyed on the ground, by owner
        for who in range(w.n_actors):
            on_target = valid & (tgt0 == who)
            patron_hit = np.zeros(st.runs, dtype=bool)
            if bases and who in hosts:
                patron_hit = valid & (w.commitment[who, tgt0] > 0)
            share = np.where(on_target, 1.0, 0.0) + np.where(patron_hit, 0.5, 0.0)
            if not (share > 0).any():
                continue
            # leakers cost the stakes and destroy aircraft on the ground; a strike
            # on the patron's forces is the tripwire that makes it a party
            leaked = leak * np.where(on_target & bases & np.isin(tgt0, hosts), 0.5, 1.0)
            leaked = np.where(on_target, leaked, 0.5 * leak)
            add_damage(st, who, np.where(share > 0, leaked * cp.damage_per_leaker, 0.0))
            lost_air = lose(st, who, "air", np.where(
                share > 0, round_draw(leaked * cp.aircraft_per_leaker, ua), 0.0))
            air_lost += lost_air
            if lost_air[0] > 0:
                air_by.append(f"{tn.name(who)} {int(lost_air[0])}")
            if bases:
                st.closure[:, who] = np.where((share > 0) & (leak > 0), np.maximum(
                    st.closure[:, who], cp.runway_closure_turns), st.closure[:, who])
            st.homeland_struck[:, who] |= on_target
            if patron_hit.any():
                mark_attacked(tn, i, np.full(st.runs, who), patron_hit)
                if patron_hit[0]:
                    hit_patrons.append(tn.name(who))
        mark_attacked(tn, i, tgt, m)
        if tn.narrate(m):
            exp = float(n[0] * (1.0 - k[0]))
            tip = f"; tripwire: {', '.join(hit_patrons)} forces hit" if hit_patrons else ""
            if air_lost[0] > 0:
                tip += (f"; {int(air_lost[0])} aircraft destroyed on the ground "
                        f"({', '.join(air_by)})")
            if bases and leak[0] > 0 and cp.runway_closure_turns > 0:
                tip += f"; runways closed for {cp.runway_closure_turns} turn(s)"
            tn.log.add(
                tn.t, "ruling",
                f"missile defence vs {int(n[0])} warheads at {tn.name(tgt[0])}: "
                f"{s[0]:.2g} shots each, kill prob {k[0]:.2f} per warhead, expected leakers "
                f"{exp:.1f}; draw {u[0]:.2f} -> {int(leak[0])} leak through{tip}",
                actor=tn.name(i), model="bmd.kill_probability (Wilkening 1999)",
                inputs={"warheads": float(n[0]), "sspk": float(sspk[0]), "shots": float(s[0]),
                        "p_track": float(ptrack[0]), "interceptors_available": float(inv[0])},
                probability=float(k[0]), draw=float(u[0]),
                result={"leakers": float(leak[0]), "interceptors_used": float(used[0]),
                        "expected_leakers": exp, "aircraft_destroyed": float(air_lost[0])})


def salvo_limit(w: World, st: State, i: int) -> F:
    """Largest salvo actor ``i`` can fire this turn: launchers x reloads, per run.

    Without launchers in the scenario the combat parameter ``salvo_size`` is the
    limit (a salvo is bounded by launchers as well as by the magazine).
    """
    cp = w.scenario.parameters.combat
    launchers = st.forces[:, i, K["launchers"]]
    if w.forces0[i, K["launchers"]] > 0:
        return np.floor(launchers * cp.reloads_per_turn)
    return np.full(st.runs, float(cp.salvo_size))


def counterstrike(tn: Turn) -> None:
    """Stand-off strike on the adversary's missile launchers.

    M = min(munitions per strike, magazine) weapons; launchers destroyed ~
    Binomial(M, pk) with a low pk for mobile launchers (the 1991 Scud hunt is
    the standard caution); each kill removes ``missiles_per_counterstrike_kill``
    ready missiles. The target's homeland is struck, which matters to a
    doctrine that allows nuclear use when the regime is threatened.
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    for i in range(w.n_actors):
        m = tn.chose("counterstrike")[:, i]
        if not m.any():
            continue
        u = tn.dice.draw(tn.t, R_COUNTER, i)
        tgt = tn.target[:, i]
        have = st.forces[:, i, K["strike"]].copy()
        M = np.where(m, np.floor(np.minimum(cp.counterstrike_munitions, have)), 0.0)
        kills = binomial_from_uniform(u, M, np.full(st.runs, cp.counterstrike_pk))
        st.forces[:, i, K["strike"]] = have - M
        rows = np.nonzero(m & (tgt >= 0))[0]
        tr = tgt[rows]
        for who in range(w.n_actors):
            on = m & (tgt == who)
            if not on.any():
                continue
            lose(st, who, "missiles", np.where(on, kills * cp.missiles_per_counterstrike_kill, 0.0))
            lose(st, who, "launchers", np.where(on, kills, 0.0))
            add_damage(st, who, np.where(on, 0.05, 0.0))
        st.homeland_struck[rows, tr] = True
        mark_attacked(tn, i, tgt, m)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"counterstrike on {tn.name(tgt[0])} launchers: "
                       f"{int(M[0])} munitions at pk {cp.counterstrike_pk:.2f}; draw {u[0]:.2f} "
                       f"-> {int(kills[0])} launchers destroyed", actor=tn.name(i),
                       model="binomial kill model (Wilkening 1999 form, launcher pk)",
                       inputs={"munitions": float(M[0]), "pk": cp.counterstrike_pk},
                       probability=cp.counterstrike_pk, draw=float(u[0]),
                       result={"launchers_destroyed": float(kills[0])})


# --------------------------------------------------------------------------- battle
def _exchange_losses(tn: Turn, i: int, tgt: NDArray[np.int64], m: B, kind: str, lost: F,
                     enemy_lost: F, cost_per_unit: float) -> None:
    """Apply both sides' losses of one force kind, charge their cost, record the attack."""
    st = tn.state
    lost = lose(st, i, kind, lost)
    add_damage(st, i, lost * cost_per_unit * loss_weight(tn.world, i))
    for who in range(tn.world.n_actors):
        on = m & (tgt == who)
        if on.any():
            got = lose(st, who, kind, np.where(on, enemy_lost, 0.0))
            add_damage(st, who, got * cost_per_unit * loss_weight(tn.world, who))
    mark_attacked(tn, i, tn.target[:, i], m)


def naval(tn: Turn) -> None:
    """Fleet engagement by Hughes' salvo equations (Hughes 1995).

    Both fleets fire one salvo per engagement: B loses (alpha A - b3 B)/b1 ships,
    A loses (beta B - a3 A)/a1, floored at zero; the expected losses are turned
    into whole ships by one draw each. Long-range strike munitions add to the
    attacker's salvo while the magazine lasts (CSIS 2023: LRASMs ran out in the
    first week).
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    for i in range(w.n_actors):
        m = tn.chose("naval_engagement")[:, i]
        if not m.any():
            continue
        ua = tn.dice.draw(tn.t, R_NAVAL_A, i)
        ub = tn.dice.draw(tn.t, R_NAVAL_B, i)
        tgt = np.clip(tn.target[:, i], 0, None)
        rows = np.arange(st.runs)
        acc_i = access(tn, i)
        # the share of each fleet that meets the other in one engagement
        a_ships = np.floor(st.forces[:, i, K["naval"]] * cp.engaged_share * acc_i)
        subs = np.floor(st.forces[:, i, K["submarine"]] * cp.engaged_share * acc_i)
        a = a_ships + 0.5 * subs
        b = np.floor(st.forces[rows, tgt, K["naval"]] * cp.engaged_share)
        # nothing to engage (no enemy ship, or none of its own, in the engaged
        # share): no salvo, no munitions spent, no submarine put at risk
        empty = m & ((b < 1) | (a < 1))
        fight = m & ~empty
        strike = st.forces[:, i, K["strike"]].copy()
        fired = np.where(fight, np.floor(strike * cp.strike_per_turn), 0.0)
        alpha = w.naval[i, 0] + np.where(a > 0, cp.strike_pk * fired / np.maximum(a, 1e-9), 0.0)
        a_lost, b_lost = attrition.salvo(a, b, alpha, w.naval[tgt, 0], w.naval[i, 1],
                                         w.naval[tgt, 1], w.naval[i, 2], w.naval[tgt, 2])
        a_lost = np.asarray(a_lost, dtype=float)
        b_lost = np.asarray(b_lost, dtype=float)
        al = np.where(fight, np.minimum(round_draw(a_lost, ua), a_ships), 0.0)
        bl = np.where(fight, np.minimum(round_draw(b_lost, ub), b), 0.0)
        st.forces[:, i, K["strike"]] = strike - fired
        # ships are costly: each lost ship costs 0.01 of the stakes
        _exchange_losses(tn, i, tgt, m, "naval", al, bl, 0.01)
        us = tn.dice.draw(tn.t, R_SUB, i)
        sl = lose(st, i, "submarine", np.where(
            fight, binomial_from_uniform(us, subs, np.full(st.runs, cp.submarine_loss)), 0.0))
        add_damage(st, i, sl * 0.01 * loss_weight(w, i))
        if tn.narrate(m & empty):
            why = (f"{tn.name(tgt[0])} has no surface ships left within reach" if b[0] < 1
                   else f"{tn.name(i)} has no ships left to send")
            tn.log.add(tn.t, "ruling", f"no fleet engagement: {why}; no salvo is fired and "
                       "no munitions are spent", actor=tn.name(i),
                       model="attrition.salvo (Hughes 1995)",
                       inputs={"ships": float(a[0]), "enemy_ships": float(b[0])},
                       probability=None, draw=None,
                       result={"lost": 0.0, "enemy_lost": 0.0, "engaged": False})
        elif tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"salvo exchange with {tn.name(tgt[0])}: expected losses "
                       f"{a_lost[0]:.1f} vs {b_lost[0]:.1f} ships; draws {ua[0]:.2f}/{ub[0]:.2f} "
                       f"-> {tn.name(i)} loses {int(al[0])} ship(s)"
                       + (f" and {int(sl[0])} submarine(s)" if sl[0] > 0 else "")
                       + f", {tn.name(tgt[0])} loses {int(bl[0])}", actor=tn.name(i),
                       model="attrition.salvo (Hughes 1995)",
                       inputs={"ships": float(a[0]), "enemy_ships": float(b[0]),
                               "alpha": float(alpha[0]), "strike_fired": float(fired[0])},
                       probability=float(b_lost[0] - np.floor(b_lost[0])), draw=float(ub[0]),
                       result={"lost": float(al[0]), "enemy_lost": float(bl[0])})


def air(tn: Turn) -> None:
    """Air campaign over one turn by Lanchester's square law (Lanchester 1916).

    dA/dt = -e B, dB/dt = -e A per day over the turn's days, with ``e`` the
    scenario's per-day exchange rate; a patron's air power is scaled by its
    access to host bases. Deterministic given the forces (probability 1).
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    days = w.scenario.turn.length_days
    for i in range(w.n_actors):
        m = tn.chose("air_campaign")[:, i]
        if not m.any():
            continue
        ua = tn.dice.draw(tn.t, R_AIR, i)
        ub = tn.dice.draw(tn.t, R_AIR_B, i)
        tgt = np.clip(tn.target[:, i], 0, None)
        rows = np.arange(st.runs)
        a0 = np.floor(st.forces[:, i, K["air"]] * access(tn, i))
        b0 = np.floor(st.forces[rows, tgt, K["air"]])
        a1, b1 = a0.copy(), b0.copy()
        steps = max(1, int(np.ceil(days)))
        for _ in range(steps):
            a1, b1 = attrition.lanchester_step(a1, b1, cp.air_exchange, cp.air_exchange,
                                               days / steps, law="square")
            a1, b1 = np.asarray(a1, dtype=float), np.asarray(b1, dtype=float)
        al = np.where(m, round_draw(a0 - a1, ua), 0.0)
        bl = np.where(m, round_draw(b0 - b1, ub), 0.0)
        _exchange_losses(tn, i, tgt, m, "air", al, bl, 0.002)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"air campaign against {tn.name(tgt[0])}: "
                       f"{a0[0]:.0f} vs {b0[0]:.0f} aircraft over {days:g} days -> losses "
                       f"{al[0]:.0f} and {bl[0]:.0f}", actor=tn.name(i),
                       model="attrition.lanchester_step, square law (Lanchester 1916)",
                       inputs={"own_air": float(a0[0]), "enemy_air": float(b0[0]),
                               "exchange_per_day": cp.air_exchange, "days": days},
                       probability=None, draw=float(ua[0]),
                       result={"lost": float(al[0]), "enemy_lost": float(bl[0])})


def invasion(tn: Turn) -> None:
    """Amphibious invasion: crossing under fire, landing, fight ashore.

    1. Crossing: the defenders engaged in the war fire a share of their strike
       munitions and naval salvoes at the amphibious fleet; Hughes' salvo
       equation (the escorting navy's defence) gives the lift lost.
    2. Landing: the surviving lift puts troops ashore.
    3. Ashore: Lanchester square law between troops ashore and the defender's
       ground forces over the turn's days; the lodgment is the challenger's
       share of control by a Hirshleifer contest of the two ground forces.
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    c = w.challenger
    prot = w.protege
    m = tn.chose("amphibious_invasion")[:, c]
    if not m.any() or prot < 0:
        return
    u = tn.dice.draw(tn.t, R_INVASION, c)
    engaged = (w.side == 1)[None, :] & (st.belligerent | (np.arange(w.n_actors) == prot))
    acc = access_shares(w, st.closure)
    shots, exp_share, fired = crossing_fire(w, st.forces, engaged, acc)
    shots = np.where(m, shots, 0.0)
    st.forces[:, :, K["strike"]] -= np.where(m[:, None], fired, 0.0)
    lift = st.forces[:, c, K["amphibious"]].copy()
    escorts = st.forces[:, c, K["naval"]].copy()
    # the draw shades the expected loss by +-25%
    share = np.clip(exp_share * (0.75 + 0.5 * u), 0.0, 1.0)
    lift_lost = lose(st, c, "amphibious", np.where(m, lift * share, 0.0))
    esc_lost = lose(st, c, "naval", np.where(m, round_draw(escorts * share * 0.5, u), 0.0))
    landed_now = np.where(m, lift - lift_lost, 0.0)
    ashore0 = st.landed + landed_now
    def0 = st.forces[:, prot, K["ground"]].copy()
    # only part of the defender's army reaches the beaches in a turn; the
    # lodgment is then contested against all that remains of it
    engaged0 = def0 * cp.landing_defence_share
    a1, e1 = ashore0.copy(), engaged0.copy()
    days = w.scenario.turn.length_days
    steps = max(1, int(np.ceil(days)))
    for _ in range(steps):
        a1, e1 = attrition.lanchester_step(a1, e1, cp.invasion_exchange, cp.invasion_exchange,
                                           days / steps, law="square")
        a1, e1 = np.asarray(a1, dtype=float), np.asarray(e1, dtype=float)
    b1 = def0 - (engaged0 - e1)
    st.landed = np.where(m, a1, st.landed)
    lose(st, prot, "ground", np.where(m, def0 - b1, 0.0))
    lodg = np.asarray(contest.success_probability(a1, b1, cp.contest_exponent), dtype=float)
    st.lodgment = np.where(m, np.where(a1 > 0, lodg, 0.0), st.lodgment)
    add_damage(st, c, loss_weight(w, c) * np.where(m, 0.02 * lift_lost + 0.01 * esc_lost
                                                   + 0.002 * (ashore0 - a1),
                               0.0))
    add_damage(st, prot, loss_weight(w, prot) * np.where(m, 0.002 * (def0 - b1), 0.0))
    mark_attacked(tn, c, np.full(st.runs, prot), m)
    if tn.narrate(m):
        tn.log.add(tn.t, "ruling", f"invasion: {shots[0]:.0f} anti-ship shots at the crossing "
                   f"(expected {_pct(exp_share[0])} of the lift lost, the draw shades it by "
                   f"+-25%), draw {u[0]:.2f} -> {_pct(share[0])} of the lift lost; "
                   f"{ashore0[0]:.1f}k troops ashore vs {def0[0]:.1f}k defenders; lodgment "
                   f"{_pct(st.lodgment[0])}", actor=tn.name(c),
                   model="attrition.salvo (Hughes 1995) + lanchester_step (Lanchester 1916) + "
                         "contest (Hirshleifer 1989)",
                   inputs={"anti_ship_shots": float(shots[0]), "lift": float(lift[0]),
                           "expected_share_lost": float(exp_share[0]),
                           "escorts": float(escorts[0]), "defenders": float(def0[0]),
                           "defenders_at_the_beaches": float(engaged0[0])},
                   probability=float(share[0]), draw=float(u[0]),
                   result={"lift_lost": float(lift_lost[0]), "ashore": float(a1[0]),
                           "lodgment": float(st.lodgment[0])})


def ashore(tn: Turn) -> None:
    """Fighting ashore in the turns between waves: counterattack and supply.

    Troops left ashore do not wait for the next wave. The defender brings
    ``counterattack_share`` of its ground forces against the lodgment; troops
    dug in ashore are harder to dislodge (``lodgment_defence`` divides the
    counterattack's exchange rate: the 3:1 rule of thumb, Mearsheimer 1989).
    The lodgment lives on the sealift: the attacker's fire is scaled by the
    share of its lift still afloat, and it loses ``supply_attrition`` x the share
    of lift lost of its troops each turn for want of supply (CSIS 2023: with the
    amphibious fleet sunk, the forces ashore could not be sustained). Lanchester
    square law (Lanchester 1916) over the turn's days; the lodgment is the
    Hirshleifer contest of the two ground forces, as at the landing. A lodgment
    below ``_LAST_STAND`` thousand troops is destroyed.
    """
    w, st = tn.world, tn.state
    cp = w.scenario.parameters.combat
    c, prot = w.challenger, w.protege
    if prot < 0:
        return
    m = ((st.landed > 0) & tn.active & ~st.done & st.war
         & ~tn.chose("amphibious_invasion")[:, c])
    if not m.any():
        return
    lift0 = float(w.forces0[c, K["amphibious"]])
    supply = np.clip(st.forces[:, c, K["amphibious"]] / max(lift0, 1e-9), 0.0, 1.0)
    a0 = st.landed.copy()
    def0 = st.forces[:, prot, K["ground"]].copy()
    e0 = def0 * cp.counterattack_share
    starved = a0 * cp.supply_attrition * (1.0 - supply)
    a1, e1 = a0 - starved, e0.copy()
    days = w.scenario.turn.length_days
    steps = max(1, int(np.ceil(days)))
    for _ in range(steps):
        a1, e1 = attrition.lanchester_step(a1, e1, cp.invasion_exchange * supply,
                                           cp.invasion_exchange / cp.lodgment_defence,
                                           days / steps, law="square")
        a1, e1 = np.asarray(a1, dtype=float), np.asarray(e1, dtype=float)
    a1 = np.where(a1 < _LAST_STAND, 0.0, a1)
    b1 = def0 - (e0 - e1)
    st.landed = np.where(m, a1, st.landed)
    lose(st, prot, "ground", np.where(m, def0 - b1, 0.0))
    lodg = np.asarray(contest.success_probability(a1, b1, cp.contest_exponent), dtype=float)
    st.lodgment = np.where(m, np.where(a1 > 0, lodg, 0.0), st.lodgment)
    add_damage(st, c, loss_weight(w, c) * np.where(m, 0.002 * (a0 - a1), 0.0))
    add_damage(st, prot, loss_weight(w, prot) * np.where(m, 0.002 * (def0 - b1), 0.0))
    if tn.narrate(m):
        fate = ("the lodgment is destroyed" if a1[0] <= 0
                else f"{a1[0]:.1f}k hold on; lodgment {_pct(st.lodgment[0])}")
        tn.log.add(tn.t, "ruling", f"fighting ashore: {a0[0]:.1f}k troops ashore (supply "
                   f"{_pct(supply[0])} of the lift afloat) vs {e0[0]:.1f}k counterattacking; "
                   f"{starved[0]:.1f}k lost for want of supply -> {fate}",
                   actor=tn.name(c),
                   model="lanchester_step, square law (Lanchester 1916) + contest "
                         "(Hirshleifer 1989); dug-in defence (Mearsheimer 1989)",
                   inputs={"ashore": float(a0[0]), "supply": float(supply[0]),
                           "counterattacking": float(e0[0]),
                           "lodgment_defence": cp.lodgment_defence},
                   probability=None, draw=None,
                   result={"ashore": float(a1[0]), "lodgment": float(st.lodgment[0]),
                           "defender_lost": float(def0[0] - b1[0])})


#: Thousands of troops below which a lodgment cannot hold and is destroyed.
_LAST_STAND = 0.5


def crossing_fire(w: World, forces: F, engaged: B, acc: F) -> tuple[F, F, F]:
    """Fire at an amphibious crossing and the expected share of the lift lost.

    The defenders engaged fire ``strike_per_turn`` of their strike munitions
    (``strike_pk`` of them hit) and their ships and aircraft add salvoes, each
    scaled by its access to bases; Hughes' salvo equation (Hughes 1995) with the
    escorts' defence gives the lift put out of action. Used by the invasion
    ruling and by the challenger's feasibility check before it launches.

    Returns ``(shots, expected share of lift lost, strike munitions fired (R, A))``.
    """
    cp = w.scenario.parameters.combat
    c = w.challenger
    strike = forces[:, :, K["strike"]]
    fired = np.floor(strike * cp.strike_per_turn) * engaged
    ship_fire = (forces[:, :, K["naval"]] * w.naval[None, :, 0] * 0.5
                 + forces[:, :, K["air"]] * 0.05) * engaged * acc
    shots = cp.strike_pk * (fired * acc).sum(axis=1) + ship_fire.sum(axis=1)
    lift = forces[:, c, K["amphibious"]]
    escorts = forces[:, c, K["naval"]]
    # Hughes: lift lost = (hits - escorts' intercepts) / hits per unit of lift;
    # each anti-ship shot counts as one incoming missile (alpha = 1 per shot)
    _, lost_exp = attrition.salvo(shots, lift, 1.0, 0.0, 0.0,
                                  w.naval[c, 1] * escorts / np.maximum(lift, 1e-9), 1.0,
                                  cp.amphibious_staying)
    lost_exp = np.minimum(np.asarray(lost_exp, dtype=float), lift)
    share = np.where(lift > 0, lost_exp / np.maximum(lift, 1e-9), 1.0)
    return shots, share, fired


# --------------------------------------------------------------------------- nuclear
def retaliatory_capacity(w: World, forces: F, j: int) -> F:
    """How much of a full retaliation actor ``j`` could still deliver (0..1), per run.

    Surviving warheads (``nuclear_survivability`` x arsenal: the second strike,
    Glaser and Fetter 2016) over the scenario's ``assured_destruction``
    saturation, capped at 1. Strategic forces, not theatre forces: conventional
    fire never reduces them.
    """
    ad = w.scenario.parameters.nuclear.assured_destruction
    surv = forces[:, j, K["nuclear_warheads"]] * w.survivability[j]
    return np.clip(surv / ad, 0.0, 1.0)


def nuclear(tn: Turn) -> None:
    """Nuclear tests and nuclear use, as escalation events with abstract consequences.

    A test raises tension and is recorded apart from use. A use (demonstration
    or limited) sets ``nuclear_use`` (first user and turn), puts every actor on
    maximum alert, costs its target an abstract share of its stakes
    (``parameters.nuclear.*_damage``), costs the user the nuclear taboo
    (Tannenwald 1999: ``taboo`` x its stakes for first use, a share of it for
    retaliation in kind), expends warheads, and opens a Schelling gamble: with
    ``risk.nuclear_escalation`` the crisis slips out of control into a strategic
    exchange. Otherwise the game goes on and the other side chooses its response
    next turn (none, conventional, limited nuclear, strategic). whitecell never
    models weapon effects on people or places.
    """
    w, st = tn.world, tn.state
    rp = w.scenario.parameters.risk
    npar = w.scenario.parameters.nuclear
    tests = tn.chose("nuclear_test")
    st.nuclear_test |= tests.any(axis=1)
    for i in range(w.n_actors):
        use = tn.chose_adj("nuclear_use")[:, i]
        if not use.any():
            continue
        u = tn.dice.draw(tn.t, R_NUCLEAR, i)
        # retaliation: nuclear weapons were already used against it or an ally
        allies = w.intervene_for[i].copy()
        allies[i] = True
        answered = np.asarray((st.nuclear_attacked_turn[:, allies] > 0).any(axis=1), dtype=bool)
        # a later use after the taboo is broken pays the lesser share too
        again = use & st.nuclear_use & ~answered
        first = use & ~st.nuclear_use
        st.first_user = np.where(first, i, st.first_user).astype(np.int16)
        st.nuclear_turn = np.where(first, tn.t, st.nuclear_turn).astype(np.int16)
        st.nuclear_use |= use
        st.alert = np.where(use[:, None], 1.0, st.alert)
        st.tension = np.where(use, 1.0, st.tension)
        limited = tn.chose("limited_nuclear_use")[:, i]
        taboo = npar.taboo * w.stakes[i] * np.where(answered | again, npar.retaliation_taboo,
                                                    1.0)
        add_posture_cost(st, i, np.where(use, taboo, 0.0))
        spent = np.where(limited, float(npar.limited_use_warheads), 1.0)
        st.forces[:, i, K["nuclear_warheads"]] = np.maximum(
            0.0, st.forces[:, i, K["nuclear_warheads"]] - np.where(use, spent, 0.0))
        tgt = tn.target[:, i]
        for who in range(w.n_actors):
            on = use & (tgt == who)
            if not on.any():
                continue
            add_damage(st, who, np.where(on, w.stakes[who] * np.where(
                limited, npar.limited_damage, npar.demonstration_damage), 0.0))
            st.nuclear_attacked[:, who] |= on
            st.nuclear_attacked_turn[:, who] = np.where(on, tn.t, st.nuclear_attacked_turn[:, who])
            # abstract military consequence of limited use: a share of the
            # target's theatre forces is put out of action (never strategic forces)
            hit = on & limited
            if hit.any():
                for k, kind in enumerate(FORCE_KINDS):
                    if _FIREABLE[k]:
                        lose(st, who, kind, np.where(hit, np.round(
                            st.forces[:, who, k] * npar.limited_effect), 0.0))
        mark_attacked(tn, i, tgt, use)
        p = rp.nuclear_escalation
        spiral = use & (u < p)
        end_runs(st, spiral, "strategic_exchange", tn.t)
        if tn.narrate(use):
            kind = ("retaliation in kind" if answered[0] else
                    "further use: the taboo is already broken" if again[0] else "FIRST USE")
            tn.log.add(tn.t, "ruling", f"nuclear use by {tn.name(i)} ({kind}; taboo cost "
                       f"{taboo[0]:.2f} of its stakes): risk of a spiral to strategic "
                       f"exchange p={p:.2f}, draw {u[0]:.2f} -> "
                       f"{'strategic exchange' if spiral[0] else 'no spiral: the game goes on'}",
                       actor=tn.name(i), model="risk (Schelling 1960): threat that leaves "
                                              "something to chance; taboo (Tannenwald 1999)",
                       inputs={"nuclear_escalation": p, "taboo": float(taboo[0]),
                               "retaliation": bool(answered[0])},
                       probability=p, draw=float(u[0]),
                       result={"strategic_exchange": bool(spiral[0])})
    ex = np.asarray(tn.chose("strategic_exchange").any(axis=1), dtype=bool)
    if ex.any():
        st.nuclear_use |= ex
        who = np.argmax(tn.chose("strategic_exchange"), axis=1)
        first = ex & (st.first_user < 0)
        st.first_user = np.where(first, who, st.first_user).astype(np.int16)
        st.nuclear_turn = np.where(first, tn.t, st.nuclear_turn).astype(np.int16)
        st.war |= ex
        end_runs(st, np.asarray(ex, dtype=bool), "strategic_exchange", tn.t)
        if tn.narrate(ex):
            tn.log.add(tn.t, "ruling", f"{tn.name(int(who[0]))} orders a strategic nuclear "
                       "exchange: the game ends (never modelled beyond that fact)",
                       actor=tn.name(int(who[0])), model="strategic exchange (top of Kahn's "
                       "ladder)", probability=1.0, draw=None, result={"strategic_exchange": True})


# --------------------------------------------------------------------------- risk
def inadvertent(tn: Turn) -> None:
    """Risk that leaves something to chance (Schelling 1960).

    pi = inadvertent_risk(base, mean alert, contact, top rung): alert levels,
    close contact and the height of the ladder raise the chance of an incident
    nobody chose. An incident (a collision, a clash of patrols) raises tension
    and both sides' alert, and so the risk of the next; it is *not* an armed
    attack: it opens no actor's gate to the use of force.
    """
    w, st = tn.world, tn.state
    rp = w.scenario.parameters.risk
    alert = st.alert.mean(axis=1)
    top = st.rung.max(axis=1).astype(float)
    pi = np.asarray(risk.inadvertent_risk(rp.base, alert, st.contact, top, k_alert=rp.k_alert,
                                          k_contact=rp.k_contact, k_rung=rp.k_rung), dtype=float)
    pi = np.where(tn.active, pi, 0.0)
    u = tn.dice.draw(tn.t, R_INCIDENT, 0)
    st.risk = pi
    st.cumrisk = 1.0 - (1.0 - st.cumrisk) * (1.0 - pi)
    inc = tn.active & (u < pi) & ~st.war
    st.incident = inc
    st.incidents += inc.astype(np.int16)
    st.tension = np.where(inc, np.clip(st.tension + 0.15, 0, 1), st.tension)
    c = w.challenger
    adv = w.adversary[c]
    if adv >= 0:
        for who in (c, adv):
            st.alert[:, who] = np.where(inc, np.clip(st.alert[:, who] + 0.1, 0, 1),
                                        st.alert[:, who])
    if tn.log.enabled and tn.active[0]:
        tn.log.add(tn.t, "ruling" if not inc[0] else "incident",
                   f"inadvertent incident: pi={pi[0]:.3f}, draw {u[0]:.2f} -> "
                   f"{'INCIDENT: a clash nobody ordered (tension and alert up; not an armed attack)' if inc[0] else 'none'}",
                   model="risk.inadvertent_risk (Schelling 1960)",
                   inputs={"base": rp.base, "mean_alert": float(alert[0]),
                           "contact": float(st.contact[0]), "top_rung": float(top[0])},
                   probability=float(pi[0]), draw=float(u[0]), result={"incident": bool(inc[0])})


# --------------------------------------------------------------------------- alliances
_REASSURING = ("reaffirm_commitment", "bomber_flight", "ssbn_visit", "deploy_forces",
               "security_cooperation", "share_intelligence", "supply_weapons",
               "missile_defence_posture")


def alliance(tn: Turn) -> None:
    """Assurance: each protege's confidence in its patron (Snyder 1984).

    A patron's reassuring moves (reaffirmation, umbrella signals, deployments)
    raise it by ``reassure``; a patron that stays out of the fight while its
    ally is under armed attack (past its consultation delay) lowers it by
    ``abandon`` (fear of abandonment); a patron that fights while its ally is
    not attacked lowers it by ``entrap`` (fear of entrapment). Low assurance
    makes a protege hedge and act alone (its doctrine's ``hedge_threshold``).
    """
    w, st = tn.world, tn.state
    ap = w.scenario.parameters.alliance
    t = tn.t
    for q in range(w.n_actors):
        p = int(w.patron_of[q])
        if p < 0:
            continue
        reassured = np.zeros(st.runs, dtype=bool)
        for a in _REASSURING:
            reassured |= tn.chose(a)[:, p]
        delay = w.scenario.actors[p].doctrine.intervene_delay
        under_attack = (st.attacked_turn[:, q] > 0) & (st.violent_turn.max(axis=1) >= t - 1)
        long_enough = (t - st.attacked_turn[:, q]) >= delay
        patron_fights = st.violent_turn[:, p] == t
        abandoned = under_attack & long_enough & ~patron_fights
        entrapped = patron_fights & (st.attacked_turn[:, q] == 0)
        d = (np.where(reassured, ap.reassure, 0.0) - np.where(abandoned, ap.abandon, 0.0)
             - np.where(entrapped, ap.entrap, 0.0) + np.where(patron_fights & under_attack,
                                                              ap.reassure, 0.0))
        new = np.clip(st.assurance[:, q] + np.where(tn.active, d, 0.0), 0.0, 1.0)
        if tn.narrate(np.abs(new - st.assurance[:, q]) > 1e-9):
            why = ("reassured" if reassured[0] or (patron_fights[0] and under_attack[0]) else
                   "fear of abandonment" if abandoned[0] else "fear of entrapment")
            tn.log.add(t, "ruling", f"assurance of {tn.name(q)} in {tn.name(p)}: "
                       f"{st.assurance[0, q]:.2f} -> {new[0]:.2f} ({why})", actor=tn.name(q),
                       model="alliance security dilemma (Snyder 1984)",
                       inputs={"reassure": ap.reassure, "abandon": ap.abandon,
                               "entrap": ap.entrap},
                       probability=1.0, draw=None, result={"assurance": float(new[0])})
        st.assurance[:, q] = new


# --------------------------------------------------------------------------- termination
def control(w: World, st: State, rows: IntA | None = None) -> F:
    """The challenger's hold on its objective (0..1): the fact the war is about.

    ``rows`` (run indices) gives it for those runs only."""
    fact = w.scenario.objective.fact
    sel = slice(None) if rows is None else rows
    if fact == "lodgment":
        return st.lodgment[sel].copy()
    if fact == "islands_held":
        return st.islands_held[sel].astype(float)
    if fact == "blockade":
        return st.blockade[sel].copy()
    return np.zeros(st.runs if rows is None else len(rows))


def war_termination(tn: Turn) -> None:
    """Bargaining while fighting: settlement inside the range, or a frozen war.

    Each side starts the war over-estimating its chances by a private draw of
    up to ``optimism`` (mutual optimism); fighting reveals the balance and the
    over-estimates fall by a factor e every ``learning_turns`` (Wagner 2000;
    Slantchev 2003: expectations converge on the battlefield). The true
    prospect mixes the balance of combat power (Hirshleifer contest) with the
    challenger's current control of the objective. Terms ``x`` (the
    challenger's share of the stakes) exist when the challenger's demand
    ``p_c - k_c`` does not exceed the defenders' offer ``p_d + k_d`` (Fearon
    1995; ``k`` = ``cost_share`` x each side's war cost, the cost of fighting on); after ``min_war_turns`` of fighting
    they are agreed with probability ``agreement_rate`` a turn (commitment
    problems keep some wars going: Reiter 2009) at the middle of the range.
    A war in which control has not moved by more than ``stalemate_change`` a
    turn for ``stalemate_turns`` turns is frozen: a stalemate. A war in which
    nobody has used force for ``stalemate_turns`` turns ends in a tacit
    ceasefire on current lines (Schelling 1960).
    """
    w, st = tn.world, tn.state
    tp = w.scenario.parameters.termination
    ends = w.scenario.end_conditions
    t = tn.t
    live = tn.active & ~st.done
    fighting = live & st.war & (st.violent_turn.max(axis=1) >= t - 1)
    st.war_turns = (st.war_turns + fighting).astype(np.int16)
    now = control(w, st)
    moved = np.abs(now - st.control) > tp.stalemate_change
    # a war is frozen only once the contest for the objective is joined: a
    # position held or ashore that does not move (or, for coercion, a war in
    # which nothing moves); a blockade before the landing is not a stalemate,
    # so the clock starts at the landing, not at the first shot
    joined = (now > 0) | (st.landed > 0) | (w.scenario.objective.fact in ("coercion",
                                                                          "blockade"))
    st.calm_turns = np.where(fighting & joined & ~moved, st.calm_turns + 1,
                             0).astype(np.int16)
    st.control = now
    u = tn.dice.draw(t, R_TERMINATION, 0)
    # a war in which nobody has used force for `stalemate_turns` turns has
    # ended in fact: a tacit ceasefire on current lines (Schelling 1960, tacit
    # bargaining), rather than an idle war running to the time limit
    quiet = (live & st.war & ~fighting & ~st.done & ends.ceasefire
             & (t - st.violent_turn.max(axis=1) >= tp.stalemate_turns))
    st.settlement_share = np.where(quiet & np.isnan(st.settlement_share), now,
                                   st.settlement_share)
    end_runs(st, quiet, "ceasefire", t)
    if tn.narrate(quiet):
        tn.log.add(t, "ruling", f"TACIT CEASEFIRE: no one has used force for "
                   f"{tp.stalemate_turns} turns; the war ends on current lines",
                   model="tacit bargaining (Schelling 1960)",
                   inputs={"turns_without_force": int(t - st.violent_turn.max(axis=1)[0])},
                   probability=1.0, draw=None, result={"ceasefire": True})
    if not fighting.any():
        return
    # the prospect matters only where the war is being fought (terms are struck
    # only there): worked out for those runs
    p_true = np.zeros(st.runs)
    at = np.flatnonzero(fighting)
    p_true[at] = true_prospect(w, st, at)
    fade = np.exp(-st.war_turns / tp.learning_turns)
    p_c = np.clip(p_true + st.optimism[:, 0] * fade, 0.0, 1.0)
    p_d = np.clip(p_true - st.optimism[:, 1] * fade, 0.0, 1.0)
    c, prot = w.challenger, max(w.protege, 0)
    k_c, k_d = tp.cost_share * w.war_cost[c], tp.cost_share * w.war_cost[prot]
    lo, hi = np.clip(p_c - k_c, 0.0, 1.0), np.clip(p_d + k_d, 0.0, 1.0)
    exists = lo <= hi
    # no terms in the turn nuclear weapons were used: the side struck answers first
    struck_now = np.asarray((st.nuclear_attacked_turn == t).any(axis=1), dtype=bool)
    ripe = np.asarray(fighting & (st.war_turns >= tp.min_war_turns) & ~struck_now, dtype=bool)
    agreed = ripe & exists & (u < tp.agreement_rate) & ends.settlement
    x = 0.5 * (lo + hi)
    st.settlement_share = np.where(agreed & ~st.done, x, st.settlement_share)
    end_runs(st, agreed, "settlement", t)
    frozen = (fighting & joined & (st.calm_turns >= tp.stalemate_turns) & ~st.done
              & ends.stalemate)
    end_runs(st, frozen, "stalemate", t)
    st.settlement_share = np.where(frozen & np.isnan(st.settlement_share), now,
                                   st.settlement_share)
    if tn.narrate(fighting & ~(st.done & ~agreed & ~frozen)):
        if agreed[0]:
            res = f"terms agreed: {tn.name(c)} gets {_pct(x[0])} of the stakes"
        elif frozen[0]:
            n = int(st.calm_turns[0])
            days = n * w.scenario.turn.length_days
            if w.scenario.objective.fact in ("coercion", "blockade"):
                res = (f"STALEMATE: {n} turns ({days:g} days) of fighting have not moved "
                       "the contest (no one has yielded); the war ends in deadlock")
            else:
                res = (f"STALEMATE: control has not moved for {n} turns ({days:g} days); "
                       "the war is frozen on current lines")
        elif not ripe[0]:
            res = "too early: fighting has not yet revealed the balance"
        elif not exists[0]:
            res = "no terms both accept (expectations still apart)"
        else:
            res = "terms exist but are not agreed this turn"
        tn.log.add(t, "ruling", f"war termination: {tn.name(c)} expects {p_c[0]:.2f}, "
                   f"defenders concede it {p_d[0]:.2f} (balance {p_true[0]:.2f}); range "
                   f"[{lo[0]:.2f}, {hi[0]:.2f}]; p(agree)={tp.agreement_rate:.2f}, draw "
                   f"{u[0]:.2f} -> {res}",
                   model="bargaining while fighting (Wagner 2000; Slantchev 2003; Fearon 1995)",
                   inputs={"p_true": float(p_true[0]), "p_challenger": float(p_c[0]),
                           "p_defenders": float(p_d[0]), "war_turns": int(st.war_turns[0]),
                           "calm_turns": int(st.calm_turns[0])},
                   probability=tp.agreement_rate if bool(ripe[0] & exists[0]) else 0.0,
                   draw=float(u[0]),
                   result={"settled": bool(agreed[0]), "stalemate": bool(frozen[0]),
                           "share": float(x[0]) if agreed[0] else None})


def true_prospect(w: World, st: State, rows: IntA | None = None) -> F:
    """The challenger's real prospect in the war (0..1), per run.

    Half the contest of combat power between the two sides (Hirshleifer 1989,
    true forces), half the challenger's current control of its objective once
    the operation for it has begun (before that, the contest alone).

    A lodgment across the sea is taken only by the lift that crosses: there the
    contest is scaled by the share of the challenger's lift still afloat and by
    the share that would survive a crossing now, under the fire of the
    defenders who would meet it (:func:`crossing_prospect`, with the model the
    invasion ruling uses). Deterrence by denial (Mearsheimer 1983) thus enters the bargaining
    and the breaking points: a challenger whose fleet cannot cross cannot win
    the island, however the aggregate balance reads (CSIS 2023: with the
    amphibious fleet sunk the invasion fails).

    ``rows`` (run indices) works it out for those runs only (the same numbers).
    """
    sel = slice(None) if rows is None else rows
    pw = power_of(st.forces[sel])  # (R, A)
    ch = (w.side == 0)
    df = (w.side == 1)
    m = w.scenario.parameters.combat.contest_exponent
    p = np.asarray(contest.success_probability(pw[:, ch].sum(axis=1), pw[:, df].sum(axis=1),
                                               m), dtype=float)
    if w.scenario.objective.fact == "coercion":
        return p
    if w.scenario.objective.fact == "lodgment" and w.protege >= 0:
        p = p * crossing_prospect(w, st, rows)
    # before the operation for the objective has begun, the balance alone
    held = control(w, st, rows)
    started = (held > 0) | (st.landed[sel] > 0)
    return np.where(started, 0.5 * p + 0.5 * held, p)


def committed_defenders(w: World) -> NDArray[np.bool_]:
    """(A,) the defenders a crossing will meet whether or not they are at war yet:
    the protege and those whose doctrine commits them to fight for it."""
    prot = w.protege
    return (w.side == 1) & (w.intervene_for[:, prot] | (np.arange(w.n_actors) == prot))


def crossing_prospect(w: World, st: State, rows: IntA | None = None) -> F:
    """(R,) share of the challenger's starting lift that could put troops ashore now.

    The lift still afloat times the share expected to survive a crossing under
    the fire of the defenders who would meet it: the protege, those at war, and
    those whose doctrine commits them to fight for the protege (they are coming,
    at war or not yet), at their access to bases.
    """
    c = w.challenger
    sel = slice(None) if rows is None else rows
    forces = st.forces[sel]
    engaged = ((w.side == 1)[None, :] & st.belligerent[sel]) | committed_defenders(w)[None, :]
    _, lost, _ = crossing_fire(w, forces, engaged, access_shares(w, st.closure[sel]))
    lift0 = float(w.forces0[c, K["amphibious"]])
    afloat = np.clip(forces[:, c, K["amphibious"]] / max(lift0, 1e-9), 0.0, 1.0)
    return np.asarray(afloat * (1.0 - lost), dtype=float)


def end_runs(st: State, mask: B, reason: str, turn: int) -> None:
    """End the runs in ``mask`` that are still going, for ``reason`` at ``turn``."""
    m = mask & ~st.done
    st.done |= m
    st.end_reason = np.where(m, END_REASONS.index(reason), st.end_reason).astype(np.int8)
    st.end_turn = np.where(m, turn, st.end_turn).astype(np.int16)

