"""Typed events: what happened in a run, in the order it happened.

The event log is the source of truth for a run: the narrative, the report and
the replay check all read it. A ruling event carries the model that decided it,
its inputs, the probability, the draw and the result, plus a sentence a
facilitator can read aloud.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EventKind = Literal["start", "inject", "move", "ruling", "incident", "turn", "end"]


@dataclass(frozen=True)
class Event:
    """One entry of a run's event log."""

    turn: int
    kind: EventKind
    text: str
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(turn=int(d["turn"]), kind=d["kind"], text=d["text"], actor=d.get("actor"),
                   data=dict(d.get("data") or {}))


def _round(x: Any) -> Any:
    """Canonical JSON: floats rounded to 10 significant digits, tuples as lists."""
    if isinstance(x, float):
        return float(f"{x:.10g}")
    if isinstance(x, dict):
        return {str(k): _round(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, list | tuple):
        return [_round(v) for v in x]
    return x


def canonical_json(obj: Any) -> str:
    """Stable JSON used for digests: sorted keys, no whitespace, rounded floats."""
    return json.dumps(_round(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class EventLog:
    """Collects events for the runs being narrated (runs=1 games, replays).

    When disabled (sweeps) every call is a no-op, so the batch engine pays
    nothing for transparency it does not need.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.events: list[Event] = []

    def add(self, turn: int, kind: EventKind, text: str, actor: str | None = None,
            **data: Any) -> None:
        if self.enabled:
            self.events.append(Event(turn=turn, kind=kind, text=text, actor=actor,
                                     data=_round(data)))
