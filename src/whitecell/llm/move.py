"""The reply of a language-model cell: its JSON schema and its validation.

A reply is ``{"reasoning", "signal", "signal_intent", "actions"}``:

* ``reasoning``: private text, shown to the white cell only;
* ``signal``: the public statement that goes with the move;
* ``signal_intent``: the Rivera et al. (2024) category the statement claims
  for the move (de-escalation ... nuclear); the report sets it beside the
  category of what the cell did (the say-do gap);
* ``actions``: ``[{"action": ID, "target": ACTOR | null}]``, at most the
  scenario's ``parameters.action_cap`` items (:data:`ACTION_CAP` = 1 unless it
  says otherwise), each a legal action of this turn with one of its sensible
  targets; after the first, only supporting actions.

The schema lists the legal ids and targets as enums, so a server that keeps to
schemas cannot answer off the menu (text lengths are bounded by the reply's
``max_tokens``, not by ``maxLength``: llama.cpp unrolls a ``maxLength`` into a
grammar so deep that its server dies on it); :func:`parse_reply` checks the reply again
whatever the server did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whitecell.scenario.actions import RIVERA_CATEGORIES

#: Actions per move unless the scenario says otherwise (``parameters.action_cap``;
#: docs/decisions/0004-one-move-per-cell-per-turn.md): the schema's ``maxItems``.
ACTION_CAP = 1


class ReplyError(ValueError):
    """A reply that is not a legal move (the message says what was wrong)."""


@dataclass(frozen=True)
class MenuItem:
    """One legal action of this turn and the targets it may take ([] = none)."""

    id: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Move:
    """A validated reply."""

    reasoning: str
    signal: str
    signal_intent: str
    actions: tuple[tuple[str, str | None], ...]


def move_schema(menu: Sequence[MenuItem], cap: int = ACTION_CAP) -> dict[str, Any]:
    """JSON schema of a legal reply: ids and targets as enums, ``cap`` as maxItems.

    Actions are grouped by their target list, one ``anyOf`` branch per group,
    so a target is only ever offered with the actions it fits.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for m in menu:
        groups.setdefault(m.targets, []).append(m.id)
    branches = []
    for targets, ids in groups.items():
        tgt: dict[str, Any] = {"enum": list(targets)} if targets else {"type": "null"}
        branches.append({"type": "object",
                         "properties": {"action": {"enum": ids}, "target": tgt},
                         "required": ["action", "target"], "additionalProperties": False})
    item: dict[str, Any] = branches[0] if len(branches) == 1 else {"anyOf": branches}
    return {
        "type": "object",
        "properties": {
            "reasoning": {"type": "string"},
            "signal": {"type": "string"},
            "signal_intent": {"enum": list(RIVERA_CATEGORIES)},
            "actions": {"type": "array", "items": item, "minItems": 1, "maxItems": cap},
        },
        "required": ["reasoning", "signal", "signal_intent", "actions"],
        "additionalProperties": False,
    }


def parse_reply(text: str, menu: Sequence[MenuItem], cap: int = ACTION_CAP,
                supporting: frozenset[str] = frozenset()) -> Move:
    """Validate a reply against this turn's menu; ReplyError says what is wrong.

    With ``cap`` > 1 the first action is the move's main effort and the others
    must be distinct actions of ``supporting``.
    """
    try:
        data = json.loads(_strip_fence(text))
    except json.JSONDecodeError as e:
        raise ReplyError(f"not JSON ({e.msg} at character {e.pos})") from None
    if not isinstance(data, Mapping):
        raise ReplyError(f"expected a JSON object, got {type(data).__name__}")
    extra = sorted(set(data) - {"reasoning", "signal", "signal_intent", "actions"})
    if extra:
        raise ReplyError(f"unexpected field {extra[0]!r}")
    for k in ("reasoning", "signal"):
        if not isinstance(data.get(k), str):
            raise ReplyError(f"{k}: expected a string")
    intent = data.get("signal_intent")
    if intent not in RIVERA_CATEGORIES:
        raise ReplyError(f"signal_intent {intent!r}: expected one of "
                         f"{', '.join(RIVERA_CATEGORIES)}")
    acts = data.get("actions")
    if not isinstance(acts, list) or not acts:
        raise ReplyError("actions: expected a list of at least one action")
    if len(acts) > cap:
        raise ReplyError(f"actions: {len(acts)} given, at most {cap} allowed")
    by_id = {m.id: m for m in menu}
    out: list[tuple[str, str | None]] = []
    for n, a in enumerate(acts):
        if not isinstance(a, Mapping) or not isinstance(a.get("action"), str):
            raise ReplyError(f"actions[{n}]: expected {{\"action\": ID, \"target\": ACTOR}}")
        m = by_id.get(a["action"])
        if m is None:
            raise ReplyError(f"actions[{n}].action {a['action']!r} is not legal this turn")
        t = a.get("target")
        if m.targets:
            if t not in m.targets:
                raise ReplyError(f"actions[{n}].target {t!r}: {m.id} takes one of "
                                 f"{', '.join(m.targets)}")
        elif t is not None:
            raise ReplyError(f"actions[{n}].target {t!r}: {m.id} takes no target")
        if n > 0 and m.id not in supporting:
            raise ReplyError(f"actions[{n}].action {m.id!r} cannot support the main action: "
                             "only " + ", ".join(sorted(supporting)) + " may")
        if any(m.id == o for o, _ in out):
            raise ReplyError(f"actions[{n}].action {m.id!r} appears twice")
        out.append((m.id, t))
    return Move(reasoning=data["reasoning"], signal=data["signal"], signal_intent=intent,
                actions=tuple(out))


def _strip_fence(text: str) -> str:
    """Accept a reply wrapped in a Markdown code fence (some servers add one)."""
    t = text.strip()
    if t.startswith("```"):
        t = t.split("\n", 1)[1] if "\n" in t else ""
        if t.rstrip().endswith("```"):
            t = t.rstrip()[:-3]
    return t
