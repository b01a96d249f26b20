"""Cross-reference checks a schema cannot express.

Each problem comes back as ``(path, message)`` with ``path`` a tuple of keys
and list indices into the scenario data, so the loader can point at the exact
line and column of the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable

from whitecell.scenario.actions import ACTION_INDEX, action
from whitecell.scenario.model import Scenario

Path = tuple[str | int, ...]


def _dupes(ids: Iterable[str]) -> list[tuple[int, str]]:
    seen: set[str] = set()
    out = []
    for i, x in enumerate(ids):
        if x in seen:
            out.append((i, x))
        seen.add(x)
    return out


def cross_reference_problems(sc: Scenario) -> list[tuple[Path, str]]:
    """Return every dangling reference, duplicate id and inconsistent role."""
    probs: list[tuple[Path, str]] = []
    actors = sc.actor_ids
    known = set(actors)
    known_txt = ", ".join(actors)

    def need_actor(path: Path, ref: str) -> None:
        if ref not in known:
            probs.append((path, f"unknown actor {ref!r} (known: {known_txt})"))

    def need_action(path: Path, ref: str) -> None:
        if ref not in ACTION_INDEX:
            probs.append((path, f"unknown action {ref!r} (see `whitecell actions`)"))

    for kind, items in (
        ("actors", [a.id for a in sc.actors]),
        ("commitments", [c.id for c in sc.commitments]),
        ("injects", [i.id for i in sc.injects]),
        ("excursions", [e.id for e in sc.excursions]),
    ):
        for i, dup in _dupes(items):
            probs.append(((kind, i, "id"), f"duplicate id {dup!r}"))

    challengers = [i for i, a in enumerate(sc.actors) if a.role == "challenger"]
    if len(challengers) != 1:
        probs.append((("actors",), f"exactly one actor must have role 'challenger' "
                                   f"(found {len(challengers)})"))
    for i, a in enumerate(sc.actors):
        if a.role == "challenger" and a.side != "challenger":
            probs.append((("actors", i, "side"), "the challenger must be on side 'challenger'"))
        if a.role in ("protege", "patron") and a.side != "defender":
            probs.append((("actors", i, "side"), f"a {a.role} must be on side 'defender'"))
        for j, adv in enumerate(a.adversaries):
            need_actor(("actors", i, "adversaries", j), adv)
            if adv == a.id:
                probs.append((("actors", i, "adversaries", j), "an actor cannot be its own "
                                                              "adversary"))
        for j, act in enumerate(a.doctrine.ladder):
            need_action(("actors", i, "doctrine", "ladder", j), act)
        for j, ally in enumerate(a.doctrine.intervene_for):
            need_actor(("actors", i, "doctrine", "intervene_for", j), ally)
        if a.script is not None:
            for j, move in enumerate(a.script):
                act, _, tgt = move.partition("@")
                need_action(("actors", i, "script", j), act)
                if tgt:
                    need_actor(("actors", i, "script", j), tgt)
        if a.policy == "scripted" and not a.script:
            probs.append((("actors", i, "policy"), "policy 'scripted' needs a 'script'"))
        if a.side != "neutral" and not a.adversaries:
            probs.append((("actors", i, "adversaries"),
                          "an actor on a side needs at least one adversary"))
        for j, act in enumerate(a.doctrine.ladder):
            if act in ACTION_INDEX and action(act).nuclear and not a.nuclear_armed:
                probs.append((("actors", i, "doctrine", "ladder", j),
                              f"nuclear action {act!r} for an actor without "
                              f"forces.nuclear_warheads"))

    for i, c in enumerate(sc.commitments):
        need_actor(("commitments", i, "patron"), c.patron)
        need_actor(("commitments", i, "protege"), c.protege)
    need_actor(("objective", "actor"), sc.objective.actor)
    if sc.objective.actor in known and sc.actor(sc.objective.actor).role != "challenger":
        probs.append((("objective", "actor"), "the objective belongs to the challenger"))

    for i, inj in enumerate(sc.injects):
        if isinstance(inj.to, list):
            for j, ref in enumerate(inj.to):
                need_actor(("injects", i, "to", j), ref)
        for who, act in inj.moves.items():
            need_actor(("injects", i, "moves", who), who)
            need_action(("injects", i, "moves", who), act)
        for who, tgt in inj.targets.items():
            need_actor(("injects", i, "targets", who), who)
            need_actor(("injects", i, "targets", who), tgt)
        for who in inj.effects.alert:
            need_actor(("injects", i, "effects", "alert", who), who)
        for who in inj.effects.forces:
            need_actor(("injects", i, "effects", "forces", who), who)
        if inj.when:
            for j, cond in enumerate(inj.when):
                if cond.actor is not None:
                    need_actor(("injects", i, "when", j, "actor"), cond.actor)
        if inj.turn is not None and inj.turn > sc.max_turns:
            probs.append((("injects", i, "turn"),
                          f"turn {inj.turn} is after max_turns ({sc.max_turns})"))
    return probs
