"""Adjudication: the rulings of one turn, each a published model applied to arrays.

Every function here takes the turn context (world, state, moves, dice, log) and
updates the state of all runs at once. A ruling draws exactly one uniform per
run from a fixed dice slot, compares it with a probability computed by a model
in :mod:`whitecell.models`, and, when a narrative is being recorded, logs the
model, its inputs, the probability, the draw and the result in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.dice import Dice, binomial_from_uniform
from whitecell.engine.events import EventLog
from whitecell.models import attrition, beliefs, bmd, contest, risk
from whitecell.scenario.actions import ACTION_INDEX
from whitecell.world.compile import K, World
from whitecell.world.state import END_REASONS, State

F = NDArray[np.float64]
B = NDArray[np.bool_]

# Ruling codes: fixed positions in the dice slot table (never renumber).
R_FOG, R_INCIDENT, R_BLOCKADE, R_GREY, R_SEIZE, R_RETAKE = 1, 2, 3, 4, 5, 6
R_MISSILE, R_BASES, R_COUNTER, R_NAVAL_A, R_NAVAL_B, R_INVASION = 7, 8, 9, 10, 11, 12
R_NUCLEAR, R_AIR = 13, 14
R_PRIOR_RESOLVE, R_PRIOR_TOLERANCE, R_BELIEF = 60, 61, 62


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

    def chose(self, action_id: str) -> B:
        """(R, A) mask of actors that chose ``action_id`` in active runs (cached)."""
        m = self.masks.get(action_id)
        if m is None:
            m = (self.action == ACTION_INDEX[action_id]) & self.active[:, None]
            self.masks[action_id] = m
        return m

    def chose_adj(self, adjudicator: str) -> B:
        """(R, A) mask of actors whose move is ruled by ``adjudicator`` (cached)."""
        key = "adj:" + adjudicator
        m = self.masks.get(key)
        if m is None:
            codes = [i for i, a in enumerate(self.world.actions.specs)
                     if a.adjudicator == adjudicator]
            m = np.isin(self.action, codes) & self.active[:, None]
            self.masks[key] = m
        return m

    def name(self, i: int) -> str:
        return self.world.ids[int(i)]

    def narrate(self, mask: B) -> bool:
        """True when run 0 is being narrated and ``mask`` holds there."""
        return self.log.enabled and bool(np.asarray(mask).reshape(-1)[0])


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


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
    new_rung = np.where(status_quo, st.rung, rung).astype(np.int16)
    st.rung = np.where(live, new_rung, st.rung).astype(np.int16)
    st.peak = np.maximum(st.peak, st.rung).astype(np.int16)
    st.turn_score = np.where(live, acts.weight[act], 0.0)
    st.score += st.turn_score
    st.costs += np.where(live, acts.cost[act], 0.0)
    st.tension = np.clip(st.tension + np.where(tn.active, acts.tension[act].sum(axis=1), 0.0),
                         0.0, 1.0)
    st.alert = np.clip(st.alert + np.where(live, acts.alert[act], 0.0), 0.0, 1.0)
    st.contact = np.where(tn.active, np.clip(acts.contact[act].sum(axis=1), 0.0, 1.0), 0.0)
    sig = np.where(live, acts.signal[act], 0.0)  # (R, A) signal sent by each actor
    # observers i update beliefs about movers j
    sig_obs = np.broadcast_to(sig[:, None, :], st.belief_a.shape)
    a_new, b_new = beliefs.update(st.belief_a, st.belief_b, np.sign(sig_obs), np.abs(sig_obs))
    st.belief_a, st.belief_b = np.asarray(a_new, dtype=float), np.asarray(b_new, dtype=float)
    st.proposal = (acts.rivera[act] == 0) & np.isin(
        act, [ACTION_INDEX["propose_talks"], ACTION_INDEX["international_arbitration"]]) & live
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


def mark_attacked(tn: Turn, attacker: int, target: NDArray[np.int64], mask: B) -> None:
    """Record violence by ``attacker`` on ``target`` in runs ``mask``."""
    st = tn.state
    if not mask.any():
        return
    st.war |= mask
    st.belligerent[:, attacker] |= mask
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
    u = tn.dice.draw(tn.t, R_BLOCKADE, c)
    if not m.any():
        return
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
        st.costs[:, prot] += np.where(
            m, share * w.vulnerability[prot] * w.scenario.parameters.combat.blockade_cost, 0.0)
    mark_attacked(tn, c, np.full(st.runs, prot), blk)
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


def grey_zone(tn: Turn) -> None:
    """Coast-guard contest in contested waters (Hirshleifer contest of hulls).

    A win for the challenger adds a step of pressure (costs to the defender's
    standing); each clash adds close contact, the fuel of Schelling's risk.
    """
    w, st = tn.world, tn.state
    m_exp = w.scenario.parameters.combat.contest_exponent
    for i in range(w.n_actors):
        m = tn.chose_adj("grey_zone")[:, i]
        u = tn.dice.draw(tn.t, R_GREY, i)
        if not m.any():
            continue
        j = tn.target[:, i]
        mine = st.forces[:, i, K["coast_guard"]]
        jj = np.clip(j, 0, None)
        theirs = st.forces[np.arange(st.runs), jj, K["coast_guard"]]
        p = np.asarray(contest.success_probability(mine, theirs, m_exp), dtype=float)
        win = m & (u < p)
        rows = np.nonzero(win & (j >= 0))[0]
        st.costs[rows, j[rows]] += 0.02
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
    u = tn.dice.draw(tn.t, R_SEIZE, c)
    if m.any():
        f = st.forces[:, c].copy()
        mine = f[:, K["coast_guard"]] + f[:, K["naval"]] / 3
        # defenders present: the protege and any defender already in the fight
        engaged = (w.side == 1)[None, :] & (
            st.belligerent | (np.arange(w.n_actors) == w.protege)[None, :])
        d = st.forces.copy()
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
        u2 = tn.dice.draw(tn.t, R_RETAKE, i)
        if not r.any():
            continue
        f = st.forces[:, i].copy()
        mine = f[:, K["ground"]] + f[:, K["naval"]]
        g = st.forces[:, c].copy()
        theirs = g[:, K["coast_guard"]] * 0.5 + g[:, K["naval"]] * 0.5
        p = np.asarray(contest.success_probability(mine, theirs, cp.contest_exponent), dtype=float)
        win = r & (u2 < p)
        st.islands_held &= ~win
        mark_attacked(tn, i, np.full(st.runs, c), r)
        st.costs[:, i] += np.where(r, 0.05, 0.0)
        st.costs[:, c] += np.where(win, 0.1, 0.0)
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
        u = tn.dice.draw(tn.t, code, i)
        if not m.any():
            continue
        tgt = tn.target[:, i]
        have = st.forces[:, i, K["missiles"]].copy()
        n = np.where(m, np.floor(np.minimum(cp.salvo_size, have)), 0.0)
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
        rows = np.nonzero(m & (tgt >= 0))[0]
        tr = tgt[rows]
        dmg = leak[rows] * cp.damage_per_leaker
        st.costs[rows, tr] += dmg
        wear = np.clip(1.0 - dmg[:, None], 0.0, 1.0)
        st.forces[rows, tr, :] *= wear
        st.homeland_struck[rows, tr] = True
        mark_attacked(tn, i, tgt, m)
        hit_patrons: list[str] = []
        if bases:
            for p in range(w.n_actors):
                committed = w.commitment[p, np.clip(tgt, 0, None)] > 0
                pm = m & committed & (tgt >= 0)
                if pm.any():
                    mark_attacked(tn, i, np.full(st.runs, p), pm)
                    st.costs[:, p] += np.where(pm, 0.5 * leak * cp.damage_per_leaker, 0.0)
                    st.forces[:, p, :] *= np.where(pm, 1.0 - 0.5 * leak * cp.damage_per_leaker,
                                                   1.0)[:, None]
                    if pm[0]:
                        hit_patrons.append(tn.name(p))
        if tn.narrate(m):
            exp = float(n[0] * (1.0 - k[0]))
            tip = f"; tripwire: {', '.join(hit_patrons)} forces hit" if hit_patrons else ""
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
                        "expected_leakers": exp})


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
        u = tn.dice.draw(tn.t, R_COUNTER, i)
        if not m.any():
            continue
        tgt = tn.target[:, i]
        have = st.forces[:, i, K["strike"]].copy()
        M = np.where(m, np.floor(np.minimum(cp.counterstrike_munitions, have)), 0.0)
        kills = binomial_from_uniform(u, M, np.full(st.runs, cp.counterstrike_pk))
        st.forces[:, i, K["strike"]] = have - M
        rows = np.nonzero(m & (tgt >= 0))[0]
        tr = tgt[rows]
        st.forces[rows, tr, K["missiles"]] = np.maximum(
            0.0, st.forces[rows, tr, K["missiles"]] - kills[rows] * cp.missiles_per_counterstrike_kill)
        st.homeland_struck[rows, tr] = True
        st.costs[rows, tr] += 0.05
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
def _round_draw(x: F, u: F) -> F:
    """Integer outcome from an expected value: floor(x) + 1 with prob frac(x)."""
    fl = np.floor(x)
    return fl + (u < (x - fl))


def _exchange_losses(tn: Turn, i: int, tgt: NDArray[np.int64], m: B, kind: str, lost: F,
                     enemy_lost: F, cost_per_unit: float) -> None:
    """Apply both sides' losses of one force kind, charge their cost, record the attack."""
    st = tn.state
    rows = np.arange(st.runs)
    st.forces[:, i, K[kind]] -= lost
    st.forces[rows, tgt, K[kind]] -= enemy_lost
    st.costs[:, i] += lost * cost_per_unit
    st.costs[rows, tgt] += enemy_lost * cost_per_unit
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
        ua = tn.dice.draw(tn.t, R_NAVAL_A, i)
        ub = tn.dice.draw(tn.t, R_NAVAL_B, i)
        if not m.any():
            continue
        tgt = np.clip(tn.target[:, i], 0, None)
        rows = np.arange(st.runs)
        acc_i = cp.base_access if w.role[i] == "patron" else 1.0
        a = (st.forces[:, i, K["naval"]] + 0.5 * st.forces[:, i, K["submarine"]]) * acc_i
        b = st.forces[rows, tgt, K["naval"]]
        strike = st.forces[:, i, K["strike"]].copy()
        fired = np.where(m, np.floor(strike * cp.strike_per_turn), 0.0)
        alpha = w.naval[i, 0] + np.where(a > 0, cp.strike_pk * fired / np.maximum(a, 1e-9), 0.0)
        a_lost, b_lost = attrition.salvo(a, b, alpha, w.naval[tgt, 0], w.naval[i, 1],
                                         w.naval[tgt, 1], w.naval[i, 2], w.naval[tgt, 2])
        a_lost = np.asarray(a_lost, dtype=float)
        b_lost = np.asarray(b_lost, dtype=float)
        al = np.where(m, np.minimum(_round_draw(a_lost, ua), st.forces[:, i, K["naval"]]), 0.0)
        bl = np.where(m, np.minimum(_round_draw(b_lost, ub), b), 0.0)
        st.forces[:, i, K["strike"]] = strike - fired
        # ships are costly: each lost ship costs 0.01 of the stakes
        _exchange_losses(tn, i, tgt, m, "naval", al, bl, 0.01)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"salvo exchange with {tn.name(tgt[0])}: expected losses "
                       f"{a_lost[0]:.1f} vs {b_lost[0]:.1f} ships; draws {ua[0]:.2f}/{ub[0]:.2f} "
                       f"-> {int(al[0])} and {int(bl[0])} ships out of action", actor=tn.name(i),
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
        tn.dice.draw(tn.t, R_AIR, i)
        if not m.any():
            continue
        tgt = np.clip(tn.target[:, i], 0, None)
        rows = np.arange(st.runs)
        acc_i = cp.base_access if w.role[i] == "patron" else 1.0
        a0 = st.forces[:, i, K["air"]] * acc_i
        b0 = st.forces[rows, tgt, K["air"]]
        a1, b1 = a0.copy(), b0.copy()
        steps = max(1, int(np.ceil(days)))
        for _ in range(steps):
            a1, b1 = attrition.lanchester_step(a1, b1, cp.air_exchange, cp.air_exchange,
                                               days / steps, law="square")
            a1, b1 = np.asarray(a1, dtype=float), np.asarray(b1, dtype=float)
        al = np.where(m, a0 - a1, 0.0)
        bl = np.where(m, b0 - b1, 0.0)
        _exchange_losses(tn, i, tgt, m, "air", al, bl, 0.002)
        if tn.narrate(m):
            tn.log.add(tn.t, "ruling", f"air campaign against {tn.name(tgt[0])}: "
                       f"{a0[0]:.0f} vs {b0[0]:.0f} aircraft over {days:g} days -> losses "
                       f"{al[0]:.0f} and {bl[0]:.0f}", actor=tn.name(i),
                       model="attrition.lanchester_step, square law (Lanchester 1916)",
                       inputs={"own_air": float(a0[0]), "enemy_air": float(b0[0]),
                               "exchange_per_day": cp.air_exchange, "days": days},
                       probability=1.0, draw=None,
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
    u = tn.dice.draw(tn.t, R_INVASION, c)
    if not m.any() or prot < 0:
        return
    engaged = (w.side == 1)[None, :] & (st.belligerent | (np.arange(w.n_actors) == prot))
    access = np.array([cp.base_access if r == "patron" else 1.0 for r in w.role])
    strike = st.forces[:, :, K["strike"]].copy()
    fired = np.floor(strike * cp.strike_per_turn) * engaged
    ship_fire = (st.forces[:, :, K["naval"]] * w.naval[None, :, 0] * 0.5
                 + st.forces[:, :, K["air"]] * 0.05) * engaged * access[None, :]
    shots = np.where(m, cp.strike_pk * (fired * access[None, :]).sum(axis=1)
                     + ship_fire.sum(axis=1), 0.0)
    st.forces[:, :, K["strike"]] = strike - np.where(m[:, None], fired, 0.0)
    lift = st.forces[:, c, K["amphibious"]].copy()
    escorts = st.forces[:, c, K["naval"]].copy()
    # Hughes: lift lost = (hits - escorts' intercepts) / hits per unit of lift;
    # each anti-ship shot counts as one incoming missile (alpha = 1 per shot)
    _, lost_exp = attrition.salvo(shots, lift, 1.0, 0.0, 0.0,
                                  w.naval[c, 1] * escorts / np.maximum(lift, 1e-9), 1.0,
                                  cp.amphibious_staying)
    lost_exp = np.minimum(np.asarray(lost_exp, dtype=float), lift)
    share = np.where(lift > 0, lost_exp / np.maximum(lift, 1e-9), 0.0)
    # the draw shades the expected loss by +-25%
    share = np.clip(share * (0.75 + 0.5 * u), 0.0, 1.0)
    lift_lost = np.where(m, lift * share, 0.0)
    esc_lost = np.where(m, escorts * share * 0.5, 0.0)
    st.forces[:, c, K["amphibious"]] = lift - lift_lost
    st.forces[:, c, K["naval"]] = escorts - esc_lost
    landed_now = np.where(m, lift - lift_lost, 0.0)
    ashore0 = st.landed + landed_now
    def0 = st.forces[:, prot, K["ground"]].copy()
    a1, b1 = ashore0.copy(), def0.copy()
    days = w.scenario.turn.length_days
    steps = max(1, int(np.ceil(days)))
    for _ in range(steps):
        a1, b1 = attrition.lanchester_step(a1, b1, cp.invasion_exchange, cp.invasion_exchange,
                                           days / steps, law="square")
        a1, b1 = np.asarray(a1, dtype=float), np.asarray(b1, dtype=float)
    st.landed = np.where(m, a1, st.landed)
    st.forces[:, prot, K["ground"]] = np.where(m, b1, def0)
    lodg = np.asarray(contest.success_probability(a1, b1, cp.contest_exponent), dtype=float)
    st.lodgment = np.where(m, np.where(a1 > 0, lodg, 0.0), st.lodgment)
    st.costs[:, c] += np.where(m, 0.02 * lift_lost + 0.002 * (ashore0 - a1), 0.0)
    st.costs[:, prot] += np.where(m, 0.002 * (def0 - b1), 0.0)
    mark_attacked(tn, c, np.full(st.runs, prot), m)
    if tn.narrate(m):
        tn.log.add(tn.t, "ruling", f"invasion: {shots[0]:.0f} anti-ship shots at the crossing, "
                   f"draw {u[0]:.2f} -> {_pct(share[0])} of the lift lost; "
                   f"{ashore0[0]:.1f}k troops ashore vs {def0[0]:.1f}k defenders; lodgment "
                   f"{_pct(st.lodgment[0])}", actor=tn.name(c),
                   model="attrition.salvo (Hughes 1995) + lanchester_step (Lanchester 1916) + "
                         "contest (Hirshleifer 1989)",
                   inputs={"anti_ship_shots": float(shots[0]), "lift": float(lift[0]),
                           "escorts": float(escorts[0]), "defenders": float(def0[0])},
                   probability=float(share[0]), draw=float(u[0]),
                   result={"lift_lost": float(lift_lost[0]), "ashore": float(a1[0]),
                           "lodgment": float(st.lodgment[0])})


# --------------------------------------------------------------------------- nuclear
def nuclear(tn: Turn) -> None:
    """Nuclear tests and nuclear use, as escalation events with abstract consequences.

    A test raises tension and is recorded apart from use. A use (demonstration
    or limited) sets ``nuclear_use`` (first user and turn), puts every actor on
    maximum alert, costs the target an abstract share of its stakes, and opens a
    Schelling gamble: with the scenario's ``nuclear_escalation`` probability the
    crisis slips into a strategic exchange that ends the game. whitecell never
    models weapon effects on people or places.
    """
    w, st = tn.world, tn.state
    rp = w.scenario.parameters.risk
    tests = tn.chose("nuclear_test")
    st.nuclear_test |= tests.any(axis=1)
    for i in range(w.n_actors):
        use = tn.chose_adj("nuclear_use")[:, i]
        u = tn.dice.draw(tn.t, R_NUCLEAR, i)
        if not use.any():
            continue
        first = use & ~st.nuclear_use
        st.first_user = np.where(first, i, st.first_user).astype(np.int16)
        st.nuclear_turn = np.where(first, tn.t, st.nuclear_turn).astype(np.int16)
        st.nuclear_use |= use
        st.alert = np.where(use[:, None], 1.0, st.alert)
        st.tension = np.where(use, 1.0, st.tension)
        tgt = tn.target[:, i]
        rows = np.nonzero(use & (tgt >= 0))[0]
        limited = tn.chose("limited_nuclear_use")[:, i]
        st.costs[rows, tgt[rows]] += np.where(limited[rows], 0.6, 0.3)
        st.nuclear_attacked[rows, tgt[rows]] = True
        # abstract military consequence of limited use: the target's theatre
        # forces lose a share of their effectiveness
        lim_rows = np.nonzero(limited & (tgt >= 0))[0]
        st.forces[lim_rows, tgt[lim_rows], :] *= 0.7
        mark_attacked(tn, i, tgt, use)
        p = rp.nuclear_escalation
        spiral = use & (u < p)
        end_runs(st, spiral, "strategic_exchange", tn.t)
        if tn.narrate(use):
            tn.log.add(tn.t, "ruling", f"nuclear use by {tn.name(i)}: risk of a spiral to "
                       f"strategic exchange p={p:.2f}, draw {u[0]:.2f} -> "
                       f"{'strategic exchange' if spiral[0] else 'no spiral this turn'}",
                       actor=tn.name(i), model="risk (Schelling 1960): threat that leaves "
                                              "something to chance",
                       inputs={"nuclear_escalation": p}, probability=p, draw=float(u[0]),
                       result={"strategic_exchange": bool(spiral[0])})
    ex = tn.chose("strategic_exchange").any(axis=1)
    if ex.any():
        st.nuclear_use |= ex
        who = np.argmax(tn.chose("strategic_exchange"), axis=1)
        first = ex & (st.first_user < 0)
        st.first_user = np.where(first, who, st.first_user).astype(np.int16)
        st.nuclear_turn = np.where(first, tn.t, st.nuclear_turn).astype(np.int16)
        st.war |= ex
        end_runs(st, np.asarray(ex, dtype=bool), "strategic_exchange", tn.t)


# --------------------------------------------------------------------------- risk
def inadvertent(tn: Turn) -> None:
    """Risk that leaves something to chance (Schelling 1960).

    pi = inadvertent_risk(base, mean alert, contact, top rung): alert levels,
    close contact and the height of the ladder raise the chance of an incident
    nobody chose. An incident (a collision, a clash of patrols) raises tension
    and marks the challenger and its principal adversary as attacked, which
    doctrine players answer in kind.
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
    st.incidents += inc.astype(np.int16)
    st.tension = np.where(inc, np.clip(st.tension + 0.15, 0, 1), st.tension)
    c = w.challenger
    adv = w.adversary[c]
    if adv >= 0:
        for who in (c, adv):
            st.attacked[:, who] |= inc
            first = inc & (st.attacked_turn[:, who] == 0)
            st.attacked_turn[:, who] = np.where(first, tn.t, st.attacked_turn[:, who])
        st.rung[:, c] = np.where(inc, np.maximum(st.rung[:, c], 8), st.rung[:, c])
        st.rung[:, adv] = np.where(inc, np.maximum(st.rung[:, adv], 8), st.rung[:, adv])
        st.peak = np.maximum(st.peak, st.rung).astype(np.int16)
    if tn.log.enabled and tn.active[0]:
        tn.log.add(tn.t, "ruling" if not inc[0] else "incident",
                   f"inadvertent incident: pi={pi[0]:.3f}, draw {u[0]:.2f} -> "
                   f"{'INCIDENT: a clash nobody ordered' if inc[0] else 'none'}",
                   model="risk.inadvertent_risk (Schelling 1960)",
                   inputs={"base": rp.base, "mean_alert": float(alert[0]),
                           "contact": float(st.contact[0]), "top_rung": float(top[0])},
                   probability=float(pi[0]), draw=float(u[0]), result={"incident": bool(inc[0])})


def end_runs(st: State, mask: B, reason: str, turn: int) -> None:
    """End the runs in ``mask`` that are still going, for ``reason`` at ``turn``."""
    m = mask & ~st.done
    st.done |= m
    st.end_reason = np.where(m, END_REASONS.index(reason), st.end_reason).astype(np.int8)
    st.end_turn = np.where(m, turn, st.end_turn).astype(np.int16)

