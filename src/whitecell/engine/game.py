"""The crisis game: reset, then turn after turn until every run has ended.

One turn: release injects -> build each actor's observation -> collect the
decisions of every cell (simultaneous) -> adjudicate -> check end conditions.
The same code plays one narrated game (``runs=1``) and a batch of thousands
(``record=False``); there is no second copy of the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from whitecell.engine import adjudication as adj
from whitecell.engine.dice import Dice, slot_of
from whitecell.engine.events import Event, EventLog
from whitecell.engine.observation import Decision, Deferred, Observation, Policy
from whitecell.engine.outcome import outcome_columns, outcome_record
from whitecell.engine.overrides import DrawOverride
from whitecell.engine.rules import end_of_turn, legal_actions, release_injects, settle_and_concede
from whitecell.models import beliefs
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE, SUPPORTING
from whitecell.world.compile import World
from whitecell.world.state import State

#: Resolution of the tabulated Beta quantile functions used to sample priors.
QUANTILE_GRID = 4097


def beta_quantile_table(a: float, b: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(cdf, x) on a fine grid so a uniform maps to a Beta draw by interpolation.

    Inverse-CDF sampling keeps one uniform per private value (so a run's prior
    draws depend only on its own dice) and is exact to the grid resolution.
    """
    x = np.linspace(0.0, 1.0, QUANTILE_GRID)
    cdf = 1.0 - np.asarray(beliefs.prob_exceeds(a, b, x), dtype=float)
    cdf[0], cdf[-1] = 0.0, 1.0
    cdf = np.maximum.accumulate(cdf)
    return cdf, x


def sample_beta(u: NDArray[np.float64], a: float, b: float) -> NDArray[np.float64]:
    """Beta(a, b) draws from uniforms ``u`` by the tabulated inverse CDF."""
    cdf, x = beta_quantile_table(a, b)
    return np.interp(u, cdf, x)


MoveHook = Callable[[int, dict[str, Decision]], None]


