"""The report of a Sobol design: which assumptions drive an outcome, and how sure that is.

A Sobol design (``whitecell sensitivity --method sobol``) plays hundreds of
parameter points, each a random sample of the parameters' ranges. Its points
are not variants to compare one with another, so the sweep report's layout
(a row per grid point, differences against a reference, a reproduce command
per point) would be hundreds of rows that answer no question. This page
leads with the answer instead:

* findings in words: which parameters explain the variance of the outcome,
  alone (S1) and with their interactions (ST), with their intervals, and how
  much of that variance is Monte Carlo noise;
* the indices: a chart and a table with SALib's bootstrap 95% intervals;
* the outcome against each parameter over all points (one dot per point);
* how every outcome spreads over the points (mean, lowest, median, highest);
* how the runs ended, pooled over every point, with who capitulated;
* the ``whitecell run --from-sweep`` commands of the points where the outcome
  was lowest and highest.

Each point's own statistics stay in ``summary.json`` (``whitecell summarize
DIR --csv FILE`` writes them as a table). Same sweep folder, same bytes.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from markupsafe import Markup
from matplotlib.figure import Figure

from whitecell import __version__
from whitecell.analysis.sobol import design_spread
from whitecell.analysis.summary import BINARY
from whitecell.report.aar import END_REASONS
from whitecell.report.charts import literal
from whitecell.report.svg import chart_style, figure_to_svg

__all__ = ["build_sobol_context", "scatter_chart", "sobol_chart"]

#: Parameters drawn one panel each in the scatter chart (highest total index first).
MAX_SCATTER_PANELS = 6

#: A total index below this (5% of the variance) is reported as little or no effect.
NEGLIGIBLE = 0.05

#: How an outcome is named in a sentence and in a table.
OUTCOME_WORDS: Mapping[str, str] = {
    "war": "P(war)", "nuclear_use": "P(nuclear use)",
    "challenger_success": "P(challenger success)", "deterrence_held": "P(deterrence held)",
    "peak_rung": "mean peak rung (rungs)", "turns": "mean length (turns)"}


def _value(outcome: str, v: float) -> str:
    return f"{100 * v:.1f}%" if outcome in BINARY else f"{v:.2f}"


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
        ax.set_xlabel(f"share of the variance of {data['outcome']} (0 to 1)")
        ax.set_title("Sobol indices (Saltelli 2010, via SALib)")
        ax.legend(loc="lower right", fontsize=8.5)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-sobol", title="Sobol indices")


def _number(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def scatter_chart(summary: Mapping[str, Any], data: Mapping[str, Any]) -> Markup:
    """The outcome of every point against each parameter's value (one panel each)."""
    outcome = str(data["outcome"])
    params = [r["path"] for r in data["parameters"]][:MAX_SCATTER_PANELS]
    pts = list(summary["points"])
    ys = np.array([float(p["proportions"][outcome]["p"]) if outcome in BINARY
                   else float(p["means"][outcome]["mean"]) for p in pts])
    cols = min(3, len(params))
    nrows = -(-len(params) // cols)
    with chart_style("sweep-sobol-scatter"):
        fig = Figure(figsize=(9.6, 0.6 + 2.7 * nrows))
        for k, path in enumerate(params):
            ax = fig.add_subplot(nrows, cols, k + 1)
            xs = np.array([_number(p["vary"].get(path)) for p in pts], dtype=float)
            ax.scatter(xs, ys, s=9, color="#0072b2", alpha=0.55, linewidths=0)
            ax.set_xlabel(literal(path), fontsize=8)
            ax.tick_params(labelsize=7.5)
            if outcome in BINARY:
                ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f}%")
            if k % cols == 0:
                ax.set_ylabel(OUTCOME_WORDS.get(outcome, outcome), fontsize=8.5)
            ax.grid(color="#e6e9ec", linewidth=0.6)
            ax.set_axisbelow(True)
        fig.suptitle(f"{OUTCOME_WORDS.get(outcome, outcome)} at each of the {len(pts):,} "
                     "parameter points", fontsize=10)
        fig.tight_layout()
        return figure_to_svg(fig, chart_id="sweep-sobol-scatter",
                             title="Outcome against each parameter, one dot per point")


