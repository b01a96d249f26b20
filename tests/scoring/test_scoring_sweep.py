"""Score distributions of a sweep, from the per-run columns its shards store."""

from __future__ import annotations

import statistics
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from whitecell.analysis import SweepError, rerun_from_sweep, sweep
from whitecell.scoring import score_run, score_sweep
from whitecell.scoring.sweep import SWEEP_NOTE


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scoresweep") / "sw"
    sweep("east-china-sea", 6, excursions=["base", "us-ambiguous"], out=out, workers=1,
          progress=False)
    return out


def test_sweep_scores_are_the_stored_columns(folder: Path) -> None:
    d = score_sweep(folder)
    assert d["kind"] == "sweep" and d["note"] == SWEEP_NOTE and d["sweep"]["complete"]
    assert d["sweep"]["scenario"] == "east-china-sea" and d["sweep"]["runs"] == 6
    assert [p["excursion"] for p in d["points"]] == ["base", "us-ambiguous"]
    rows = pq.read_table(sorted((folder / "shards").glob("p0000/*.parquet"))).to_pylist()
    p0 = d["points"][0]
    for actor, stats in p0["by_actor"].items():
        col = [r[f"escalation_score_{actor}"] for r in rows]
        assert stats["score"]["runs"] == len(col) == 6
        assert stats["score"]["mean"] == pytest.approx(statistics.fmean(col))
        assert stats["score"]["sd"] == pytest.approx(statistics.stdev(col))
        assert (stats["score"]["min"], stats["score"]["max"]) == (min(col), max(col))
        assert stats["score"]["median"] == pytest.approx(statistics.median(col))
        assert stats["peak_rung"]["max"] == max(r[f"peak_rung_{actor}"] for r in rows)
    assert p0["total"]["mean"] == pytest.approx(statistics.fmean(
        r["escalation_score"] for r in rows))


def test_a_sweep_run_replayed_and_scored_matches_its_row(folder: Path) -> None:
    rows = pq.read_table(sorted((folder / "shards").glob("p0001/*.parquet"))).to_pylist()
    rec = rerun_from_sweep(folder, 4, grid_point=1)
    _, d = score_run(rec)
    row = next(r for r in rows if r["run"] == 4)
    assert d["engine"]["agrees"]
    assert {a: float(v["total"]) for a, v in d["by_actor"].items()} == {
        a: row[f"escalation_score_{a}"] for a in d["by_actor"]}


def test_not_a_sweep(tmp_path: Path) -> None:
    with pytest.raises(SweepError, match="not a whitecell sweep folder"):
        score_sweep(tmp_path)
