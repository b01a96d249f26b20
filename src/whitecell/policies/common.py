"""Pieces shared by the AI players: power, targets, the ladder, talks.

All functions work on whole batches: arrays with a leading run axis.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Observation, seen_kind
from whitecell.models import contest, deterrence
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.world.compile import K, World, power_of

F = NDArray[np.float64]
B = NDArray[np.bool_]
IntA = NDArray[np.int64]

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
    return power_of(forces)


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
    # a protege counts its patron's power at its confidence that the patron
    # will fight (assurance)
    weight = np.ones((obs.runs, w.n_actors))
    pat = int(w.patron_of[me])
    if pat >= 0 and mine[pat]:
        weight[:, pat] = obs.assurance[:, me]
    return ((p * weight)[:, mine].sum(axis=1), p[:, opp].sum(axis=1))


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


def deterrence_check(obs: Observation) -> tuple[B, F, F, F]:
    """Zagare & Kilgour (2000): is the challenger deterred in each run?

    The challenger values winning at its stakes V, the status quo at 0 and
    conflict at p V - c (c its war cost, p its odds in the war that follows if
    the defender is the Hard type and fights, :func:`conflict_odds`); it is
    deterred when its belief that the principal defender is the Hard type (the
    mean of its Beta belief about that defender's resolve) reaches
    (u_win - u_sq) / (u_win - u_conflict).
    Returns (deterred, p_hard, threshold, p).
    """
    w = obs.world
    me = obs.actor
    d = principal_defender(w)
    V = float(w.stakes[me])
    odds = conflict_odds(obs)
    conflict = odds * V - float(w.war_cost[me])
    conflict = np.minimum(conflict, V * 0.999 - 1e-9)
    thr = np.asarray(deterrence.deterrence_threshold(V, 0.0, conflict), dtype=float)
    thr = np.where(conflict >= 0.0, np.inf, thr)
    # stability-instability paradox: its own secure second strike makes the
    # challenger doubt the patron will risk a fight (Snyder 1965)
    shield = w.scenario.parameters.nuclear.shield
    p_hard = obs.belief[:, d] * (1.0 - shield * retaliation_capacity(obs, me))
    return p_hard >= thr, p_hard, thr, odds


def crossing_loss_under(obs: Observation, engaged: B) -> F:
    """(R,) share of the lift the challenger expects to lose crossing now under the fire
    of the ``engaged`` defenders ((A,) or (R, A)), on the forces it sees: the salvo
    model of the invasion ruling (``adjudication.crossing_fire``)."""
    from whitecell.engine.adjudication import access_shares, crossing_fire  # same model

    w = obs.world
    engaged = np.broadcast_to(engaged, (obs.runs, w.n_actors))
    _, lost, _ = crossing_fire(w, obs.seen_forces, engaged, access_shares(w, obs.closure))
    return np.asarray(lost, dtype=float)


def conflict_odds(obs: Observation, pw: F | None = None) -> F:
    """The challenger's odds in the war that follows if the defenders fight, per run.

    The contest of theatre power as it sees it (:func:`p_win`). A challenger whose
    course of action ends in a landing across the sea can win the island only with
    lift that crosses, so its odds are scaled by the share of its lift it expects
    to survive a crossing under the fire of the defenders committed to fight for
    the protege (the conflict branch of the deterrence game is the one in which
    they do), by the model the invasion ruling uses, on the forces it sees:
    deterrence by denial (Snyder 1961; Mearsheimer 1983). ``pw`` is
    :func:`p_win` when the caller has it already.
    """
    w = obs.world
    odds = p_win(obs) if pw is None else pw
    prot = w.protege
    if prot < 0 or not (w.ladder[obs.actor] == ACTION_INDEX["amphibious_invasion"]).any():
        return odds
    from whitecell.engine.adjudication import committed_defenders

    return np.asarray(odds * (1.0 - crossing_loss_under(obs, committed_defenders(w))),
                      dtype=float)


def separating_digits(a: float, b: float) -> int:
    """Decimals (2 to 4) enough that ``a`` and ``b`` print differently where they differ,
    so a reason's numbers show the comparison its rule made."""
    nd = 2
    while np.isfinite(a) and np.isfinite(b) and nd < 4 and f"{a:.{nd}f}" == f"{b:.{nd}f}":
        nd += 1
    return nd


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
    # cooperation is aimed at a partner: the actor it is most committed to, or
    # else the protege of its side
    coop = _IS_COOPERATIVE[actions]
    if coop.any():
        partner = _partner(w, me)
        if partner >= 0:
            out = np.where(coop, partner, out)
    for act_id, kind in (("naval_engagement", "naval"), ("air_campaign", "air")):
        at = np.flatnonzero(actions == ACTION_INDEX[act_id])
        if not at.size:
            continue
        # worked out on the runs that fight this battle only
        strength = seen_kind(obs, K[kind])[at] * (adv[None, :] & (obs.belligerent[at] | (
            np.arange(w.n_actors) == w.adversary[me])[None, :]))
        best = np.argmax(strength, axis=1)
        has = strength[np.arange(at.size), best] > 0
        out[at] = np.where(has, best, out[at])
    return out


#: moves aimed at a partner rather than an adversary
COOPERATIVE = np.array([ACTION_INDEX[a] for a in (
    "supply_weapons", "security_cooperation", "reaffirm_commitment", "share_intelligence")])
_IS_COOPERATIVE = np.zeros(len(CATALOGUE), dtype=bool)
_IS_COOPERATIVE[COOPERATIVE] = True


def _partner(w: World, me: int) -> int:
    """The partner a cooperative move of ``me`` is aimed at (-1 if none)."""
    row = w.commitment[me].copy()
    row[me] = 0.0
    if w.protege >= 0 and w.protege != me and row[w.protege] > 0:
        return int(w.protege)  # the protege whose fate the crisis is about
    if row.max() > 0:
        return int(np.argmax(row))
    p = int(w.patron_of[me])
    if p >= 0:
        return p
    same = [j for j in range(w.n_actors) if j != me and w.side[j] == w.side[me]]
    return same[0] if same else -1


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
    n = len(ladder)
    out_pos = np.full(R, -1, dtype=np.int64)
    out_act = np.where(obs.legal[:, MESSAGE], MESSAGE, WAIT).astype(np.int64)
    # the runs still walking down, and their step (most stop at the first)
    idx = np.flatnonzero(pos >= 0)
    p = pos[idx]
    for _ in range(n):
        if not idx.size:
            break
        step = np.clip(p, 0, n - 1)
        cand = ladder[step]
        ok = obs.legal[idx, cand]
        if permitted is not None:
            ok &= permitted[idx, step]
        out_pos[idx[ok]] = p[ok]
        out_act[idx[ok]] = cand[ok]
        p = p - 1
        keep = ~ok & (p >= 0)
        idx, p = idx[keep], p[keep]
    return out_pos, out_act


# --------------------------------------------------------------------------- situation now
NON_VIOLENT = ~VIOLENT
STATUS_QUO = np.array([a.rivera == "status_quo" for a in CATALOGUE])
#: rung a sustained fact stands for while it lasts (the act that created it)
_ISLANDS_RUNG = CATALOGUE[ACTION_INDEX["seize_islands"]].kahn_rung
_BLOCKADE_RUNG = CATALOGUE[ACTION_INDEX["blockade"]].kahn_rung
_LODGMENT_RUNG = CATALOGUE[ACTION_INDEX["amphibious_invasion"]].kahn_rung


def opponents(w: World, me: int) -> B:
    """(A,) actors this one faces: its adversaries and those who count it as one."""
    opp = w.adversaries[me].copy()
    opp |= w.adversaries[:, me]
    opp[me] = False
    return opp


def threat_rung(obs: Observation) -> IntA:
    """The rung of what the adversaries did this and last turn, per run.

    Responses answer the adversaries' actions (their moves of the last two
    turns), not a stale posture, plus the facts they keep in force (islands
    held, a blockade, a lodgment ashore). Waiting or messaging adversaries
    count as what those moves are (rung 1 or 2).
    """
    w = obs.world
    opp = opponents(w, obs.actor)
    last = obs.last_rung[:, opp].max(axis=1) if opp.any() else np.zeros(obs.runs, np.int16)
    prev = obs.prev_rung[:, opp].max(axis=1) if opp.any() else np.zeros(obs.runs, np.int16)
    if obs.turn <= 2:  # nothing was done two turns back yet
        prev = np.zeros_like(prev)
    rung = np.maximum(last, prev)
    if w.side[obs.actor] == 1 and opp[w.challenger]:
        rung = np.where(obs.islands_held, np.maximum(rung, _ISLANDS_RUNG), rung)
        rung = np.where(obs.blockade > 0.05, np.maximum(rung, _BLOCKADE_RUNG), rung)
        rung = np.where(obs.lodgment > 0.0, np.maximum(rung, _LODGMENT_RUNG), rung)
    return rung.astype(np.int64)


def violent_rung(obs: Observation) -> IntA:
    """Rung of the adversaries' violence of this and last turn (0 where none)."""
    w = obs.world
    opp = opponents(w, obs.actor)
    if not opp.any():
        return np.zeros(obs.runs, dtype=np.int64)
    v_last = np.where(obs.last_violent[:, opp], obs.last_rung[:, opp], 0)
    v_prev = np.where(obs.prev_violent[:, opp], obs.prev_rung[:, opp], 0)
    r = np.maximum(v_last.max(axis=1), v_prev.max(axis=1))
    if w.side[obs.actor] == 1 and opp[w.challenger]:
        r = np.where(obs.islands_held, np.maximum(r, _ISLANDS_RUNG), r)
        r = np.where(obs.lodgment > 0.0, np.maximum(r, _LODGMENT_RUNG), r)
    return r.astype(np.int64)


def fighting(obs: Observation) -> B:
    """(R,) a war is going on now: somebody used force this or last turn."""
    return obs.war & (row_max(obs.violent_turn) >= obs.turn - 2)


def _byte_words(mask: B) -> NDArray[np.int64]:
    """(R, n) boolean -> (R, ceil(n/8)) int64; word w holds columns 8w..8w+7, a byte each.

    Little-endian: column c is bit 8 * (c % 8) of word c // 8.
    """
    R, n = mask.shape
    nw = (n + 7) // 8
    buf = np.zeros((R, 8 * nw), dtype=bool)
    buf[:, :n] = mask
    return buf.view(np.int64)


def _top_byte(x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Index of the highest nonzero byte of each word (bytes are 0 or 1), -1 for 0.

    A word whose top byte is h lies in [2**(8h), 2**(8h+1)), and so does its
    float (rounding cannot reach the next power of two): frexp's exponent is 8h + 1.
    """
    return (np.frexp(x.astype(np.float64))[1].astype(np.int64) - 1) >> 3  # -1 stays -1


def last_true(mask: B) -> IntA:
    """Index of the last True of each row of ``mask`` (R, n), -1 where none.

    ``np.where(mask.any(1), n - 1 - np.argmax(mask[:, ::-1], 1), -1)``, eight
    columns at a time (the reduction along the short axis costs several times more).
    """
    words = _byte_words(mask)
    out = np.full(mask.shape[0], -1, dtype=np.int64)
    for w in range(words.shape[1]):
        top = _top_byte(words[:, w])
        out = np.where(top >= 0, 8 * w + top, out)
    return out


def first_true(mask: B) -> IntA:
    """Index of the first True of each row of ``mask`` (R, n), -1 where none."""
    words = _byte_words(mask)
    out = np.full(mask.shape[0], -1, dtype=np.int64)
    for w in reversed(range(words.shape[1])):
        x = words[:, w]
        low = _top_byte(x & -x)  # the lowest set bit alone
        out = np.where(low >= 0, 8 * w + low, out)
    return out


def row_max(x: NDArray[np.integer]) -> NDArray[np.integer]:
    """``x.max(axis=1)`` of an (R, A) integer array, column by column.

    With a handful of actors a reduction along the short axis costs several
    times the A - 1 element-wise maxima; the values are the same.
    """
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        np.maximum(out, x[:, j], out=out)
    return out


# --------------------------------------------------------------------------- nuclear layer
def retaliation_capacity(obs: Observation, j: int) -> F:
    """Actor ``j``'s surviving retaliatory capacity (0..1) as this actor sees it."""
    w = obs.world
    ad = w.scenario.parameters.nuclear.assured_destruction
    return np.clip(seen_kind(obs, K["nuclear_warheads"])[:, j] * w.survivability[j] / ad,
                   0.0, 1.0)


def deterrent_of(obs: Observation, targets: B) -> F:
    """Strongest retaliation this actor could face from ``targets`` or their patrons.

    Extended deterrence: a patron's capacity counts at the strength of its
    commitment to the target (the nuclear umbrella).
    """
    w = obs.world
    out = np.zeros(obs.runs)
    for j in range(w.n_actors):
        if not targets[j]:
            continue
        out = np.maximum(out, retaliation_capacity(obs, j))
        for p in range(w.n_actors):
            s = float(w.commitment[p, j])
            if s > 0 and p != obs.actor:
                out = np.maximum(out, s * retaliation_capacity(obs, p))
    return out


def first_use_value(obs: Observation, d: int, regime: B | None = None) -> tuple[F, F]:
    """(value of nuclear first use, value of restraint) for a losing actor, per run.

    First use may coerce the other side to stop (probability: one minus the
    belief in the principal defender's resolve) but pays the taboo (Tannenwald
    1999). A resolute defender answers, and what the answer costs depends on
    the user's own second strike: against a user that can itself retaliate
    (mutual vulnerability) the answer is limited, in kind (``limited_damage``;
    Powell 1990 on limited war under mutual vulnerability); against one that
    cannot, it is the defenders' and their patrons' full surviving retaliation
    (Glaser and Fetter 2016). Either way the war goes on and the spiral may take
    it to a strategic exchange (``risk.nuclear_escalation``, valued at the full
    retaliation plus the disaster payoff implied by its resolve).
    Restraint keeps losing: the share of its stakes already destroyed, and where
    ``regime`` holds (the doctrine's regime-threat condition) the defeat may
    cost the regime itself: ``nuclear.regime_stake`` more (Goemans 2000,
    gambling for resurrection; CSIS 2024). Abstract values in units of its stakes.
    """
    w = obs.world
    me = obs.actor
    npar = w.scenario.parameters.nuclear
    V = float(w.stakes[me])
    r = np.clip(obs.resolve, 0.02, 1.0)
    disaster = V * (1.0 - r) / r
    believe = obs.belief[:, d] if d >= 0 else np.full(obs.runs, 0.5)
    ret = deterrent_of(obs, opponents(w, me))
    own = retaliation_capacity(obs, me)
    full = ret * npar.retaliation_cost * V
    answer = own * npar.limited_damage * V + (1.0 - own) * full
    losing = np.clip(obs.damage[:, me] / np.maximum(obs.tolerance * V, 1e-9), 0, 1)
    p_spiral = w.scenario.parameters.risk.nuclear_escalation
    use = ((1.0 - believe) * V - npar.taboo * V - believe * (answer + losing * V)
           - p_spiral * (disaster + full))
    stake = 1.0 + (npar.regime_stake * regime if regime is not None else 0.0)
    restraint = -V * losing * stake
    return use, restraint


NUC_NONE, NUC_CONV, NUC_LIMITED, NUC_STRATEGIC = 0, 1, 2, 3
NUC_OPTIONS = ("no military response", "conventional response", "limited nuclear response",
               "strategic response")


def nuclear_response_values(obs: Observation, user: IntA) -> F:
    """(R, 4) expected values of none / conventional / limited / strategic responses.

    After nuclear use against it or an ally it defends: doing nothing abandons
    the stakes and the credibility of its commitments; a conventional answer
    fights on at its war value and may stop the user with half the coercive
    weight of an answer in kind; an answer in kind pays a share of the taboo and
    the spiral risk against the user's surviving arsenal; a strategic strike
    pays the taboo and the user's full surviving retaliation, or its nuclear
    patron's at the strength of the patron's commitment to it (the umbrella,
    :func:`deterrent_of`). That retaliation falls on the responder and on the allies it is committed to (their stakes
    weighed by the commitment's strength), so a patron with allies within the
    user's reach answers in kind or conventionally rather than with its whole
    arsenal (Glaser and Fetter 2016 on damage limitation; US NPR 2022 on a
    tailored response).
    """
    w = obs.world
    me = obs.actor
    npar = w.scenario.parameters.nuclear
    V = float(w.stakes[me])
    c = float(w.war_cost[me])
    commit = float(w.commitment[me].max())
    pw = p_win(obs)
    rows = np.arange(obs.runs)
    u = np.clip(user, 0, None)
    # the user's surviving retaliation, and its patrons' at the strength of their
    # commitment to it: a strike on a nuclear patron's ally risks the patron's answer
    ret = np.zeros(obs.runs)
    for j in range(w.n_actors):
        if (u == j).any():
            ret = np.where(u == j, deterrent_of(obs, np.arange(w.n_actors) == j), ret)
    p_stop = 1.0 - obs.belief[rows, u]
    # the user's surviving arsenal can answer on the responder's allies as well as
    # on itself: a patron weighs its committed allies' stakes at the strength of
    # its commitment (extended deterrence's coupling: the fear that a patron
    # will not trade its own cities for an ally's works the other way here too)
    exposed = np.zeros(obs.runs)
    for j in range(w.n_actors):
        share = sum(float(w.commitment[me, a]) * float(w.stakes[a])
                    for a in np.flatnonzero(opponents(w, j)) if a != me)
        exposed = np.where(u == j, share, exposed)
    D = npar.retaliation_cost * (V + exposed)
    ps = w.scenario.parameters.risk.nuclear_escalation
    fight = pw * V - c
    none = np.full(obs.runs, -V * (1.0 + commit))
    conv = 0.5 * p_stop * V + (1 - 0.5 * p_stop) * fight - 0.5 * ps * ret * D
    limited = (p_stop * V + (1 - p_stop) * fight - npar.taboo * npar.retaliation_taboo * V
               - ps * ret * D)
    strategic = V - ret * D - npar.taboo * V
    return np.stack([none, conv, limited, strategic], axis=1)


def expected_crossing_loss(obs: Observation) -> F:
    """Expected share of the lift the challenger would lose crossing now (per run)."""
    w = obs.world
    prot = w.protege
    if prot < 0:
        return np.ones(obs.runs)
    engaged = (w.side == 1)[None, :] & (obs.belligerent | (np.arange(w.n_actors) == prot))
    return crossing_loss_under(obs, engaged)
