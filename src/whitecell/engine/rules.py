"""Legality, injects, settlement and end conditions of a turn.

These are the white cell's standing rules: which moves are legal now, which
MSEL injects fire, when a deal or a capitulation ends the crisis, and when the
challenger's objective counts as achieved.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.adjudication import Turn, control, end_runs, true_prospect
from whitecell.engine.events import EventLog
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.scenario.model import Condition
from whitecell.world.compile import K, World
from whitecell.world.state import State

B = NDArray[np.bool_]

#: state requirements and force kinds an action may need (requirement x action),
#: built once. Runs share few patterns of unmet requirements, so legality is
#: worked out once per pattern and gathered (no BLAS product: BLAS threads in
#: every sweep worker would fight over the cores)
_REQS: tuple[str, ...] = ("at_war", "not_at_war", "proposal_pending", "blockade_in_force",
                          "islands_held", "lodgment", "islands_not_held", "enemy_fleet",
                          "enemy_air")
_FORCES: tuple[str, ...] = tuple(sorted({k for a in CATALOGUE for k in a.requires_forces}))
_NEEDS = np.array([[r in a.requires for a in CATALOGUE] for r in _REQS]
                  + [[k in a.requires_forces for a in CATALOGUE] for k in _FORCES])
_FORCE_IDX = np.array([K[k] for k in _FORCES])
_N_BITS = len(_REQS) + len(_FORCES)
_BIT = np.int64(1) << np.arange(_N_BITS, dtype=np.int64)
_N_WORDS = (_N_BITS + 7) // 8
#: multiplier that gathers the low bits of a word's eight bytes into its top byte
_GATHER = np.uint64(sum(1 << (7 * j) for j in range(1, 9)))
#: few enough requirements to find the distinct patterns by a table (else np.unique)
_BY_TABLE = _N_BITS <= 20


def legal_actions(world: World, st: State, i: int, proposal: B | None = None) -> B:
    """(R, n_actions) mask of the actions actor ``i`` may take this turn.

    ``proposal`` (optional) is the (R,) mask of runs in which an adversary of
    ``i`` proposed talks, when the caller has it already.
    """
    R = st.runs
    f = st.forces[:, i]
    adv = np.flatnonzero(world.adversaries[i])
    if proposal is None:
        proposal = np.zeros(R, dtype=bool)
        for j in adv:
            proposal |= st.proposal[:, j]
    fleet = np.zeros(R, dtype=bool)
    air = np.zeros(R, dtype=bool)
    for j in adv:
        fleet |= st.forces[:, j, K["naval"]] >= 1.0
        air |= st.forces[:, j, K["air"]] >= 1.0
    # one byte per requirement, eight to a word (padding columns stay False)
    unmet = np.zeros((R, 8 * _N_WORDS), dtype=bool)
    np.logical_not(st.war, out=unmet[:, 0])
    unmet[:, 1] = st.war
    np.logical_not(proposal, out=unmet[:, 2])
    np.less_equal(st.blockade, 0.05, out=unmet[:, 3])
    np.logical_not(st.islands_held, out=unmet[:, 4])
    np.less_equal(st.landed, 0, out=unmet[:, 5])
    unmet[:, 6] = st.islands_held
    np.logical_not(fleet, out=unmet[:, 7])
    np.logical_not(air, out=unmet[:, 8])
    c0 = len(_REQS)
    np.less(f[:, _FORCE_IDX], 1.0, out=unmet[:, c0:c0 + len(_FORCE_IDX)])
    # the pattern of unmet requirements of each run as one integer (bit b =
    # column b): a word's eight 0/1 bytes gather into its top byte when
    # multiplied by _GATHER (the partial products never overlap, so nothing carries)
    words = unmet.view(np.dtype("<u8"))
    code = np.zeros(R, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for wd in range(_N_WORDS):
            code |= ((words[:, wd] * _GATHER) >> np.uint64(56)) << np.uint64(8 * wd)
    code = code.astype(np.int64)
    if _BY_TABLE:  # distinct patterns, ascending, and each run's: np.unique by a table
        seen = np.zeros(1 << _N_BITS, dtype=bool)
        seen[code] = True
        patterns = np.flatnonzero(seen)
        lut = np.empty(1 << _N_BITS, dtype=np.int64)
        lut[patterns] = np.arange(len(patterns))
        where = lut[code]
    else:
        patterns, where = np.unique(code, return_inverse=True)
    pbits = (patterns[:, None] & _BIT[None, :]) != 0  # (patterns, requirements)
    ok = ~(pbits[:, :, None] & _NEEDS[None, :, :]).any(axis=1)  # (patterns, actions)
    ok &= world.static_legal[i][None, :]
    legal = ok.take(where.reshape(-1), axis=0)
    out = st.conceded[:, i]
    if out.any():
        legal[out] = False
        legal[out, ACTION_INDEX["wait"]] = True
    return legal


def _var(world: World, st: State, c: Condition) -> NDArray[np.float64]:
    R = st.runs
    if c.var == "turn":
        return np.full(R, float(st.turn))
    if c.var in ("rung", "alert", "costs", "attacked", "homeland_struck", "damage"):
        i = world.actor_index(c.actor or "")
        if c.var == "attacked":  # an armed attack on it, this turn or earlier
            return np.asarray(st.attacked_turn[:, i] > 0, dtype=float)
        arr: Any = getattr(st, c.var)
        return np.asarray(arr[:, i], dtype=float)
    return np.asarray(getattr(st, c.var), dtype=float)


_OPS: dict[str, Any] = {
    "ge": np.greater_equal, "gt": np.greater, "le": np.less_equal, "lt": np.less,
    "eq": np.isclose,
}


def condition_holds(world: World, st: State, conds: list[Condition]) -> B:
    """(R,) True where every condition holds."""
    ok = np.ones(st.runs, dtype=bool)
    for c in conds:
        ok &= _OPS[c.op](_var(world, st, c), c.value)
    return ok


def release_injects(world: World, st: State, active: B, log: EventLog
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64], dict[int, list[str]]]:
    """Fire the MSEL injects due this turn; return forced moves and deliveries.

    Returns ``(forced_action, forced_target, delivered)``: forced moves are -1
    where the MSEL does not dictate a move; ``delivered`` maps actor index to
    the inject ids it received in run 0 (for its observation and narrative).
    """
    R, A = st.runs, world.n_actors
    forced = np.full((R, A), -1, dtype=np.int64)
    ftarget = np.full((R, A), -1, dtype=np.int64)
    delivered: dict[int, list[str]] = {i: [] for i in range(A)}
    for k, inj in enumerate(world.scenario.injects):
        if inj.turn is not None:
            due = np.full(R, inj.turn == st.turn)
        else:
            due = condition_holds(world, st, inj.when or [])
        fire = due & active & ~st.fired[:, k]
        if not fire.any():
            continue
        st.fired[:, k] |= fire
        eff = inj.effects
        if eff.tension is not None:
            st.tension = np.where(fire, np.clip(st.tension + eff.tension, 0, 1), st.tension)
        for who, d in eff.alert.items():
            i = world.actor_index(who)
            st.alert[:, i] = np.where(fire, np.clip(st.alert[:, i] + d, 0, 1), st.alert[:, i])
        for who, kinds in eff.forces.items():
            i = world.actor_index(who)
            for kind, d in kinds.items():
                st.forces[:, i, K[kind]] = np.where(
                    fire, np.maximum(0.0, st.forces[:, i, K[kind]] + d), st.forces[:, i, K[kind]])
        for who, act in inj.moves.items():
            i = world.actor_index(who)
            forced[:, i] = np.where(fire, ACTION_INDEX[act], forced[:, i])
            tgt = inj.targets.get(who)
            t = world.actor_index(tgt) if tgt else int(world.adversary[i])
            ftarget[:, i] = np.where(fire, t, ftarget[:, i])
        recipients = world.ids if inj.to == "all" else tuple(inj.to)
        if fire[0]:
            for who in recipients:
                delivered[world.actor_index(who)].append(inj.id)
            log.add(st.turn, "inject", f"{inj.title}: {inj.text.strip()}", inject=inj.id,
                    to=list(recipients), moves=dict(inj.moves), source=inj.source)
    return forced, ftarget, delivered


def settle_and_concede(tn: Turn) -> None:
    """Deals and capitulations chosen this turn.

    A settlement (or, at war, a ceasefire) needs one side to have proposed
    talks last turn and an adversary to accept now: Fearon (1995) shows a deal
    inside [p - c_A, p + c_B] always exists, so the white cell enforces the deal
    when both say yes. Conceding ends the crisis when the challenger or the
    protege concedes; another actor that concedes leaves the crisis.
    """
    w, st = tn.world, tn.state
    acc = tn.chose("accept_settlement") | tn.chose("ceasefire")
    deal = np.zeros(st.runs, dtype=bool)
    if acc.any():
        # only the two sides can make the deal: an acceptor on one side needs a
        # proposal made last turn by an adversary on the other side; a neutral
        # third party's proposal or acceptance settles nothing
        opposite = np.zeros((w.n_actors, w.n_actors), dtype=np.uint8)
        for i in range(w.n_actors):
            for j in range(w.n_actors):
                opposite[i, j] = (w.side[i] != 2 and w.side[j] != 2 and w.side[i] != w.side[j]
                                  and bool(w.adversaries[i, j] or w.adversaries[j, i]))
        # offered[r, i]: some j opposite i proposed in run r (a product of 0/1 tables)
        offered = (tn.pending.astype(np.uint8) @ opposite.T) > 0  # (R, A)
        acc &= offered
        deal = np.asarray(acc.any(axis=1), dtype=bool)
    if deal.any():
        ends = w.scenario.end_conditions
        # terms: a ceasefire freezes current control; a deal before war splits
        # the stakes at the challenger's real prospect (inside Fearon's range),
        # worked out for the runs that strike one
        terms = control(w, st)
        peace = np.flatnonzero(deal & ~st.war)
        if peace.size:
            terms[peace] = true_prospect(w, st, peace)
        if ends.ceasefire:
            st.settlement_share = np.where(deal & st.war & ~st.done, terms, st.settlement_share)
            end_runs(st, deal & st.war, "ceasefire", tn.t)
        if ends.settlement:
            st.settlement_share = np.where(deal & ~st.war & ~st.done, terms,
                                           st.settlement_share)
            end_runs(st, deal & ~st.war, "settlement", tn.t)
        # a deal that does not end the run still takes the heat out of it
        st.tension = np.where(deal & ~st.done, np.clip(st.tension - 0.2, 0, 1), st.tension)
        if tn.narrate(deal):
            who = [tn.name(i) for i in range(w.n_actors) if acc[0, i]]
            tn.log.add(tn.t, "ruling", f"{' and '.join(who)} accept the offer on the table: "
                       f"{'ceasefire' if st.war[0] else 'negotiated settlement'}",
                       model="bargaining (Fearon 1995): a deal inside the range beats war",
                       probability=1.0, draw=None, result={"deal": True})
    conc = tn.chose("concede")
    _capitulate(tn, conc, "chose to concede")


def _capitulate(tn: Turn, mask: NDArray[np.bool_], why: str,
                limit: NDArray[np.float64] | None = None,
                prospect: NDArray[np.float64] | None = None) -> None:
    w, st = tn.world, tn.state
    if limit is None:
        limit = st.tolerance * w.stakes[None, :]
    c, prot = w.challenger, w.protege
    for i in range(w.n_actors):
        m = mask[:, i] & ~st.done & ~st.conceded[:, i]
        if not m.any():
            continue
        st.conceded[:, i] |= m
        st.belligerent[:, i] &= ~m
        ends = w.scenario.end_conditions.capitulation
        decisive = i == c or i == prot or (
            w.scenario.objective.fact == "coercion" and w.role[i] == "patron")
        if decisive:
            st.capitulated_by = np.where(m & (st.capitulated_by < 0) & ~st.done, i,
                                         st.capitulated_by).astype(np.int16)
            st.settlement_share = np.where(m & ~st.done, 0.0 if i == c else 1.0,
                                           st.settlement_share)
        if i != c and decisive:
            st.success |= m
        if decisive and ends:
            end_runs(st, m, "capitulation", tn.t)
        if tn.narrate(m):
            text = why
            inputs = {"damage": float(st.damage[0, i]),
                      "own_posture_costs": float(st.posture_costs[0, i]),
                      "breaking_point": float(limit[0, i])}
            if prospect is not None:
                text = (f"{why}: {st.damage[0, i]:.2f} against {limit[0, i]:.2f}, and its "
                        f"prospect of winning is {prospect[0, i]:.2f}")
                inputs["prospect"] = float(prospect[0, i])
            tn.log.add(tn.t, "ruling", f"{tn.name(i)} gives up the stakes ({text})",
                       actor=tn.name(i), model="capitulation rule (damage vs breaking point "
                                               "while not winning; Fearon 1995 war payoff)",
                       inputs=inputs,
                       probability=1.0, draw=None, result={"conceded": True})


def end_of_turn(tn: Turn) -> None:
    """Costs-driven capitulation, the challenger's objective, and the time limit."""
    w, st = tn.world, tn.state
    live = tn.active & ~st.done
    # only damage suffered (losses, leakers, blockade) is a reason to give up;
    # the cost of its own posture is not (Fearon 1995: the war payoff); an actor
    # struck by nuclear weapons this turn answers first (its response decision)
    # a challenger that still holds ground it took (troops ashore, islands
    # held) fights on further before it gives up (Goemans 2000)
    limit = st.tolerance * w.stakes[None, :]
    holding = (st.landed > 0) | st.islands_held
    hold_r = w.scenario.parameters.termination.holding_resolve
    limit[:, w.challenger] *= np.where(holding, 1.0 + hold_r, 1.0)
    # sunk damage is a reason to give up only for a side that is not winning:
    # the war payoff looks forward (Fearon 1995; Slantchev 2003), so a side
    # whose prospect is still at least `break_prospect` fights on
    over = (st.damage > limit) & live[:, None]
    over &= (w.side != 2)[None, :]
    over &= st.nuclear_attacked_turn != tn.t
    own_p = np.ones_like(limit)
    if over.any():  # the prospect is worked out only where someone is past its limit
        at = np.flatnonzero(over.any(axis=1))
        p_c = np.zeros(st.runs)
        p_c[at] = true_prospect(w, st, at)
        own_p = np.where((w.side == 0)[None, :], p_c[:, None], 1.0 - p_c[:, None])
        over &= own_p < w.scenario.parameters.termination.break_prospect
    _capitulate(tn, over, "the damage it has suffered exceeds what its resolve allows", limit,
                own_p)
    obj = w.scenario.objective
    if obj.fact == "lodgment":
        val = st.lodgment
    elif obj.fact == "blockade":
        val = st.blockade
    elif obj.fact == "islands_held":
        val = st.islands_held.astype(float)
    else:
        val = np.zeros(st.runs)
    live = tn.active & ~st.done
    holds = (val >= obj.threshold) & live if obj.fact != "coercion" else np.zeros_like(live)
    st.objective_turns = np.where(holds, st.objective_turns + 1, 0).astype(np.int16)
    won = st.objective_turns >= obj.hold_turns
    if won.any():
        st.success |= won
        # the objective taken and held: the challenger has the whole of the stakes
        st.settlement_share = np.where(won & ~st.done & np.isnan(st.settlement_share), 1.0,
                                       st.settlement_share)
        if w.scenario.end_conditions.objective:
            end_runs(st, won, "objective", tn.t)
        if tn.narrate(won & (st.objective_turns == obj.hold_turns)):
            tn.log.add(tn.t, "ruling", f"objective achieved: {obj.description} "
                       f"(held {obj.hold_turns} turn(s))", actor=obj.actor,
                       model="objective rule", probability=1.0, draw=None,
                       result={"fact": obj.fact, "value": float(val[0])})
    end_runs(st, np.full(st.runs, st.turn >= w.scenario.max_turns) & ~st.done,
             "time_limit", tn.t)
