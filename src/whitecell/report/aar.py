"""The after-action report (AAR) of a single run, as one self-contained HTML page.

The report is read by analysts and facilitators after a run or an exercise:
what happened turn by turn, who climbed the escalation ladder and how far,
which rulings decided the run (each with its model, probability and draw), and
what it cost. Everything it shows comes from the run record: the scenario
identity, the seed, the outcome record and the event log, which is the source
of truth for a run.

The page works offline and forever: CSS is inline, the charts are inline SVG
drawn with matplotlib, there is no script and no reference to anything outside
the file. Rendering the same run twice gives the same bytes, so a report can be
archived and diffed next to its run.

Public API::

    from whitecell.report.aar import render_run_report, write_run_report
    html = render_run_report(run)            # run: the run record as a plain dict
    write_run_report(run, "runs/r-3f2a.html")  # atomic: all or nothing
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeGuard

import jinja2
from markupsafe import Markup

from whitecell.models.escalation import (
    KAHN_THRESHOLDS,
    NUCLEAR_USE_RUNGS,
    RIVERA_SCHEME,
    RIVERA_WEIGHTS,
    TOP_RUNG,
    RiveraCategory,
    rung_group,
    rung_name,
)
from whitecell.report.charts import (
    ActorStyle,
    TurnSeries,
    actor_styles,
    escalation_chart,
    intensity_chart,
)
from whitecell.report.files import write_text_atomic

__all__ = ["RunReportError", "build_context", "render_run_report", "write_run_report"]

EVENT_KINDS = frozenset({"start", "inject", "move", "ruling", "incident", "turn", "end"})

END_REASONS: Mapping[str, str] = {
    "settlement": "negotiated settlement",
    "capitulation": "capitulation",
    "ceasefire": "ceasefire",
    "strategic_exchange": "strategic nuclear exchange",
    "time_limit": "time limit reached",
    "objective": "challenger achieved its objective",
    "stalemate": "stalemate: the war frozen on current lines",
    "running": "still running",
}
"""Readable names of the outcome record's ``end_reason`` values."""

RIVERA_LABELS: Mapping[str, str] = {c.value: label for c, label in RIVERA_SCHEME.labels.items()}
"""Readable names of the Rivera categories (from the scheme file models/data/rivera.yaml)."""

FORCE_UNITS: Mapping[str, str] = {
    "air": "aircraft",
    "naval": "ships",
    "submarine": "boats",
    "ground": "thousand troops",
    "amphibious": "thousand troops of lift",
    "coast_guard": "hulls",
    "missiles": "missiles",
    "interceptors": "interceptors",
    "strike": "munitions",
    "nuclear_warheads": "warheads",
}
"""Units of the force kinds (scenario.actions.FORCE_KINDS), in their order."""

MODEL_SOURCES: Mapping[str, str] = {
    "Wilkening": 'Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense '
    'Effectiveness", Science & Global Security 8(2), 1999.',
    "Lanchester": "Frederick W. Lanchester, Aircraft in Warfare: The Dawn of the Fourth Arm, 1916.",
    "Hughes": 'Wayne P. Hughes Jr., "A Salvo Model of Warships in Missile Combat Used to '
    'Evaluate Their Staying Power", Naval Research Logistics 42, 1995.',
    "Fearon 1995": 'James D. Fearon, "Rationalist Explanations for War", International '
    "Organization 49(3), 1995.",
    "Powell": 'Robert Powell, "Crisis Bargaining, Escalation, and MAD", American Political '
    "Science Review 81(3), 1987; Nuclear Deterrence Theory, 1990.",
    "Zagare": "Frank C. Zagare and D. Marc Kilgour, Perfect Deterrence, 2000.",
    "Schelling": "Thomas C. Schelling, The Strategy of Conflict, 1960.",
    "Fearon 1997": 'James D. Fearon, "Signaling Foreign Policy Interests", Journal of '
    "Conflict Resolution 41(1), 1997.",
    "Bayes": "Bayes' rule (belief updating on Beta priors over resolve).",
    "Hirshleifer": 'Jack Hirshleifer, "Conflict and rent-seeking success functions: Ratio vs. '
    'difference models of relative success", Public Choice 63, 1989.',
}
"""Full citations of the adjudication models (see ``whitecell.models``), keyed by the
author's name as the rulings cite it, e.g. ``risk.inadvertent_risk (Schelling 1960)``."""

KAHN_SOURCE = "Herman Kahn, On Escalation: Metaphors and Scenarios, Praeger, 1965, p. 39."
RIVERA_SOURCE = (
    "Juan-Pablo Rivera, Gabriel Mukobi, Anka Reuel, Max Lamparth, Chandler Smith and "
    'Jacquelyn Schneider, "Escalation Risks from Language Models in Military and Diplomatic '
    'Decision-Making", Proceedings of the ACM Conference on Fairness, Accountability, and '
    "Transparency (FAccT), 2024."
)

_BELIEF_CHANGE = 0.05
_MAX_BELIEF_CHANGES = 6
_MINUS = "\u2212"


