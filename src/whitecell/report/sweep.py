"""The sweep report: a Monte Carlo sweep as one self-contained offline HTML page.

Analysts compare excursions by their outcome probabilities and want to see
how sure those numbers are. The page shows, from a sweep folder's
``summary.json`` (recomputed from the shards when absent) and, if present,
``sensitivity.json``, with the scenario file (for its words) and the
Parquet shards (for who capitulated and example runs) when they can be read:

* first the findings in words: the largest differences between grid points,
  each with both probabilities, their intervals and the paired interval of
  the difference (saying when it includes zero), and how the base case ends;
* each excursion's title and description from the scenario;
* for sweeps over player models (``--players``), first a sentence and a
  table per excursion with each outcome under each player model, the model
  spread (max - min) beside the Monte Carlo half-width and paired
  differences between player models: the uncertainty the model brings, next
  to the one the dice bring;
* outcome probabilities per grid point with their 95% Wilson intervals as
  error bars, and a table with the same numbers;
* differences between excursions with Newcombe and paired intervals;
* the distribution of the peak rung on Kahn's ladder (bars);
* P(no nuclear use yet) by turn (a survival curve of the first nuclear use),
  or one sentence when no run used nuclear weapons;
* end reasons per grid point with capitulations split by who gave in,
  per-actor means and mean losses per force kind (in its own unit);
* the sensitivity tornado;
* the ``whitecell run --from-sweep`` command of an example run of each point.

A Sobol design (``kind: sobol`` in its manifest) gets its own page instead,
indices first and no table of its hundreds of points: see
:mod:`whitecell.report.sobol`.

Like the run report it has inline CSS and SVG, no script and no external
reference, and the same sweep folder renders to the same bytes (charts use a
fixed ``svg.hashsalt``; nothing time-dependent is shown).

Public API::

    from whitecell.report.sweep import write_sweep_report
    write_sweep_report("sweeps/taiwan", "taiwan-sweep.html")
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import numpy as np
from markupsafe import Markup
from matplotlib.figure import Figure

from whitecell import __version__
from whitecell.analysis.sensitivity import read_sensitivity
from whitecell.analysis.shards import SUMMARY, read_json
from whitecell.analysis.sobol import SOBOL, sobol_indices
from whitecell.analysis.summary import all_shards, connect, read_manifest, source_sql, summarize
from whitecell.report.aar import END_REASONS, FORCE_UNITS
from whitecell.report.charts import literal
from whitecell.report.files import write_text_atomic
from whitecell.report.sobol import build_sobol_context, sobol_chart
from whitecell.report.svg import chart_style, figure_to_svg
from whitecell.scenario.load import load_scenario

__all__ = ["build_sweep_context", "render_sweep_report", "write_sweep_report"]

#: Colours of grid points, in order (colour-blind-safe Okabe-Ito, then greys).
POINT_COLOURS: tuple[str, ...] = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00",
                                  "#56b4e9", "#8c6d00", "#000000", "#7f7f7f", "#b3b3b3")
OUTCOME_LABELS: Mapping[str, str] = {
    "war": "war", "nuclear_use": "nuclear use",
    "challenger_success": "challenger success", "deterrence_held": "deterrence held",
}


def _colour(i: int) -> str:
    return POINT_COLOURS[i % len(POINT_COLOURS)]


def _label(pt: Mapping[str, Any]) -> str:
    parts = [pt["excursion"] or "as written"]
    if pt.get("players"):
        parts.append(f"{pt['players']} players")
    parts += [f"{k}={v}" for k, v in pt["vary"].items()]
    return " · ".join(parts)


def _chart_label(pt: Mapping[str, Any]) -> str:
    """The label of a grid point as drawn in a chart: literal text, never mathtext."""
    return literal(_label(pt))


def outcome_chart(points: Sequence[Mapping[str, Any]]) -> Markup:
    """Grouped bars: P(outcome) per grid point with 95% Wilson error bars."""
    metrics = list(OUTCOME_LABELS)
    n = len(points)
    with chart_style("sweep-outcomes"):
        fig = Figure(figsize=(9.6, 3.6 + 0.12 * n))
        ax = fig.add_subplot()
        width = 0.8 / max(n, 1)
        x = np.arange(len(metrics))
        for i, pt in enumerate(points):
            pr = pt["proportions"]
            p = np.array([pr[m]["p"] for m in metrics])
            lo = np.array([pr[m]["low"] for m in metrics])
            hi = np.array([pr[m]["high"] for m in metrics])
            pos = x - 0.4 + width * (i + 0.5)
            ax.bar(pos, p, width * 0.92, color=_colour(i), label=_chart_label(pt))
            ax.errorbar(pos, p, yerr=np.vstack([p - lo, hi - p]), fmt="none",
                        ecolor="#2b2f33", elinewidth=0.9, capsize=2.5)
        ax.set_xticks(x, [OUTCOME_LABELS[m] for m in metrics])
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability (%)")
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f}%")
        ax.set_title("Outcome probabilities (95% Wilson intervals)")
        ax.grid(axis="y", color="#e6e9ec", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-outcomes",
                             title="Outcome probabilities per grid point with 95% intervals")


def peak_rung_chart(points: Sequence[Mapping[str, Any]]) -> Markup:
    """Share of runs by peak rung on Kahn's ladder: grouped bars, one colour per grid point."""
    with chart_style("sweep-peak"):
        fig = Figure(figsize=(9.6, 3.4))
        ax = fig.add_subplot()
        seen = sorted({int(r) for pt in points for r in pt["peak_rung_counts"]})
        rungs = list(range(seen[0], seen[-1] + 1)) if seen else []
        n = len(points)
        width = 0.8 / max(n, 1)
        x = np.array(rungs, dtype=float)
        for i, pt in enumerate(points):
            counts = pt["peak_rung_counts"]
            share = [counts.get(str(r), 0) / pt["n"] for r in rungs]
            ax.bar(x - 0.4 + width * (i + 0.5), share, width * 0.92, color=_colour(i),
                   label=_chart_label(pt))
        ax.set_xlabel("peak rung on Kahn's (1965) 44-rung ladder (rung)")
        ax.set_ylabel("share of runs (%)")
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f}%")
        if rungs:
            ax.set_xticks(rungs if len(rungs) <= 24 else rungs[::2])
        ax.set_title("Peak-rung distribution")
        ax.grid(axis="y", color="#e6e9ec", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-peak", title="Peak-rung distribution")


def survival(pt: Mapping[str, Any], max_turns: int) -> list[float]:
    """P(no nuclear use by the end of turn t) for t = 0 .. max_turns."""
    by_turn = {int(t): c for t, c in pt["first_nuclear_use_by_turn"].items()}
    cum = 0
    out = []
    for t in range(max_turns + 1):
        cum += by_turn.get(t, 0)
        out.append(1.0 - cum / pt["n"])
    return out


def nuclear_chart(points: Sequence[Mapping[str, Any]], max_turns: int) -> Markup:
    """P(no nuclear use yet) by turn, one step line per grid point."""
    with chart_style("sweep-nuclear"):
        fig = Figure(figsize=(9.6, 3.4))
        ax = fig.add_subplot()
        turns = np.arange(max_turns + 1)
        low = 1.0
        for i, pt in enumerate(points):
            s = survival(pt, max_turns)
            low = min(low, min(s))
            ax.step(turns, s, where="post", linewidth=1.5, color=_colour(i), label=_chart_label(pt),
                    clip_on=False)
        ax.set_xlabel("turn (number)")
        ax.set_ylabel("P(no nuclear use yet) (%)")
        ax.set_xlim(0, max_turns)
        ax.set_ylim(max(0.0, low - 0.05 * (1 - low) - 0.01), 1.0)
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.1f}%")
        ax.set_title("No nuclear use yet, by turn")
        ax.grid(axis="y", color="#e6e9ec", linewidth=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-nuclear",
                             title="Probability of no nuclear use yet, by turn")


