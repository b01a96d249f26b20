"""Statistics of a sweep with confidence intervals, computed by DuckDB over the shards.

Per grid point:

* P(war), P(nuclear use), P(challenger success), P(deterrence held), each with
  its 95% Wilson score interval (:func:`whitecell.analysis.stats.wilson_interval`);
* mean peak rung and mean turns with 95% normal-approximation intervals
  (mean +/- 1.96 s / sqrt(n), s the sample standard deviation), and the means
  of escalation score and cumulative risk;
* the end-reason distribution, the peak-rung distribution and the turn of first
  nuclear use (from which P(no nuclear use yet) by turn follows);
* per actor: mean peak rung, escalation score, costs, damage suffered and losses
  per force kind.

Between grid points (see :func:`reference_of`), except in a Sobol design
(``kind: sobol``, whose points are samples of the parameter space and whose
statistics are the indices of :mod:`whitecell.analysis.sobol`): the difference of each
proportion with Newcombe's hybrid score interval (independent samples) and,
because every grid point plays the *same* run indices with the same seed
(common random numbers), a paired interval from the discordant runs, which is
narrower whenever the variants share most of their luck -- the honest interval
for a common-random-numbers design. Mean differences come with Welch
(independent) and paired normal intervals.

Across player models (sweeps with ``players``, see
:mod:`whitecell.analysis.grid`): for every excursion and varied-value
combination, ``model_spread`` gives each outcome (the four proportions and
every end reason) under each player model with its Wilson interval, the
*model spread* (max - min across player models) beside the largest Monte
Carlo half-width, and the paired difference of every pair of player models
(same seed and run indices, so the paired interval is valid).
``model_spread_headline`` says it in one sentence for the reference
excursion: the player model is usually a far larger uncertainty than the
Monte Carlo interval.

Determinism: counts and integer sums are exact (DuckDB HUGEINT); floating
means are computed single-threaded in shard order and rounded to 12 significant
digits, so ``summary.json`` is byte-identical whatever the number of workers or
the backend that produced the shards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from whitecell.analysis.errors import SweepError
from whitecell.analysis.shards import MANIFEST, check_shards, list_shards, read_json, shard_path
from whitecell.analysis.stats import difference_interval, wilson_interval
from whitecell.scenario.actions import FORCE_KINDS
from whitecell.world.state import END_REASONS

__all__ = ["BINARY", "MEANS", "Z95", "compute_summary", "connect", "mean_interval",
           "model_spread", "paired_proportion_interval", "reference_of", "spread_headline",
           "summarize"]

Z95 = 1.959963984540054

#: The yes/no outcomes whose probabilities a summary reports.
BINARY: tuple[str, ...] = ("war", "nuclear_use", "challenger_success", "deterrence_held")
#: Integer outcomes whose means a summary reports with exact sums.
MEANS: tuple[str, ...] = ("peak_rung", "turns")
#: Floating outcomes whose means a summary reports.
FLOAT_MEANS: tuple[str, ...] = ("escalation_score", "cumulative_risk")

FORMAT = "whitecell-sweep-summary/1"


def _f(x: float | None) -> float | None:
    """Round to 12 significant digits (stable JSON, immune to last-bit noise)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(f"{float(x):.12g}")


def mean_interval(total: int, total_sq: int, n: int, z: float = Z95) -> dict[str, float | None]:
    """Mean with its normal-approximation interval from exact integer sums."""
    mean = total / n
    var = (total_sq - total * total / n) / (n - 1) if n > 1 else 0.0
    sd = math.sqrt(max(var, 0.0))
    half = z * sd / math.sqrt(n)
    return {"mean": _f(mean), "sd": _f(sd), "low": _f(mean - half), "high": _f(mean + half)}