class RunReportError(ValueError):
    """The run record handed to the report is malformed; the message says where."""


# ---------------------------------------------------------------- view model
@dataclass(frozen=True)
class ActorView:
    """An actor as the report shows it."""

    id: str
    name: str
    cell: str
    role: str
    policy: str
    color: str
    peak_rung: str
    peak_rung_name: str
    score: str


@dataclass(frozen=True)
class Fact:
    """One line of the outcome box; ``tone`` is ``bad``, ``good`` or ``plain``."""

    label: str
    value: str
    detail: str = ""
    tone: str = "plain"


@dataclass(frozen=True)
class Moment:
    """A key moment of the run (threshold crossed, incident, war, end)."""

    turn: int
    day: str
    text: str
    tone: str = "plain"


@dataclass(frozen=True)
class Row:
    """One line of the turn-by-turn timeline."""

    kind: str
    text: str
    actor: ActorView | None = None
    target: str = ""
    rung: str = ""
    rung_name: str = ""
    rivera: str = ""
    score: str = ""
    why: str = ""
    rule: str = ""
    policy: str = ""
    model: str = ""
    p: str = ""
    draw: str = ""
    source: str = ""
    recipients: str = ""
    nuclear: bool = False


@dataclass(frozen=True)
class TurnBlock:
    """All the lines of one turn, plus the state at its end."""

    turn: int
    day: str
    rows: tuple[Row, ...]
    state: tuple[str, ...]
    beliefs: tuple[str, ...]
    incident: bool
    end: str = ""
    nuclear: bool = False


@dataclass(frozen=True)
class RulingView:
    """One ruling (or incident) for the appendix."""

    number: int
    turn: int
    day: str
    actor: ActorView | None
    model: str
    text: str
    inputs: tuple[tuple[str, str], ...]
    p: str
    draw: str
    result: tuple[tuple[str, str], ...]
    incident: bool


@dataclass(frozen=True)
class LossTable:
    """Losses per actor and force kind."""

    kinds: tuple[tuple[str, str], ...]
    rows: tuple[tuple[ActorView, tuple[str, ...]], ...]


@dataclass(frozen=True)
class BeliefCell:
    """One cell of the beliefs matrix."""

    value: str
    change: str
    shade: str


@dataclass(frozen=True)
class BeliefTable:
    """Final beliefs: row actor's probability that the column actor is resolved."""

    turn: int
    first_turn: int
    columns: tuple[ActorView, ...]
    rows: tuple[tuple[ActorView, tuple[BeliefCell | None, ...]], ...]


@dataclass(frozen=True)
class PrivateRow:
    """White cell only: the private draws of one actor."""

    actor: ActorView
    resolve: str
    tolerance: str


@dataclass(frozen=True)
class ModelUse:
    """A model cited by the rulings of the run, with how often and its source."""

    model: str
    count: int
    sources: tuple[str, ...]


