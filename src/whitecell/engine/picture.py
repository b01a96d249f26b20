"""A cell's picture of the turn as plain data, and the sensible targets of a move.

Shared by every front end and player that reads the situation as text or
JSON rather than as arrays: the terminal prompt, the web form, the REST API
and the language-model players. One function, so a human cell and a
language-model cell are shown the same facts through the same fog.
"""

from __future__ import annotations

from typing import Any

from whitecell.engine.observation import Observation
from whitecell.scenario.actions import CATALOGUE, FORCE_KINDS, ActionSpec
from whitecell.world.compile import World

#: Moves made with or for a partner: their target is an ally, never an adversary.
COOPERATIVE: frozenset[str] = frozenset(
    {"security_cooperation", "supply_weapons", "reaffirm_commitment"})


def target_options(w: World, me: int, spec: ActionSpec) -> list[str]:
    """The actors that make sense as the target of ``spec`` played by actor ``me``.

    Cooperative moves (``COOPERATIVE``) go to partners: actors on the same side
    that are not adversaries, or else to third parties that are not its
    adversaries; never to an adversary (supplying weapons to the other side is
    no sensible move), so with neither the move has no target and is not
    offered (:func:`picture_of`). Every other move needing a target (threats,
    strikes, talks) goes to adversaries, falling back to every other actor when
    the scenario names none. Moves without a target get [].
    """
    if not spec.needs_target:
        return []
    others = [j for j in range(w.n_actors) if j != me]
    if spec.id in COOPERATIVE:
        friendly = [j for j in others if not w.adversaries[me, j] and not w.adversaries[j, me]]
        picked = [j for j in friendly if w.side[j] == w.side[me]] or friendly
        return [w.ids[j] for j in picked]
    picked = [j for j in others if w.adversaries[me, j]]
    return [w.ids[j] for j in (picked or others)]


def offered(w: World, me: int, spec: ActionSpec) -> bool:
    """Whether a legal move is offered to a cell: it needs no target or has a sensible one."""
    return not spec.needs_target or bool(target_options(w, me, spec))


def default_target(w: World, me: int, spec: ActionSpec) -> str | None:
    """The target used when a cell names none: its main adversary if sensible."""
    options = target_options(w, me, spec)
    if not options:
        return None
    adv = int(w.adversary[me])
    return w.ids[adv] if adv >= 0 and w.ids[adv] in options else options[0]


def picture_of(obs: Observation, run: int = 0) -> dict[str, Any]:
    """A cell's picture of run ``run`` as plain data: its own state exact, others through the fog.

    Others' forces are shown as the fogged estimate with the range the truth
    lies in (the fog multiplies each true figure by a factor within ±noise).
    Others' private resolve is never shown, only this cell's belief about it.
    """
    w, me, r = obs.world, obs.actor, run
    noise = float(w.scenario.fog.force_noise)
    kinds = [k for k in FORCE_KINDS if (w.forces0[:, FORCE_KINDS.index(k)] > 0).any()]
    actors = []
    for j, a in enumerate(w.ids):
        row: dict[str, Any] = {
            "actor": a, "name": w.scenario.actor(a).name, "own": j == me,
            "rung": int(obs.rungs[r, j]),
            "last_action": CATALOGUE[int(obs.last_action[r, j])].id if obs.turn > 1 else None,
            "costs": round(float(obs.costs[r, j]), 4), "damage": round(float(obs.damage[r, j]), 4),
        }
        forces: dict[str, dict[str, float | None]] = {}
        for k in kinds:
            v = float(obs.seen_forces[r, j, FORCE_KINDS.index(k)])
            if j == me or noise <= 0:
                forces[k] = {"value": round(v, 2)}
            else:
                forces[k] = {"estimate": round(v, 2), "low": round(v / (1 + noise), 2),
                             "high": round(v / (1 - noise), 2) if noise < 1 else None}
        row["forces"] = forces
        if j == me:
            row["resolve"] = round(float(obs.resolve[r]), 4)
            row["tolerance"] = round(float(obs.tolerance[r]), 4)
        else:
            row["belief_in_resolve"] = round(float(obs.belief[r, j]), 4)
        actors.append(row)
    legal = []
    for j in range(len(CATALOGUE)):
        if obs.legal[r, j]:
            spec = CATALOGUE[j]
            if not offered(w, me, spec):
                continue  # no sensible target (a cooperative move with no partner)
            targets = target_options(w, me, spec)
            legal.append({"id": spec.id, "name": spec.name, "number": j + 1,
                          "rung": int(spec.kahn_rung), "category": spec.rivera,
                          "instrument": spec.instrument, "description": spec.description,
                          "targets": targets})
    return {
        "actor": w.ids[me], "turn": int(obs.turn), "actors": actors, "force_kinds": kinds,
        "fog": noise, "tension": round(float(obs.tension[r]), 4),
        "cumrisk": round(float(obs.cumrisk[r]), 4), "blockade": round(float(obs.blockade[r]), 4),
        "lodgment": round(float(obs.lodgment[r]), 4), "islands_held": bool(obs.islands_held[r]),
        "war": bool(obs.war[r]), "proposal": bool(obs.proposal[r]),
        "injects": list(obs.injects), "legal": legal,
        "adversary": w.ids[int(w.adversary[me])] if int(w.adversary[me]) >= 0 else None,
    }
