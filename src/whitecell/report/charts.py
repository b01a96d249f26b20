"""The charts of the after-action report, as inline SVG.

* :func:`escalation_chart`: each actor's rung on Kahn's 44-rung ladder turn by
  turn, with Kahn's seven groups as bands and his six thresholds as labelled
  lines (On Escalation, 1965, p. 39).
* :func:`intensity_chart`: the Rivera et al. (2024) escalation score of each
  actor per turn, the state of the crisis (tension, blockade, lodgment) and the
  risk of inadvertent escalation per turn and cumulated (Schelling 1960).

Actors are coloured by cell: shades of blue for Blue cells, red for Red, green
for Green, grey for anything else; each actor also has its own marker and line
style so the charts read in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MultipleLocator

from whitecell.models.escalation import KAHN_GROUPS, KAHN_THRESHOLDS, TOP_RUNG
from whitecell.report.svg import chart_style, figure_to_svg

__all__ = [
    "ActorStyle",
    "TurnSeries",
    "actor_styles",
    "escalation_chart",
    "intensity_chart",
    "literal",
]


def literal(text: object) -> str:
    """``text`` made safe to draw as is: no mathtext, whatever the user typed.

    Matplotlib reads a string with two ``$`` as mathtext (``$\\frac$`` even
    crashes the renderer); an escaped ``\\$`` is drawn as a plain dollar sign.
    Names, excursions and ``--vary`` values reach chart labels, so every label
    built from data goes through here.
    """
    return str(text).replace("$", "\\$")

CELL_PALETTES: Mapping[str, tuple[str, ...]] = {
    "blue": ("#1f5fa8", "#5b9bd5", "#0b2d5b", "#8cb7e3", "#2f7fbf"),
    "red": ("#c0282d", "#e8715f", "#7a1016", "#f0a090", "#a33b3b"),
    "green": ("#2e7d32", "#6dbb6f", "#1b4d1f", "#a5d6a7", "#4e9a4a"),
    "other": ("#5f6870", "#9aa3ad", "#30363b", "#c0c6cc", "#7d858c"),
}
"""Line colours per cell, darkest first; actors of one cell take them in order."""

MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "h")
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")

# Band colours for Kahn's 7 groups: neutral below the war line, then warmer.
_GROUP_FILLS: tuple[str, ...] = (
    "#f8fafb",
    "#eff3f6",
    "#fdf7ec",
    "#fcf0ed",
    "#fae8e4",
    "#f8e0db",
    "#f5d8d2",
)
_THRESHOLD_COLOUR = "#7a2e1f"
_INK = "#2b2f33"
_MUTED = "#6b737b"


@dataclass(frozen=True)
class ActorStyle:
    """How one actor is drawn."""

    id: str
    label: str
    cell: str
    color: str
    marker: str
    linestyle: str


@dataclass(frozen=True)
class TurnSeries:
    """End-of-turn values of a run, one entry per turn (``nan`` where missing)."""

    turns: tuple[int, ...]
    day_labels: tuple[str, ...]
    rungs: Mapping[str, tuple[float, ...]]
    scores: Mapping[str, tuple[float, ...]]
    tension: tuple[float, ...]
    blockade: tuple[float, ...]
    lodgment: tuple[float, ...]
    risk: tuple[float, ...]
    cumrisk: tuple[float, ...]
    nuclear_turn: int | None = None
    war_turn: int | None = None


def actor_styles(actors: Sequence[tuple[str, str, str]]) -> dict[str, ActorStyle]:
    """Assign colour, marker and line style to actors given as ``(id, label, cell)``.

    Colours follow the cell (shades in actor order within a cell); markers and
    line styles follow the actor's position, so every actor differs in shape too.
    """
    used: dict[str, int] = {}
    styles: dict[str, ActorStyle] = {}
    for i, (actor_id, label, cell) in enumerate(actors):
        key = cell if cell in CELL_PALETTES else "other"
        k = used.get(key, 0)
        used[key] = k + 1
        palette = CELL_PALETTES[key]
        styles[actor_id] = ActorStyle(
            id=actor_id,
            label=label,
            cell=cell,
            color=palette[k % len(palette)],
            marker=MARKERS[i % len(MARKERS)],
            linestyle=LINESTYLES[k % len(LINESTYLES)],
        )
    return styles


def _turn_axis(ax: Axes, series: TurnSeries, *, labels: bool) -> None:
    turns = series.turns
    if not turns:
        return
    ax.set_xlim(turns[0] - 0.6, turns[-1] + 0.6)
    step = max(1, math.ceil(len(turns) / 15))
    shown = [t for i, t in enumerate(turns) if i % step == 0]
    ax.xaxis.set_major_locator(FixedLocator(shown))
    ax.xaxis.set_minor_locator(FixedLocator(list(turns)))
    if labels:
        day = dict(zip(turns, series.day_labels, strict=True))

        def fmt(x: float, _pos: int | None) -> str:
            t = int(round(x))
            return f"{t}\n{day[t]}" if day.get(t) else str(t)

        ax.xaxis.set_major_formatter(FuncFormatter(fmt))
        ax.set_xlabel("turn and game day", color=_MUTED)
    else:
        ax.tick_params(axis="x", labelbottom=False)


def _markers_of_note(ax: Axes, series: TurnSeries, *, label: bool) -> None:
    if series.war_turn is not None:
        ax.axvline(series.war_turn - 0.5, color="#b26b00", lw=0.9, ls=(0, (4, 3)), zorder=1)
        if label:
            ax.annotate(
                "war begins", (series.war_turn - 0.5, 1.0), xycoords=("data", "axes fraction"),
                xytext=(3, -3), textcoords="offset points", fontsize=7.5, color="#8a5200",
                va="top", ha="left",
            )
    if series.nuclear_turn is not None:
        ax.axvline(series.nuclear_turn, color="#7a0010", lw=1.4, zorder=1)
        if label:
            ax.annotate(
                "nuclear use", (series.nuclear_turn, 1.0), xycoords=("data", "axes fraction"),
                xytext=(3, -14), textcoords="offset points", fontsize=7.5, color="#7a0010",
                fontweight="bold", va="top", ha="left",
            )


def escalation_chart(
    series: TurnSeries, styles: Mapping[str, ActorStyle], *, chart_id: str = "chart-ladder"
) -> Markup:
    """Each actor's rung per turn on Kahn's ladder, with groups and thresholds.

    Lines of actors on the same rung are offset by a fraction of a rung so that
    none hides another; the offset is far smaller than a rung.
    """
    with chart_style(chart_id):
        fig = Figure(figsize=(10, 6.2))
        fig.subplots_adjust(left=0.065, right=0.775, top=0.955, bottom=0.17)
        ax = fig.add_subplot()
        for fill, group in zip(_GROUP_FILLS, KAHN_GROUPS, strict=True):
            name, first, last = group
            ax.axhspan(first - 0.5, last + 0.5, color=fill, lw=0, zorder=0)
            ax.annotate(
                name, (1.012, (first + last) / 2), xycoords=("axes fraction", "data"),
                fontsize=7.5, color=_MUTED, style="italic", va="center", ha="left",
                annotation_clip=False,
            )
        for threshold in KAHN_THRESHOLDS:
            name, after = threshold
            y = after + 0.5
            ax.axhline(y, color=_THRESHOLD_COLOUR, lw=0.8, ls=(0, (6, 2)), zorder=1)
            ax.annotate(
                f"{name}  ({after} | {after + 1})", (1.012, y), xycoords=("axes fraction", "data"),
                fontsize=7.5, color=_THRESHOLD_COLOUR, fontweight="bold", va="center",
                ha="left", annotation_clip=False,
                bbox={"boxstyle": "square,pad=0.12", "fc": "white", "ec": "none"},
            )
        ids = [a for a in styles if a in series.rungs]
        n = len(ids)
        x = np.asarray(series.turns, dtype=float)
        for i, actor in enumerate(ids):
            st = styles[actor]
            rungs = np.asarray(series.rungs[actor], dtype=float)
            dodge = (i - (n - 1) / 2) * 0.16
            ax.plot(
                x, rungs + dodge, color=st.color, ls=st.linestyle, lw=1.9, marker=st.marker,
                ms=5.2, mec="white", mew=0.6, label=literal(st.id), zorder=3 + i,
                drawstyle="default", solid_joinstyle="round",
            )
        ax.set_ylim(0.5, TOP_RUNG + 0.5)
        ax.yaxis.set_major_locator(FixedLocator([1, 5, 10, 15, 20, 25, 30, 35, 40, 44]))
        ax.yaxis.set_minor_locator(MultipleLocator(1))
        ax.set_ylabel("rung on Kahn's escalation ladder")
        ax.tick_params(axis="y", which="minor", length=2)
        _turn_axis(ax, series, labels=True)
        _markers_of_note(ax, series, label=True)
        if ids:
            ax.legend(
                loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(n, 8), fontsize=9,
                handlelength=3.4, columnspacing=2.0,
            )
        return figure_to_svg(
            fig, chart_id=chart_id,
            title="Rung of each actor on Kahn's escalation ladder, turn by turn",
        )


def intensity_chart(
    series: TurnSeries, styles: Mapping[str, ActorStyle], *, chart_id: str = "chart-intensity"
) -> Markup:
    """Rivera escalation score per actor per turn; tension, blockade, lodgment; risk."""
    with chart_style(chart_id):
        fig = Figure(figsize=(10, 7.4))
        fig.subplots_adjust(left=0.065, right=0.775, top=0.965, bottom=0.085, hspace=0.32)
        grid = fig.add_gridspec(3, 1, height_ratios=(1.45, 1.0, 1.0))
        ax_score = fig.add_subplot(grid[0])
        ax_state = fig.add_subplot(grid[1], sharex=ax_score)
        ax_risk = fig.add_subplot(grid[2], sharex=ax_score)

        ids = [a for a in styles if a in series.scores]
        n = max(len(ids), 1)
        x = np.asarray(series.turns, dtype=float)
        width = 0.82 / n
        for i, actor in enumerate(ids):
            st = styles[actor]
            y = np.nan_to_num(np.asarray(series.scores[actor], dtype=float))
            ax_score.bar(
                x + (i - (n - 1) / 2) * width, y, width=width * 0.92, color=st.color,
                label=literal(st.id), lw=0, zorder=2,
            )
        ax_score.axhline(0, color="#9aa3ad", lw=0.8, zorder=1)
        ax_score.set_title("Escalation score per turn (Rivera et al. 2024)")
        ax_score.set_ylabel("score")
        ax_score.grid(axis="y", color="#e3e7eb", lw=0.6, zorder=0)
        if ids:
            ax_score.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)

        for values, label, color, ls in (
            (series.tension, "tension", "#4a2c6f", "-"),
            (series.blockade, "blockade", "#b26b00", "--"),
            (series.lodgment, "lodgment", "#8b1e3f", "-."),
        ):
            ax_state.plot(x, np.asarray(values, dtype=float), color=color, ls=ls, lw=1.8,
                          marker="o", ms=3, label=label)
        ax_state.set_ylim(-0.03, 1.03)
        ax_state.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
        ax_state.set_title("State of the crisis at the end of each turn")
        ax_state.grid(axis="y", color="#e3e7eb", lw=0.6, zorder=0)
        ax_state.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)

        risk = np.asarray(series.risk, dtype=float)
        cum = np.asarray(series.cumrisk, dtype=float)
        ax_risk.fill_between(x, 0, np.nan_to_num(risk), color="#d98c8c", alpha=0.35, lw=0)
        ax_risk.plot(x, risk, color="#a23b3b", lw=1.8, marker="o", ms=3,
                     label="risk this turn")
        ax_risk.plot(x, cum, color="#3b3f44", lw=1.4, ls="--",
                     label="cumulative risk")
        top = np.nanmax(np.concatenate([risk, cum, [0.01]]))
        ax_risk.set_ylim(0, min(1.0, float(top) * 1.15))
        ax_risk.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
        ax_risk.set_title("Risk that leaves something to chance (Schelling 1960)")
        ax_risk.grid(axis="y", color="#e3e7eb", lw=0.6, zorder=0)
        ax_risk.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)

        _turn_axis(ax_score, series, labels=False)
        _turn_axis(ax_state, series, labels=False)
        _turn_axis(ax_risk, series, labels=True)
        for ax in (ax_score, ax_state, ax_risk):
            _markers_of_note(ax, series, label=ax is ax_score)
        return figure_to_svg(
            fig, chart_id=chart_id,
            title="Escalation score per actor, state of the crisis and inadvertent risk per turn",
        )