@dataclass
class _Run:
    """The validated pieces of a run record."""

    run: Mapping[str, Any]
    scenario: Mapping[str, Any]
    outcome: Mapping[str, Any]
    events: list[Mapping[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------- validation
def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RunReportError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _check_run(run: Any) -> _Run:
    """Check the shape the report relies on; a clear error names the offending field."""
    run = _mapping(run, "run record")
    for key in ("scenario", "outcome", "events"):
        if key not in run:
            raise RunReportError(f"run record: missing required field {key!r}")
    scenario = _mapping(run["scenario"], "run['scenario']")
    outcome = _mapping(run["outcome"], "run['outcome']")
    actors = scenario.get("actors", [])
    if not isinstance(actors, Sequence) or isinstance(actors, str):
        raise RunReportError("run['scenario']['actors']: expected a list of actors")
    for i, actor in enumerate(actors):
        a = _mapping(actor, f"run['scenario']['actors'][{i}]")
        if not isinstance(a.get("id"), str) or not a["id"]:
            raise RunReportError(f"run['scenario']['actors'][{i}]['id']: expected a string")
    events = run["events"]
    if not isinstance(events, Sequence) or isinstance(events, str):
        raise RunReportError(
            f"run['events']: expected a list of events, got {type(events).__name__}"
        )
    checked: list[Mapping[str, Any]] = []
    for i, event in enumerate(events):
        where = f"run['events'][{i}]"
        e = _mapping(event, where)
        turn = e.get("turn")
        if isinstance(turn, bool) or not isinstance(turn, int) or turn < 0:
            raise RunReportError(f"{where}['turn']: expected a non-negative integer, got {turn!r}")
        if e.get("kind") not in EVENT_KINDS:
            kinds = ", ".join(sorted(EVENT_KINDS))
            raise RunReportError(f"{where}['kind']: expected one of {kinds}, got {e.get('kind')!r}")
        if not isinstance(e.get("text", ""), str):
            raise RunReportError(f"{where}['text']: expected a string")
        if e.get("actor") is not None and not isinstance(e.get("actor"), str):
            raise RunReportError(f"{where}['actor']: expected a string or None")
        _mapping(e.get("data") or {}, f"{where}['data']")
        checked.append(e)
    return _Run(run=run, scenario=scenario, outcome=outcome, events=checked)


# ---------------------------------------------------------------- formatting
def _is_num(x: Any) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _num(x: Any) -> str:
    """A value as a short readable string (4 significant digits for floats)."""
    if x is None:
        return "\u2014"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "\u2014"
        if x.is_integer() and abs(x) < 1e12:
            return str(int(x))
        return f"{x:.4g}"
    if isinstance(x, Mapping):
        return ", ".join(f"{k}={_num(v)}" for k, v in x.items())
    if isinstance(x, list | tuple):
        return ", ".join(_num(v) for v in x)
    return str(x)


def _prob(p: Any) -> str:
    """A probability or a draw: 3 decimals below 0.1, else 2; a dash if there is none."""
    if not _is_num(p) or math.isnan(float(p)):
        return "\u2014"
    p = float(p)
    return f"{p:.3f}" if 0 < p < 0.1 else f"{p:.2f}"


def _pct(x: Any) -> str:
    if not _is_num(x) or math.isnan(float(x)):
        return "\u2014"
    x = float(x)
    return f"{x:.1%}" if 0 < x < 0.1 else f"{x:.0%}"


def _signed(x: Any) -> str:
    if not _is_num(x):
        return ""
    v = float(x)
    text = _num(abs(v))
    if v > 0:
        return f"+{text}"
    if v < 0:
        return f"{_MINUS}{text}"
    return "0"


def _arrows(text: str) -> str:
    return text.replace(" -> ", " \u2192 ").replace("->", "\u2192")


def _humanize(name: str) -> str:
    return name.replace("_", " ")


def _rung_label(r: Any) -> tuple[str, str]:
    if _is_num(r) and float(r).is_integer() and 1 <= int(r) <= TOP_RUNG:
        return str(int(r)), rung_name(int(r))
    return ("" if r is None else _num(r)), ""


def _date(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return "\u2014"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    if when.tzinfo is None:
        return when.strftime("%d %B %Y, %H:%M").lstrip("0")
    return when.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC").lstrip("0")


class _Days:
    """Game-day labels: day = (turn - 1) x turn length, e.g. ``D+7``."""

    def __init__(self, turn_days: Any, start_label: str) -> None:
        self.turn_days = float(turn_days) if _is_num(turn_days) and turn_days > 0 else None
        self.start_label = start_label

    def __call__(self, turn: int) -> str:
        if self.turn_days is None or turn < 1:
            return ""
        return f"{self.start_label}+{_num(round((turn - 1) * self.turn_days, 6))}"


# ---------------------------------------------------------------- sections
def _actors(r: _Run) -> tuple[dict[str, ActorView], dict[str, ActorStyle]]:
    listed = [a for a in r.scenario.get("actors", [])]
    seen = {a["id"] for a in listed}
    extra: list[str] = []
    for e in r.events:
        actor = e.get("actor")
        if actor and actor not in seen and actor not in extra:
            extra.append(actor)
    policies = r.run.get("policies") or {}
    from_moves: dict[str, str] = {}
    for e in r.events:
        if e["kind"] == "move" and e.get("actor"):
            pol = (e.get("data") or {}).get("policy")
            if isinstance(pol, str):
                from_moves.setdefault(e["actor"], pol)
    rows = [(a["id"], str(a.get("name") or a["id"]), str(a.get("cell") or ""),
             str(a.get("role") or "")) for a in listed]
    rows += [(a, a, "", "") for a in extra]
    styles = actor_styles([(i, f"{i} \u2014 {n}" if n != i else i, c) for i, n, c, _ in rows])
    peaks = _mapping(r.outcome.get("peak_rung_by_actor") or {}, "outcome['peak_rung_by_actor']")
    scores = _mapping(r.outcome.get("escalation_score_by_actor") or {},
                      "outcome['escalation_score_by_actor']")
    views: dict[str, ActorView] = {}
    for actor_id, name, cell, role in rows:
        peak, peak_name = _rung_label(peaks.get(actor_id))
        views[actor_id] = ActorView(
            id=actor_id, name=name, cell=cell or "\u2014", role=_humanize(role) or "\u2014",
            policy=str(policies.get(actor_id) or from_moves.get(actor_id) or "\u2014"),
            color=styles[actor_id].color, peak_rung=peak or "\u2014", peak_rung_name=peak_name,
            score=_signed(scores.get(actor_id)) if actor_id in scores else "\u2014",
        )
    return views, styles


def _series(r: _Run, actors: Mapping[str, ActorView], days: _Days) -> TurnSeries:
    by_turn: dict[int, Mapping[str, Any]] = {}
    for e in r.events:
        if e["kind"] == "turn":
            by_turn[e["turn"]] = e.get("data") or {}
    turns = tuple(sorted(by_turn))

    def col(key: str) -> tuple[float, ...]:
        return tuple(float(v) if _is_num(v := by_turn[t].get(key)) else math.nan for t in turns)

    def per_actor(key: str) -> dict[str, tuple[float, ...]]:
        out: dict[str, tuple[float, ...]] = {}
        for a in actors:
            vals = []
            for t in turns:
                table = by_turn[t].get(key) or {}
                v = table.get(a) if isinstance(table, Mapping) else None
                vals.append(float(v) if _is_num(v) else math.nan)
            if any(not math.isnan(v) for v in vals):
                out[a] = tuple(vals)
        return out

    war_turn = next((t for t in turns if by_turn[t].get("war")), None)
    nuclear_turn = r.outcome.get("nuclear_turn")
    return TurnSeries(
        turns=turns,
        day_labels=tuple(days(t) for t in turns),
        rungs=per_actor("rungs"),
        scores=per_actor("scores"),
        tension=col("tension"),
        blockade=col("blockade"),
        lodgment=col("lodgment"),
        risk=col("risk"),
        cumrisk=col("cumrisk"),
        nuclear_turn=int(nuclear_turn) if _is_num(nuclear_turn) else None,
        war_turn=war_turn,
    )


def _unfinished(r: _Run, days: _Days) -> tuple[list[Fact], str] | None:
    """Facts and headline of a game not yet finished (``status`` other than complete)."""
    status = r.run.get("status")
    if status in (None, "complete"):
        return None
    played = max((int(e["turn"]) for e in r.events if e["kind"] == "turn"), default=0)
    total = r.scenario.get("max_turns")
    of = f" of {_num(total)}" if _is_num(total) else ""
    when = f" (to {days(played)})" if played and days(played) else ""
    facts = [Fact("Status", "unfinished", f"{played}{of} turns played", tone="bad")]
    return facts, (f"Unfinished game: {played}{of} turns have been played{when}. The crisis "
                   "has not ended, so this report has no outcome: war, deterrence and the "
                   "challenger's success are not yet decided.")


def _outcome(r: _Run, actors: Mapping[str, ActorView], days: _Days) -> tuple[list[Fact], str]:
    unfinished = _unfinished(r, days)
    if unfinished is not None:
        return unfinished
    o = r.outcome
    facts: list[Fact] = []
    challenger = next((a for a in actors.values() if a.role == "challenger"), None)
    turns = o.get("turns")
    end_turn = int(turns) if _is_num(turns) else None
    war = bool(o.get("war"))
    facts.append(Fact("War", "yes" if war else "no", tone="bad" if war else "good"))
    nuclear = bool(o.get("nuclear_use"))
    if nuclear:
        user = o.get("nuclear_first_user")
        when = o.get("nuclear_turn")
        detail = []
        if user:
            detail.append(f"first used by {user}")
        if _is_num(when):
            detail.append(f"turn {int(when)} ({days(int(when))})" if days(int(when))
                          else f"turn {int(when)}")
        facts.append(Fact("Nuclear use", "yes", ", ".join(detail), tone="bad"))
    else:
        facts.append(Fact("Nuclear use", "no", tone="good"))
    if o.get("nuclear_test"):
        facts.append(Fact("Nuclear test", "yes", tone="bad"))
    success = bool(o.get("challenger_success"))
    facts.append(Fact(
        "Challenger success", "yes" if success else "no",
        f"challenger: {challenger.id}" if challenger else "", tone="bad" if success else "good",
    ))
    held = bool(o.get("deterrence_held"))
    facts.append(Fact("Deterrence held", "yes" if held else "no", tone="good" if held else "bad"))
    reason = str(o.get("end_reason") or "")
    facts.append(Fact("End", END_REASONS.get(reason, _humanize(reason) or "\u2014"),
                      _end_detail(r, reason)))
    if end_turn is not None:
        facts.append(Fact("Turns played", str(end_turn),
                          f"ended {days(end_turn)}" if days(end_turn) else ""))
    peak, peak_name = _rung_label(o.get("peak_rung"))
    if peak:
        group = rung_group(int(peak)) if peak_name else ""
        facts.append(Fact("Peak rung", peak, f"{peak_name} \u2014 {group}" if group else peak_name,
                          tone="bad" if int(peak) >= 9 else "plain"))
    if _is_num(o.get("escalation_score")):
        facts.append(Fact("Escalation score", _signed(o["escalation_score"]), "all actors, all turns"))
    if _is_num(o.get("incidents")):
        n = int(o["incidents"])
        facts.append(Fact("Incidents", str(n), "inadvertent", tone="bad" if n else "plain"))

    sentences = []
    war_turn = next((e["turn"] for e in r.events
                     if e["kind"] == "turn" and (e.get("data") or {}).get("war")), None)
    if war:
        when = f" on turn {war_turn} ({days(war_turn)})" if war_turn and days(war_turn) else ""
        sentences.append(f"War broke out{when}")
    else:
        sentences.append("The crisis stayed below war")
    if nuclear:
        user = o.get("nuclear_first_user") or "an actor"
        sentences[-1] += f" and {user} used nuclear weapons first"
    else:
        sentences[-1] += " with no nuclear use"
    sentences[-1] += "."
    who = challenger.name if challenger else "The challenger"
    capitulated = o.get("capitulated_by")
    if success and capitulated and (challenger is None or capitulated != challenger.id):
        sentences.append(f"{who} prevailed: {capitulated} capitulated; deterrence failed.")
    elif success:
        sentences.append(f"{who} achieved its objective; deterrence failed.")
    elif held:
        sentences.append(f"{who} did not achieve its objective and deterrence held.")
    else:
        sentences.append(f"{who} did not achieve its objective, but deterrence did not hold.")
    if end_turn is not None:
        label = END_REASONS.get(reason, _humanize(reason))
        when = f" ({days(end_turn)})" if days(end_turn) else ""
        terms = o.get("settlement_share")
        extra = (f", {who} holding {100 * terms:.0f}% of the stakes"
                 if terms is not None and reason in ("settlement", "ceasefire", "stalemate")
                 else "")
        sentences.append(f"The run ended on turn {end_turn}{when}: {label}{extra}.")
    return facts, " ".join(sentences)


def _end_detail(r: _Run, reason: str) -> str:
    """Who ended the run, when the log says so (the actor of the deciding ruling)."""
    keyword = {"capitulation": "capitulation", "settlement": "bargaining",
               "objective": "objective", "ceasefire": "ceasefire"}.get(reason)
    if keyword is None:
        return ""
    for e in reversed(r.events):
        data = e.get("data") or {}
        if e["kind"] == "ruling" and keyword in str(data.get("model") or "").lower():
            actor = e.get("actor")
            verb = {"capitulation": "conceded", "settlement": "accepted the deal",
                    "objective": "achieved it", "ceasefire": "agreed"}[reason]
            return f"{actor} {verb} on turn {e['turn']}" if actor else ""
    return ""


def _moments(r: _Run, actors: Mapping[str, ActorView], days: _Days) -> list[Moment]:
    moments: list[Moment] = []
    crossed: set[int] = set()
    war_seen = False
    for e in r.events:
        data = e.get("data") or {}
        t = e["turn"]
        kind = e["kind"]
        if kind == "inject":
            moments.append(Moment(t, days(t), f"Inject: {e.get('text', '')}", "inject"))
        elif kind == "move":
            rung = data.get("rung")
            if not _is_num(rung):
                continue
            for threshold in KAHN_THRESHOLDS:
                name, after = threshold
                if after in crossed or rung <= after:
                    continue
                crossed.add(after)
                action = _move_action(e)
                moments.append(Moment(
                    t, days(t),
                    f"{e.get('actor')} is first past Kahn's \u201c{name}\u201d threshold: "
                    f"{action} (rung {int(rung)}).",
                    "bad" if after >= 9 else "plain",
                ))
        elif kind == "turn" and data.get("war") and not war_seen:
            war_seen = True
            moments.append(Moment(t, days(t), "The coalitions are at war.", "bad"))
        elif kind == "incident":
            moments.append(Moment(t, days(t), _arrows(str(e.get("text", ""))), "bad"))
        elif kind == "ruling":
            model = str(data.get("model") or "").lower()
            if any(k in model for k in ("capitulation", "objective", "settlement", "ceasefire",
                                        "nuclear")):
                moments.append(Moment(t, days(t), _arrows(str(e.get("text", ""))), "bad"
                                      if "nuclear" in model else "plain"))
        elif kind == "end":
            reason = str(r.outcome.get("end_reason") or data.get("end_reason") or "")
            label = END_REASONS.get(reason, _humanize(reason))
            moments.append(Moment(t, days(t), f"Game over: {label}." if label else "Game over."))
    return moments


def _move_action(e: Mapping[str, Any]) -> str:
    data = e.get("data") or {}
    text = str(e.get("text", ""))
    target = data.get("target")
    if target and text.endswith(f" -> {target}"):
        text = text[: -len(f" -> {target}")]
    return text or _humanize(str(data.get("action", "")))


def _ruling_row(e: Mapping[str, Any], actors: Mapping[str, ActorView]) -> Row:
    data = e.get("data") or {}
    actor = actors.get(e.get("actor") or "")
    return Row(
        kind=e["kind"], text=_arrows(str(e.get("text", ""))), actor=actor,
        model=str(data.get("model") or ""), p=_prob(data.get("probability")),
        draw=_prob(data.get("draw")),
    )


def _timeline(r: _Run, actors: Mapping[str, ActorView], days: _Days) -> list[TurnBlock]:
    turns: dict[int, list[Mapping[str, Any]]] = {}
    for e in r.events:
        if e["kind"] != "start":
            turns.setdefault(e["turn"], []).append(e)
    blocks: list[TurnBlock] = []
    previous_beliefs: Mapping[str, Any] | None = None
    for t in sorted(turns):
        rows: list[Row] = []
        state: list[str] = []
        belief_lines: list[str] = []
        end = ""
        for e in turns[t]:
            data = e.get("data") or {}
            kind = e["kind"]
            if kind == "inject":
                to = data.get("to") or []
                everyone = set(to) >= set(actors) if isinstance(to, list) else False
                rows.append(Row(
                    kind="inject", text=str(e.get("text", "")),
                    source=str(data.get("source") or ""),
                    recipients="all cells" if everyone else _num(to) if to else "",
                ))
            elif kind == "move":
                rung, rname = _rung_label(data.get("rung"))
                rationale = data.get("rationale")
                policy = str(data.get("policy") or "")
                reason = str(data.get("reason") or "")
                if policy and reason.startswith(f"{policy}: "):
                    reason = reason[len(policy) + 2 :]
                rivera = str(data.get("rivera") or "")
                rows.append(Row(
                    kind="move", text=_move_action(e), actor=actors.get(e.get("actor") or ""),
                    target=str(data.get("target") or ""), rung=rung, rung_name=rname,
                    rivera=RIVERA_LABELS.get(rivera, _humanize(rivera)),
                    score=_signed(data.get("score")),
                    why=str(rationale) if rationale else _arrows(reason),
                    rule=_arrows(reason) if rationale else "",
                    policy=policy,
                    nuclear=rivera == RiveraCategory.NUCLEAR.value
                    or (_is_num(data.get("rung")) and data["rung"] in NUCLEAR_USE_RUNGS),
                ))
            elif kind in ("ruling", "incident"):
                rows.append(_ruling_row(e, actors))
            elif kind == "end":
                reason = str(r.outcome.get("end_reason") or data.get("end_reason") or "")
                label = END_REASONS.get(reason, _humanize(reason))
                end = f"Game over \u2014 {label}" if label else str(e.get("text") or "Game over")
            elif kind == "turn":
                state = _turn_state(data)
                beliefs = data.get("beliefs")
                if isinstance(beliefs, Mapping):
                    if previous_beliefs is not None:
                        belief_lines = _belief_changes(previous_beliefs, beliefs)
                    previous_beliefs = beliefs
        blocks.append(TurnBlock(
            turn=t, day=days(t), rows=tuple(rows), state=tuple(state),
            beliefs=tuple(belief_lines),
            incident=any(row.kind == "incident" for row in rows), end=end,
            nuclear=any(row.nuclear for row in rows),
        ))
    return blocks


def _turn_state(data: Mapping[str, Any]) -> list[str]:
    state = []
    if _is_num(data.get("tension")):
        state.append(f"tension {_num(round(float(data['tension']), 2))}")
    if _is_num(data.get("risk")):
        line = f"inadvertent risk {_pct(data['risk'])}"
        if _is_num(data.get("cumrisk")):
            line += f" (cumulative {_pct(data['cumrisk'])})"
        state.append(line)
    if _is_num(data.get("blockade")) and data["blockade"] > 0:
        state.append(f"blockade {_pct(data['blockade'])} of shipping stopped")
    if _is_num(data.get("lodgment")) and data["lodgment"] > 0:
        state.append(f"lodgment {_pct(data['lodgment'])}")
    if data.get("islands_held"):
        state.append("outlying islands held")
    if data.get("war"):
        state.append("at war")
    return state


def _belief_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Beliefs that moved by at least 0.05 this turn, merged when several holders agree."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    size: dict[tuple[str, str, str], float] = {}
    holders_of: dict[str, int] = {}
    for holder, row in after.items():
        if not isinstance(row, Mapping):
            continue
        for other in row:
            holders_of[str(other)] = holders_of.get(str(other), 0) + 1
        old_row = before.get(holder)
        if not isinstance(old_row, Mapping):
            continue
        for other, new in row.items():
            old = old_row.get(other)
            if _is_num(new) and _is_num(old) and abs(new - old) >= _BELIEF_CHANGE:
                key = (str(other), f"{old:.2f}", f"{new:.2f}")
                groups.setdefault(key, []).append(str(holder))
                size[key] = abs(new - old)
    ordered = sorted(groups, key=lambda k: (-size[k], k))
    lines = []
    for key in ordered[:_MAX_BELIEF_CHANGES]:
        other, old, new = key
        holders = groups[key]
        if len(holders) > 1 and len(holders) == holders_of.get(other, 0):
            who = "Every other actor\u2019s"
        elif len(holders) > 1:
            who = ", ".join(holders[:-1]) + f" and {holders[-1]}\u2019s"
        else:
            who = f"{holders[0]}\u2019s"
        lines.append(f"{who} belief that {other} is resolved: {old} \u2192 {new}")
    if len(ordered) > _MAX_BELIEF_CHANGES:
        lines.append(f"and {len(ordered) - _MAX_BELIEF_CHANGES} smaller changes")
    return lines


def _rulings(r: _Run, actors: Mapping[str, ActorView], days: _Days) -> list[RulingView]:
    out: list[RulingView] = []
    for e in r.events:
        if e["kind"] not in ("ruling", "incident"):
            continue
        data = e.get("data") or {}
        inputs = data.get("inputs") or {}
        result = data.get("result") or {}
        out.append(RulingView(
            number=len(out) + 1, turn=e["turn"], day=days(e["turn"]),
            actor=actors.get(e.get("actor") or ""), model=str(data.get("model") or "\u2014"),
            text=_arrows(str(e.get("text", ""))),
            inputs=tuple((str(k), _num(v)) for k, v in inputs.items())
            if isinstance(inputs, Mapping) else (("", _num(inputs)),),
            p=_prob(data.get("probability")), draw=_prob(data.get("draw")),
            result=tuple((str(k), _num(v)) for k, v in result.items())
            if isinstance(result, Mapping) else (("", _num(result)),),
            incident=e["kind"] == "incident",
        ))
    return out


def _losses(r: _Run, actors: Mapping[str, ActorView]) -> LossTable:
    losses = _mapping(r.outcome.get("losses") or {}, "outcome['losses']")
    present: set[str] = set()
    for actor, kinds in losses.items():
        present.update(_mapping(kinds, f"outcome['losses'][{actor!r}]"))
    ordered = [k for k in FORCE_UNITS if k in present] + sorted(present - set(FORCE_UNITS))
    rows = []
    for actor_id, view in actors.items():
        kinds = losses.get(actor_id) or {}
        cells = []
        for k in ordered:
            v = kinds.get(k)
            if _is_num(v) and v != 0:
                cells.append(_num(round(float(v), 1)))
            else:
                cells.append("")
        rows.append((view, tuple(cells)))
    return LossTable(
        kinds=tuple((_humanize(k), FORCE_UNITS.get(k, "")) for k in ordered), rows=tuple(rows)
    )


def _sub(m: Any, key: str) -> Mapping[str, Any]:
    """``m[key]`` when it is a mapping, else an empty one."""
    value = m.get(key) if isinstance(m, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _beliefs(r: _Run, actors: Mapping[str, ActorView]) -> BeliefTable | None:
    tables: list[tuple[int, Mapping[str, Any]]] = []
    for e in r.events:
        if e["kind"] == "turn":
            beliefs = _sub(e.get("data"), "beliefs")
            if beliefs:
                tables.append((e["turn"], beliefs))
    if not tables:
        return None
    first_turn, first = tables[0]
    last_turn, last = tables[-1]
    holders = [actors[a] for a in actors if _sub(last, a)]
    columns = [a for a in actors.values() if any(a.id in _sub(last, h.id) for h in holders)]
    rows = []
    for holder in holders:
        row = _sub(last, holder.id)
        start = _sub(first, holder.id)
        cells: list[BeliefCell | None] = []
        for col in columns:
            v = row.get(col.id)
            if not _is_num(v):
                cells.append(None)
                continue
            v0 = start.get(col.id)
            change = _signed(round(float(v) - float(v0), 2)) if _is_num(v0) else ""
            if change in ("0", f"{_MINUS}0", "+0"):
                change = ""
            alpha = max(0.0, min(1.0, float(v))) * 0.55
            cells.append(BeliefCell(f"{float(v):.2f}", change,
                                    f"background-color: rgba(31, 95, 168, {alpha:.2f})"))
        rows.append((holder, tuple(cells)))
    return BeliefTable(turn=last_turn, first_turn=first_turn, columns=tuple(columns),
                       rows=tuple(rows))


def _private(r: _Run, actors: Mapping[str, ActorView]) -> list[PrivateRow]:
    start = next((e for e in r.events if e["kind"] == "start"), None)
    if start is None:
        return []
    resolve = _sub(start.get("data"), "resolve")
    tolerance = _sub(start.get("data"), "tolerance")
    return [PrivateRow(view, _prob(resolve.get(a)), _prob(tolerance.get(a)))
            for a, view in actors.items() if a in resolve or a in tolerance]


def _models(r: _Run) -> list[ModelUse]:
    counts: Counter[str] = Counter()
    for e in r.events:
        if e["kind"] in ("ruling", "incident"):
            counts[str((e.get("data") or {}).get("model") or "unnamed")] += 1
    return [
        ModelUse(model, counts[model],
                 tuple(src for author, src in MODEL_SOURCES.items() if author in model))
        for model in sorted(counts)
    ]


def _llm_cells(r: _Run, actors: Mapping[str, ActorView]) -> list[dict[str, Any]]:
    """Each language-model cell: its counts, and per turn what it said and what it did.

    The say-do gap of a turn is the Rivera weight of the category of the move
    minus that of the category the cell's statement claimed (Rivera et al.
    2024 weights): above zero, the cell did more than it said.
    """
    info = r.run.get("llm") or {}
    counts = info.get("cells") or {} if isinstance(info, Mapping) else {}
    weight = {c.value: w for c, w in RIVERA_WEIGHTS.items()}
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for e in r.events:
        d = e.get("data") or {}
        if e["kind"] != "move" or d.get("policy") != "llm":
            continue
        rows = by_actor.setdefault(str(e.get("actor")), [])
        if d.get("support") and rows and rows[-1]["turn"] == e["turn"]:
            # a supporting action belongs to the move: the statement is set beside
            # the move's most escalatory action (Rivera et al. 2024 score every action)
            row = rows[-1]
            row["move"] += " + " + e["text"]
            cat = str(d.get("rivera") or "")
            if cat in weight and (row["_cat"] not in weight or weight[cat] > weight[row["_cat"]]):
                row["_cat"] = cat
                row["category"] = RIVERA_LABELS.get(cat, cat)
                if row["_intent"] in weight:
                    row["gap"] = weight[cat] - weight[row["_intent"]]
            continue
        ll = d.get("llm") or {}
        intent = ll.get("signal_intent")
        cat = str(d.get("rivera") or "")
        gap = (weight[cat] - weight[intent]) if intent in weight and cat in weight else None
        rows.append({"_cat": cat, "_intent": intent,
            "turn": e["turn"], "move": e["text"], "category": RIVERA_LABELS.get(cat, cat),
            "signal": d.get("signal") or "", "intent": RIVERA_LABELS.get(str(intent), str(intent or "")),
            "gap": gap, "fallback": bool(ll.get("fallback")),
            "invalid": list(ll.get("invalid") or []), "reasoning": d.get("reasoning") or "",
            "reason": d.get("reason") or ""})
    out = []
    for a, turns in by_actor.items():
        gaps = [t["gap"] for t in turns if t["gap"] is not None]
        c = counts.get(a, {}) if isinstance(counts, Mapping) else {}
        out.append({"actor": actors.get(a), "id": a, "turns": turns, "counts": c,
                    "mean_gap": _num(sum(gaps) / len(gaps)) if gaps else "\u2014",
                    "said_less": sum(1 for g in gaps if g > 0),
                    "model": str((info.get("endpoint") or {}).get("model", "?"))
                    if isinstance(info, Mapping) else "?",
                    "prompt": str(info.get("prompt", "?")) if isinstance(info, Mapping) else "?"})
    return out


def build_context(run: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the AAR template shows, computed from a run record.

    Exposed so that other reports (the live-exercise hotwash, the web app)
    can reuse the same view of a run.

    Raises:
        RunReportError: the run record is malformed (the message names the field).
    """
    r = _check_run(run)
    sc = r.scenario
    days = _Days(sc.get("turn_days"), str(sc.get("start_label") or "D"))
    actors, styles = _actors(r)
    series = _series(r, actors, days)
    facts, headline = _outcome(r, actors, days)
    overrides = sc.get("overrides") or []
    references = sc.get("references") or []
    return {
        "run_id": str(r.run.get("run_id") or "\u2014"),
        "title": str(sc.get("title") or sc.get("id") or "Untitled scenario"),
        "scenario": {
            "id": str(sc.get("id") or "\u2014"),
            "version": str(sc.get("version") or "\u2014"),
            "summary": str(sc.get("summary") or ""),
            "theatre": str(sc.get("theatre") or ""),
            "turn_days": _num(sc.get("turn_days")) if sc.get("turn_days") is not None else "",
            "max_turns": _num(sc.get("max_turns")),
            "digest": str(sc.get("digest") or "\u2014"),
            "excursion": str(sc.get("excursion") or "none (scenario as written)"),
            "overrides": [str(o) for o in overrides] if isinstance(overrides, Sequence)
            and not isinstance(overrides, str) else [str(overrides)],
            "references": [str(x) for x in references] if isinstance(references, Sequence)
            and not isinstance(references, str) else [str(references)],
        },
        "seed": _num(r.run.get("seed")),
        "whitecell_version": str(r.run.get("whitecell_version") or "\u2014"),
        "event_digest": str(r.run.get("event_digest") or "\u2014"),
        "created": _date(r.run.get("created")),
        "actors": list(actors.values()),
        "facts": facts,
        "headline": headline,
        "moments": _moments(r, actors, days),
        "ladder_svg": escalation_chart(series, styles) if series.turns else Markup(""),
        "intensity_svg": intensity_chart(series, styles) if series.turns else Markup(""),
        "timeline": _timeline(r, actors, days),
        "rulings": _rulings(r, actors, days),
        "losses": _losses(r, actors),
        "beliefs": _beliefs(r, actors),
        "private": _private(r, actors),
        "llm_cells": _llm_cells(r, actors),
        "models": _models(r),
        "redacted": bool(r.run.get("redacted")),  # a cell's copy: no white-cell page
        "kahn_source": KAHN_SOURCE,
        "rivera_source": RIVERA_SOURCE,
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("whitecell.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_run_report(run: Mapping[str, Any]) -> str:
    """The after-action report of one run as a self-contained HTML document.

    Args:
        run: the run record as a plain mapping (``run_id``, ``scenario``,
            ``seed``, ``policies``, ``whitecell_version``, ``event_digest``,
            ``created``, ``outcome``, ``events``), as the run store hands it out.

    Returns:
        One HTML document with inline CSS and SVG, no scripts and no external
        references. The same run gives the same string.

    Raises:
        RunReportError: the run record is malformed (the message names the field).
    """
    return _environment().get_template("aar.html").render(**build_context(run))


def write_run_report(run: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Render the report of ``run`` and write it to ``path`` atomically.

    The report is rendered in full first, then written to a temporary file in
    the same directory and moved over ``path``; on any error an existing file
    at ``path`` is left untouched and no temporary file stays behind.

    Returns:
        The path written.

    Raises:
        RunReportError: the run record is malformed.
        OSError: the file cannot be written.
    """
    return write_text_atomic(path, render_run_report(run))
