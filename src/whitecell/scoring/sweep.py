"""Escalation scores across the runs of a sweep, from the columns its shards store.

A sweep keeps one row per run (``whitecell.analysis.shards``): the outcome
record, with each actor's escalation score summed over the run's turns
(``escalation_score_<ACTOR>``, Rivera et al., FAccT 2024, weights of the
scheme the sweep's whitecell version used), the total (``escalation_score``)
and each actor's peak Kahn rung. It stores no moves and no per-turn scores,
so a sweep has no score by day or by category: what it offers is the
*distribution* of the per-run scores, per grid point and actor, which
:func:`score_sweep` computes with DuckDB over the shards. To score one run of
a sweep move by move, re-play it (``whitecell run --from-sweep DIR --index I
--grid-point G``) and score the stored run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb

from whitecell.analysis.errors import SweepError
from whitecell.analysis.shards import check_shards, shard_path
from whitecell.analysis.summary import connect, expected_shards, read_manifest, source_sql
from whitecell.models.escalation import RIVERA_SCHEME

__all__ = ["SWEEP_NOTE", "score_sweep"]

SWEEP_NOTE = ("a sweep stores each run's escalation score per actor summed over its turns, and "
              "its peak rung, not its moves: there is no score by day or by category; these are "
              "distributions over runs. Re-play one run with 'whitecell run --from-sweep DIR "
              "--index I --grid-point G' and score it to see it move by move.")
"""What a sweep's scores are and are not (printed with every sweep score)."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _f(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return round(v, 6) if math.isfinite(v) else None


def _stats_sql(col: str) -> str:
    c = _q(col)
    return (f"count({c}), avg({c}), stddev_samp({c}), min({c}), quantile_cont({c}, 0.05), "
            f"median({c}), quantile_cont({c}, 0.95), max({c})")


_STAT_KEYS = ("runs", "mean", "sd", "min", "p05", "median", "p95", "max")


def _stats(values: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": int(values[0])}
    out.update({k: _f(v) for k, v in zip(_STAT_KEYS[1:], values[1:], strict=True)})
    return out


def score_sweep(path: str | Path) -> dict[str, Any]:
    """The per-run escalation scores of a sweep folder, summarised per grid point and actor.

    Returns:
        ``kind: "sweep"``, the scheme, the sweep (folder, scenario, runs,
        whitecell version, whether every shard is present), ``note``
        (:data:`SWEEP_NOTE`) and ``points``: per grid point its label,
        excursion, overrides, ``total`` (statistics of the summed score over
        runs: runs, mean, sd, min, p05, median, p95, max) and ``by_actor``
        (the same statistics of each actor's score, with its peak rung's
        median and maximum).

    Raises:
        SweepError: not a sweep folder, no shards yet, or a damaged shard.
    """
    d = Path(path)
    manifest = read_manifest(d)
    files = [shard_path(d, gp, k) for gp, k, _ in expected_shards(manifest)]
    present = [f for f in files if f.exists()]
    if not present:
        raise SweepError(f"{d}: no shards yet; run the sweep first")
    check_shards(present)
    con = connect()
    points: list[dict[str, Any]] = []
    try:
        con.execute(f"CREATE VIEW shards AS SELECT * FROM {source_sql(present)}")
        columns = {r[0] for r in con.execute("DESCRIBE shards").fetchall()}
        for g in manifest["grid"]:
            gp = int(g["id"])
            row = con.execute(f"SELECT {_stats_sql('escalation_score')} FROM shards "
                              "WHERE grid_point = ?", [gp]).fetchone()
            if row is None or not row[0]:
                continue
            actors: dict[str, Any] = {}
            for a in g.get("actors") or []:
                col, peak = f"escalation_score_{a}", f"peak_rung_{a}"
                if col not in columns:
                    continue
                r = con.execute(f"SELECT {_stats_sql(col)}, median({_q(peak)}), "
                                f"max({_q(peak)}) FROM shards WHERE grid_point = ?",
                                [gp]).fetchone()
                if r is None or not r[0]:
                    continue
                actors[a] = {"score": _stats(r[:8]),
                             "peak_rung": {"median": _f(r[8]),
                                           "max": int(r[9]) if r[9] is not None else None}}
            point = {"grid_point": gp, "label": g.get("label", ""),
                     "excursion": g.get("excursion"), "overrides": list(g.get("overrides", [])),
                     "total": _stats(row), "by_actor": actors}
            if g.get("players") is not None:
                point["players"] = g["players"]
            points.append(point)
    except duckdb.Error as e:
        raise SweepError(f"cannot read the shards of {d} ({str(e).splitlines()[0]})") from None
    finally:
        con.close()
    scenario = manifest.get("scenario") or {}
    return {
        "kind": "sweep",
        "scheme": RIVERA_SCHEME.to_dict(),
        "sweep": {"folder": str(d), "scenario": scenario.get("id"), "runs": manifest.get("runs"),
                  "whitecell_version": manifest.get("whitecell_version"),
                  "complete": len(present) == len(files)},
        "note": SWEEP_NOTE,
        "points": points,
    }