def paired_proportion_interval(b: int, c: int, n: int, z: float = Z95
                               ) -> tuple[float, float, float]:
    """Difference of paired proportions (b - c) / n with a normal interval.

    ``b`` runs had the outcome in the first variant only, ``c`` in the second
    only. The variance is the sample variance of the per-run differences
    (values -1, 0, 1), so concordant runs -- the shared luck of common random
    numbers -- add nothing to the uncertainty.
    """
    d = (b - c) / n
    var = ((b + c) - n * d * d) / (n - 1) if n > 1 else 0.0
    half = z * math.sqrt(max(var, 0.0) / n)
    return d, d - half, d + half


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection, single-threaded for reproducible float sums."""
    con = duckdb.connect(":memory:")
    con.execute("SET threads=1")
    return con


def _q(name: str) -> str:
    """Quote an identifier for SQL."""
    return '"' + name.replace('"', '""') + '"'


def reference_of(grid: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Which grid point each point is compared with.

    The reference excursion is ``base`` when the sweep has it, else the first.
    A point of another excursion is compared with the reference excursion at
    the same varied values; a point of the reference excursion with other
    varied values is compared with the first point of the reference excursion.
    With player models, comparisons stay within one player model (differences
    between player models are in ``model_spread``).
    """
    if not grid:
        return {}
    excs = [g["excursion"] for g in grid]
    ref_exc = "base" if "base" in excs else excs[0]
    first: dict[Any, Any] = {}
    for g in grid:
        if g["excursion"] == ref_exc:
            first.setdefault(g.get("players"), g)
    by_key = {(g["excursion"], g.get("players"), _vary_key(g)): g["id"] for g in grid}
    out: dict[int, int] = {}
    for g in grid:
        if g["excursion"] != ref_exc:
            r = by_key.get((ref_exc, g.get("players"), _vary_key(g)))
            if r is not None:
                out[g["id"]] = r
        elif g["id"] != first[g.get("players")]["id"]:
            out[g["id"]] = first[g.get("players")]["id"]
    return out


def _vary_key(g: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((g.get("vary") or {}).items()))


def _point_stats(con: duckdb.DuckDBPyConnection, src: str, grid: Sequence[Mapping[str, Any]],
                 columns: set[str]) -> dict[int, dict[str, Any]]:
    sel = ["grid_point", "count(*)"]
    for b in BINARY:
        sel.append(f"sum({_q(b)}::BIGINT)")
    for m in MEANS:
        sel += [f"sum({_q(m)}::BIGINT)", f"sum({_q(m)}::BIGINT * {_q(m)}::BIGINT)"]
    for m in FLOAT_MEANS:
        sel += [f"avg({_q(m)})", f"stddev_samp({_q(m)})"]
    share = "settlement_share" in columns
    if share:  # defined for some endings only: its mean is over the runs that define it
        sel += ['avg("settlement_share")', 'stddev_samp("settlement_share")',
                'count("settlement_share")']
    actors = sorted({a for g in grid for a in g.get("actors", ())})
    actor_cols = [c for a in actors for c in
                  [f"peak_rung_{a}", f"escalation_score_{a}", f"costs_{a}", f"damage_{a}"]
                  + [f"losses_{a}_{k}" for k in FORCE_KINDS] if c in columns]
    sel += [f"avg({_q(c)})" for c in actor_cols]
    rows = con.execute(f"SELECT {', '.join(sel)} FROM {src} GROUP BY grid_point "
                       "ORDER BY grid_point").fetchall()
    stats: dict[int, dict[str, Any]] = {}
    for row in rows:
        it = iter(row)
        gp = int(next(it))
        n = int(next(it))
        props: dict[str, Any] = {}
        for b in BINARY:
            k = int(next(it))
            lo, hi = wilson_interval(k, n)
            props[b] = {"count": k, "p": _f(k / n), "low": _f(lo), "high": _f(hi)}
        means: dict[str, Any] = {}
        for m in MEANS:
            s, ss = int(next(it)), int(next(it))
            means[m] = mean_interval(s, ss, n)
        for m in FLOAT_MEANS:
            mu, sd = next(it), next(it)
            sd = sd or 0.0
            half = Z95 * sd / math.sqrt(n)
            means[m] = {"mean": _f(mu), "sd": _f(sd), "low": _f(mu - half),
                        "high": _f(mu + half)}
        if share:
            smu, ssd, k = next(it), next(it), int(next(it))
            ssd = ssd or 0.0
            if smu is None or k == 0:
                means["challenger_share"] = {"mean": None, "sd": None, "n": 0, "low": None,
                                             "high": None}
            else:
                sh = Z95 * ssd / math.sqrt(k)
                means["challenger_share"] = {"mean": _f(smu), "sd": _f(ssd), "n": k,
                                             "low": _f(smu - sh), "high": _f(smu + sh)}
        avgs = {c: next(it) for c in actor_cols}
        stats[gp] = {"n": n, "proportions": props, "means": means, "actor_avgs": avgs}
    return stats


