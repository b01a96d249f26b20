"""Which assumptions move an outcome most: a one-at-a-time tornado.

For each parameter ``dotted.path=low:high`` the scenario is played at its low
and at its high value with every other parameter at its base (the scenario as
written, or the chosen excursion), plus once at base. The *effect* of a
parameter is outcome(high) - outcome(low), reported with a 95% interval, and
the parameters are ranked by the size of their effect -- the bars of a tornado
chart.

All variants share the seed and the run indices (common random numbers), so
the paired interval is the one to read: it only counts runs whose outcome the
parameter actually changed. One-at-a-time analysis misses interactions; a
variance-based method (Sobol indices) would catch them at a much higher cost
in runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whitecell.analysis.errors import SweepError
from whitecell.analysis.grid import GridPoint, split_values
from whitecell.analysis.shards import SENSITIVITY, read_json, write_json_atomic
from whitecell.analysis.stats import difference_interval
from whitecell.analysis.summary import (
    BINARY,
    Z95,
    connect,
    mean_interval,
    paired_proportion_interval,
)
from whitecell.analysis.summary import _f as rounded
from whitecell.analysis.sweep import DEFAULT_CHUNK, SweepResult, run_grid
from whitecell.scenario.load import did_you_mean

__all__ = ["OUTCOMES", "Param", "parse_param", "read_sensitivity", "sensitivity"]

#: Outcomes a tornado can rank parameters by.
OUTCOMES: tuple[str, ...] = BINARY + ("peak_rung",)


@dataclass(frozen=True)
class Param:
    """A parameter of a sensitivity analysis: a dotted path with a low and a high value.

    ``basis`` is the scenario's reason for the value when the parameter is one
    of its declared assumptions (``--assumptions``).
    """

    path: str
    low: str
    high: str
    basis: str | None = None


def parse_param(expr: str) -> Param:
    """Parse ``dotted.path=low:high`` (values as ``--set`` reads them).

    Raises:
        SweepError: no ``=``, no ``:`` between the two values, or an empty value.
    """
    if "=" not in expr:
        raise SweepError(f"--param {expr}: expected dotted.path=low:high (no '=')")
    path, _, rest = expr.partition("=")
    path = path.strip()
    if not path:
        raise SweepError(f"--param {expr}: empty path before '='")
    parts = split_values(rest, sep=":")  # a ':' inside quotes or [..] stays
    if len(parts) != 2 or not all(parts):
        raise SweepError(f"--param {expr}: expected dotted.path=low:high with two values")
    if parts[0] == parts[1]:
        raise SweepError(f"--param {expr}: low and high are the same value")
    return Param(path, parts[0], parts[1])


def _points(params: Sequence[Param], excursion: str | None,
            sets: Sequence[str]) -> list[GridPoint]:
    pts = [GridPoint(0, excursion, tuple(sets), ())]
    for prm in params:
        for v in (prm.low, prm.high):
            pts.append(GridPoint(len(pts), excursion, tuple(sets), ((prm.path, v),)))
    return pts


def _paired(src: str, outcome: str, a: int, b: int) -> tuple[int, int, int]:
    """(n, sum, sum of squares) of binary discordance or of per-run differences a - b."""
    con = connect()
    try:
        x, y = f'x."{outcome}"', f'y."{outcome}"'
        if outcome in BINARY:
            sql = (f"SELECT count(*), sum(({x} AND NOT {y})::BIGINT), "
                   f"sum((NOT {x} AND {y})::BIGINT) FROM {src} x JOIN {src} y "
                   "ON x.run = y.run WHERE x.grid_point = ? AND y.grid_point = ?")
        else:
            d = f"({x}::BIGINT - {y}::BIGINT)"
            sql = (f"SELECT count(*), sum({d}), sum({d} * {d}) FROM {src} x JOIN {src} y "
                   "ON x.run = y.run WHERE x.grid_point = ? AND y.grid_point = ?")
        row = con.execute(sql, [a, b]).fetchone()
        assert row is not None
        return int(row[0]), int(row[1] or 0), int(row[2] or 0)
    finally:
        con.close()


def _estimate(point: Mapping[str, Any], outcome: str) -> dict[str, Any]:
    if outcome in BINARY:
        p = point["proportions"][outcome]
        return {"value": p["p"], "low": p["low"], "high": p["high"], "count": p["count"]}
    m = point["means"][outcome]
    return {"value": m["mean"], "low": m["low"], "high": m["high"], "sd": m["sd"]}


def tornado(result: SweepResult, params: Sequence[Param], outcome: str) -> dict[str, Any]:
    """Effects (high - low) of each parameter on ``outcome``, largest first."""
    summ = result.summary
    pts = {p["grid_point"]: p for p in summ["points"]}
    src = result.sql_source()
    rows: list[dict[str, Any]] = []
    for i, prm in enumerate(params):
        lo_id, hi_id = 1 + 2 * i, 2 + 2 * i
        lo, hi = pts[lo_id], pts[hi_id]
        n_pair, s1, s2 = _paired(src, outcome, hi_id, lo_id)
        if outcome in BINARY:
            k1, k2 = lo["proportions"][outcome]["count"], hi["proportions"][outcome]["count"]
            d, elo, ehi = difference_interval(k2, hi["n"], k1, lo["n"])
            _, plo, phi = paired_proportion_interval(s1, s2, n_pair)
        else:
            mh, ml = hi["means"][outcome], lo["means"][outcome]
            d = float(mh["mean"]) - float(ml["mean"])
            se = (float(mh["sd"]) ** 2 / hi["n"] + float(ml["sd"]) ** 2 / lo["n"]) ** 0.5
            elo, ehi = d - Z95 * se, d + Z95 * se
            pm = mean_interval(s1, s2, n_pair)
            plo, phi = float(pm["low"] or 0.0), float(pm["high"] or 0.0)
        rows.append({"path": prm.path, "low_value": prm.low, "high_value": prm.high,
                     "at_low": _estimate(lo, outcome), "at_high": _estimate(hi, outcome),
                     "effect": rounded(d), "effect_low": rounded(elo),
                     "effect_high": rounded(ehi), "paired_low": rounded(plo),
                     "paired_high": rounded(phi),
                     "grid_points": [lo_id, hi_id]})
        if prm.basis is not None:
            rows[-1]["basis"] = prm.basis
    rows.sort(key=lambda r: (-abs(float(r["effect"] or 0.0)), str(r["path"])))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    return {"outcome": outcome, "base": _estimate(pts[0], outcome),
            "excursion": summ["points"][0]["excursion"], "runs": summ["runs"],
            "seed": summ["seed"], "scenario": summ["scenario"], "parameters": rows}


def sensitivity(scenario: str, params: Sequence[Param | str], runs: int, *,
                outcome: str = "war", excursion: str | None = None, sets: Sequence[str] = (),
                seed: int = 0, workers: int | None = None, backend: str = "local",
                address: str | None = None, out: str | os.PathLike[str],
                chunk: int = DEFAULT_CHUNK, policy: Mapping[str, str] | None = None,
                progress: bool | None = None, assumptions: bool = False) -> dict[str, Any]:
    """One-at-a-time sensitivity of ``outcome`` to each parameter; returns the tornado.

    With ``assumptions=True`` the parameters are every assumption the scenario
    declares (its ``assumptions:`` list and every ``theatre_share``) over its
    range, each row carrying its ``basis``; ``params`` then add to them (an
    explicit parameter of the same path replaces the declared range).

    Plays ``runs`` runs at base and at each parameter's low and high value
    (``1 + 2 x len(params)`` grid points) into the sweep folder ``out``, writes
    ``sensitivity.json`` there (the sweep report draws it as a tornado) and
    returns the same data. Resumable like any sweep.
    """
    if outcome not in OUTCOMES:
        raise SweepError(f"unknown outcome {outcome!r}{did_you_mean(outcome, OUTCOMES)} "
                         f"(expected one of {', '.join(OUTCOMES)})")
    prms = [p if isinstance(p, Param) else parse_param(p) for p in params]
    if assumptions:
        prms = declared_params(scenario, excursion, sets, prms)
    if not prms:
        raise SweepError("give at least one --param dotted.path=low:high")
    paths = [p.path for p in prms]
    dup = sorted({p for p in paths if paths.count(p) > 1})
    if dup:
        raise SweepError(f"--param {dup[0]} is given twice")
    points = _points(prms, excursion, sets)
    res = run_grid(scenario, points, runs, seed=seed, workers=workers, backend=backend,
                   address=address, out=out, chunk=chunk, policy=policy, progress=progress,
                   kind="sensitivity", sets=tuple(sets),
                   extra={"excursions": [excursion],
                          "sensitivity": {"outcome": outcome,
                                          "params": [{"path": p.path, "low": p.low,
                                                      "high": p.high} for p in prms]}})
    data = tornado(res, prms, outcome)
    assert res.out is not None
    write_json_atomic(res.out / SENSITIVITY, data)
    return data


def declared_params(scenario: str, excursion: str | None, sets: Sequence[str],
                    given: Sequence[Param]) -> list[Param]:
    """The scenario's declared assumptions as parameters, ``given`` ones merged in."""
    from whitecell.analysis.assumptions import assumption_params, merge_params

    prms = merge_params(assumption_params(scenario, excursion, sets), given)
    if not prms:
        raise SweepError(f"{scenario} declares no assumptions (no 'assumptions:' list and no "
                         "theatre_share) and no --param was given")
    return prms


def read_sensitivity(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The tornado stored in a sweep folder, or None."""
    f = Path(path) / SENSITIVITY
    if not f.is_file():
        return None
    data = read_json(f)
    return data if isinstance(data, dict) else None