class Game:
    """A scenario being played for one or many runs."""

    def __init__(self, world: World, policies: Mapping[str, Policy], seed: int,
                 runs: int | NDArray[np.int64] = 1, record: bool = True,
                 overrides: Sequence[DrawOverride] = ()) -> None:
        missing = [a for a in world.ids if a not in policies]
        if missing:
            raise ValueError(f"no policy for actor(s) {', '.join(missing)}")
        self.world = world
        self.policies = dict(policies)
        self.seed = int(seed)
        self.dice = Dice(seed, runs)
        self.log = EventLog(enabled=record)
        if record and len(self.dice) != 1:
            raise ValueError("a narrated game (record=True) plays exactly one run")
        self.decisions: list[dict[str, dict[str, object]]] = []
        self.overrides = tuple(overrides)
        for o in self.overrides:
            turn, code, actor = o.key(world)
            self.dice.overrides[(slot_of(turn, code, actor), -1)] = o.draw
        self._recent_key: tuple[int, int, int] | None = None
        self._recent_cache: dict[str, NDArray[Any]] = {}
        self.state = self._reset()
        self._full_dice = self.dice

    # ------------------------------------------------------------------ setup
    def _reset(self) -> State:
        w = self.world
        R = len(self.dice)
        st = State.allocate(w, R)
        for i in range(w.n_actors):
            ur = self.dice.draw(0, adj.R_PRIOR_RESOLVE, i)
            ut = self.dice.draw(0, adj.R_PRIOR_TOLERANCE, i)
            st.resolve[:, i] = sample_beta(ur, *w.resolve_prior[i])
            st.tolerance[:, i] = sample_beta(ut, *w.tolerance_prior[i])
        S = w.scenario.parameters.belief_prior_strength
        mean = w.resolve_prior[:, 0] / w.resolve_prior.sum(axis=1)
        commit = w.commitment[:, w.protege] if w.protege >= 0 else w.commitment.max(axis=1)
        mean = np.where(commit > 0, 0.5 * (mean + commit), mean)
        # misperception (Jervis 1976): each run starts from the public prior
        # mean shifted by a per-run, per-pair draw within +-belief_noise
        noise = w.scenario.fog.belief_noise
        for i in range(w.n_actors):
            for j in range(w.n_actors):
                u = self.dice.draw(0, adj.R_BELIEF, (i * 8 + j) % 64)
                m = np.clip(mean[j] + noise * (2.0 * u - 1.0), 0.02, 0.98)
                st.belief_a[:, i, j] = m * S
                st.belief_b[:, i, j] = (1.0 - m) * S
        # mutual optimism (war termination): each side's initial over-estimate
        opt = w.scenario.parameters.termination.optimism
        for k in range(2):
            st.optimism[:, k] = opt * self.dice.draw(0, adj.R_OPTIMISM, k)
        sc = w.scenario
        start: dict[str, Any] = {
            "scenario": sc.id, "version": sc.version, "seed": self.seed, "actors": list(w.ids),
            "resolve": {a: float(st.resolve[0, i]) for i, a in enumerate(w.ids)},
            "tolerance": {a: float(st.tolerance[0, i]) for i, a in enumerate(w.ids)}}
        if self.overrides:
            start["overrides"] = [o.text for o in self.overrides]
        self.log.add(0, "start", f"{sc.title} (scenario {sc.id} v{sc.version}); "
                     f"{sc.max_turns} turns of {sc.turn.length_days:g} days", **start)
        return st

    # ------------------------------------------------------------------ observe
    def observe(self, i: int, delivered: tuple[str, ...] = (),
                fired: NDArray[np.bool_] | None = None) -> Observation:
        """Actor ``i``'s picture of the world for this turn (fog of war).

        The arrays are views of the state, valid until the turn is adjudicated:
        policies read them and must not modify them (the engine does not copy
        them, which keeps large batches fast). The fogged forces and the mean
        beliefs are worked out from those views when a player first reads them
        (:class:`~whitecell.engine.observation.Deferred`).
        """
        w, st = self.world, self.state
        fog = w.scenario.fog.force_noise
        seen: Any  # an array, or a Deferred one (the Observation field accepts both)
        if fog > 0:
            # deferred: most players never read the others' fogged forces
            fogged = _Fogged(st.forces, self.dice, st.turn, i, fog)
            seen = Deferred(fogged.all, fogged.kind)
        else:
            seen = st.forces
        adv = w.adversaries[i]
        active = ~st.done
        proposal = _any_column(st.proposal, np.flatnonzero(adv), st.runs)
        belief: Any
        if w.scenario.fog.show_resolve:  # teaching mode: private resolve revealed
            belief = st.resolve.copy()
        else:
            belief = Deferred(partial(_mean_belief, st.belief_a[:, i], st.belief_b[:, i]))
        return Observation(
            world=w, actor=i, turn=st.turn, own_forces=st.forces[:, i], seen_forces=seen,
            resolve=st.resolve[:, i], tolerance=st.tolerance[:, i],
            costs=st.costs, rungs=st.rung, last_action=st.last_action,
            belief=belief, belief_a=st.belief_a[:, i], belief_b=st.belief_b[:, i],
            tension=st.tension, cumrisk=st.cumrisk, risk=st.risk,
            attacked=st.attacked, attacked_turn=st.attacked_turn,
            homeland_struck=st.homeland_struck,
            nuclear_attacked=st.nuclear_attacked, belligerent=st.belligerent,
            war=st.war, nuclear_use=st.nuclear_use, blockade=st.blockade,
            lodgment=st.lodgment, islands_held=st.islands_held,
            proposal=proposal,
            legal=legal_actions(w, st, i, proposal), active=active, prev_action=st.prev_action,
            violent_turn=st.violent_turn, incident=st.incident, assurance=st.assurance,
            nuclear_attacked_turn=st.nuclear_attacked_turn, damage=st.damage,
            closure=st.closure, war_turns=st.war_turns, injects=delivered, inject_fired=fired,
            **self._recent(),
            explain=self.log.enabled,
        )

    def _recent(self) -> dict[str, NDArray[Any]]:
        """Rungs and violence of the last two moves, computed once per turn."""
        st = self.state
        key = (st.turn, id(st), st.runs)
        if self._recent_key != key:
            last, prev = _RUNG[st.last_action], _RUNG[st.prev_action]
            if st.support_rung.any() or st.prev_support_rung.any():
                # a move's supporting actions count in the rung it showed the others
                last = np.maximum(last, st.support_rung)
                prev = np.maximum(prev, st.prev_support_rung)
            self._recent_cache = {
                "last_rung": last, "prev_rung": prev,
                "last_violent": _VIOLENT[st.last_action],
                "prev_violent": _VIOLENT[st.prev_action]}
            self._recent_key = key
        return self._recent_cache

    # ------------------------------------------------------------------ turn
    @property
    def finished(self) -> bool:
        return bool(self.state.done.all())

    def step(self) -> None:
        """Play one turn for every run still going."""
        w, st = self.world, self.state
        st.turn += 1
        t = st.turn
        active = ~st.done
        before = st.fired.copy()
        forced, ftarget, delivered = release_injects(w, st, active, self.log)
        fired_now = st.fired & ~before
        for o in self.overrides:
            if o.turn == t and self.log.enabled and active[0]:
                who = f"{o.actor}'s " if o.actor else "the "
                self.log.add(t, "ruling", f"white cell override: {who}{o.ruling} ruling this "
                             f"turn uses draw {o.draw:.4g} instead of the dice", actor=o.actor,
                             model="white cell override", inputs={"ruling": o.ruling},
                             probability=None, draw=o.draw, result={"override": o.text})
        R, A = st.runs, w.n_actors
        action = np.zeros((R, A), dtype=np.int64)
        target = np.full((R, A), -1, dtype=np.int64)
        cap = w.scenario.parameters.action_cap
        support = support_t = None
        if cap > 1:
            support = np.full((R, A, cap - 1), -1, dtype=np.int64)
            support_t = np.full((R, A, cap - 1), -1, dtype=np.int64)
        record: dict[str, dict[str, object]] = {}
        # moves are simultaneous: every cell observes first; players that ask a
        # remote model (language-model cells) start asking before any cell waits
        observations = [self.observe(i, tuple(delivered[i]), fired_now)
                        for i in range(w.n_actors)]
        for i, aid in enumerate(w.ids):
            prefetch = getattr(self.policies[aid], "prefetch", None)
            if prefetch is not None and observations[i].active.any():
                prefetch(observations[i])
        for i, aid in enumerate(w.ids):
            obs = observations[i]
            dec = self.policies[aid].decide(obs)
            act = np.asarray(dec.action, dtype=np.int64).reshape(R)
            tgt = np.asarray(dec.target, dtype=np.int64).reshape(R)
            reason = dec.reasons[0] if dec.reasons else ""
            # the MSEL wins over the cell's choice
            msel = forced[:, i] >= 0
            if msel.any():
                act = np.where(msel, forced[:, i], act)
                tgt = np.where(msel, ftarget[:, i], tgt)
                if msel[0]:
                    reason = "MSEL: move dictated by the scenario's inject"
            illegal = ~obs.legal[np.arange(R), act]
            if illegal.any():
                if self.log.enabled and illegal[0]:
                    self.log.add(t, "ruling", f"{aid}: {CATALOGUE[act[0]].id} is not legal now "
                                 "(requirements unmet); the white cell rules 'wait'", actor=aid,
                                 model="legality (catalogue requirements)",
                                 inputs={"requires": list(CATALOGUE[act[0]].requires),
                                         "requires_forces":
                                             list(CATALOGUE[act[0]].requires_forces)},
                                 probability=1.0, draw=None,
                                 result={"illegal": CATALOGUE[act[0]].id})
                act = np.where(illegal, ACTION_INDEX["wait"], act)
            notarget = CATALOGUE_NEEDS_TARGET[act] & (tgt < 0)
            tgt = np.where(notarget, w.adversary[i], tgt)
            action[:, i] = act
            target[:, i] = tgt
            sup_rows: list[dict[str, object]] = []
            dropped: list[tuple[str, str]] = []
            if support is not None and support_t is not None and dec.support is not None:
                sa, st_, dropped = self._supporting(obs, dec, act, msel)
                support[:, i, :] = sa
                support_t[:, i, :] = st_
                sup_rows = [{"action": CATALOGUE[int(a)].id,
                             "target": w.ids[int(b)] if b >= 0 and CATALOGUE[int(a)].needs_target
                             else None} for a, b in zip(sa[0], st_[0], strict=True) if a >= 0]
            if self.log.enabled and active[0]:
                spec = CATALOGUE[int(act[0])]
                tname = w.ids[int(tgt[0])] if tgt[0] >= 0 and spec.needs_target else None
                record[aid] = {"action": spec.id, "target": tname, "reason": reason}
                if dec.rationale:
                    record[aid]["rationale"] = dec.rationale
                if sup_rows:
                    record[aid]["support"] = sup_rows
                self.log.add(t, "move", spec.name + (f" -> {tname}" if tname else ""),
                             actor=aid, action=spec.id, target=tname, rung=int(spec.kahn_rung),
                             rivera=spec.rivera, score=float(w.actions.weight[int(act[0])]),
                             reason=reason, rationale=dec.rationale,
                             policy=getattr(self.policies[aid], "name", "?"),
                             **_event_extra(dec))
                for row in sup_rows:
                    s2 = CATALOGUE[ACTION_INDEX[str(row["action"])]]
                    tn2 = row["target"]
                    self.log.add(t, "move", s2.name + (f" -> {tn2}" if tn2 else ""),
                                 actor=aid, action=s2.id, target=tn2, rung=int(s2.kahn_rung),
                                 rivera=s2.rivera, score=float(w.actions.weight[ACTION_INDEX[
                                     s2.id]]), reason=f"supporting action of its move "
                                 f"({spec.id})", rationale=None, support=True,
                                 policy=getattr(self.policies[aid], "name", "?"))
                for why, what in dropped:
                    self.log.add(t, "ruling", f"{aid}: supporting action {what} dropped: "
                                 f"{why}", actor=aid, model="move rules (parameters.action_cap)",
                                 inputs={"action": what}, probability=1.0, draw=None,
                                 result={"dropped": what})
        if self.log.enabled and active[0]:
            self.decisions.append(record)
        tn = adj.Turn(world=w, state=st, dice=self.dice, log=self.log, action=action,
                      target=target, active=active, pending=st.proposal.copy(),
                      support=support, support_target=support_t)
        adj.posture(tn)
        adj.reinforce(tn)
        adj.escort(tn)
        adj.blockade(tn)
        adj.grey_zone(tn)
        adj.islands(tn)
        adj.missile_salvo(tn, bases=False)
        adj.missile_salvo(tn, bases=True)
        adj.counterstrike(tn)
        adj.naval(tn)
        adj.air(tn)
        adj.invasion(tn)
        adj.ashore(tn)
        adj.nuclear(tn)
        adj.inadvertent(tn)
        adj.alliance(tn)
        settle_and_concede(tn)
        adj.war_termination(tn)
        end_of_turn(tn)
        if self.log.enabled and active[0]:
            self.log.add(t, "turn", f"end of turn {t}",
                         rungs={a: int(st.rung[0, i]) for i, a in enumerate(w.ids)},
                         scores={a: float(st.turn_score[0, i]) for i, a in enumerate(w.ids)},
                         tension=float(st.tension[0]), risk=float(st.risk[0]),
                         cumrisk=float(st.cumrisk[0]), war=bool(st.war[0]),
                         blockade=float(st.blockade[0]), lodgment=float(st.lodgment[0]),
                         islands_held=bool(st.islands_held[0]),
                         costs={a: float(st.costs[0, i]) for i, a in enumerate(w.ids)},
                         damage={a: float(st.damage[0, i]) for i, a in enumerate(w.ids)},
                         assurance={a: float(st.assurance[0, i]) for i, a in enumerate(w.ids)
                                    if w.patron_of[i] >= 0},
                         beliefs={a: {b: float(st.belief_mean()[0, i, j])
                                      for j, b in enumerate(w.ids) if j != i}
                                  for i, a in enumerate(w.ids)})
            if st.done[0]:
                self.log.add(t, "end", "game over", **outcome_record(w, st))

    def _supporting(self, obs: Observation, dec: Decision, act: NDArray[np.int64],
                    msel: NDArray[np.bool_]
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64], list[tuple[str, str]]]:
        """The supporting actions of ``dec`` that stand, (R, cap - 1) each, -1 for none,
        and (why, action) of each one dropped in run 0.

        A supporting action stands if it is one of :data:`SUPPORTING`, legal now,
        not the main effort nor a repeat, and the move is not a forced MSEL move
        (the inject dictates the whole move); the others are dropped, and in a
        narrated game the white cell says why.
        """
        w = self.world
        R = obs.runs
        n = w.scenario.parameters.action_cap - 1
        out = np.full((R, n), -1, dtype=np.int64)
        out_t = np.full((R, n), -1, dtype=np.int64)
        sa = np.asarray(dec.support, dtype=np.int64).reshape(R, -1)
        stt = (np.asarray(dec.support_target, dtype=np.int64).reshape(R, -1)
               if dec.support_target is not None else np.full_like(sa, -1))
        rows = np.arange(R)
        k_out = np.zeros(R, dtype=np.int64)
        notes: list[tuple[str, str]] = []
        for k in range(sa.shape[1]):
            a = sa[:, k]
            given = a >= 0
            if not given.any():
                continue
            a0 = np.where(given, a, 0)
            ok = given & _SUPPORTING[a0] & obs.legal[rows, a0] & (a0 != act) & ~msel
            for j in range(k):
                ok &= a0 != sa[:, j]
            ok &= k_out < n
            if self.log.enabled and bool(given[0] & ~ok[0]):
                name = CATALOGUE[int(a0[0])].id
                why = ("more actions than the scenario's action cap" if k_out[0] >= n else
                       "the MSEL dictates the whole move" if msel[0] else
                       f"{name} is not a supporting action (only non-violent signals that "
                       "no model rules may support a move)" if not _SUPPORTING[a0[0]] else
                       f"{name} is not legal now" if not obs.legal[0, a0[0]] else
                       "a repeat of another action of the move")
                notes.append((why, CATALOGUE[int(a0[0])].id))
            tg = stt[:, k]
            tg = np.where(CATALOGUE_NEEDS_TARGET[a0] & (tg < 0), w.adversary[obs.actor], tg)
            slot = np.clip(k_out, 0, n - 1)
            out[rows[ok], slot[ok]] = a0[ok]
            out_t[rows[ok], slot[ok]] = tg[ok]
            k_out += ok
        return out, out_t, notes

    def play(self, on_turn: Callable[[Game], None] | None = None) -> None:
        """Play turns until every run has ended (the turn limit guarantees it).

        In a batch, once fewer than half of the runs are still going, the
        finished runs are set aside and the engine carries on with the live
        ones only (most runs of a crisis end long before the turn limit). The
        dice are keyed by global run index, so this changes no result; the full
        state is put back together, in the original order, at the end.
        """
        parts: list[tuple[NDArray[np.int64], State]] = []
        order = np.arange(self.state.runs)
        while not self.finished:
            self.step()
            if on_turn is not None:
                on_turn(self)
            st = self.state
            live = ~st.done
            n_live = int(live.sum())
            if 0 < n_live <= st.runs * COMPACT_SHARE and st.runs >= COMPACT_MIN_RUNS:
                parts.append((order[~live], st.take(~live)))
                order = order[live]
                self._compact(live)
        if parts:
            parts.append((order, self.state))
            full = State.concat([p for _, p in parts])
            where = np.concatenate([o for o, _ in parts])
            self.state = full.take(np.argsort(where, kind="stable"))
            self.dice = self._full_dice

    def _compact(self, keep: NDArray[np.bool_]) -> None:
        """Continue with the runs in ``keep`` only (state, dice, player memory)."""
        self.state = self.state.take(keep)
        self.dice = self.dice.subset(keep)
        for p in self.policies.values():
            compact = getattr(p, "compact", None)
            if compact is not None:
                compact(keep)

    # ------------------------------------------------------------------ results
    @property
    def events(self) -> list[Event]:
        return self.log.events

    def outcome(self, run: int = 0) -> dict[str, object]:
        return outcome_record(self.world, self.state, run)

    def columns(self) -> dict[str, np.ndarray]:
        return outcome_columns(self.world, self.state)


