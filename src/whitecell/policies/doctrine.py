"""Doctrine player: rule-based, legible, parameterised by the scenario.

Each actor climbs its scenario ``ladder`` (its course of action, least to most
escalatory) by rules a facilitator can read; every move cites its rule, and the
rule cited is always true of the move (``tests/policies`` checks this over many
seeded games):

1. **Answer nuclear use** against itself or an ally it defends with the best of
   its options (none, conventional, limited nuclear, strategic) that its
   declared doctrine allows (nuclear layer, :func:`nuclear_response_values`).
2. **Accept a deal** on the table when an adversary proposed talks last turn
   and the actor is deterred, outmatched, or a defender.
3. **Seek talks** when the running risk of catastrophe exceeds its resolve
   (Powell 1987), or when the damage it has suffered nears what it will bear.
4. **Challenger**: advance at most ``max_step`` steps a turn while deterrence
   fails (Zagare & Kilgour 2000); when deterred it never repeats a violent step:
   it steps down to its highest non-violent step, or seeks talks if a war is on.
   Cornered (under armed attack and losing) it climbs regardless. It launches an
   invasion only if the crossing is feasible (expected lift lost below
   ``invasion_max_loss``).
5. **Defenders and third parties** answer what the adversaries did this and
   last turn (and the facts they keep in force), not a stale posture: without
   an armed attack they respond in kind with non-violent steps whose rung does
   not exceed the adversaries', at most ``max_step`` up a turn and straight
   down when the adversaries calm down; under armed attack (on itself, or on an
   ally it defends after ``intervene_delay``) they answer with the lowest
   violent step whose rung matches the attack, and climb further only while
   losing.
6. **Gates on force**: an inadvertent incident is not an armed attack. A
   defender uses force only after an armed attack on itself or on an ally it
   defends, and after ``consultation_turns`` of consultation (cabinet,
   legislature, allies: Japan's 2015 legislation and Article 4 of the 1960
   treaty), waived when its assurance in its patron has fallen below
   ``hedge_threshold`` (it acts alone); its resolve must reach
   ``war_threshold`` to fight for an ally. A challenger takes the first violent
   step only with resolve at ``war_threshold``.
7. **Nuclear first use** only as the declared doctrine allows (``never``,
   ``if_losing``, ``if_regime_threatened``, ``erodes_if_regime_threatened``,
   ``automatic_if_homeland_struck``), with resolve at ``nuclear_threshold``;
   a pre-delegated use (the last) follows the first strike on the homeland
   without weighing, every other first use only when it is worth more
   than restraint given the taboo, the defenders' surviving retaliation and the
   spiral risk (:func:`first_use_value`). Holding a position never repeats a
   one-off nuclear act.
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
    NUC_CONV,
    NUC_LIMITED,
    NUC_NONE,
    NUC_OPTIONS,
    NUC_STRATEGIC,
    NUCLEAR,
    ONE_OFF,
    RUNG,
    TALKS,
    VIOLENT,
    deterrence_check,
    expected_crossing_loss,
    fighting,
    first_true,
    first_use_value,
    highest_legal_at_or_below,
    last_true,
    nuclear_response_values,
    opponents,
    pick_target,
    principal_defender,
    separating_digits,
    threat_rung,
    violent_rung,
)
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.scenario.model import Doctrine
from whitecell.world.compile import K

LIMITED = ACTION_INDEX["limited_nuclear_use"]
STRATEGIC = ACTION_INDEX["strategic_exchange"]
INVASION = ACTION_INDEX["amphibious_invasion"]
_NUC_USE = np.array([a.adjudicator == "nuclear_use" for a in CATALOGUE])

# reason codes (each maps to one sentence that is true of the move)
ADVANCE, ACCEPT_DEAL, SEEK_TALKS, DETERRED_HOLD, DETERRED_DOWN, DETERRED_TALKS = 0, 1, 2, 3, 4, 5
IN_KIND, ANSWER, QUIET, NUC_RESPONSE, CORNERED, INFEASIBLE = 6, 7, 8, 9, 10, 11
WITHHELD, NUC_WITHHELD, ESCALATE, NO_MEANS, NUC_FIRST_USE = 12, 13, 14, 15, 16
CORNERED_STUCK, NUC_AUTOMATIC, NUC_PAUSE = 17, 18, 19


def _codes(*codes: int) -> NDArray[np.bool_]:
    """``table[code]`` is ``np.isin(code, codes)`` for the reason codes above."""
    t = np.zeros(32, dtype=bool)
    t[list(codes)] = True
    return t


_PEACEFUL = _codes(IN_KIND, QUIET, DETERRED_HOLD, DETERRED_DOWN)
_FORCEFUL = _codes(ANSWER, ESCALATE)
_CLIMBING = _codes(ADVANCE, CORNERED, ESCALATE, NUC_AUTOMATIC)


@dataclass(frozen=True)
class Gates:
    """What the declared doctrine permits this turn, per run."""

    may_fight: NDArray[np.bool_]
    may_nuke: NDArray[np.bool_]
    losing: NDArray[np.bool_]
    attacked_self: NDArray[np.bool_]
    ally_hit: NDArray[np.bool_]
    consulting: NDArray[np.bool_]  # gate opened but consultation still under way
    hedging: NDArray[np.bool_]  # assurance below its hedge threshold: acts alone
    nuc_use: NDArray[np.float64] | None = None  # value of first use (where weighed)
    nuc_restraint: NDArray[np.float64] | None = None  # value of restraint
    automatic: NDArray[np.bool_] | None = None  # pre-delegated first use triggered
    nuc_cond: NDArray[np.bool_] | None = None  # the doctrine's condition for first use holds
    bold: NDArray[np.bool_] | None = None  # resolve at its nuclear threshold


def gates(obs: Observation) -> Gates:
    """Violence and nuclear permissions from the doctrine (rules 6 and 7)."""
    w = obs.world
    me = obs.actor
    doc = w.scenario.actors[me].doctrine
    R = obs.runs
    stakes = float(w.stakes[me])
    t = obs.turn
    hit_turn = obs.attacked_turn.astype(np.int64)  # int16 would wrap the 10**6 sentinel
    attacked_self = hit_turn[:, me] > 0
    allies = w.intervene_for[me].copy()
    allies[me] = False
    ally_open = np.full(R, 10**6)
    if allies.any():
        first = np.where(hit_turn[:, allies] > 0, hit_turn[:, allies], 10**6)
        ally_open = first.min(axis=1) + doc.intervene_delay
    ally_hit = ally_open <= t
    resolute = obs.resolve >= doc.war_threshold
    own_open = np.where(attacked_self, hit_turn[:, me], 10**6)
    if int(w.side[me]) == 0:
        opened = np.where(resolute, 0, own_open)
    else:
        opened = np.minimum(own_open, np.where(resolute, ally_open, 10**6))
    hedging = obs.assurance[:, me] < doc.hedge_threshold
    consult = np.where(hedging, 0, doc.consultation_turns)
    gate_open = opened < 10**6
    may_fight = gate_open & ((t - opened) >= consult)
    consulting = gate_open & ~may_fight
    # losing: at war and suffering over 60% of the damage it will bear
    losing = obs.war & (obs.damage[:, me] > 0.6 * obs.tolerance * stakes)
    bold = obs.resolve >= doc.nuclear_threshold
    cond = np.zeros(R, dtype=bool)
    automatic = np.zeros(R, dtype=bool)
    if doc.nuclear_first_use == "if_losing":
        cond = losing
    elif doc.nuclear_first_use == "if_regime_threatened":
        cond = obs.homeland_struck[:, me] & losing
    elif doc.nuclear_first_use == "automatic_if_homeland_struck":
        # pre-delegated: the first strike on the homeland pulls the trigger the law
        # names; once nuclear weapons have been used, later use is weighed
        automatic = obs.homeland_struck[:, me] & ~obs.nuclear_use & bold
        cond = automatic | (obs.homeland_struck[:, me] & losing)
    elif doc.nuclear_first_use == "erodes_if_regime_threatened":
        # a no-first-use pledge erodes when the regime is threatened: by strikes
        # on the homeland, or by the defeat of the invasion it launched, which
        # CSIS's 2024 nuclear Taiwan games found to put the greatest pressure on
        # Chinese nuclear use ("gambling for resurrection"; Talmadge 2017)
        failing = (obs.lodgment < 0.5 * w.scenario.objective.threshold) & (obs.war_turns >= 2)
        lift = K["amphibious"]
        invaded = (obs.own_forces[:, lift] < w.forces0[me, lift]) | (obs.lodgment > 0)
        cond = losing & failing & (obs.homeland_struck[:, me] | invaded)
    may_nuke = np.zeros(R, dtype=bool)
    use = restraint = None
    if cond.any():
        regime = cond if doc.nuclear_first_use != "if_losing" else None
        use, restraint = first_use_value(obs, _nuclear_target(obs), regime)
        may_nuke = (cond & bold & (use > restraint)) | automatic
    return Gates(may_fight=may_fight, may_nuke=may_nuke, losing=losing,
                 attacked_self=attacked_self, ally_hit=ally_hit, consulting=consulting,
                 hedging=hedging, nuc_use=use, nuc_restraint=restraint,
                 automatic=automatic, nuc_cond=cond, bold=bold)


_FIRST_USE_CONDITION = {
    "never": "its declared doctrine rules out first use",
    "if_losing": "its doctrine allows first use only when it is losing the war",
    "if_regime_threatened": "its doctrine allows first use only with its homeland struck "
                            "and the war being lost",
    "erodes_if_regime_threatened": "its no-first-use pledge holds while the regime is not "
                                   "threatened (it is not losing, or its main operation is "
                                   "not failing)",
    "automatic_if_homeland_struck": "its declared law calls for nuclear use once its "
                                    "homeland is struck, and it has not been",
}


def _use_values(g: Gates) -> tuple[float, float]:
    """Run 0's values of nuclear use and of restraint (nan where they were not weighed)."""
    u = float(g.nuc_use[0]) if g.nuc_use is not None else float("nan")
    rs = float(g.nuc_restraint[0]) if g.nuc_restraint is not None else float("nan")
    return u, rs