def _interval(v: float, conf: float) -> str:
    return f"[{v - conf:.2f}, {v + conf:.2f}]"


def sobol_findings(data: Mapping[str, Any], spread: Mapping[str, Any] | None,
                   limit: int = 3) -> list[str]:
    """What the indices say, in words: the leading parameters, the inert ones, interactions
    and how much of the variance the dice make."""
    outcome = str(data["outcome"])
    word = OUTCOME_WORDS.get(outcome, outcome)
    rows = list(data["parameters"])
    out: list[str] = []
    if spread is not None:
        lo, hi = spread["low"], spread["high"]
        out.append(f"Across the {int(data['points']):,} parameter points {word} ranges from "
                   f"{_value(outcome, float(lo['value']))} to "
                   f"{_value(outcome, float(hi['value']))} (mean "
                   f"{_value(outcome, float(spread['mean']))}).")
    if float(data.get("output_variance") or 0.0) == 0.0:
        out.append(f"{word} is the same at every point: no parameter moves it over these "
                   "ranges, and every index is zero.")
        return out
    inert: list[str] = []
    shown = 0
    for r in rows:
        st, stc = float(r["ST"]), float(r["ST_conf"])
        s1, s1c = float(r["S1"]), float(r["S1_conf"])
        if st < NEGLIGIBLE or st - stc <= 0.0:
            inert.append(r["path"])
            continue
        if shown >= limit:
            continue
        shown += 1
        s = (f"{r['path']} ({r['low_value']} to {r['high_value']}) explains "
             f"{100 * max(s1, 0.0):.0f}% of the variance of {word} alone (S1 {s1:.2f}, 95% "
             f"interval {_interval(s1, s1c)}) and {100 * max(st, 0.0):.0f}% with its "
             f"interactions (ST {st:.2f}, {_interval(st, stc)})")
        if st - s1 > max(0.1, stc):
            s += "; much of its effect works through other parameters"
        out.append(s + ".")
    if inert:
        out.append(f"Little or no effect over {'its range' if len(inert) == 1 else 'their ranges'}"
                   f" (total index below {NEGLIGIBLE:.2f}, or its interval includes zero): "
                   f"{', '.join(inert)}.")
    s1_sum = sum(max(float(r["S1"]), 0.0) for r in rows)
    if s1_sum < 0.8:
        out.append(f"The first-order indices add up to {s1_sum:.2f}: interactions between "
                   "parameters carry the rest of the variance.")
    share = spread.get("noise_share") if spread is not None else None
    if share is not None:
        if float(share) >= 0.2:
            out.append(f"Monte Carlo noise is {100 * float(share):.0f}% of the variance across "
                       "points: the indices are unsure; more runs per point (-n) would "
                       "sharpen them.")
        else:
            out.append(f"Monte Carlo noise is only {100 * float(share):.1f}% of the variance "
                       "across points: the variance comes from the parameters, not the dice.")
    return out


def _pooled_endings(points: Sequence[Mapping[str, Any]], facts: Any,
                    actor_names: Mapping[str, str]) -> tuple[list[dict[str, str]], list[str]]:
    """End reasons pooled over every point (share of all runs), and capitulations by actor."""
    total = sum(int(p["n"]) for p in points) or 1
    ends: dict[str, int] = {}
    for p in points:
        for k, v in p["end_reasons"].items():
            ends[k] = ends.get(k, 0) + int(v)
    rows = [{"reason": END_REASONS.get(k, k), "share": f"{100 * v / total:.1f}%"}
            for k, v in sorted(ends.items(), key=lambda kv: (-kv[1], kv[0]))]
    caps: dict[str, int] = {}
    for per_point in facts.endings.values():
        for (reason, by), c in per_point.items():
            if reason == "capitulation" and by:
                caps[by] = caps.get(by, 0) + c
    who = [f"{actor_names.get(a, a)} ({a}) in {100 * c / total:.1f}% of all runs"
           for a, c in sorted(caps.items(), key=lambda kv: (-kv[1], kv[0]))]
    return rows, who


