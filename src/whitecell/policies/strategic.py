"""Strategic player: expected utility from beliefs, using the published models.

Each turn the player considers three moves on its ladder (step down, hold,
step up, within the doctrine's gates for violence and nuclear use) and talks.

* **Brinkmanship** (Powell 1987; 1990): a step to rung k runs the risk
  pi(k) that the crisis slips out of control over the coming turns (Schelling's
  inadvertent risk, :func:`whitecell.models.risk.inadvertent_risk`). The
  opponent quits when its resolve is below that risk, which the player gauges
  from its Beta belief: P(quit) = 1 - P(resolve_opp > pi(k))
  (:func:`whitecell.models.beliefs.prob_exceeds`). The player's own resolve r
  fixes its value of disaster: with win = V and submit = 0, Powell's
  r = (w - s)/(w - d) gives d = -V (1 - r)/r.
* **Expected utility** of a step: P(quit)·V + (1 - P(quit))·[(1 - pi)·C + pi·d]
  where C is the value of carrying on: for a violent step the war payoff
  p_win·V - c (Fearon 1995; p_win by Hirshleifer's contest), otherwise the
  status quo (0 for the challenger, V/2 for a defender whose stakes are being
  squeezed).
* **Quit** (Powell): when the running risk already exceeds its resolve it seeks
  or accepts talks. **Settle** (Fearon 1995): it accepts a deal on the table
  when the deal, worth p_win·V, beats the best step.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Decision, Observation
from whitecell.models import beliefs, risk
from whitecell.policies.common import (
    ACCEPT,
    CEASEFIRE,
    NUCLEAR,
    RUNG,
    TALKS,
    VIOLENT,
    highest_legal_at_or_below,
    p_win,
    pick_target,
    principal_defender,
)
from whitecell.policies.doctrine import gates
from whitecell.scenario.actions import CATALOGUE

F = NDArray[np.float64]
HORIZON = 5  # turns over which a player weighs the risk of a posture


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
        other = principal_defender(w) if challenger else int(w.challenger)
        if other == me or other < 0:
            other = int(w.adversary[me])
        g = gates(obs)
        base = 0.0 if challenger else 0.5 * V

        cands = np.stack([pos - 1, pos, pos + 1], axis=1).clip(-1, n - 1)  # (R, 3)
        eu = np.full((R, 3), -np.inf)
        for k in range(3):
            cand = cands[:, k]
            idx = np.clip(cand, 0, n - 1)
            rung = np.where(cand >= 0, RUNG[ladder][idx], 1).astype(float)
            viol = (cand >= 0) & VIOLENT[ladder][idx] & ~NUCLEAR[ladder][idx]
            nuc = (cand >= 0) & NUCLEAR[ladder][idx]
            allowed = (~viol | g.may_fight) & (~nuc | g.may_nuke)
            allowed &= (cand < 0) | obs.legal[rows, ladder[idx]]
            pi = self._risk_at(obs, rung)
            if other >= 0:
                p_quit = 1.0 - np.asarray(
                    beliefs.prob_exceeds(obs.belief_a[:, other], obs.belief_b[:, other], pi),
                    dtype=float)
            else:
                p_quit = np.zeros(R)
            carry = np.where(viol | nuc, pw * V - c, base)
            val = p_quit * V + (1.0 - p_quit) * ((1.0 - pi) * carry + pi * d)
            eu[:, k] = np.where(allowed, val, -np.inf)
        best = np.argmax(eu, axis=1)
        want = cands[rows, best]
        new_pos, act = highest_legal_at_or_below(obs, ladder, want)
        best_eu = eu[rows, best]

        code = np.zeros(R, dtype=np.int8)
        deal = pw * V
        acc_act = np.where(obs.war, CEASEFIRE, ACCEPT)
        accept = obs.proposal & obs.legal[rows, acc_act] & ((deal >= best_eu) | (r < obs.cumrisk))
        act = np.where(accept, acc_act, act)
        code = np.where(accept, 1, code)
        quit_ = (code == 0) & (r < obs.cumrisk) & obs.legal[:, TALKS] & ~obs.proposal
        act = np.where(quit_, TALKS, act)
        code = np.where(quit_, 2, code)
        self.pos = np.where(code == 0, new_pos, pos)
        target = pick_target(obs, act)
        reasons = None
        if obs.explain:
            if code[0] == 1:
                txt = f"accept: deal worth {deal[0]:.2f} >= best step {best_eu[0]:.2f} (Fearon)"
            elif code[0] == 2:
                txt = (f"quit: running risk {obs.cumrisk[0]:.2f} > resolve {r[0]:.2f} "
                       "(Powell)")
            else:
                labels = ("step down", "hold", "step up")
                opts = ", ".join(f"{labels[k]} {eu[0, k]:.2f}" for k in range(3)
                                 if np.isfinite(eu[0, k]))
                txt = f"expected utility: {opts} -> {labels[int(best[0])]}"
            reasons = [f"strategic: {txt} -> {CATALOGUE[int(act[0])].id}"]
        return Decision(action=act.astype(np.int64), target=target.astype(np.int64),
                        reasons=reasons)