def _counts(con: duckdb.DuckDBPyConnection, src: str, col: str,
            where: str = "TRUE") -> dict[int, dict[str, int]]:
    rows = con.execute(f"SELECT grid_point, {_q(col)}, count(*) FROM {src} WHERE {where} "
                       f"GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    out: dict[int, dict[str, int]] = {}
    for gp, v, c in rows:
        out.setdefault(int(gp), {})[str(v)] = int(c)
    return out


def _pairs_sql(pairs: Sequence[tuple[int, int]]) -> str:
    """A relation ``(a, b)`` of grid-point pairs, as an inline VALUES list (integers only)."""
    rows = ", ".join(f"({int(a)}, {int(b)})" for a, b in pairs)
    return f"(VALUES {rows}) AS pairs(a, b)"


def _paired_sums(con: duckdb.DuckDBPyConnection, src: str, pairs: Sequence[tuple[int, int]],
                 sel: Sequence[str]) -> dict[tuple[int, int], tuple[Any, ...]]:
    """``sel`` (over row aliases ``x`` and ``y``) summed over the runs both points of each
    pair played, for every pair in one query.

    One join of the table with itself on (grid point, run) serves every pair;
    a query per pair would read the whole table once per pair (minutes for a
    design of hundreds of points).
    """
    if not pairs:
        return {}
    rows = con.execute(
        f"SELECT pairs.a, pairs.b, count(*), {', '.join(sel)} FROM {_pairs_sql(pairs)} "
        f"JOIN {src} x ON x.grid_point = pairs.a "
        f"JOIN {src} y ON y.grid_point = pairs.b AND y.run = x.run "
        "GROUP BY pairs.a, pairs.b").fetchall()
    out = {(int(r[0]), int(r[1])): tuple(r[2:]) for r in rows}
    # a pair without common runs has no row: count 0, sums NULL
    return {p: out.get((int(p[0]), int(p[1])), (0,) + (None,) * len(sel)) for p in pairs}


def _differences(con: duckdb.DuckDBPyConnection, src: str, refs: Mapping[int, int],
                 stats: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not refs:
        return out
    sel: list[str] = []
    for b in BINARY:
        x, y = f"x.{_q(b)}", f"y.{_q(b)}"
        sel += [f"sum(({x} AND NOT {y})::BIGINT)", f"sum((NOT {x} AND {y})::BIGINT)"]
    for m in MEANS:
        dx = f"(x.{_q(m)}::BIGINT - y.{_q(m)}::BIGINT)"
        sel += [f"sum({dx})", f"sum({dx} * {dx})"]
    pairs = [(gp, refs[gp]) for gp in sorted(refs) if gp in stats and refs[gp] in stats]
    sums = _paired_sums(con, src, pairs, sel)
    for gp, ref in pairs:
        it = iter(sums[(gp, ref)])
        n_pair = int(next(it))
        sa, sb = stats[gp], stats[ref]
        for b in BINARY:
            bb, cc = int(next(it) or 0), int(next(it) or 0)
            k1, n1 = sa["proportions"][b]["count"], sa["n"]
            k2, n2 = sb["proportions"][b]["count"], sb["n"]
            d, lo, hi = difference_interval(k1, n1, k2, n2)
            entry: dict[str, Any] = {"grid_point": gp, "reference": ref, "metric": b,
                                     "kind": "proportion", "difference": _f(d),
                                     "low": _f(lo), "high": _f(hi)}
            if n_pair == n1 == n2 and n_pair > 0:
                _, plo, phi = paired_proportion_interval(bb, cc, n_pair)
                entry.update(paired_low=_f(plo), paired_high=_f(phi), discordant=[bb, cc])
            out.append(entry)
        for m in MEANS:
            s, ss = int(next(it) or 0), int(next(it) or 0)
            ma, mb = sa["means"][m], sb["means"][m]
            d = float(ma["mean"]) - float(mb["mean"])
            se = math.sqrt(float(ma["sd"]) ** 2 / sa["n"] + float(mb["sd"]) ** 2 / sb["n"])
            entry = {"grid_point": gp, "reference": ref, "metric": m, "kind": "mean",
                     "difference": _f(d), "low": _f(d - Z95 * se), "high": _f(d + Z95 * se)}
            if n_pair == sa["n"] == sb["n"] and n_pair > 0:
                pm = mean_interval(s, ss, n_pair)
                entry.update(paired_low=pm["low"], paired_high=pm["high"])
            out.append(entry)
    return out


def compute_summary(con: duckdb.DuckDBPyConnection, src: str,
                    manifest: Mapping[str, Any], complete: bool = True) -> dict[str, Any]:
    """The summary of the rows in relation ``src`` described by ``manifest``."""
    grid: list[Mapping[str, Any]] = list(manifest["grid"])
    columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    stats = _point_stats(con, src, grid, columns)
    ends = _counts(con, src, "end_reason")
    peaks = _counts(con, src, "peak_rung")
    nuc = _counts(con, src, "nuclear_turn", "nuclear_use")
    refs = {gp: r for gp, r in reference_of(grid).items() if gp in stats and r in stats}
    if manifest.get("kind") == "sobol":
        # a Sobol design's points are samples of the parameter space, not variants of
        # one another: no point is another's reference, no difference means anything
        refs = {}
    points: list[dict[str, Any]] = []
    for g in grid:
        gp = int(g["id"])
        st = stats.get(gp)
        if st is None:
            continue
        actors: dict[str, Any] = {}
        for a in g.get("actors", ()):
            av = st["actor_avgs"]
            losses = {k: _f(av.get(f"losses_{a}_{k}")) for k in FORCE_KINDS
                      if av.get(f"losses_{a}_{k}")}
            actors[a] = {"peak_rung": _f(av.get(f"peak_rung_{a}")),
                         "escalation_score": _f(av.get(f"escalation_score_{a}")),
                         "costs": _f(av.get(f"costs_{a}")),
                         "damage": _f(av.get(f"damage_{a}")), "losses": losses}
        if "players" in g:
            extra_keys: dict[str, Any] = {"players": g["players"], "policy": g.get("policy", {})}
        else:
            extra_keys = {}
        points.append({
            **extra_keys,
            "grid_point": gp, "excursion": g["excursion"], "vary": dict(g.get("vary") or {}),
            "label": g.get("label", ""), "digest": g.get("digest"), "n": st["n"],
            "reference": refs.get(gp),
            "proportions": st["proportions"], "means": st["means"],
            "end_reasons": ends.get(gp, {}),
            "peak_rung_counts": dict(sorted(peaks.get(gp, {}).items(), key=lambda kv: int(kv[0]))),
            "first_nuclear_use_by_turn": dict(sorted(nuc.get(gp, {}).items(),
                                                     key=lambda kv: int(kv[0]))),
            "actors": actors,
        })
    out: dict[str, Any] = {
        "format": FORMAT,
        "kind": manifest.get("kind", "sweep"),
        "scenario": manifest["scenario"],
        "seed": manifest["seed"], "runs": manifest["runs"], "chunk": manifest["chunk"],
        "policy": manifest.get("policy", {}),
        "whitecell_version": manifest["whitecell_version"],
        "max_turns": manifest.get("max_turns"),
        "complete": complete,
        "points": points,
        "differences": _differences(con, src, refs, stats),
    }
    if "llm_calls" in columns:
        out["llm"] = _llm_totals(con, src, manifest)
    if manifest.get("players"):
        spread = model_spread(con, src, grid, points)
        out["players"] = list(manifest["players"])
        out["model_spread"] = spread
        out["model_spread_headline"] = spread_headline(spread)
    return out


def _llm_totals(con: duckdb.DuckDBPyConnection, src: str,
                manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Calls, invalid replies, stand-ins, tokens and model time of the LLM cells, per point."""
    from whitecell.policies.llm import RUN_COUNTS

    cols = ", ".join(f"SUM({_q('llm_' + k)})" for k in RUN_COUNTS)
    by: dict[str, dict[str, float]] = {}
    for row in con.execute(f"SELECT grid_point, {cols} FROM {src} GROUP BY grid_point "
                           "ORDER BY grid_point").fetchall():
        by[str(int(row[0]))] = {k: (round(float(v), 1) if k == "wall_ms" else int(v or 0))
                                for k, v in zip(RUN_COUNTS, row[1:], strict=True)}
    total = {k: sum(p[k] for p in by.values()) for k in RUN_COUNTS}
    return {"model": (manifest.get("llm") or {}).get("endpoint", {}).get("model"),
            "prompt": (manifest.get("llm") or {}).get("prompt"), "by_point": by,
            "total": total}


#: Metrics of the model spread: the binary outcomes, then ``end_reason:<reason>``.
def _spread_metrics() -> list[tuple[str, str]]:
    """(metric name, SQL predicate over a row alias ``{t}``) of every model-spread metric."""
    out = [(b, f"{{t}}.{_q(b)}") for b in BINARY]
    for r in END_REASONS:
        out.append((f"end_reason:{r}", f"({{t}}.end_reason = '{r}')"))
    return out


def _estimate(k: int, n: int) -> dict[str, Any]:
    lo, hi = wilson_interval(k, n)
    return {"count": k, "p": _f(k / n), "low": _f(lo), "high": _f(hi)}


def model_spread(con: duckdb.DuckDBPyConnection, src: str, grid: Sequence[Mapping[str, Any]],
                 points: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Outcomes across player models, per excursion and varied values (see module doc).

    Each entry: ``excursion``, ``vary``, ``label``, ``grid_points`` (player
    model -> grid point) and ``metrics``: for each metric (``war``, ...,
    ``end_reason:settlement``, ...) the value under each player model
    (``by_players``: count, p, low, high), ``min`` / ``max`` (player model and
    p), ``spread`` (max - min), ``mc_halfwidth`` (largest Wilson half-width)
    and ``paired``: every pair of player models with the paired difference
    ``a - b``, its 95% interval and the discordant counts.
    """
    by_id = {int(p["grid_point"]): p for p in points}
    groups: dict[tuple[Any, ...], dict[str, int]] = {}
    meta: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for g in grid:
        if "players" not in g or int(g["id"]) not in by_id:
            continue
        key = (g["excursion"], _vary_key(g))
        groups.setdefault(key, {})[g["players"]] = int(g["id"])
        meta.setdefault(key, g)
    metrics = _spread_metrics()
    sel: list[str] = []
    for _, pred in metrics:
        x, y = pred.format(t="x"), pred.format(t="y")
        sel += [f"sum(({x} AND NOT {y})::BIGINT)", f"sum((NOT {x} AND {y})::BIGINT)"]
    cnt_sel = ", ".join(f"sum(({pred.format(t='x')})::BIGINT)" for _, pred in metrics)
    wanted = sorted({gp for models in groups.values() for gp in models.values()})
    per_point = {int(r[0]): (int(r[1]), [int(v or 0) for v in r[2:]]) for r in con.execute(
        f"SELECT x.grid_point, count(*), {cnt_sel} FROM {src} x GROUP BY x.grid_point"
    ).fetchall() if int(r[0]) in wanted}
    model_pairs = [(models[a], models[b]) for models in groups.values()
                   for i, a in enumerate(models) for b in list(models)[i + 1:]]
    sums = _paired_sums(con, src, model_pairs, sel)
    out: list[dict[str, Any]] = []
    for key, models in groups.items():
        g = meta[key]
        counts = {model: per_point.get(gp, (0, [0] * len(metrics)))
                  for model, gp in models.items()}
        names = list(models)
        pairs: dict[tuple[str, str], tuple[int, list[int]]] = {}
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                row = sums[(models[a], models[b])]
                pairs[(a, b)] = (int(row[0]), [int(v or 0) for v in row[1:]])
        entry_metrics: dict[str, Any] = {}
        for m, (metric, _) in enumerate(metrics):
            by_players = {model: _estimate(counts[model][1][m], counts[model][0])
                          for model in names}
            if metric.startswith("end_reason:") and not any(
                    e["count"] for e in by_players.values()):
                continue  # an end reason no player model ever reached
            lo_m = min(names, key=lambda n: (float(by_players[n]["p"]), names.index(n)))
            hi_m = max(names, key=lambda n: (float(by_players[n]["p"]), -names.index(n)))
            half = max((float(e["high"]) - float(e["low"])) / 2 for e in by_players.values())
            paired = []
            for (a, b), (n_pair, disc) in pairs.items():
                bb, cc = disc[2 * m], disc[2 * m + 1]
                na, nb = counts[a][0], counts[b][0]
                if n_pair == 0 or not n_pair == na == nb:
                    continue
                d, plo, phi = paired_proportion_interval(bb, cc, n_pair)
                paired.append({"a": a, "b": b, "difference": _f(d), "low": _f(plo),
                               "high": _f(phi), "discordant": [bb, cc]})
            entry_metrics[metric] = {
                "by_players": by_players,
                "min": {"players": lo_m, "p": by_players[lo_m]["p"]},
                "max": {"players": hi_m, "p": by_players[hi_m]["p"]},
                "spread": _f(float(by_players[hi_m]["p"]) - float(by_players[lo_m]["p"])),
                "mc_halfwidth": _f(half),
                "paired": paired,
            }
        label = " ".join([g["excursion"] or "-"] + [f"{p}={v}" for p, v in
                                                     (g.get("vary") or {}).items()])
        out.append({"excursion": g["excursion"], "vary": dict(g.get("vary") or {}),
                    "label": label, "grid_points": dict(models), "metrics": entry_metrics})
    return out


#: How each spread metric is named in a sentence.
_METRIC_WORDS: Mapping[str, str] = {"war": "P(war)", "nuclear_use": "P(nuclear use)",
                                    "challenger_success": "P(challenger success)",
                                    "deterrence_held": "P(deterrence held)"}


def spread_headline(spread: Sequence[Mapping[str, Any]], metric: str = "war") -> str:
    """One sentence: how far ``metric`` moves across player models vs the Monte Carlo interval.

    Uses the reference excursion (``base`` if present, else the first) at its
    first varied values, e.g. "Across player models P(war) ranges from 0.14
    (strategic) to 0.91 (doctrine); the Monte Carlo interval (±0.01) is far
    smaller than this model uncertainty."
    """
    if not spread:
        return ""
    entry = next((e for e in spread if e["excursion"] == "base"), spread[0])
    m = entry["metrics"].get(metric)
    if m is None:
        return ""
    word = _METRIC_WORDS.get(metric, metric)
    where = f" ({entry['label']})" if entry["label"] != "-" else ""
    lo, hi = m["min"], m["max"]
    half, spr = float(m["mc_halfwidth"]), float(m["spread"])
    if spr == 0:
        text = (f"Across player models{where} {word} is {float(lo['p']):.2f} under every "
                "player model; ")
    else:
        text = (f"Across player models{where} {word} ranges from {float(lo['p']):.2f} "
                f"({lo['players']}) to {float(hi['p']):.2f} ({hi['players']}); ")
    if spr >= 5 * half:
        text += (f"the Monte Carlo interval (±{half:.2f}) is far smaller than this model "
                 "uncertainty.")
    elif spr > 2 * half:
        text += (f"the Monte Carlo interval (±{half:.2f}) is smaller than this model "
                 "uncertainty.")
    else:
        text += (f"the Monte Carlo interval (±{half:.2f}) is as large as this spread: the "
                 "player models do not differ detectably at this number of runs.")
    return text


def expected_shards(manifest: Mapping[str, Any]) -> list[tuple[int, int, int]]:
    """(grid point, chunk, rows) of every shard a complete sweep has."""
    runs, chunk = int(manifest["runs"]), int(manifest["chunk"])
    out = []
    for g in manifest["grid"]:
        for k in range(math.ceil(runs / chunk)):
            out.append((int(g["id"]), k, min(runs, (k + 1) * chunk) - k * chunk))
    return out


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a sweep folder (SweepError when it is not one)."""
    d = Path(path)
    m = d / MANIFEST
    if not m.is_file():
        raise SweepError(f"{d} is not a whitecell sweep folder (no {MANIFEST})")
    try:
        data = read_json(m)
    except (OSError, ValueError) as e:
        raise SweepError(f"cannot read {m}: {e}") from None
    if not isinstance(data, dict) or "grid" not in data:
        raise SweepError(f"{m} is not a whitecell sweep manifest")
    return data


def source_sql(files: Sequence[Path]) -> str:
    """A DuckDB relation over Parquet files (columns matched by name)."""
    lst = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{lst}], union_by_name = true)"


def summarize(path: str | Path, *, allow_partial: bool = True) -> dict[str, Any]:
    """Summarize the sweep in folder ``path`` (DuckDB over its Parquet shards).

    Missing shards (a sweep still running or interrupted) give a partial
    summary marked ``"complete": false``, or a SweepError if ``allow_partial``
    is false.
    """
    d = Path(path)
    manifest = read_manifest(d)
    want = expected_shards(manifest)
    files = [shard_path(d, gp, k) for gp, k, _ in want]
    present = [f for f in files if f.exists()]
    complete = len(present) == len(files)
    if not complete and not allow_partial:
        raise SweepError(f"{d}: {len(files) - len(present)} of {len(files)} shards missing; "
                         "run the same sweep command again to finish it")
    if not present:
        raise SweepError(f"{d}: no shards yet; run the sweep first")
    check_shards(present)
    con = connect()
    try:
        con.execute(f"CREATE VIEW shards AS SELECT * FROM {source_sql(present)}")
        return compute_summary(con, "shards", manifest, complete=complete)
    except duckdb.IOException as e:  # a shard damaged past its footer
        raise SweepError(f"cannot read the shards of {d} ({str(e).splitlines()[0]}); delete the "
                         "shard named there and run the same sweep command again") from None
    finally:
        con.close()


def summarize_table(table: pa.Table, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Summarize rows held in memory (a sweep run without an out folder)."""
    con = connect()
    try:
        con.register("shards_arrow", table)
        return compute_summary(con, "shards_arrow", manifest)
    finally:
        con.close()


def all_shards(path: Path) -> list[Path]:
    """Every shard file of a folder (for ad-hoc DuckDB queries)."""
    return list_shards(path)