def _example(pt: Mapping[str, Any], facts: Any, folder: str, outcome: str) -> dict[str, Any]:
    gp = int(pt["grid_point"])
    if outcome == "challenger_success" and gp in facts.first_success:
        idx, why = facts.first_success[gp], "its first run ending in challenger success"
    elif gp in facts.first_war:
        idx, why = facts.first_war[gp], "its first run to war"
    else:
        idx, why = 0, "its first run"
    return {"grid_point": gp, "index": idx, "why": why,
            "vary": [f"{k}={v}" for k, v in pt["vary"].items()],
            "command": f"whitecell run --from-sweep {shlex.quote(folder)} --index {idx} "
                       f"--grid-point {gp}"}


def build_sobol_context(summary: Mapping[str, Any], manifest: Mapping[str, Any],
                        sobol: Mapping[str, Any] | None, *, text: Any, facts: Any,
                        folder: str = "DIR") -> dict[str, Any]:
    """Everything the Sobol template shows, as plain values and SVG markup.

    ``sobol`` is None while the design is unfinished: the page then says so
    and shows only how far the outcomes spread over the points played.
    """
    points = list(summary["points"])
    design = manifest.get("sobol") or {}
    outcome = str((sobol or design).get("outcome", "war"))
    spread = design_spread(summary)
    main = next((e for e in spread if e["outcome"] == outcome), None)
    by_id = {int(p["grid_point"]): p for p in points}
    examples = []
    if main is not None:
        for end, label in (("low", "lowest"), ("high", "highest")):
            pt = by_id[int(main[end]["grid_point"])]
            examples.append({"label": f"{label} {OUTCOME_WORDS.get(outcome, outcome)}: "
                                      f"{_value(outcome, float(main[end]['value']))}",
                             **_example(pt, facts, folder, outcome)})
    charts: dict[str, Markup | None] = {"sobol": None, "scatter": None}
    indices = []
    if sobol is not None:
        charts["sobol"] = sobol_chart(sobol)
        if points and sobol["parameters"]:
            charts["scatter"] = scatter_chart(summary, sobol)
        for r in sobol["parameters"]:
            s1, s1c, st, stc = (float(r[k]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
            indices.append({**r, "s1": f"{s1:.3f}", "s1_ci": _interval(s1, s1c),
                            "st": f"{st:.3f}", "st_ci": _interval(st, stc)})
    endings, capitulated = _pooled_endings(points, facts, text.actor_names)
    sc = summary["scenario"]
    excursion = (manifest.get("excursions") or [None])[0]
    exc_text = text.excursions.get(excursion) if excursion else None
    return {
        "title": sc.get("title") or sc["id"], "scenario": sc, "summary": summary,
        "sobol": sobol, "outcome": outcome,
        "outcome_word": OUTCOME_WORDS.get(outcome, outcome),
        "samples": design.get("samples"), "params": list(design.get("params") or []),
        "planned_points": len(manifest.get("grid") or []), "played_points": len(points),
        "excursion": excursion, "excursion_text": exc_text,
        "findings": sobol_findings(sobol, main) if sobol is not None else [],
        "indices": indices, "charts": charts,
        "spread": [{"outcome": OUTCOME_WORDS.get(e["outcome"], e["outcome"]),
                    "mean": _value(e["outcome"], float(e["mean"])),
                    "low": _value(e["outcome"], float(e["low"]["value"])),
                    "low_point": e["low"]["grid_point"],
                    "median": _value(e["outcome"], float(e["median"])),
                    "high": _value(e["outcome"], float(e["high"]["value"])),
                    "high_point": e["high"]["grid_point"],
                    "noise": "-" if e["noise_share"] is None
                    else f"{100 * float(e['noise_share']):.1f}%"} for e in spread],
        "endings": endings, "capitulated": capitulated, "examples": examples,
        "policy": summary.get("policy") or {}, "complete": summary.get("complete", True),
        "whitecell_version": __version__,
    }
