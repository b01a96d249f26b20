"""A stored run scored from its moves agrees with the engine's own per-turn scores."""

from __future__ import annotations

import copy

import pytest

from whitecell.record.session import run_scenario
from whitecell.scoring import ScoreError, run_log, score_run


@pytest.mark.parametrize(("scenario", "excursion", "seed"), [
    ("taiwan-strait-crisis", "pessimistic", 7),
    ("regional-nuclear-escalation", None, 1),
    ("east-china-sea", None, 3),
    ("taiwan-strait-crisis", None, 4),  # nuclear use
])
def test_run_score_agrees_with_the_engine(scenario: str, excursion: str | None,
                                          seed: int) -> None:
    rec = run_scenario(scenario, excursion=excursion, seed=seed)
    s, d = score_run(rec)
    assert d["kind"] == "run" and d["engine"]["agrees"], d["engine"]
    assert d["run"]["run_id"] == rec.run_id and d["log"]["time"] == "turn"
    moves = [e for e in rec.events if e["kind"] == "move"]
    assert len(s.log) == len(moves) > 0
    # each move's own score, summed per turn and actor, as recorded by the engine
    engine: dict[tuple[int, str], float] = {}
    for e in moves:
        key = (e["turn"], e["actor"])
        engine[key] = engine.get(key, 0.0) + e["data"]["score"]
    assert {(x["day"], x["actor"]): float(x["total"]) for x in d["by_day_actor"]} == engine
    assert {a: float(v["total"]) for a, v in d["by_actor"].items()} == \
        rec.outcome["escalation_score_by_actor"]
    assert float(d["total"]) == rec.outcome["escalation_score"]
    peak = {a: v["peak_rung"] for a, v in d["by_actor"].items()}
    assert max(peak.values()) == rec.outcome["peak_rung"]
    assert d["rungs"]["without_rung"] == 0
    assert (d["summary"]["counts"]["nuclear"] > 0) == rec.outcome["nuclear_use"]


def test_a_record_scored_differently_is_flagged() -> None:
    rec = run_scenario("east-china-sea", seed=3)
    bad = copy.deepcopy(rec)
    move = next(e for e in bad.events if e["kind"] == "move")
    move["data"]["score"] = 99.0
    _, d = score_run(bad)
    assert not d["engine"]["agrees"]
    assert d["engine"]["disagreements"][0].startswith(f"turn {move['turn']} {move['actor']}: "
                                                      "engine 99")


def test_a_move_of_an_unknown_action_names_the_event() -> None:
    rec = run_scenario("east-china-sea", seed=3)
    bad = copy.deepcopy(rec)
    i, move = next((i, e) for i, e in enumerate(bad.events, 1) if e["kind"] == "move")
    move["data"]["action"] = "retired_action"
    assert run_log(bad).rows[0].line == i
    with pytest.raises(ScoreError) as e:
        score_run(bad)
    assert str(e.value.problems[0]).startswith(
        f"run {rec.run_id}:{i}: action: 'retired_action' is not in map whitecell")
