"""Scoring a stored whitecell run from its event log, checked against the engine.

A run's event log holds one ``move`` event per actor per turn with the
whitecell action it played. Read as an action log (day = turn) and scored
through the built-in ``whitecell`` map, it must give what the engine itself
scored: the ``score`` of each move event and the outcome's
``escalation_score_by_actor``. :func:`score_run` reports that check beside the
score, so a run recorded under another scheme or catalogue is flagged rather
than silently re-scored.
"""

from __future__ import annotations

from typing import Any

from whitecell.record.run import RunRecord
from whitecell.scoring.log import ActionLog, LoggedAction
from whitecell.scoring.mapping import whitecell_map
from whitecell.scoring.score import LogScore, score_log

__all__ = ["run_log", "score_run"]

_TOLERANCE = 1e-6


def run_log(rec: RunRecord) -> ActionLog:
    """The moves of a stored run as an action log (``time`` is ``"turn"``).

    ``line`` of each row is the number (1-based) of its event in the log.
    """
    rows = []
    for i, e in enumerate(rec.events, start=1):
        if e.get("kind") != "move":
            continue
        data = e.get("data") or {}
        rows.append(LoggedAction(day=int(e["turn"]), actor=str(e.get("actor") or ""),
                                 target=data.get("target"), action=str(data.get("action", "")),
                                 line=i))
    return ActionLog(source=f"run {rec.run_id}", rows=tuple(rows), time="turn")


def score_run(rec: RunRecord) -> tuple[LogScore, dict[str, Any]]:
    """Score a stored run and compare with the engine's own scores.

    Returns:
        The score, and its JSON (``LogScore.to_dict`` with ``kind: "run"``, a
        ``run`` block naming the run, and an ``engine`` block: the engine's
        per-actor totals, whether every per-turn and per-actor score agrees,
        and the first disagreements if not).

    Raises:
        ScoreError: a move names an action the catalogue no longer has.
    """
    s = score_log(run_log(rec), whitecell_map())
    out = s.to_dict()
    out["kind"] = "run"
    out["run"] = {"run_id": rec.run_id, "scenario": rec.scenario_id,
                  "excursion": rec.excursion, "seed": rec.seed, "status": rec.status,
                  "whitecell_version": rec.version}
    out["engine"] = _engine_check(rec, s)
    return s, out


def _engine_check(rec: RunRecord, s: LogScore) -> dict[str, Any]:
    wrong: list[str] = []
    for e in rec.events:
        if e.get("kind") != "move":
            continue
        data = e.get("data") or {}
        key = (int(e["turn"]), str(e.get("actor") or ""))
        ours = s.by_day_actor[key].total if key in s.by_day_actor else 0
        theirs = data.get("score")
        if theirs is not None and abs(float(theirs) - ours) > _TOLERANCE:
            wrong.append(f"turn {key[0]} {key[1]}: engine {float(theirs):g}, scored {ours}")
    by_actor = (rec.outcome or {}).get("escalation_score_by_actor") or {}
    for actor, theirs in by_actor.items():
        ours = s.by_actor[actor].total if actor in s.by_actor else 0
        if abs(float(theirs) - ours) > _TOLERANCE:
            wrong.append(f"{actor} over the run: engine {float(theirs):g}, scored {ours}")
    return {"escalation_score_by_actor": {a: float(v) for a, v in by_actor.items()},
            "agrees": not wrong, "disagreements": wrong[:10]}
