"""Cross-reference checks a schema cannot express.

Each problem comes back as ``(path, message)`` with ``path`` a tuple of keys
and list indices into the scenario data, so the loader can point at the exact
line and column of the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whitecell.scenario.actions import ACTION_INDEX, action
from whitecell.scenario.model import Scenario
from whitecell.scenario.overrides import OverrideError, parse_set
from whitecell.scenario.overrides import resolve_path as data_path

Path = tuple[str | int, ...]


def _dupes(ids: Iterable[str]) -> list[tuple[int, str]]:
    seen: set[str] = set()
    out = []
    for i, x in enumerate(ids):
        if x in seen:
            out.append((i, x))
        seen.add(x)
    return out


def cross_reference_problems(sc: Scenario, *, assumptions: bool = True
                             ) -> list[tuple[Path, str]]:
    """Return every dangling reference, duplicate id and inconsistent role.

    With ``assumptions`` (the default, for a scenario as written) the
    ``assumptions`` list is checked too (see :func:`assumption_problems`); a
    variant made by an excursion or ``--set`` may move a value outside its
    plausible range on purpose, so the loader checks variants without it.
    """
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
    if assumptions:
        probs.extend(assumption_problems(sc))
    return probs


def resolve_path(data: Any, path: str) -> Any:
    """The value at a ``--set`` style dotted ``path`` of plain scenario data.

    Segments are mapping keys, list indices or element ids, as for ``--set``.

    Raises:
        KeyError: a segment names nothing (the message says which).
    """
    node = data
    for seg in path.split("."):
        if isinstance(node, dict):
            if seg not in node:
                raise KeyError(f"no field {seg!r} (known: {', '.join(map(str, node)) or 'none'})")
            node = node[seg]
        elif isinstance(node, list):
            if seg.isdigit() and int(seg) < len(node):
                node = node[int(seg)]
                continue
            match = [x for x in node if isinstance(x, dict) and str(x.get("id")) == seg]
            if not match:
                raise KeyError(f"no element {seg!r} in a list")
            node = match[0]
        else:
            raise KeyError(f"cannot go into {seg!r}: a {type(node).__name__} is not a "
                           "mapping or list")
    return node


def assumption_problems(sc: Scenario) -> list[tuple[Path, str]]:
    """Every ``assumptions`` entry must name a numeric field whose value lies in its range.

    The path is tried with the ``--set`` machinery itself, so an assumption an
    analyst cannot vary is an error here rather than in a sweep.
    """
    probs: list[tuple[Path, str]] = []
    if not sc.assumptions:
        return probs
    data = sc.model_dump(mode="json")
    seen: set[str] = set()
    for i, a in enumerate(sc.assumptions):
        where: Path = ("assumptions", i, "path")
        if a.path in seen:
            probs.append((where, f"duplicate assumption path {a.path!r}"))
        seen.add(a.path)
        try:
            segments, _ = parse_set(f"{a.path}=0")
            # where --set would write (OverrideError if it cannot), found without
            # setting it: apply_set on a copy of the whole scenario for each assumption
            # made big files slow to validate
            value: Any = data
            for key in data_path(data, segments):
                value = value[key]
        except (OverrideError, KeyError) as exc:
            msg = exc.args[0] if exc.args else str(exc)
            probs.append((where, f"path {a.path!r} cannot be set: {msg}"))
            continue
        if isinstance(value, dict) and isinstance(value.get("value"), int | float):
            probs.append((where, f"path {a.path!r} names a mapping; did you mean "
                                 f"{a.path}.value?"))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            probs.append((where, f"path {a.path!r} is not a number ({value!r})"))
            continue
        lo, hi = a.range
        if not lo <= value <= hi:
            probs.append((("assumptions", i, "range"),
                          f"the base value of {a.path} ({value}) lies outside its range "
                          f"[{lo}, {hi}]"))
    return probs
