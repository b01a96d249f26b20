"""The sweep report: a Monte Carlo sweep as one self-contained offline HTML page.

Analysts compare excursions by their outcome probabilities and want to see
how sure those numbers are. The page shows, from a sweep folder's
``summary.json`` (recomputed from the shards when absent) and, if present,
``sensitivity.json``:

* for sweeps over player models (``--players``), first a sentence and a
  table per excursion with each outcome under each player model, the model
  spread (max - min) beside the Monte Carlo half-width and paired
  differences between player models: the uncertainty the model brings, next
  to the one the dice bring;
* outcome probabilities per grid point with their 95% Wilson intervals as
  error bars, and a table with the same numbers;
* differences between excursions with Newcombe and paired intervals;
* the distribution of the peak rung on Kahn's ladder;
* P(no nuclear use yet) by turn (a survival curve of the first nuclear use);
* end reasons and per-actor means;
* the sensitivity tornado.

Like the run report it has inline CSS and SVG, no script and no external
reference, and the same sweep folder renders to the same bytes (charts use a
fixed ``svg.hashsalt``; nothing time-dependent is shown).

Public API::

    from whitecell.report.sweep import write_sweep_report
    write_sweep_report("sweeps/taiwan", "taiwan-sweep.html")
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup
from matplotlib.figure import Figure

from whitecell import __version__
from whitecell.analysis.sensitivity import read_sensitivity
from whitecell.analysis.shards import SUMMARY, read_json
from whitecell.analysis.sobol import SOBOL
from whitecell.analysis.summary import read_manifest, summarize
from whitecell.report.aar import END_REASONS
from whitecell.report.charts import literal
from whitecell.report.files import write_text_atomic
from whitecell.report.svg import chart_style, figure_to_svg

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
        ax.set_ylabel("probability")
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f}%")
        ax.set_title("Outcome probabilities (95% Wilson intervals)")
        ax.grid(axis="y", color="#e6e9ec", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-outcomes",
                             title="Outcome probabilities per grid point with 95% intervals")


def peak_rung_chart(points: Sequence[Mapping[str, Any]]) -> Markup:
    """Share of runs by peak rung on Kahn's ladder, one line per grid point."""
    with chart_style("sweep-peak"):
        fig = Figure(figsize=(9.6, 3.4))
        ax = fig.add_subplot()
        seen = sorted({int(r) for pt in points for r in pt["peak_rung_counts"]})
        rungs = list(range(seen[0], seen[-1] + 1)) if seen else []
        for i, pt in enumerate(points):
            counts = pt["peak_rung_counts"]
            share = [counts.get(str(r), 0) / pt["n"] for r in rungs]
            ax.plot(rungs, share, marker="o", markersize=3.5, linewidth=1.4, color=_colour(i),
                    label=_chart_label(pt))
        ax.set_xlabel("peak rung (Kahn, 1965)")
        ax.set_ylabel("share of runs")
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f}%")
        if rungs:
            ax.set_xticks(rungs if len(rungs) <= 24 else rungs[::2])
        ax.set_title("Peak-rung distribution")
        ax.grid(axis="y", color="#e6e9ec", linewidth=0.6)
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
        ax.set_xlabel("turn")
        ax.set_ylabel("P(no nuclear use yet)")
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
        ax.set_xlabel(f"{data['outcome']} (base {base:.4g})")
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
        ax.set_ylabel("probability")
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


def sobol_chart(data: Mapping[str, Any]) -> Markup:
    """First-order and total Sobol indices per parameter, with bootstrap intervals."""
    rows = list(data["parameters"])[::-1]  # largest total index at the top
    with chart_style("sweep-sobol"):
        fig = Figure(figsize=(9.6, 1.4 + 0.5 * max(len(rows), 1)))
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        s1 = [float(r["S1"]) for r in rows]
        st = [float(r["ST"]) for r in rows]
        ax.barh(y + 0.18, st, height=0.34, color="#d55e00", label="total (ST)",
                xerr=[float(r["ST_conf"]) for r in rows], capsize=3)
        ax.barh(y - 0.18, s1, height=0.34, color="#0072b2", label="first order (S1)",
                xerr=[float(r["S1_conf"]) for r in rows], capsize=3)
        ax.axvline(0.0, color="#2b2f33", linewidth=1.0)
        ax.set_yticks(y, [literal(f"{r['path']}  ({r['low_value']} → {r['high_value']})")
                          for r in rows])
        ax.set_xlabel(f"share of the variance of {data['outcome']}")
        ax.set_title("Sobol indices (Saltelli 2010, via SALib)")
        ax.legend(loc="lower right", fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-sobol", title="Sobol indices")


def _fmt_pct(p: Mapping[str, Any]) -> str:
    return f"{100 * p['p']:.2f}%"


def _fmt_ci(lo: float, hi: float, scale: float = 100.0, digits: int = 2) -> str:
    return f"[{scale * lo:.{digits}f}, {scale * hi:.{digits}f}]"


def build_sweep_context(summary: Mapping[str, Any], manifest: Mapping[str, Any],
                        sensitivity: Mapping[str, Any] | None,
                        sobol: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain values and SVG markup."""
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
            "ends": {k: v / pt["n"] for k, v in pt["end_reasons"].items()},
            "actors": pt["actors"],
        })
    end_keys = sorted({k for r in rows for k in r["ends"]})
    labels = {pt["grid_point"]: _label(pt) for pt in points}
    diffs = []
    for d in summary["differences"]:
        prop = d["kind"] == "proportion"
        sc = 100.0 if prop else 1.0
        unit = " pp" if prop else ""
        diffs.append({
            "point": labels.get(d["grid_point"], str(d["grid_point"])),
            "reference": labels.get(d["reference"], str(d["reference"])),
            "metric": OUTCOME_LABELS.get(d["metric"], d["metric"].replace("_", " ")),
            "difference": f"{sc * d['difference']:+.2f}{unit}",
            "independent": _fmt_ci(d["low"], d["high"], sc),
            "paired": _fmt_ci(d["paired_low"], d["paired_high"], sc)
            if "paired_low" in d else "-"})
    actors = list(dict.fromkeys(a for r in rows for a in r["actors"]))  # scenario order
    # one series per grid point: past a dozen the charts stop being readable
    charts: dict[str, Markup | None] = {"outcomes": None, "peak": None, "nuclear": None}
    if len(points) <= MAX_CHARTED_POINTS:
        charts = {"outcomes": outcome_chart(points), "peak": peak_rung_chart(points),
                  "nuclear": nuclear_chart(points, max_turns)}
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
    return {"sobol": sobol,
        "spread": spread, "spread_headline": summary.get("model_spread_headline") or "",
        "player_models": list(summary.get("players") or []),
        "title": sc.get("title") or sc["id"], "scenario": sc, "summary": summary,
        "manifest_grid": manifest.get("grid", []), "rows": rows, "end_keys": end_keys,
        "end_names": {k: END_REASONS.get(k, k) for k in end_keys}, "diffs": diffs,
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
    return _environment().get_template("sweep.html").render(
        **build_sweep_context(summary, manifest, read_sensitivity(d), sobol))


def write_sweep_report(path: str | os.PathLike[str], output: str | os.PathLike[str]) -> Path:
    """Render the report of sweep folder ``path`` and write it to ``output`` atomically.

    Raises:
        SweepError: not a sweep folder (or no shards yet).
        OSError: the file cannot be written.
    """
    return write_text_atomic(output, render_sweep_report(path))
