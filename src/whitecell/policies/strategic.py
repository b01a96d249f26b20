"""Strategic player: expected utility from beliefs, using the published models.

Each turn the player compares two prospects and moves one step on its ladder
(within the doctrine's gates for violence and nuclear use):

* **Press to the top** of the ladder it may climb. If the top is violent, the
  value is the war payoff ``p_win·V − c`` (Fearon 1995; ``p_win`` by
  Hirshleifer's contest of combat power). For a challenger facing extended
  deterrence the payoff is a lottery over the defenders' types
  (:func:`challenger_war_value`): the coalition at its odds if the committed
  defenders fight (deterrence by denial enters for a landing), or the protege
  alone, which fights or gives way. Pressing runs the risk ``pi`` that the
  crisis slips out of control over the coming turns (Schelling's inadvertent
  risk, :func:`whitecell.models.risk.inadvertent_risk`), valued at Powell's
  disaster payoff ``d = −V(1 − r)/r`` implied by its private resolve ``r``.
  ``EU(press) = (1 − pi)·war_value + pi·d``.
* **The status quo**: 0 for the challenger; for a defender, conceding loses the
  stakes and, for a patron, credibility with its other allies:
  ``−V·(1 + max commitment)``.

A challenger steps up while pressing beats the status quo, steps down when it is
clearly worse; a defender matches the adversary's rung while fighting beats
conceding. **Quit** (Powell 1987): when the running risk already exceeds its
resolve it proposes talks. **Settle** (Fearon 1995): it accepts a deal on the
table when the deal, worth ``p_win·V``, beats the better prospect.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Decision, Observation
from whitecell.models import contest, risk
from whitecell.policies.common import (
    ACCEPT,
    CEASEFIRE,
    NUC_OPTIONS,
    NUCLEAR,
    RUNG,
    TALKS,
    VIOLENT,
    conflict_odds,
    crossing_loss_under,
    expected_crossing_loss,
    highest_legal_at_or_below,
    p_win,
    pick_target,
    power,
    principal_defender,
    separating_digits,
    threat_rung,
    violent_rung,
)
from whitecell.policies.doctrine import (
    INVASION,
    gates,
    in_the_fight,
    nuclear_attack_on_me,
    respond_to_nuclear,
)
from whitecell.scenario.actions import CATALOGUE

F = NDArray[np.float64]
HORIZON = 5  # turns over which a player weighs the risk of a posture


def challenger_war_value(obs: Observation, b: F, V: float, c: float,
                         pw: F | None = None) -> tuple[F, F, F, F]:
    """The challenger's value of pressing to war, per run: (value, odds, alone, bp).

    Extended deterrence as a lottery over the defenders' types (Zagare and
    Kilgour 2000): with probability ``b`` (its belief that the patron is
    resolved) the patron fights and the war is against the coalition, at its
    odds if the committed defenders fight (:func:`conflict_odds`: the contest of
    power, and for a landing the share of the lift that would survive their
    fire, deterrence by denial); otherwise the protege stands alone. A protege
    left alone fights with probability ``bp`` (the challenger's belief in the
    protege's resolve), at the odds against it alone (for a landing, under the
    protege's own fire) and half the cost; otherwise it gives way and the
    challenger has the stakes.

    ``value = b (odds V - c) + (1 - b) [bp (alone V - c/2) + (1 - bp) V]``;
    ``pw`` is :func:`p_win` when the caller has it already.
    """
    w = obs.world
    me = obs.actor
    R = obs.runs
    prot = w.protege
    odds = conflict_odds(obs, pw)
    if prot < 0 or prot == me:
        return b * (odds * V - c) + (1.0 - b) * (odds * V - 0.5 * c), odds, odds, np.ones(R)
    alone = np.asarray(contest.success_probability(
        power(obs.seen_forces[:, me]), power(obs.seen_forces[:, prot]),
        w.scenario.parameters.combat.contest_exponent), dtype=float)
    if (w.ladder[me] == INVASION).any():  # a landing under the protege's fire alone
        alone = alone * (1.0 - crossing_loss_under(obs, np.arange(w.n_actors) == prot))
    bp = obs.belief[:, prot]
    soft = bp * (alone * V - 0.5 * c) + (1.0 - bp) * V
    return b * (odds * V - c) + (1.0 - b) * soft, odds, alone, bp


class StrategicPolicy:
    """Expected-utility player for one actor."""

    name = "strategic"

    def __init__(self, actor: str) -> None:
        self.actor = actor
        self.pos: NDArray[np.int64] | None = None

    def _risk_at(self, obs: Observation, rung: F) -> F:
        rp = obs.world.scenario.parameters.risk
        pi = np.asarray(risk.inadvertent_risk(rp.base, 0.5, 0.3, rung, k_alert=rp.k_alert,
                                              k_contact=rp.k_contact, k_rung=rp.k_rung),
                        dtype=float)
        return 1.0 - (1.0 - pi) ** HORIZON

    def compact(self, keep: NDArray[np.bool_]) -> None:
        """Keep the memory of the runs still going (the engine dropped the rest)."""
        if self.pos is not None:
            self.pos = self.pos[keep]

    def decide(self, obs: Observation) -> Decision:
        w = obs.world
        me = obs.actor
        ladder = w.ladder[me]
        n = len(ladder)
        R = obs.runs
        rows = np.arange(R)
        if self.pos is None or len(self.pos) != R:
            self.pos = np.full(R, -1, dtype=np.int64)
        pos = self.pos
        challenger = int(w.side[me]) == 0
        V = float(w.stakes[me])
        c = float(w.war_cost[me])
        r = np.clip(obs.resolve, 0.02, 1.0)
        d = -V * (1.0 - r) / r
        pw = p_win(obs)
        g = gates(obs)
        allowed = (~(VIOLENT[ladder] & ~NUCLEAR[ladder])[None, :] | g.may_fight[:, None]) & (
            ~NUCLEAR[ladder][None, :] | g.may_nuke[:, None])
        allowed &= obs.legal[:, ladder]
        # the highest step this player could reach, and its risk over the horizon
        top = np.where(allowed.any(axis=1), n - 1 - np.argmax(allowed[:, ::-1], axis=1), -1)
        top_rung = np.where(top >= 0, RUNG[ladder][np.clip(top, 0, n - 1)], 1).astype(float)
        pi_top = self._risk_at(obs, top_rung)
        top_violent = (top >= 0) & VIOLENT[ladder][np.clip(top, 0, n - 1)]
        if challenger:
            # extended deterrence: the patron fights with probability b (the
            # challenger's belief in its resolve); otherwise the protege is alone
            patron = principal_defender(w)
            b = obs.belief[:, patron] if patron >= 0 else np.ones(R)
            war_value, odds, alone, bp = challenger_war_value(obs, b, V, c, pw)
            status_quo = 0.0
        else:
            b = np.ones(R)
            war_value = pw * V - c
            # conceding loses the stake; a patron also loses credibility with allies
            status_quo = -V * (1.0 + float(w.commitment[me].max()))
        press = np.where(top_violent, war_value, 0.0) * (1.0 - pi_top) + pi_top * d
        if challenger:
            up = press > status_quo
            down = press < status_quo - 0.2 * V
        else:
            # answer what the adversaries did this and last turn, not a stale posture
            opp = threat_rung(obs)
            own_rung = np.where(pos >= 0, RUNG[ladder][np.clip(pos, 0, n - 1)], 1)
            next_ok = allowed[rows, np.clip(pos + 1, 0, n - 1)]
            next_rung = RUNG[ladder][np.clip(pos + 1, 0, n - 1)]
            # respond in kind while fighting beats conceding (Powell: stand firm)
            up = (opp > own_rung) & (next_rung <= np.maximum(opp, own_rung + 1)) & next_ok & (
                press > status_quo)
            down = opp < own_rung
        want = np.where(up, pos + 1, np.where(down, pos - 1, pos)).clip(-1, n - 1)
        if not challenger:
            # under armed attack: answer at once with the lowest violent step
            # matching the attack, if fighting beats conceding
            vr = violent_rung(obs)
            lv = VIOLENT[ladder] & ~NUCLEAR[ladder]
            match = lv[None, :] & (RUNG[ladder][None, :] >= vr[:, None])
            lowest = np.where(match.any(axis=1), np.argmax(match, axis=1),
                              int(np.nonzero(lv)[0].max()) if lv.any() else -1)
            hit = (vr > 0) & (g.attacked_self | g.ally_hit) & (press > status_quo)
            want = np.where(hit & (lowest > want), lowest, want)
        want = np.where(want >= 0, want, -1)
        gate_ok = (~(VIOLENT[ladder] & ~NUCLEAR[ladder])[None, :] | g.may_fight[:, None]) & (
            ~NUCLEAR[ladder][None, :] | g.may_nuke[:, None])
        # as for doctrine: no step aimed at an actor outside the war
        gate_ok = gate_ok & in_the_fight(obs, ladder)
        new_pos, act = highest_legal_at_or_below(obs, ladder, want, gate_ok)
        crossing = np.zeros(R)
        infeasible = np.zeros(R, dtype=bool)
        if (act == INVASION).any():
            crossing = expected_crossing_loss(obs)
            infeasible = (act == INVASION) & (
                crossing > w.scenario.parameters.combat.invasion_max_loss)
            p2, a2 = highest_legal_at_or_below(obs, ladder, new_pos - 1, gate_ok)
            new_pos = np.where(infeasible, p2, new_pos)
            act = np.where(infeasible, a2, act)
        best_eu = np.maximum(press, status_quo)
        eu = np.stack([press, np.full(R, status_quo)], axis=1)

        code = np.zeros(R, dtype=np.int8)
        deal = pw * V
        acc_act = np.where(obs.war, CEASEFIRE, ACCEPT)
        accept = obs.proposal & obs.legal[rows, acc_act] & ((deal >= best_eu) | (r < obs.cumrisk))
        act = np.where(accept, acc_act, act)
        code = np.where(accept, 1, code)
        quit_ = (code == 0) & (r < obs.cumrisk) & obs.legal[:, TALKS] & ~obs.proposal
        act = np.where(quit_, TALKS, act)
        code = np.where(quit_, 2, code)
        struck, user = nuclear_attack_on_me(obs)
        opt = np.zeros(R, dtype=np.int64)
        vals = np.zeros((R, 4))
        if struck.any():
            n_act, opt, vals = respond_to_nuclear(obs, ladder, g, "expected_utility")
            act = np.where(struck, n_act, act)
            code = np.where(struck, 3, code)
        self.pos = np.where(code == 0, new_pos, pos)
        target = pick_target(obs, act)
        target = np.where(struck & (user >= 0), user, target)
        tmap = w.targets[me][act]
        target = np.where((tmap >= 0) & ~struck, tmap, target)
        reasons = None
        if obs.explain:
            if code[0] == 1:
                txt = f"accept: deal worth {deal[0]:.2f} >= best step {best_eu[0]:.2f} (Fearon)"
            elif code[0] == 2:
                txt = (f"quit: running risk {obs.cumrisk[0]:.2f} > resolve {r[0]:.2f} "
                       "(Powell)")
            elif code[0] == 3:
                vs = ", ".join(f"{NUC_OPTIONS[k].split()[0]} {vals[0, k]:+.2f}"
                               for k in range(4))
                txt = f"answer the nuclear use by expected utility ({vs}) -> {NUC_OPTIONS[opt[0]]}"
            elif infeasible[0]:
                txt = (f"invasion not launched: {crossing[0]:.0%} of the lift expected lost at "
                       "the crossing")
            else:
                move = "step up" if up[0] else ("step down" if down[0] else "hold")
                if challenger:
                    odds_txt = (f"odds if the defenders fight {odds[0]:.2f}, P(patron fights)="
                                f"{b[0]:.2f}; against the protege alone {alone[0]:.2f}, "
                                f"P(protege fights alone)={bp[0]:.2f}")
                else:
                    odds_txt = f"P(win war)={pw[0]:.2f}"
                nd = separating_digits(float(eu[0, 0]), float(eu[0, 1]))
                txt = (f"EU(press to the top)={eu[0, 0]:.{nd}f} vs EU(status quo)="
                       f"{eu[0, 1]:.{nd}f}; {odds_txt}, risk at top {pi_top[0]:.2f} -> {move}")
            reasons = [f"strategic: {txt} -> {CATALOGUE[int(act[0])].id}"]
        return Decision(action=act.astype(np.int64), target=target.astype(np.int64),
                        reasons=reasons)