def tornado_chart(data: Mapping[str, Any]) -> Markup:
    """The tornado: outcome at each parameter's low and high value around the base."""
    rows = list(data["parameters"])[::-1]  # largest effect at the top
    base = float(data["base"]["value"])
    with chart_style("sweep-tornado"):
        fig = Figure(figsize=(9.6, 1.2 + 0.42 * max(len(rows), 1)))
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        for i, r in enumerate(rows):
            lo, hi = float(r["at_low"]["value"]), float(r["at_high"]["value"])
            ax.barh(i, lo - base, left=base, color="#56b4e9", height=0.6,
                    label="low value" if i == 0 else None)
            ax.barh(i, hi - base, left=base, color="#d55e00", height=0.6,
                    label="high value" if i == 0 else None)
        ax.axvline(base, color="#2b2f33", linewidth=1.0)
        ax.set_yticks(y, [literal(f"{r['path']}  ({r['low_value']} → {r['high_value']})")
                          for r in rows])
        ax.set_xlabel(f"{data['outcome']} ({_outcome_unit(data['outcome'])}; base {base:.4g})")
        ax.set_title("Sensitivity: one parameter at a time")
        ax.legend(loc="lower right", fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-tornado", title="Sensitivity tornado")


def spread_chart(entry: Mapping[str, Any], models: Sequence[str]) -> Markup:
    """Each outcome under each player model, with 95% Wilson intervals (one excursion)."""
    metrics = [m for m in OUTCOME_LABELS if m in entry["metrics"]]
    with chart_style("sweep-spread"):
        fig = Figure(figsize=(9.6, 3.4))
        ax = fig.add_subplot()
        x = np.arange(len(metrics))
        width = 0.8 / max(len(models), 1)
        for i, model in enumerate(models):
            est = [entry["metrics"][m]["by_players"].get(model) for m in metrics]
            if any(e is None for e in est):
                continue
            p = np.array([float(e["p"]) for e in est])
            lo = np.array([float(e["low"]) for e in est])
            hi = np.array([float(e["high"]) for e in est])
            pos = x - 0.4 + width * (i + 0.5)
            ax.errorbar(pos, p, yerr=np.vstack([p - lo, hi - p]), fmt="o", color=_colour(i),
                        ecolor="#2b2f33", elinewidth=0.9, capsize=2.5, label=model)
        for j, m in enumerate(metrics):
            e = entry["metrics"][m]
            ax.vlines(j, float(e["min"]["p"]), float(e["max"]["p"]), color="#b3b3b3",
                      linewidth=6, alpha=0.5, zorder=0)
        ax.set_xticks(x, [OUTCOME_LABELS[m] for m in metrics])
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability (%)")
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f}%")
        ax.set_title("Across player models (grey: model spread; bars: 95% Wilson intervals)")
        ax.grid(axis="y", color="#e6e9ec", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-spread",
                             title="Outcome probabilities under each player model")