def _nuclear_gate(doc: Doctrine, g: Gates, r: float, homeland: bool) -> str:
    """Which of the first-use gates held in run 0 (rule 7), in words."""
    cond = g.nuc_cond is not None and bool(g.nuc_cond[0])
    bold = g.bold is None or bool(g.bold[0])
    low = (f"its resolve {r:.2f} is below the {doc.nuclear_threshold:.2f} its leaders need "
           "to cross the threshold")
    if doc.nuclear_first_use == "automatic_if_homeland_struck":
        if not homeland:
            return _FIRST_USE_CONDITION[doc.nuclear_first_use]
        if not bold:
            return low
        if not cond:
            return ("the use its law calls for has been made; further use is weighed only "
                    "while it is losing the war")
    elif not cond:
        return _FIRST_USE_CONDITION.get(doc.nuclear_first_use, doc.nuclear_first_use)
    elif not bold:
        return low
    u, rs = _use_values(g)
    return (f"not worth its cost: value of use {u:+.2f} <= restraint {rs:+.2f} (taboo, the "
            "answer, spiral risk)")


def _nuclear_target(obs: Observation) -> int:
    w = obs.world
    if int(w.side[obs.actor]) == 0:
        return principal_defender(w)
    return int(w.adversary[obs.actor])


def nuclear_attack_on_me(obs: Observation) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """(R,) nuclear weapons struck it or an ally it defends last turn, and by whom."""
    w = obs.world
    me = obs.actor
    mine = w.intervene_for[me].copy()
    mine[me] = True
    hit = np.zeros(obs.runs, dtype=bool)
    if obs.turn > 1:
        for j in np.flatnonzero(mine):
            hit |= obs.nuclear_attacked_turn[:, j] == obs.turn - 1
    if not hit.any():  # who used them matters only where they struck
        return hit, np.full(obs.runs, -1, dtype=np.int64)
    opp = opponents(w, me)
    used = _NUC_USE[obs.last_action] & opp[None, :]
    user = np.where(used.any(axis=1), np.argmax(used, axis=1), -1)
    return hit & (user >= 0), user.astype(np.int64)


