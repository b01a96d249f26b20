"""The run record: inputs, decisions, event log, outcome and digests of one game.

A run is reproducible from its record: the scenario (file or bundled id,
excursion, overrides, digest), the seed, the kind of player for each actor and
the decisions of human cells. The run id of an AI-played run is derived from
those inputs, so playing the same game twice yields the same id and the store
keeps one copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from whitecell import __version__
from whitecell.engine.events import Event, canonical_json


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_digest(events: list[Event] | list[dict[str, Any]]) -> str:
    """sha256 of the canonical JSON of an event log."""
    rows = [e.to_dict() if isinstance(e, Event) else e for e in events]
    return sha256_text(canonical_json(rows))


def derive_run_id(scenario_digest: str, seed: int, policies: dict[str, str],
                  salt: str = "", excursion: str | None = None,
                  overrides: tuple[str, ...] | list[str] = (),
                  draw_overrides: tuple[str, ...] | list[str] = (),
                  llm: dict[str, Any] | None = None) -> str:
    """Run id from the run's inputs (plus a salt for human-played games).

    ``llm`` (model identity and prompt digest of language-model cells) counts
    only when given, so runs without such cells keep their ids.
    """
    extra: dict[str, Any] = {"draw_overrides": list(draw_overrides)} if draw_overrides else {}
    if llm:
        extra["llm"] = llm
    key = canonical_json({"scenario": scenario_digest, "seed": int(seed), **extra,
                          "excursion": excursion, "overrides": list(overrides),
                          "policies": dict(sorted(policies.items())), "version": __version__,
                          "salt": salt})
    return "r-" + sha256_text(key)[:16]


def variant_lines(excursion: str | None, overrides: list[str] | tuple[str, ...],
                  draw_overrides: list[str] | tuple[str, ...], policies: dict[str, str],
                  run_index: int = 0) -> list[str]:
    """What a run played, beyond its scenario and seed, as short lines for a header.

    ``excursion ...``, ``--set ...`` (each value), ``white-cell overrides ...``,
    ``players`` grouped by kind, and ``run index`` when the dice are those of
    run *i* of a sweep. The same lines head a narrated run and fill the
    ``variant`` column of ``whitecell runs``.
    """
    out = [f"excursion {excursion}" if excursion else "scenario as written"]
    out += [f"--set {o}" for o in overrides]
    out += [f"white-cell override {o}" for o in draw_overrides]
    kinds: dict[str, list[str]] = {}
    for actor, kind in policies.items():
        kinds.setdefault(kind, []).append(actor)
    if kinds:
        out.append("players " + "; ".join(f"{k} {', '.join(a)}" for k, a in kinds.items()))
    if run_index:
        out.append(f"run index {run_index}")
    return out


@dataclass
class RunRecord:
    """Everything stored about one run."""

    run_id: str
    scenario_ref: str
    scenario_id: str
    scenario_version: str
    scenario_title: str
    scenario_digest: str
    excursion: str | None
    overrides: list[str]
    seed: int
    policies: dict[str, str]
    events: list[dict[str, Any]]
    decisions: list[dict[str, dict[str, Any]]]
    outcome: dict[str, Any] | None
    status: str = "complete"  # or "in_progress"
    run_index: int = 0  # global run index: its dice (0 unless re-run from a sweep)
    draw_overrides: list[str] = field(default_factory=list)  # white-cell overrides
    llm: dict[str, Any] | None = None  # language-model cells: endpoint, prompt, counts
    llm_calls: list[dict[str, Any]] = field(default_factory=list)  # every call, in order
    version: str = __version__
    created: str = ""
    event_digest: str = field(default="")

    def __post_init__(self) -> None:
        if not self.event_digest:
            self.event_digest = event_digest(self.events)

    def variant(self) -> list[str]:
        """Excursion, ``--set`` values, overrides, players and run index (see variant_lines)."""
        return variant_lines(self.excursion, self.overrides, self.draw_overrides,
                             self.policies, self.run_index)

    def report_input(self, sc: Any, events: list[dict[str, Any]] | None = None,
                     redacted: bool = False) -> dict[str, Any]:
        """The run as the after-action report takes it (``report.aar``).

        ``sc`` is the scenario the run played; ``events`` replaces the event
        log (a cell's redacted copy), and ``redacted`` says so in the report.
        """
        return {
            "run_id": self.run_id,
            "scenario": {"id": sc.id, "version": sc.version, "title": sc.title,
                         "summary": sc.summary, "theatre": sc.theatre,
                         "turn_days": sc.turn.length_days, "max_turns": sc.max_turns,
                         "start_label": sc.turn.start_label,
                         "references": list(sc.references),
                         "digest": self.scenario_digest, "excursion": self.excursion,
                         "overrides": list(self.overrides),
                         "actors": [{"id": a.id, "name": a.name, "cell": a.cell,
                                     "role": a.role} for a in sc.actors]},
            "seed": self.seed, "policies": self.policies, "whitecell_version": self.version,
            "event_digest": self.event_digest, "created": self.created,
            "outcome": self.outcome or {},
            "events": self.events if events is None else events,
            "status": self.status, "redacted": redacted,
        }

    def summary(self) -> dict[str, Any]:
        """The JSON a user sees from ``whitecell run --json`` (byte-stable)."""
        return {
            "run_id": self.run_id,
            "scenario": self.scenario_id,
            "scenario_version": self.scenario_version,
            "scenario_digest": self.scenario_digest,
            "excursion": self.excursion,
            "overrides": list(self.overrides),
            "seed": self.seed,
            "run_index": self.run_index,
            "draw_overrides": list(self.draw_overrides),
            "policies": dict(sorted(self.policies.items())),
            "whitecell_version": self.version,
            "event_digest": self.event_digest,
            "status": self.status,
            "outcome": self.outcome,
        }
