"""What each role may see: the one place information is partitioned.

Every front end (terminal, web pages, REST API, event stream, exports,
reports) reads an exercise through these functions, so isolation holds
everywhere or nowhere:

* the **white cell** sees everything, including pending moves and rationales;
* a **cell** sees its own state exactly and the others through its fog; its
  own moves with their rationale; of other cells only their public moves
  (action, target, rung), never their pending move, rationale or an AI cell's
  private reasoning (the "why" of a doctrine move); injects addressed to it;
  the rulings without the inputs that would reveal another actor's private
  values; its own beliefs, not others';
* an **observer** sees the public record: published moves without reasons,
  rulings without private inputs, injects sent to every cell, no beliefs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from whitecell.exercise.tokens import CELL, Role

#: Rulings whose text and inputs are an actor's private values (expectations,
#: cost tolerance, resolve): others see their result only.
PRIVATE_MODELS = ("bargaining while fighting", "capitulation rule", "risk (Schelling 1960): threat",
                  "audience costs")
#: Public fields of an end-of-turn event.
PUBLIC_TURN = ("rungs", "scores", "tension", "risk", "cumrisk", "war", "blockade", "lodgment",
               "islands_held", "costs", "damage", "assurance")


def _result_words(result: Any) -> str:
    if not isinstance(result, Mapping):
        return ""
    parts = []
    for k, v in result.items():
        if v is None:  # not applicable this turn (e.g. no terms agreed): say nothing
            continue
        if isinstance(v, bool):
            v = "yes" if v else "no"
        elif isinstance(v, float):
            v = f"{v:.3g}"
        parts.append(f"{k.replace('_', ' ')}: {v}")
    return "; ".join(parts)


def redact_event(e: Mapping[str, Any], role: Role, actors: Iterable[str] = ()) -> dict[str, Any] | None:
    """Event ``e`` as ``role`` may see it, or None when it may not see it at all."""
    if role.is_white:
        return dict(e)
    me = role.actor if role.kind == CELL else None
    kind = e.get("kind")
    data = dict(e.get("data") or {})
    out: dict[str, Any] = {"turn": e.get("turn"), "kind": kind, "text": e.get("text"), "actor": e.get("actor")}
    if kind == "start":
        out["data"] = {"actors": data.get("actors", list(actors))}
    elif kind == "inject":
        to = data.get("to") or []
        everyone = sorted(to) == sorted(actors) if actors else False
        if me is not None and me not in to:
            return None
        if me is None and not everyone:
            return None
        out["data"] = {"inject": data.get("inject"), "to": to, "source": data.get("source")}
    elif kind == "move":
        keep = {k: data.get(k) for k in ("action", "target", "rung", "rivera", "score")}
        if data.get("signal"):  # a language-model cell's public statement
            keep["signal"] = data["signal"]
        if me is not None and e.get("actor") == me:
            keep.update(rationale=data.get("rationale"), reason=data.get("reason"))
        out["data"] = keep
    elif kind in ("ruling", "incident"):
        model = str(data.get("model") or "")
        own = me is not None and e.get("actor") == me
        if any(model.startswith(p) for p in PRIVATE_MODELS) and not own:
            out["text"] = f"{model}: {_result_words(data.get('result'))}"
            out["data"] = {"model": model, "result": data.get("result")}
        else:
            shown = {k: data.get(k) for k in ("model", "probability", "draw", "result")}
            if own:
                shown["inputs"] = data.get("inputs")
            out["data"] = shown
    elif kind == "turn":
        keep = {k: data[k] for k in PUBLIC_TURN if k in data}
        if me is not None:
            beliefs = data.get("beliefs") or {}
            if me in beliefs:
                keep["beliefs"] = {me: beliefs[me]}
        out["data"] = keep
    else:  # end: the outcome of the game is public
        out["data"] = data
    return out


def redact_events(events: Iterable[Mapping[str, Any]], role: Role,
                  actors: Iterable[str]) -> list[dict[str, Any]]:
    """The events ``role`` may see, each redacted (see :func:`redact_event`)."""
    ids = list(actors)
    out = []
    for e in events:
        r = redact_event(e, role, ids)
        if r is not None:
            out.append(r)
    return out


def visible_message(m: Mapping[str, Any], role: Role) -> bool:
    """A message is seen by the white cell, its sender, and recipients once delivered."""
    if role.is_white:
        return True
    if role.kind != CELL:
        return False
    if m["sender"] == role.actor:
        return True
    return m["status"] == "delivered" and role.actor in m["recipients"]


def visible_inject(adhoc: Mapping[str, Any], role: Role) -> bool:
    """An ad-hoc inject is seen by the white cell and its recipients (observers: to all)."""
    if role.is_white:
        return True
    if role.kind == CELL:
        return adhoc["recipients"] == "all" or role.actor in adhoc["recipients"]
    return adhoc["recipients"] == "all"


def visible_note(n: Mapping[str, Any], role: Role) -> bool:
    """Hotwash notes and the improvement plan: the white cell; evaluator notes: observers too."""
    if role.is_white:
        return True
    return role.kind != CELL and n["author"] == "observer"
