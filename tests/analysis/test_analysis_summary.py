"""Summary statistics against values computed by hand (and by numpy on real sweeps)."""

import math
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from whitecell.analysis import sweep
from whitecell.analysis.stats import wilson_interval
from whitecell.analysis.summary import (
    mean_interval,
    paired_proportion_interval,
    reference_of,
    summarize_table,
)


def _table(point: int, war: list[int], peak: list[int], nuc_turn: list[int | None]) -> pa.Table:
    n = len(war)
    return pa.table({
        "grid_point": pa.array([point] * n, pa.int32()),
        "excursion": ["base" if point == 0 else "other"] * n,
        "run": pa.array(range(n), pa.int64()),
        "war": pa.array([bool(w) for w in war]),
        "nuclear_use": pa.array([t is not None for t in nuc_turn]),
        "nuclear_turn": pa.array(nuc_turn, pa.int16()),
        "peak_rung": pa.array(peak, pa.int16()),
        "challenger_success": pa.array([False] * n),
        "deterrence_held": pa.array([not w for w in war]),
        "end_reason": ["settlement" if not w else "capitulation" for w in war],
        "turns": pa.array([2] * n, pa.int16()),
        "escalation_score": pa.array([1.5] * n),
        "cumulative_risk": pa.array([0.25] * n),
    })


def _manifest(points: int) -> dict:
    return {"scenario": {"ref": "x", "id": "x", "version": "1", "title": "x"}, "seed": 0,
            "runs": 10, "chunk": 10, "whitecell_version": "0",
            "grid": [{"id": i, "excursion": "base" if i == 0 else "other", "vary": {},
                      "actors": []} for i in range(points)]}


def test_hand_computed_point_statistics():
    war = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    peak = list(range(1, 11))
    nuc = [None] * 7 + [3, 3, 5]
    s = summarize_table(_table(0, war, peak, nuc), _manifest(1))
    pt = s["points"][0]
    assert pt["n"] == 10
    w = pt["proportions"]["war"]
    # Wilson 95% for 3/10 by hand: centre (0.3 + 1.92/10) / 1.384 = 0.3555,
    # half-width 1.96 * sqrt(0.021 + 0.0096) / 1.384 = 0.2477 -> 0.1078 to 0.6032
    assert (w["count"], w["p"]) == (3, 0.3)
    assert w["low"] == pytest.approx(0.1078, abs=5e-5)
    assert w["high"] == pytest.approx(0.6032, abs=5e-5)
    assert pt["proportions"]["nuclear_use"]["count"] == 3
    assert pt["proportions"]["deterrence_held"]["p"] == 0.7
    m = pt["means"]["peak_rung"]
    sd = math.sqrt(sum((x - 5.5) ** 2 for x in peak) / 9)  # 3.0277
    assert m["mean"] == 5.5 and m["sd"] == pytest.approx(sd, rel=1e-10)
    assert m["low"] == pytest.approx(5.5 - 1.959963984540054 * sd / math.sqrt(10), rel=1e-10)
    assert m["low"] == pytest.approx(3.6234, abs=1e-4) and m["high"] == pytest.approx(7.3766,
                                                                                    abs=1e-4)
    assert pt["means"]["turns"] == {"mean": 2.0, "sd": 0.0, "low": 2.0, "high": 2.0}
    assert pt["means"]["escalation_score"]["mean"] == 1.5
    assert pt["end_reasons"] == {"capitulation": 3, "settlement": 7}
    assert pt["peak_rung_counts"] == {str(r): 1 for r in range(1, 11)}
    assert pt["first_nuclear_use_by_turn"] == {"3": 2, "5": 1}