class _Fogged:
    """The forces as actor ``i`` sees them: others' within +-fog (one draw per pair)."""

    def __init__(self, forces: NDArray[np.float64], dice: Dice, turn: int, i: int,
                 fog: float) -> None:
        self.forces, self.dice, self.turn, self.i, self.fog = forces, dice, turn, i, fog
        self._factor: NDArray[np.float64] | None = None
        self._kinds: dict[int, NDArray[np.float64]] = {}

    def factor(self) -> NDArray[np.float64]:
        """(R, A) multiplier of each actor's forces (1 for its own)."""
        if self._factor is None:
            n_actors = self.forces.shape[1]
            factor = np.ones((self.forces.shape[0], n_actors))
            for j in range(n_actors):
                if j != self.i:
                    u = self.dice.draw(self.turn, adj.R_FOG, (self.i * 8 + j) % 64)
                    factor[:, j] = 1.0 + self.fog * (2.0 * u - 1.0)
            self._factor = factor
        return self._factor

    def all(self) -> NDArray[np.float64]:
        return self.forces * self.factor()[:, :, None]

    def kind(self, k: int) -> NDArray[np.float64]:
        got = self._kinds.get(k)
        if got is None:
            got = self._kinds[k] = self.forces[:, :, k] * self.factor()
        return got


