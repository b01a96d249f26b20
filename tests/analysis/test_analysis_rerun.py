"""Any run of a sweep, re-played alone and narrated, has the outcome of its row."""

import pyarrow.compute as pc
import pytest

from whitecell.analysis import SweepError, rerun_from_sweep, sweep
from whitecell.scenario.actions import FORCE_KINDS

SC = "taiwan-strait-crisis"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("rerun") / "sweep"
    return sweep(SC, 1500, ["base", "pessimistic"], seed=5, chunk=400, out=out, workers=1,
                 progress=False)


def _row(res, gp, i):
    t = res.table()
    t = t.filter(pc.and_(pc.equal(t["grid_point"], gp), pc.equal(t["run"], i)))
    assert t.num_rows == 1
    return {k: v[0] for k, v in t.to_pydict().items()}


def _indices(res, gp):
    """A few runs with different stories: peace, challenger success, a long war, the last."""
    t = res.table(["grid_point", "run", "war", "challenger_success", "turns"])
    t = t.filter(pc.equal(t["grid_point"], gp))
    rows = t.to_pylist()
    picks = {0, 1499, 873}
    for pred in (lambda r: not r["war"], lambda r: r["challenger_success"],
                 lambda r: r["turns"] >= 12):
        hit = next((r["run"] for r in rows if pred(r)), None)
        if hit is not None:
            picks.add(hit)
    return sorted(picks)


@pytest.mark.parametrize("gp", [0, 1])
def test_rerun_equals_the_row(swept, gp):
    actors = swept.manifest["grid"][gp]["actors"]
    for i in _indices(swept, gp):
        rec = rerun_from_sweep(swept.out, i, grid_point=gp)
        row = _row(swept, gp, i)
        o = rec.outcome
        assert rec.excursion == swept.manifest["grid"][gp]["excursion"]
        assert rec.seed == 5 and rec.events
        for k in ("war", "nuclear_use", "nuclear_test", "peak_rung", "challenger_success",
                  "deterrence_held", "end_reason", "turns", "incidents", "nuclear_turn",
                  "nuclear_first_user"):
            assert o[k] == row[k], (i, k)
        assert o["escalation_score"] == pytest.approx(row["escalation_score"], abs=1e-6)
        for a in actors:
            assert o["peak_rung_by_actor"][a] == row[f"peak_rung_{a}"]
            assert o["escalation_score_by_actor"][a] == pytest.approx(
                row[f"escalation_score_{a}"], abs=1e-6)
            for k in FORCE_KINDS:
                lost = row[f"losses_{a}_{k}"]
                assert o["losses"][a].get(k, 0.0) == pytest.approx(round(lost, 3), abs=1e-9)


def test_rerun_gives_distinct_run_ids(swept):
    a = rerun_from_sweep(swept.out, 3, grid_point=0)
    b = rerun_from_sweep(swept.out, 4, grid_point=0)
    assert a.run_id != b.run_id


def test_rerun_errors(swept, tmp_path):
    with pytest.raises(SweepError, match="grid points"):
        rerun_from_sweep(swept.out, 0)
    with pytest.raises(SweepError, match="outside"):
        rerun_from_sweep(swept.out, 1500, grid_point=0)
    with pytest.raises(SweepError, match="no grid point"):
        rerun_from_sweep(swept.out, 0, grid_point=9)
    with pytest.raises(SweepError, match="not a whitecell sweep"):
        rerun_from_sweep(tmp_path, 0)