def test_newcombe_difference_of_the_paper():
    """Newcombe (1998) example: 56/70 - 48/80 = 0.2, 95% CI 0.0524 to 0.3339 (method 10)."""
    a = _table(0, [1] * 48 + [0] * 32, [1] * 80, [None] * 80)
    b = _table(1, [1] * 56 + [0] * 14, [1] * 70, [None] * 70)
    s = summarize_table(pa.concat_tables([a, b]), _manifest(2))
    d = next(e for e in s["differences"] if e["metric"] == "war")
    assert (d["grid_point"], d["reference"]) == (1, 0)
    assert d["difference"] == pytest.approx(0.2)
    assert d["low"] == pytest.approx(0.0524, abs=5e-5)
    assert d["high"] == pytest.approx(0.3339, abs=5e-5)
    assert "paired_low" not in d  # different n: no pairing


def test_paired_difference_by_hand():
    # run by run: b = 3 runs war only in point 1, c = 1 run war only in point 0
    w0 = [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    w1 = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    s = summarize_table(pa.concat_tables([_table(0, w0, [1] * 10, [None] * 10),
                                          _table(1, w1, [2] * 10, [None] * 10)]), _manifest(2))
    d = next(e for e in s["differences"] if e["metric"] == "war")
    # d = 0.2; variance of per-run differences ((3 + 1) - 10 * 0.04) / 9 = 0.4; se = 0.2
    assert d["discordant"] == [3, 1]
    assert d["paired_low"] == pytest.approx(0.2 - 1.959963984540054 * 0.2)
    assert d["paired_high"] == pytest.approx(0.2 + 1.959963984540054 * 0.2)
    assert paired_proportion_interval(3, 1, 10)[0] == pytest.approx(0.2)
    p = next(e for e in s["differences"] if e["metric"] == "peak_rung")
    assert p["difference"] == 1.0 and p["paired_low"] == p["paired_high"] == 1.0


def test_differences_of_many_points_match_pair_by_pair() -> None:
    # every point's paired counts come from one self-join; check them against each pair
    # computed alone (points differ run by run in a known pattern)
    rng = np.random.default_rng(3)
    wars = [rng.integers(0, 2, 10).tolist() for _ in range(7)]
    peaks = [rng.integers(1, 20, 10).tolist() for _ in range(7)]
    whole = summarize_table(pa.concat_tables(
        [_table(i, wars[i], peaks[i], [None] * 10) for i in range(7)]), _manifest(7))
    for i in range(1, 7):
        alone = summarize_table(pa.concat_tables([_table(0, wars[0], peaks[0], [None] * 10),
                                                  _table(i, wars[i], peaks[i], [None] * 10)]),
                                {**_manifest(2), "grid": [_manifest(7)["grid"][0],
                                                          _manifest(7)["grid"][i]]})
        got = [e for e in whole["differences"] if e["grid_point"] == i]
        assert got == alone["differences"] and len(got) == 6
        b = sum(x and not y for x, y in zip(wars[i], wars[0], strict=True))
        c = sum(y and not x for x, y in zip(wars[i], wars[0], strict=True))
        assert next(e for e in got if e["metric"] == "war")["discordant"] == [b, c]


def test_pair_without_common_runs_has_no_paired_interval() -> None:
    t1 = _table(1, [1] * 10, [3] * 10, [None] * 10)
    t1 = t1.set_column(t1.schema.get_field_index("run"), "run", pa.array(range(100, 110), pa.int64()))
    s = summarize_table(pa.concat_tables([_table(0, [0] * 10, [1] * 10, [None] * 10), t1]),
                        _manifest(2))
    war = next(e for e in s["differences"] if e["metric"] == "war")
    assert war["difference"] == 1.0 and "paired_low" not in war


def test_a_sobol_design_has_no_differences() -> None:
    # its points are samples of the parameter space, not variants of one another
    tables = [_table(i, [i % 2] * 10, [i + 1] * 10, [None] * 10) for i in range(4)]
    s = summarize_table(pa.concat_tables(tables), {**_manifest(4), "kind": "sobol"})
    assert s["kind"] == "sobol" and s["differences"] == []
    assert all(p["reference"] is None for p in s["points"]) and len(s["points"]) == 4


def test_mean_interval_from_sums():
    xs = [3, 7, 7, 19]
    m = mean_interval(sum(xs), sum(x * x for x in xs), len(xs))
    assert m["mean"] == 9.0 and m["sd"] == pytest.approx(float(np.std(xs, ddof=1)))


def test_reference_rule():
    g = [{"id": 0, "excursion": "optimistic", "vary": {"a": "1"}},
         {"id": 1, "excursion": "optimistic", "vary": {"a": "2"}},
         {"id": 2, "excursion": "base", "vary": {"a": "1"}},
         {"id": 3, "excursion": "base", "vary": {"a": "2"}}]
    assert reference_of(g) == {0: 2, 1: 3, 3: 2}
    g2 = [{"id": 0, "excursion": None, "vary": {}}, {"id": 1, "excursion": None, "vary": {"x": 1}}]
    assert reference_of(g2) == {1: 0}


def test_real_sweep_summary_matches_numpy():
    res = sweep("taiwan-strait-crisis", 2000, ["base", "taiwan-alone"], seed=3, chunk=500,
                workers=1, progress=False)
    t = res.table()
    for pt in res.summary["points"]:
        sub = t.filter(pc.equal(t["grid_point"], pt["grid_point"]))
        n = sub.num_rows
        assert pt["n"] == n == 2000
        for m in ("war", "nuclear_use", "challenger_success", "deterrence_held"):
            k = int(sub[m].to_numpy(zero_copy_only=False).sum())
            lo, hi = wilson_interval(k, n)
            e = pt["proportions"][m]
            assert e["count"] == k
            assert (e["low"], e["high"]) == (pytest.approx(lo, abs=1e-11),
                                             pytest.approx(hi, abs=1e-11))
        peak = sub["peak_rung"].to_numpy().astype(float)
        assert pt["means"]["peak_rung"]["mean"] == pytest.approx(peak.mean(), rel=1e-11)
        assert pt["means"]["peak_rung"]["sd"] == pytest.approx(peak.std(ddof=1), rel=1e-9)
        assert pt["means"]["turns"]["mean"] == pytest.approx(sub["turns"].to_numpy().mean())
        assert pt["end_reasons"] == dict(Counter(sub["end_reason"].to_pylist()))
        cost = sub["costs_CHN"].to_numpy().mean()
        assert pt["actors"]["CHN"]["costs"] == pytest.approx(cost, rel=1e-10)
        dmg = sub["damage_TWN"].to_numpy()
        assert (dmg >= 0).all() and (dmg <= sub["costs_TWN"].to_numpy() + 1e-12).all()
        assert pt["actors"]["TWN"]["damage"] == pytest.approx(dmg.mean(), rel=1e-10, abs=1e-12)
        # the challenger's share: over the runs whose ending defines one (nulls skipped)
        share = sub["settlement_share"].to_numpy(zero_copy_only=False)
        share = share[~np.isnan(share)]
        cs = pt["means"]["challenger_share"]
        assert cs["n"] == len(share) > 0
        assert cs["mean"] == pytest.approx(share.mean(), rel=1e-10)
        half = 1.959963984540054 * share.std(ddof=1) / math.sqrt(len(share))
        assert cs["high"] - cs["low"] == pytest.approx(2 * half, rel=1e-9)
    assert res.summary["scenario"]["coerced"] == "TWN"
    d = next(e for e in res.summary["differences"] if e["metric"] == "challenger_success")
    a = t.filter(pc.equal(t["grid_point"], 1))["challenger_success"].to_numpy(
        zero_copy_only=False)
    b = t.filter(pc.equal(t["grid_point"], 0))["challenger_success"].to_numpy(
        zero_copy_only=False)
    assert d["discordant"] == [int((a & ~b).sum()), int((~a & b).sum())]
    assert d["difference"] == pytest.approx(a.mean() - b.mean())
