"""Doctrine player: rule-based, legible, parameterised by the scenario.

Each actor climbs its scenario ``ladder`` (its course of action, least to most
escalatory) by rules a facilitator can read, and every move cites its rule:

1. **Accept a deal** on the table when an adversary proposed talks last turn
   and the actor is deterred, outmatched, or a defender (a deal restores the
   status quo).
2. **Seek talks** when the running risk of catastrophe exceeds its resolve
   (Powell 1987: the less resolute side quits first), or, at war and not yet
   losing, when its costs near its tolerance; a defender needs the costs
   condition too. A challenger that is merely deterred holds its position.
3. **Challenger**: advance at most ``max_step`` steps a turn while deterrence
   fails (the Zagare & Kilgour 2000 threshold is not met); hold when deterred,
   unless it is under attack and losing, when it climbs regardless.
4. **Defenders and third parties**: respond in kind, i.e. move to the highest
   ladder step whose rung does not exceed the adversaries' rung, at most
   ``max_step`` steps a turn, and step down when the adversary steps down
   (with ``respond_in_kind: false`` they move up only once attacked). Violence
   is answered with violence: once an adversary has used force and the actor
   may fight, it aims at the top of its conventional ladder.
5. **Violence** only once the actor, or an ally it has pledged to defend
   (``intervene_for``), has been attacked, after ``intervene_delay`` turns, and
   only if its private resolve reaches ``war_threshold``; a challenger takes the
   first violent step only with resolve at ``war_threshold``.
6. **Nuclear steps** only as the declared doctrine allows: ``never`` (no first
   use; retaliation only), ``if_losing``, ``if_regime_threatened`` (homeland
   struck and losing); first use also needs resolve at ``nuclear_threshold``.
   Holding a position never repeats a one-off nuclear act.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Decision, Observation
from whitecell.policies.common import (
    ACCEPT,
    CEASEFIRE,
    MESSAGE,
    NUCLEAR,
    ONE_OFF,
    RUNG,
    TALKS,
    VIOLENT,
    deterrence_check,
    highest_legal_at_or_below,
    pick_target,
)
from whitecell.scenario.actions import CATALOGUE


@dataclass(frozen=True)
class Gates:
    """What the declared doctrine permits this turn, per run."""

    may_fight: NDArray[np.bool_]
    may_nuke: NDArray[np.bool_]
    losing: NDArray[np.bool_]
    attacked_self: NDArray[np.bool_]
    ally_hit: NDArray[np.bool_]


def gates(obs: Observation) -> Gates:
    """Violence and nuclear permissions from the doctrine (rules 5 and 6)."""
    w = obs.world
    me = obs.actor
    doc = w.scenario.actors[me].doctrine
    R = obs.runs
    stakes = float(w.stakes[me])
    attacked_self = obs.attacked_turn[:, me] > 0
    allies = w.intervene_for[me]
    ally_hit = np.zeros(R, dtype=bool)
    if allies.any():
        first = np.where(obs.attacked_turn[:, allies] > 0, obs.attacked_turn[:, allies], 10**6)
        ally_hit = (obs.turn - first.min(axis=1)) >= doc.intervene_delay
    resolute = obs.resolve >= doc.war_threshold
    if int(w.side[me]) == 0:
        may_fight = resolute | attacked_self
    else:
        may_fight = attacked_self | (ally_hit & resolute)
    nuc_hit = obs.nuclear_attacked[:, me]
    if allies.any():
        nuc_hit = nuc_hit | obs.nuclear_attacked[:, allies].any(axis=1)
    may_nuke = nuc_hit & doc.nuclear_retaliation
    # losing: at war and paying more than 60% of what it will bear for the stakes
    # (a weak state is not "losing" merely for being outgunned before the fight)
    losing = obs.war & (obs.costs[:, me] > 0.6 * obs.tolerance * stakes)
    # first use also needs the private resolve to run that risk (Powell: only
    # the most resolved types accept the highest risks)
    bold = obs.resolve >= doc.nuclear_threshold
    if doc.nuclear_first_use == "if_losing":
        may_nuke = may_nuke | (losing & bold)
    elif doc.nuclear_first_use == "if_regime_threatened":
        may_nuke = may_nuke | (obs.homeland_struck[:, me] & losing & bold)
    return Gates(may_fight=may_fight, may_nuke=may_nuke, losing=losing,
                 attacked_self=attacked_self, ally_hit=ally_hit)


class DoctrinePolicy:
    """Rule-based player for one actor; keeps its ladder position per run."""

    name = "doctrine"

    def __init__(self, actor: str) -> None:
        self.actor = actor
        self.pos: NDArray[np.int64] | None = None

    def compact(self, keep: NDArray[np.bool_]) -> None:
        """Keep the memory of the runs still going (the engine dropped the rest)."""
        if self.pos is not None:
            self.pos = self.pos[keep]

    def decide(self, obs: Observation) -> Decision:
        w = obs.world
        me = obs.actor
        sc_actor = w.scenario.actors[me]
        doc = sc_actor.doctrine
        ladder = w.ladder[me]
        R = obs.runs
        if self.pos is None or len(self.pos) != R:
            self.pos = np.full(R, -1, dtype=np.int64)
        pos = self.pos
        n = len(ladder)
        lrung = RUNG[ladder]
        lviol = VIOLENT[ladder]
        lnuc = NUCLEAR[ladder]
        r = obs.resolve
        rho = obs.cumrisk
        side = int(w.side[me])
        challenger = side == 0
        stakes = float(w.stakes[me])

        g = gates(obs)
        may_fight, may_nuke, losing = g.may_fight, g.may_nuke, g.losing
        attacked_self, ally_hit = g.attacked_self, g.ally_hit

        # --- desired position on the ladder
        deterred = np.zeros(R, dtype=bool)
        p_hard = thr = np.zeros(R)
        if challenger:
            deterred, p_hard, thr = deterrence_check(obs)
            # a challenger under attack and losing escalates whatever it believes
            # (the case its declared nuclear doctrine is written for)
            cornered = attacked_self & losing
            want = np.where(deterred & ~cornered, pos, pos + doc.max_step)
        else:
            adv = w.adversaries[me]
            opp = np.where(adv[None, :], obs.rungs, 0).max(axis=1)
            # respond in kind: the highest step whose rung does not exceed the
            # adversaries' (never below the first step once they move)
            under = lrung[None, :] <= opp[:, None]
            first = np.where(under.any(axis=1), n - 1 - np.argmax(under[:, ::-1], axis=1), 0)
            # violence is answered with violence: once this actor may fight, it
            # aims at the top of its conventional ladder (Kahn's rungs differ
            # between, say, a landing (9) and a counter-landing (12))
            conv = ~lnuc
            top_conv = int(np.nonzero(conv)[0].max()) if conv.any() else n - 1
            opp_violent = (obs.belligerent & adv[None, :]).any(axis=1)
            first = np.where(opp_violent & may_fight, np.maximum(first, top_conv), first)
            quiet = opp <= 1
            want = np.where(quiet, -1, first)
            want = np.minimum(want, pos + doc.max_step)
            if not doc.respond_in_kind:  # moves up only when it or an ally is hit
                want = np.where(attacked_self | ally_hit, want, np.minimum(want, pos))
            # an actor that was attacked keeps the fight at its current level
            want = np.where(attacked_self | ally_hit, np.maximum(want, pos), want)
        want = np.clip(want, -1, n - 1)
        # gates: violence and nuclear use
        idx = np.clip(want, 0, n - 1)
        blocked_v = lviol[idx] & ~may_fight & ~lnuc[idx]
        blocked_n = lnuc[idx] & ~may_nuke
        # walk down to the highest step the gates allow
        blocked = (lviol[None, :] & ~may_fight[:, None] & ~lnuc[None, :]) | (
            lnuc[None, :] & ~may_nuke[:, None])
        steps = np.arange(n)[None, :]
        ok = ~blocked & (steps <= want[:, None])
        want = np.where(ok.any(axis=1), n - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
        want = np.where(np.asarray(want) > -1, want, -1).astype(np.int64)
        new_pos, act = highest_legal_at_or_below(obs, ladder, want, ~blocked)
        # holding a position repeats sustained operations (a blockade, a
        # campaign) but not one-off nuclear acts: a held nuclear step waits
        repeat_nuclear = (new_pos == pos) & (new_pos >= 0) & ONE_OFF[act]
        act = np.where(repeat_nuclear, MESSAGE, act)

        # --- talks: accept a deal, or seek one when outmatched
        outmatched = (r < rho) | (obs.costs[:, me] > 0.8 * obs.tolerance * stakes)
        reason_code = np.zeros(R, dtype=np.int8)  # 0 ladder
        if doc.accept_settlement:
            accept = obs.proposal & (deterred | outmatched | (side != 0))
            acc_act = np.where(obs.war, CEASEFIRE, ACCEPT)
            legal_acc = obs.legal[np.arange(R), acc_act]
            accept &= legal_acc
            act = np.where(accept, acc_act, act)
            reason_code = np.where(accept, 1, reason_code)
        if doc.deescalate_when_outmatched:
            seek = outmatched & (reason_code == 0) & (
                (obs.war & ~losing) | (r < rho)) & obs.legal[:, TALKS]
            # a challenger deterred and outmatched, or anyone paying too much
            if challenger:
                seek &= deterred | (r < rho)
            else:
                seek &= obs.costs[:, me] > 0.8 * obs.tolerance * stakes
            act = np.where(seek, TALKS, act)
            reason_code = np.where(seek, 2, reason_code)
        self.pos = np.where(reason_code == 0, new_pos, pos)
        target = pick_target(obs, act)

        reasons = None
        if obs.explain:
            reasons = [self._explain(obs, int(reason_code[0]), bool(deterred[0]), float(p_hard[0]),
                                     float(thr[0]), float(r[0]), float(rho[0]),
                                     bool(blocked_v[0]), bool(blocked_n[0]), int(act[0]),
                                     challenger)]
        return Decision(action=act.astype(np.int64), target=target.astype(np.int64),
                        reasons=reasons)

    @staticmethod
    def _explain(obs: Observation, code: int, deterred: bool, p_hard: float, thr: float,
                 r: float, rho: float, blocked_v: bool, blocked_n: bool, act: int,
                 challenger: bool) -> str:
        name = CATALOGUE[act].id
        if code == 1:
            return f"doctrine: accept the offer on the table ({name})"
        if code == 2:
            return (f"doctrine: seek talks: running risk {rho:.2f} vs resolve {r:.2f} "
                    "(Powell: the less resolute side quits first)")
        parts = []
        if challenger:
            thr_txt = "unreachable" if not np.isfinite(thr) else f"{thr:.2f}"
            if deterred:
                parts.append(f"hold: deterred (P(defender hard)={p_hard:.2f} >= threshold "
                             f"{thr_txt}, Zagare-Kilgour)")
            else:
                parts.append(f"advance: deterrence threshold not met (P(defender hard)="
                             f"{p_hard:.2f} < {thr_txt})")
        else:
            parts.append("respond in kind to the adversary's rung")
        if blocked_v:
            parts.append("violence withheld (not attacked, or resolve below war threshold)")
        if blocked_n:
            parts.append("nuclear step withheld by declared doctrine")
        return "doctrine: " + "; ".join(parts) + f" -> {name}"