def _mean_belief(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    return a / (a + b)


def _any_column(x: NDArray[np.bool_], cols: NDArray[np.int64], runs: int) -> NDArray[np.bool_]:
    """``x[:, cols].any(axis=1)`` for a few columns, without the (R, A) temporaries."""
    out = np.zeros(runs, dtype=bool)
    for j in cols:
        out |= x[:, j]
    return out


def _event_extra(dec: Decision) -> dict[str, Any]:
    """What a player adds to its move event (a language-model cell's statement)."""
    extra = dec.extra.get("event") if dec.extra else None
    return dict(extra) if isinstance(extra, dict) else {}


CATALOGUE_NEEDS_TARGET = np.array([a.needs_target for a in CATALOGUE])
_SUPPORTING = np.array([a.id in SUPPORTING for a in CATALOGUE])
_RUNG = np.array([a.kahn_rung for a in CATALOGUE], dtype=np.int16)
_VIOLENT = np.array([a.violent for a in CATALOGUE])

#: Batches smaller than this are never compacted (not worth the copying).
COMPACT_MIN_RUNS = 256
#: Set finished runs aside once the live share of the batch falls to this
#: (measured on Taiwan base, 20,000 runs: 0.9 plays 81-83k run-turns/s, 0.5
#: 64-69k; its wars end over several turns, and copying the live runs costs
#: less than playing the finished ones on).
COMPACT_SHARE = 0.9