def conventional_answer(obs: Observation, ladder: NDArray[np.int64], may_fight: NDArray[np.bool_]
                        ) -> NDArray[np.int64]:
    """Highest legal violent conventional step on the ladder (or -1), per run."""
    R = obs.runs
    rows = np.arange(R)
    out = np.full(R, -1, dtype=np.int64)
    for k, a in enumerate(ladder):
        if VIOLENT[a] and not NUCLEAR[a]:
            ok = obs.legal[rows, a] & may_fight
            out = np.where(ok, k, out)
    return out


def respond_to_nuclear(obs: Observation, ladder: NDArray[np.int64], g: Gates,
                       policy: str) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray]:
    """(action, option, values) of the answer to a nuclear use, per run.

    ``policy`` is the doctrine's ``nuclear_response`` (``expected_utility`` lets
    every option the doctrine and the catalogue allow compete).
    """
    w = obs.world
    doc = w.scenario.actors[obs.actor].doctrine
    R = obs.runs
    _, user = nuclear_attack_on_me(obs)
    vals = nuclear_response_values(obs, user)
    conv_k = conventional_answer(obs, ladder, np.ones(R, dtype=bool))
    allowed = np.zeros((R, 4), dtype=bool)
    allowed[:, NUC_NONE] = True
    allowed[:, NUC_CONV] = conv_k >= 0
    if doc.nuclear_retaliation:
        allowed[:, NUC_LIMITED] = obs.legal[:, LIMITED]
        allowed[:, NUC_STRATEGIC] = obs.legal[:, STRATEGIC] & (policy == "expected_utility")
    if policy == "expected_utility":
        opt = np.argmax(np.where(allowed, vals, -np.inf), axis=1)
    else:
        pref = {"in_kind": (NUC_LIMITED, NUC_CONV, NUC_NONE),
                "conventional": (NUC_CONV, NUC_NONE), "none": (NUC_NONE,)}[policy]
        opt = np.full(R, NUC_NONE)
        for o in reversed(pref):
            opt = np.where(allowed[:, o], o, opt)
    conv_act = ladder[np.clip(conv_k, 0, len(ladder) - 1)]
    act = np.select([opt == NUC_NONE, opt == NUC_CONV, opt == NUC_LIMITED],
                    [np.full(R, MESSAGE), conv_act, np.full(R, LIMITED)], STRATEGIC)
    # options its doctrine or arsenal does not offer are not shown as weighed
    return act.astype(np.int64), opt.astype(np.int64), np.where(allowed, vals, np.nan)