def _spread_tables(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One table per excursion (and varied values): outcomes x player models."""
    models = list(summary.get("players") or [])
    tables = []
    for entry in summary.get("model_spread") or []:
        rows = []
        pairs: list[tuple[str, str]] = []
        for metric, m in entry["metrics"].items():
            pairs = [(p["a"], p["b"]) for p in m["paired"]]
            name = OUTCOME_LABELS.get(metric) or "ended by " + END_REASONS.get(
                metric.removeprefix("end_reason:"), metric.removeprefix("end_reason:"))
            rows.append({
                "metric": name,
                "cells": [(_fmt_pct(m["by_players"][k]),
                            _fmt_ci(m["by_players"][k]["low"], m["by_players"][k]["high"]))
                           if k in m["by_players"] else ("-", "") for k in models],
                "lowest": m["min"]["players"], "highest": m["max"]["players"],
                "spread": f"{100 * float(m['spread']):.2f} pp",
                "mc": f"±{100 * float(m['mc_halfwidth']):.2f} pp",
                "paired": [(f"{100 * float(p['difference']):+.2f} pp",
                            _fmt_ci(float(p["low"]), float(p["high"])))
                           for p in m["paired"]]})
        label = entry["label"] if entry["label"] != "-" else "scenario as written"
        tables.append({"label": label, "models": models,
                       "pairs": [f"{a} − {b}" for a, b in pairs], "rows": rows})
    return tables


#: Grid points beyond which the per-point charts are left out (tables remain).
MAX_CHARTED_POINTS = 12


def _fmt_pct(p: Mapping[str, Any]) -> str:
    return f"{100 * p['p']:.2f}%"


def _fmt_ci(lo: float, hi: float, scale: float = 100.0, digits: int = 2) -> str:
    return f"[{scale * lo:.{digits}f}, {scale * hi:.{digits}f}]"


def _outcome_unit(outcome: str) -> str:
    """The unit of a sensitivity outcome as drawn on an axis."""
    if outcome in OUTCOME_LABELS:
        return "probability, 0 to 1"
    return {"peak_rung": "rung", "turns": "turns"}.get(outcome, "mean")


#: Units of the mean outcomes a summary compares.
MEAN_UNITS: Mapping[str, str] = {"peak_rung": "rungs", "turns": "turns",
                                 "escalation_score": "points", "cumulative_risk": "probability"}

#: Short names of the end reasons, for table headings.
END_SHORT: Mapping[str, str] = {"settlement": "settlement", "ceasefire": "ceasefire",
                                "stalemate": "stalemate", "capitulation": "capitulation",
                                "objective": "objective reached",
                                "strategic_exchange": "strategic exchange",
                                "time_limit": "time limit"}

#: End reasons in the order the report shows them.
END_ORDER: tuple[str, ...] = ("settlement", "ceasefire", "stalemate", "capitulation",
                              "objective", "strategic_exchange", "time_limit")


@dataclass(frozen=True)
class ScenarioText:
    """What the scenario file says about itself, for the report (empty when it cannot load)."""

    excursions: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # id -> title, text
    actor_names: Mapping[str, str] = field(default_factory=dict)
    challenger: str | None = None  # the challenger's name


def scenario_text(manifest: Mapping[str, Any]) -> ScenarioText:
    """Titles and descriptions of the excursions from the scenario the manifest records.

    Guarded: a scenario that moved, changed or no longer validates gives an
    empty ScenarioText and the report simply leaves the text out.
    """
    ref = (manifest.get("scenario") or {}).get("ref")
    if not ref:
        return ScenarioText()
    try:
        sc = load_scenario(str(ref)).scenario
    except Exception:  # noqa: BLE001 - any failure only drops descriptive text
        return ScenarioText()
    names = {a.id: a.name for a in sc.actors}
    chal = next((a.name for a in sc.actors if a.role == "challenger"), None)
    return ScenarioText({e.id: (e.title, e.description) for e in sc.excursions}, names, chal)


@dataclass(frozen=True)
class ShardFacts:
    """Facts the summary does not hold, read from the Parquet shards with DuckDB."""

    #: grid point -> (end reason, capitulated by or None) -> runs
    endings: Mapping[int, Mapping[tuple[str, str | None], int]] = field(default_factory=dict)
    #: grid point -> index of its first run that ended in challenger success
    first_success: Mapping[int, int] = field(default_factory=dict)
    #: grid point -> index of its first run that went to war
    first_war: Mapping[int, int] = field(default_factory=dict)


def shard_facts(path: Path) -> ShardFacts:
    """Who capitulated and example run indices, per grid point (empty if the shards can't be read)."""
    files = all_shards(path)
    if not files:
        return ShardFacts()
    con = connect()
    try:
        src = source_sql(files)
        cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        endings: dict[int, dict[tuple[str, str | None], int]] = {}
        cap = "capitulated_by" if "capitulated_by" in cols else "NULL"
        for gp, reason, by, c in con.execute(
                f"SELECT grid_point, end_reason, {cap}, count(*) FROM {src} "
                "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").fetchall():
            endings.setdefault(int(gp), {})[(str(reason), None if by is None else str(by))] = int(c)
        first: dict[str, dict[int, int]] = {}
        for col in ("challenger_success", "war"):
            first[col] = {int(gp): int(r) for gp, r in con.execute(
                f"SELECT grid_point, min(run) FROM {src} WHERE {col} GROUP BY 1 ORDER BY 1"
            ).fetchall()} if col in cols else {}
        return ShardFacts(endings, first["challenger_success"], first["war"])
    except (duckdb.Error, OSError):
        return ShardFacts()
    finally:
        con.close()


def _pct1(p: float) -> str:
    return f"{100 * p:.1f}%"


def _ci1(lo: float, hi: float) -> str:
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def _metric_phrase(metric: str, challenger: str | None) -> str:
    """``metric`` as the verb phrase of a finding: "<phrase> in 25.0% of runs"."""
    return {"war": "war breaks out",
            "nuclear_use": "nuclear weapons are used",
            "challenger_success": f"{challenger or 'the challenger'} succeeds",
            "deterrence_held": "deterrence holds"}.get(metric, metric.replace("_", " "))


def _point_name(pt: Mapping[str, Any], text: ScenarioText) -> str:
    """A grid point in a sentence: "without Japanese bases (no-japan-bases)", "the base case"."""
    ex = pt["excursion"]
    extra = [f"{k}={v}" for k, v in pt["vary"].items()]
    if pt.get("players"):
        extra.append(f"{pt['players']} players")
    if ex in (None, "", "base"):
        name = "the base case" if ex == "base" else "the scenario as written"
    elif ex in text.excursions:
        name = f"“{text.excursions[ex][0]}” ({ex})"
    else:
        name = f"excursion {ex}"
    return name + (f" at {', '.join(extra)}" if extra else "")


def findings(summary: Mapping[str, Any], text: ScenarioText, limit: int = 4) -> list[str]:
    """The largest differences between grid points, in words, largest first.

    Proportion differences from the summary's ``differences`` ranked by their
    absolute size; each sentence gives both probabilities with their 95%
    Wilson intervals and the difference with its paired interval (Newcombe's
    when the runs cannot be paired), and says when that interval includes zero.
    """
    pts = {int(p["grid_point"]): p for p in summary["points"]}
    props = [d for d in summary.get("differences") or []
             if d["kind"] == "proportion" and d.get("difference") is not None
             and int(d["grid_point"]) in pts and int(d["reference"]) in pts]
    props.sort(key=lambda d: (-abs(float(d["difference"])), int(d["grid_point"]), d["metric"]))
    out: list[str] = []
    for d in props:
        if len(out) >= limit or float(d["difference"]) == 0.0:
            break
        a, b = pts[int(d["grid_point"])], pts[int(d["reference"])]
        pa_, pb = a["proportions"][d["metric"]], b["proportions"][d["metric"]]
        paired = "paired_low" in d and d["paired_low"] is not None
        lo, hi = (float(d["paired_low"]), float(d["paired_high"])) if paired else (
            float(d["low"]), float(d["high"]))
        kind = "paired" if paired else "Newcombe"
        where = _point_name(a, text)
        s = (f"Under {where}, {_metric_phrase(d['metric'], text.challenger)} in "
             f"{_pct1(pa_['p'])} {_ci1(pa_['low'], pa_['high'])} of runs vs "
             f"{_pct1(pb['p'])} {_ci1(pb['low'], pb['high'])} in {_point_name(b, text)}: "
             f"{100 * float(d['difference']):+.1f} percentage points, {kind} 95% interval "
             f"[{100 * lo:+.1f}, {100 * hi:+.1f}]")
        if lo <= 0.0 <= hi:
            s += "; the interval includes zero, so the sweep cannot tell the two apart"
        out.append(s + ".")
    if props and not out:
        out.append("No excursion changed any outcome: every difference is zero.")
    return out


def _ending_sentence(pt: Mapping[str, Any], facts: ShardFacts, text: ScenarioText) -> str:
    """How the runs of one grid point mostly ended, and who capitulated."""
    ends = pt["end_reasons"]
    if not ends:
        return ""
    reason, k = max(ends.items(), key=lambda kv: (kv[1], kv[0]))
    s = (f"In {_point_name(pt, text)} most runs end in {END_REASONS.get(reason, reason)} "
         f"({_pct1(k / pt['n'])})")
    caps = {by: c for (r, by), c in facts.endings.get(int(pt["grid_point"]), {}).items()
            if r == "capitulation" and by}
    if caps:
        who, c = max(caps.items(), key=lambda kv: (kv[1], kv[0]))
        s += (f"; {text.actor_names.get(who, who)} capitulated in "
              f"{_pct1(c / pt['n'])} of all runs")
    return s + "."


def _endings(points: Sequence[Mapping[str, Any]], facts: ShardFacts
             ) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """End-reason columns, the actors who ever capitulated and, per grid point, the share
    of runs ending each way and ending in each actor's capitulation."""
    seen = {k for pt in points for k in pt["end_reasons"]}
    keys = [k for k in END_ORDER if k in seen] + sorted(seen - set(END_ORDER))
    caps: list[dict[str, int]] = []
    for pt in points:
        c: dict[str, int] = {}
        for (r, by), k in facts.endings.get(int(pt["grid_point"]), {}).items():
            if r == "capitulation":
                c[by or "unknown"] = c.get(by or "unknown", 0) + k
        caps.append(c)
    order = list(dict.fromkeys(a for pt in points for a in pt["actors"]))
    who = [a for a in order if any(c.get(a) for c in caps)]
    who += sorted({a for c in caps for a in c} - set(who))
    rows = []
    for pt, c in zip(points, caps, strict=True):
        n = pt["n"]
        rows.append({"shares": [_pct1(pt["end_reasons"].get(k, 0) / n) for k in keys],
                     "capitulated": [_pct1(c.get(a, 0) / n) for a in who]})
    return keys, who, rows


def _losses(points: Sequence[Mapping[str, Any]], text: ScenarioText) -> list[dict[str, Any]]:
    """Mean losses per run, one row per actor and force kind lost anywhere in the sweep."""
    actors = list(dict.fromkeys(a for pt in points for a in pt["actors"]))
    rows = []
    for a in actors:
        for k in FORCE_UNITS:
            vals = [(pt["actors"].get(a) or {}).get("losses", {}).get(k) for pt in points]
            if not any(vals):
                continue
            rows.append({"actor": a, "name": text.actor_names.get(a, a), "kind": k,
                         "unit": FORCE_UNITS[k],
                         "values": ["-" if not v else f"{float(v):,.1f}" for v in vals]})
    return rows


def _reproduce(points: Sequence[Mapping[str, Any]], facts: ShardFacts, folder: str,
               many: bool) -> list[dict[str, Any]]:
    """The ``whitecell run --from-sweep`` command of an example run of each grid point."""
    out = []
    for pt in points:
        gp = int(pt["grid_point"])
        if gp in facts.first_success:
            idx, why = facts.first_success[gp], "first run ending in challenger success"
        elif gp in facts.first_war:
            idx, why = facts.first_war[gp], "no run ended in challenger success; first run to war"
        else:
            idx, why = 0, "first run"
        cmd = f"whitecell run --from-sweep {shlex.quote(folder)} --index {idx}"
        if many:
            cmd += f" --grid-point {gp}"
        out.append({"index": idx, "why": why, "command": cmd})
    return out


def build_sweep_context(summary: Mapping[str, Any], manifest: Mapping[str, Any],
                        sensitivity: Mapping[str, Any] | None,
                        sobol: Mapping[str, Any] | None = None, *,
                        text: ScenarioText | None = None, facts: ShardFacts | None = None,
                        folder: str = "DIR") -> dict[str, Any]:
    """Everything the template shows, as plain values and SVG markup.

    ``text`` (the scenario's words) and ``facts`` (from the shards) are
    optional: without them the excursion descriptions and the capitulation
    breakdown are left out.
    """
    text = text or ScenarioText()
    facts = facts or ShardFacts()
    points = list(summary["points"])
    max_turns = int(summary.get("max_turns") or manifest.get("max_turns") or 0) or max(
        (int(t) for pt in points for t in pt["first_nuclear_use_by_turn"]), default=1)
    rows = []
    for i, pt in enumerate(points):
        pr, me = pt["proportions"], pt["means"]
        rows.append({
            "id": pt["grid_point"], "label": _label(pt), "colour": _colour(i), "n": pt["n"],
            "digest": pt["digest"],
            "probs": [(OUTCOME_LABELS[m], _fmt_pct(pr[m]), _fmt_ci(pr[m]["low"], pr[m]["high"]))
                      for m in OUTCOME_LABELS],
            "means": [(k, f"{me[k]['mean']:.2f}", _fmt_ci(me[k]["low"], me[k]["high"], 1.0))
                      for k in ("peak_rung", "turns")],
            "share": ((f"{me['challenger_share']['mean']:.2f}",
                       _fmt_ci(me["challenger_share"]["low"], me["challenger_share"]["high"],
                               1.0), me["challenger_share"]["n"])
                      if (me.get("challenger_share") or {}).get("mean") is not None else None),
            "ends": {k: v / pt["n"] for k, v in pt["end_reasons"].items()},
            "actors": pt["actors"],
        })
    labels = {pt["grid_point"]: _label(pt) for pt in points}
    diffs = []
    for d in summary["differences"]:
        prop = d["kind"] == "proportion"
        sc = 100.0 if prop else 1.0
        unit = " pp" if prop else ""
        if not prop:
            unit = " " + MEAN_UNITS.get(d["metric"], "")
        diffs.append({
            "point": labels.get(d["grid_point"], str(d["grid_point"])),
            "reference": labels.get(d["reference"], str(d["reference"])),
            "metric": OUTCOME_LABELS.get(d["metric"], d["metric"].replace("_", " "))
            + (" (%)" if prop else f" ({unit.strip()})"),
            "difference": f"{sc * d['difference']:+.2f}{unit}",
            "independent": _fmt_ci(d["low"], d["high"], sc),
            "paired": _fmt_ci(d["paired_low"], d["paired_high"], sc)
            if "paired_low" in d else "-"})
    actors = list(dict.fromkeys(a for r in rows for a in r["actors"]))  # scenario order
    # one series per grid point: past a dozen the charts stop being readable
    charts: dict[str, Markup | None] = {"outcomes": None, "peak": None, "nuclear": None}
    any_nuclear = any(pt["first_nuclear_use_by_turn"] or pt["proportions"]["nuclear_use"]["count"]
                      for pt in points)
    if len(points) <= MAX_CHARTED_POINTS:
        charts = {"outcomes": outcome_chart(points), "peak": peak_rung_chart(points),
                  # an all-flat survival curve says nothing a sentence does not
                  "nuclear": nuclear_chart(points, max_turns) if any_nuclear else None}
    sens = None
    if sensitivity:
        charts["tornado"] = tornado_chart(sensitivity)
        sens = {"outcome": sensitivity["outcome"], "base": sensitivity["base"],
                "rows": sensitivity["parameters"]}
    if sobol:
        charts["sobol"] = sobol_chart(sobol)
    spread = _spread_tables(summary)
    if summary.get("model_spread"):
        ms = summary["model_spread"]
        ref = next((e for e in ms if e["excursion"] == "base"), ms[0])
        charts["spread"] = spread_chart(ref, list(summary.get("players") or []))
    sc = summary["scenario"]
    end_keys, capitulators, endings = _endings(points, facts)
    for r, e in zip(rows, endings, strict=True):
        r.update(e)
    excursions = []
    for ex in dict.fromkeys(pt["excursion"] for pt in points):
        if ex in text.excursions:
            excursions.append({"id": ex, "title": text.excursions[ex][0],
                               "description": text.excursions[ex][1]})
    found = findings(summary, text)
    if facts.endings:
        ref = next((pt for pt in points if pt["excursion"] == "base"), points[0] if points else None)
        if ref is not None and (line := _ending_sentence(ref, facts, text)):
            found.append(line)
    for r, rep in zip(rows, _reproduce(points, facts, folder, len(manifest.get("grid", [])) > 1),
                      strict=True):
        r["rerun"] = rep
    return {"sobol": sobol, "findings": found, "excursions": excursions,
        "any_nuclear": any_nuclear, "losses": _losses(points, text),
        "actor_names": text.actor_names, "have_capitulations": bool(facts.endings), "capitulators": capitulators,
        "spread": spread, "spread_headline": summary.get("model_spread_headline") or "",
        "player_models": list(summary.get("players") or []),
        "title": sc.get("title") or sc["id"], "scenario": sc, "summary": summary,
        "manifest_grid": manifest.get("grid", []), "rows": rows, "end_keys": end_keys,
        "end_names": {k: END_SHORT.get(k, k) for k in end_keys}, "diffs": diffs,
        "actors": actors, "charts": charts, "sensitivity": sens,
        "policy": summary.get("policy") or {}, "complete": summary.get("complete", True),
        "whitecell_version": __version__,
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("whitecell.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["pct"] = lambda v: f"{100 * float(v):.1f}%"
    env.filters["num"] = lambda v: "-" if v is None else f"{float(v):,.3g}"
    return env


def render_sweep_report(path: str | os.PathLike[str]) -> str:
    """The report of the sweep folder ``path`` as one HTML document.

    Raises:
        SweepError: ``path`` is not a sweep folder or holds no shards.
    """
    d = Path(path)
    manifest = read_manifest(d)
    s = d / SUMMARY
    summary = read_json(s) if s.is_file() else summarize(d)
    if manifest.get("players") and "model_spread" not in summary:
        summary = summarize(d)  # written by a whitecell that did not know player models
    sob = d / SOBOL
    sobol = read_json(sob) if sob.is_file() else None
    if manifest.get("kind") == "sobol":
        if sobol is None and summary.get("complete", True):
            sobol = sobol_indices(summary, manifest)
        return _environment().get_template("sobol.html").render(
            **build_sobol_context(summary, manifest, sobol, text=scenario_text(manifest),
                                  facts=shard_facts(d), folder=str(path)))
    return _environment().get_template("sweep.html").render(
        **build_sweep_context(summary, manifest, read_sensitivity(d), sobol,
                              text=scenario_text(manifest), facts=shard_facts(d),
                              folder=str(path)))


def write_sweep_report(path: str | os.PathLike[str], output: str | os.PathLike[str]) -> Path:
    """Render the report of sweep folder ``path`` and write it to ``output`` atomically.

    Raises:
        SweepError: not a sweep folder (or no shards yet).
        OSError: the file cannot be written.
    """
    return write_text_atomic(output, render_sweep_report(path))