def in_the_fight(obs: Observation, ladder: NDArray[np.int64]) -> NDArray[np.bool_]:
    """(R, steps) False for a violent step aimed at an actor outside the war.

    A step the doctrine aims elsewhere than the principal adversary (say,
    strikes on the bases of a host state) is open only once that actor or its
    patron is a party to the war: striking a neutral host would widen the war
    for nothing.
    """
    w = obs.world
    me = obs.actor
    out = np.ones((obs.runs, len(ladder)), dtype=bool)
    for k, a in enumerate(ladder):
        t = int(w.targets[me, a])
        if t < 0 or not VIOLENT[a]:
            continue
        party = obs.belligerent[:, t]
        p = int(w.patron_of[t])
        if p >= 0:
            party = party | obs.belligerent[:, p]
        out[:, k] = party
    return out


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
        doc = w.scenario.actors[me].doctrine
        ladder = w.ladder[me]
        R = obs.runs
        rows = np.arange(R)
        if self.pos is None or len(self.pos) != R:
            self.pos = np.full(R, -1, dtype=np.int64)
        pos = self.pos
        n = len(ladder)
        lrung = RUNG[ladder]
        lviol = VIOLENT[ladder] & ~NUCLEAR[ladder]
        lnuc = NUCLEAR[ladder]
        r = obs.resolve
        rho = obs.cumrisk
        challenger = int(w.side[me]) == 0
        stakes = float(w.stakes[me])
        g = gates(obs)
        open_steps = in_the_fight(obs, ladder)
        steps = np.arange(n)[None, :]
        code = np.zeros(R, dtype=np.int8)
        threat = threat_rung(obs)
        vrung = violent_rung(obs)
        at_war_now = fighting(obs)
        deterred = np.zeros(R, dtype=bool)
        p_hard = thr = odds = np.zeros(R)
        cur = np.clip(pos, 0, n - 1)

        # --- desired position on the ladder
        if challenger:
            deterred, p_hard, thr, odds = deterrence_check(obs)
            cornered = g.attacked_self & g.losing
            advance = ~deterred | cornered
            # advancing skips steps aimed at actors outside the war (rather than
            # stalling below them): the max_step-th open step above the current
            above = open_steps & (steps > pos[:, None])
            rank = np.cumsum(above, axis=1)
            hit = above & (rank == doc.max_step)
            first_hit, last_above = first_true(hit), last_true(above)
            nxt = np.where(first_hit >= 0, first_hit, np.where(last_above >= 0, last_above, pos))
            want = np.where(advance, nxt, pos)
            code[:] = np.where(cornered & deterred, CORNERED, ADVANCE)
            # deterred: never a violent step "because deterred"; step down to the
            # highest non-violent step at or below the current one
            nv_ok = ~(lviol | lnuc)[None, :] & (steps <= pos[:, None])
            nv_top = last_true(nv_ok)
            held_violent = (pos >= 0) & (lviol | lnuc)[cur]
            down = deterred & ~cornered & held_violent
            want = np.where(down, nv_top, want)
            code = np.where(deterred & ~cornered, np.where(down, DETERRED_DOWN, DETERRED_HOLD),
                            code)
        else:
            attacked_recent = vrung > 0
            under_attack = attacked_recent & (g.attacked_self | g.ally_hit)
            # respond in kind with non-violent steps up to the adversaries' rung
            nv = ~(lviol | lnuc)
            under = nv[None, :] & (lrung[None, :] <= threat[:, None])
            first = last_true(under)
            up_limit = np.where(doc.respond_in_kind | under_attack, pos + doc.max_step, pos)
            want = np.where(first > pos, np.minimum(first, up_limit), first)
            quiet = threat <= 2
            want = np.where(quiet, -1, want)
            code[:] = np.where(quiet, QUIET, IN_KIND)
            # answer an armed attack in kind: the lowest violent step matching it
            match = lviol[None, :] & (lrung[None, :] >= vrung[:, None])
            lowest = first_true(match)
            top_v = int(np.nonzero(lviol)[0].max()) if lviol.any() else -1
            answer = np.where(lowest >= 0, lowest, top_v)
            # climb above the answer only while losing (escalate to prevail)
            climb = g.losing & (pos >= answer) & (pos >= 0) & lviol[cur] & (pos < top_v)
            hold_fight = g.losing & (pos >= answer) & (pos >= 0) & lviol[cur]
            nxt = np.where(climb, np.minimum(pos + 1, max(top_v, 0)),
                           np.where(hold_fight, pos, answer))
            use_force = under_attack & (answer >= 0)
            want = np.where(use_force, nxt, want)
            code = np.where(use_force, np.where(climb, ESCALATE, ANSWER), code)
        # pre-delegated first use: the trigger the declared law names is pulled,
        # so it goes to its lowest nuclear step whatever the ladder rule wanted
        if g.automatic is not None and g.automatic.any() and lnuc.any():
            lowest_nuc = int(np.flatnonzero(lnuc)[0])
            auto = g.automatic & (want < lowest_nuc)
            want = np.where(auto, lowest_nuc, want)
            code = np.where(auto, NUC_AUTOMATIC, code)
        want = np.clip(want, -1, n - 1)
        # gates: violence and nuclear use
        idx = np.clip(want, 0, n - 1)
        blocked = (lviol[None, :] & ~g.may_fight[:, None]) | (lnuc[None, :] & ~g.may_nuke[:, None])
        blocked |= ~open_steps
        blocked_v = (want >= 0) & lviol[idx] & ~g.may_fight
        blocked_n = (want >= 0) & lnuc[idx] & ~g.may_nuke
        ok = ~blocked & (steps <= want[:, None])
        want = last_true(ok)
        # non-violent rules walk down through non-violent steps only
        peaceful = _PEACEFUL[code]
        permitted = ~blocked & ~(peaceful[:, None] & (lviol | lnuc)[None, :])
        # responding in kind never walks down onto a step above the adversaries' rung
        permitted &= ~((code == IN_KIND)[:, None] & (lrung[None, :] > threat[:, None]))
        new_pos, act = highest_legal_at_or_below(obs, ladder, want.astype(np.int64), permitted)
        # holding a position repeats sustained operations (a blockade, a campaign)
        # but not one-off nuclear acts. After a nuclear use the war goes on with
        # its strongest conventional step (CSIS 2024: the fighting continued
        # after a use) while its place on the ladder stays at the nuclear step;
        # a held threat (an ultimatum) is not reissued: it sends a message
        held = (new_pos == pos) & (new_pos >= 0) & ONE_OFF[act]
        nuc_pause = held & VIOLENT[act]
        act = np.where(held & ~VIOLENT[act], MESSAGE, act)
        if nuc_pause.any():
            conv_ok = permitted & ~ONE_OFF[ladder][None, :]
            p2, a2 = highest_legal_at_or_below(obs, ladder, np.where(nuc_pause, new_pos - 1, -1),
                                               conv_ok)
            new_pos = np.where(nuc_pause, p2, new_pos)
            act = np.where(nuc_pause, a2, act)
        code = np.where(_FORCEFUL[code] & ~blocked_v & ~VIOLENT[act],
                        NO_MEANS, code)
        code = np.where(blocked_v & ~VIOLENT[act], WITHHELD, code)
        code = np.where(blocked_n & ~NUCLEAR[act], NUC_WITHHELD, code)
        # invasion feasibility: never launched into a crossing it cannot survive
        infeasible = np.zeros(R, dtype=bool)
        crossing = np.zeros(R)
        if (act == INVASION).any():
            crossing = expected_crossing_loss(obs)
            infeasible = (act == INVASION) & (crossing > w.scenario.parameters.combat.
                                              invasion_max_loss)
            if infeasible.any():
                below = np.where(infeasible, new_pos - 1, -1)
                p2, a2 = highest_legal_at_or_below(obs, ladder, below, permitted)
                new_pos = np.where(infeasible, p2, new_pos)
                act = np.where(infeasible, a2, act)
                code = np.where(infeasible, INFEASIBLE, code)
        # cornered but nothing above is open (forces or munitions spent, the
        # invasion infeasible, a step closed): it holds, and says so
        code = np.where((code == CORNERED) & (new_pos <= pos), CORNERED_STUCK, code)
        # a nuclear step taken by a rule that climbs is first use the gates let
        # through: say so, with the values weighed, rather than "advance"
        first_nuke = NUCLEAR[act] & _CLIMBING[code]
        code = np.where(first_nuke, NUC_FIRST_USE, code)
        code = np.where(nuc_pause & (code != INFEASIBLE), NUC_PAUSE, code)
        # a deterred challenger at war seeks talks rather than fighting on
        if challenger:
            talks_now = (code == DETERRED_DOWN) & at_war_now & obs.legal[:, TALKS]
            act = np.where(talks_now, TALKS, act)
            code = np.where(talks_now, DETERRED_TALKS, code)

        # --- talks: accept a deal, or seek one when outmatched
        hurt = obs.damage[:, me] > 0.8 * obs.tolerance * stakes
        outmatched = (r < rho) | hurt
        keep_pos = np.zeros(R, dtype=bool)
        if doc.accept_settlement:
            accept = obs.proposal & (deterred | outmatched | (not challenger))
            acc_act = np.where(obs.war, CEASEFIRE, ACCEPT)
            accept &= obs.legal[rows, acc_act]
            act = np.where(accept, acc_act, act)
            code = np.where(accept, ACCEPT_DEAL, code)
            keep_pos |= accept
        if doc.deescalate_when_outmatched:
            seek = outmatched & ~keep_pos & ((at_war_now & ~g.losing) | (r < rho)) & obs.legal[
                :, TALKS]
            if challenger:
                seek &= deterred | (r < rho)
            else:
                seek &= hurt
            act = np.where(seek, TALKS, act)
            code = np.where(seek, SEEK_TALKS, code)
            keep_pos |= seek
        keep_pos |= code == DETERRED_TALKS
        keep_pos |= nuc_pause
        # --- nuclear use against it or an ally it defends: answer it (rule 1)
        struck, user = nuclear_attack_on_me(obs)
        opt = np.zeros(R, dtype=np.int64)
        vals = np.zeros((R, 4))
        if struck.any():
            n_act, opt, vals = respond_to_nuclear(obs, ladder, g, doc.nuclear_response)
            act = np.where(struck, n_act, act)
            code = np.where(struck, NUC_RESPONSE, code)
            keep_pos |= struck
        self.pos = np.where(keep_pos, pos, new_pos)
        target = pick_target(obs, act)
        target = np.where(struck & (user >= 0), user, target)
        tmap = w.targets[me][act]
        target = np.where((tmap >= 0) & ~struck, tmap, target)

        reasons = None
        if obs.explain:
            reasons = [self._explain(obs, g, int(code[0]), float(p_hard[0]), float(thr[0]),
                                     float(odds[0]),
                                     float(r[0]), float(rho[0]), int(act[0]), int(threat[0]),
                                     int(vrung[0]), float(crossing[0]), int(opt[0]), vals[0])]
        return Decision(action=act.astype(np.int64), target=target.astype(np.int64),
                        reasons=reasons)

    @staticmethod
    def _explain(obs: Observation, g: Gates, code: int, p_hard: float, thr: float, odds: float,
                 r: float,
                 rho: float, act: int, threat: int, vrung: int, crossing: float, opt: int,
                 vals: NDArray[np.float64]) -> str:
        w = obs.world
        me = obs.actor
        doc = w.scenario.actors[me].doctrine
        name = CATALOGUE[act].id
        rung = CATALOGUE[act].kahn_rung
        nd = separating_digits(p_hard, thr)
        thr_txt = "unreachable" if not np.isfinite(thr) else f"{thr:.{nd}f}"
        zk = (f"P(defender hard)={p_hard:.{nd}f}, threshold {thr_txt}, Zagare-Kilgour; its "
              f"odds if the defenders fight {odds:.2f}")
        launch = ""
        if act == INVASION and np.isfinite(crossing):
            limit = w.scenario.parameters.combat.invasion_max_loss
            launch = (f" (its estimate: {crossing:.0%} of the lift lost at the crossing, limit "
                      f"{limit:.0%}, against the defenders already at war)")
        if code == NUC_RESPONSE:
            vs = ", ".join(f"{NUC_OPTIONS[k].split()[0]} {vals[k]:+.2f}" for k in range(4)
                           if np.isfinite(vals[k]))
            return (f"doctrine: answer the nuclear use ({doc.nuclear_response}: {vs}) -> "
                    f"{NUC_OPTIONS[opt]}: {name}")
        if code == ACCEPT_DEAL:
            return f"doctrine: accept the offer on the table ({name})"
        if code == SEEK_TALKS:
            if r < rho:
                nd = separating_digits(rho, r)
                return (f"doctrine: seek talks: running risk {rho:.{nd}f} exceeds resolve "
                        f"{r:.{nd}f} (Powell: the less resolute side quits first) -> "
                        "propose_talks")
            return ("doctrine: seek talks: the damage suffered nears what it will bear "
                    f"({obs.damage[0, me]:.2f} of {obs.tolerance[0] * w.stakes[me]:.2f}) "
                    "-> propose_talks")
        if code == DETERRED_TALKS:
            return f"doctrine: deterred ({zk}) while a war is on: seek talks -> propose_talks"
        if code == DETERRED_DOWN:
            return (f"doctrine: deterred ({zk}): step down to its highest non-violent step "
                    f"-> {name}")
        if code == DETERRED_HOLD:
            return f"doctrine: deterred ({zk}): hold, no further step -> {name}"
        bear = obs.tolerance[0] * w.stakes[me]
        dnd = separating_digits(obs.damage[0, me], 0.6 * bear)
        hurt = (f"damage {obs.damage[0, me]:.{dnd}f}, over 60% of its breaking point "
                f"{bear:.2f}")
        if code == CORNERED_STUCK:
            return (f"doctrine: under armed attack and losing ({hurt}), it would climb although "
                    "deterred, but no higher step is open (forces or munitions spent, or the "
                    f"step closed) -> holds at {name}")
        if code == NUC_PAUSE:
            if VIOLENT[act]:
                return ("doctrine: its nuclear use is a one-off act, not repeated each turn: "
                        f"the war goes on with its strongest conventional step -> {name}")
            return ("doctrine: its nuclear use is a one-off act, not repeated each turn, and "
                    f"no violent conventional step is open (forces or munitions spent, or the "
                    f"step closed) -> {name}")
        if code == CORNERED:
            return (f"doctrine: under armed attack and losing ({hurt}): climbs although "
                    f"deterred -> {name}{launch}")
        if code == NUC_FIRST_USE and g.automatic is not None and g.automatic[0]:
            u, rs = _use_values(g)
            return (f"doctrine: automatic nuclear use under its declared law (homeland "
                    f"struck; resolve {r:.2f} >= {doc.nuclear_threshold:.2f}): "
                    "pre-delegated, not weighed at this moment (value of use "
                    f"{u:+.2f}, restraint {rs:+.2f}) -> {name}")
        if code == NUC_FIRST_USE:
            cond = {"if_losing": "losing the war",
                    "if_regime_threatened": "homeland struck and losing",
                    "erodes_if_regime_threatened": "pledge eroded: losing, the main "
                    "operation failing, the regime threatened"}.get(doc.nuclear_first_use,
                                                                   doc.nuclear_first_use)
            u, rs = _use_values(g)
            return (f"doctrine: nuclear use ({cond}; resolve {r:.2f} >= "
                    f"{doc.nuclear_threshold:.2f}): value of use {u:+.2f} > restraint "
                    f"{rs:+.2f} (taboo, the answer, spiral risk) -> {name}")
        if code == ADVANCE:
            return f"doctrine: advance: deterrence threshold not met ({zk}) -> {name}{launch}"
        if code == INFEASIBLE:
            return (f"doctrine: invasion not launched: {crossing:.0%} of the lift expected lost "
                    f"at the crossing (limit {w.scenario.parameters.combat.invasion_max_loss:.0%})"
                    f" -> {name}")
        if code == WITHHELD:
            if g.consulting[0]:
                why = f"consultation under way ({doc.consultation_turns} turn(s) before force)"
            elif int(w.side[me]) == 0:
                why = f"resolve {r:.2f} below its war threshold {doc.war_threshold:.2f}"
            elif not (g.attacked_self[0] or g.ally_hit[0]):
                why = "no armed attack on it or an ally it defends (an incident is not one)"
            else:
                why = f"resolve {r:.2f} below its war threshold {doc.war_threshold:.2f}"
            return f"doctrine: force withheld: {why} -> {name}"
        if code == NUC_WITHHELD:
            homeland = bool(obs.homeland_struck[0, me])
            return (f"doctrine: nuclear step withheld: {_nuclear_gate(doc, g, r, homeland)} "
                    f"-> {name}")
        if code == QUIET:
            return f"doctrine: adversaries' moves stay at rung {threat} or below: keep to " \
                   f"diplomacy -> {name}"
        if code == IN_KIND:
            pace = ""
            if rung < threat and not doc.respond_in_kind and not (g.attacked_self[0]
                                                                 or g.ally_hit[0]):
                pace = (" (it climbs at most 0 steps: its doctrine moves up only once it or "
                        "an ally it defends is attacked)")
            elif rung < threat:
                pace = (f" (it climbs at most {doc.max_step} step(s) a turn, and takes no "
                        "violent step while no armed attack opens its gate)")
            return (f"doctrine: respond in kind: adversaries' moves this and last turn reach "
                    f"rung {threat}; answer at rung {rung}{pace} -> {name}")
        if code == ANSWER:
            if rung == vrung:
                how = "in kind"
            elif rung > vrung:
                how = "with its lowest violent step that meets it"
            else:
                how = "with its strongest conventional step"
            return (f"doctrine: answer the armed attack (violence at rung {vrung}) {how} "
                    f"-> {name} (rung {rung})")
        if code == ESCALATE:
            return f"doctrine: losing the fight ({hurt}): escalate one step to prevail -> {name}"
        if code == NO_MEANS:
            return ("doctrine: under armed attack but no violent step is open (forces or "
                    f"munitions spent, or no target) -> {name}")
        if code == NUC_AUTOMATIC:
            return ("doctrine: its declared law calls for automatic nuclear use (homeland "
                    f"struck), but no nuclear step is open (no warheads, or no target) -> "
                    f"{name}")
        return f"doctrine: -> {name}"
