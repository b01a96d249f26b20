"""Turn-by-turn narrative of a run for the terminal (rich), from its event log.

Reads only the event log, so a live game, a stored run and a replay print the
same story: injects, each cell's move with its Kahn rung, Rivera score and the
rule that chose it, the rulings with their odds and draws, the rung of every
actor at the end of the turn, and the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

CELL_STYLE = {"red": "bold red", "blue": "bold blue", "green": "bold green",
              "white": "bold white"}


_OPPONENT = re.compile(r"\b(?:with|against) ([A-Z][A-Z0-9_]{1,11})\b")


def ruling_text(ev: dict[str, Any]) -> str:
    """A ruling as the terminal shows it: whose ruling it is, and whose each number is.

    The engine writes exchanges from the acting side ("salvo exchange with CHN:
    expected losses 22.1 vs 0.0 ships ... -> 21 and 0"); on its own a reader
    cannot tell which figure is whose, so the actor leads the line and pairs
    of figures are labelled from the event's data (the engine's text is kept).
    """
    text, actor = ev["text"], ev.get("actor")
    if not actor:
        return text
    shown = text if text.startswith(f"{actor} ") else f"{actor}: {text}"
    result = (ev.get("data") or {}).get("result") or {}
    m = _OPPONENT.search(text)
    if m and "lost" in result and "enemy_lost" in result:
        shown += f"  [in each pair: {actor} first, {m.group(1)} second]"
    return shown


def day_label(turn: int, days: float, start: str = "D") -> str:
    """Game-time label of a turn: D+0 for turn 1, D+3.5 for turn 2 at 3.5 days a turn."""
    d = (turn - 1) * days
    return f"{start}+{d:g}"


def print_event(console: Console, ev: dict[str, Any], cells: dict[str, str],
                days: float, start: str = "D") -> None:
    """Print one event in the narrative style."""
    kind = ev["kind"]
    data = ev.get("data") or {}
    actor = ev.get("actor")
    style = CELL_STYLE.get(cells.get(actor or "", ""), "bold")
    if kind == "start":
        console.rule(Text(ev["text"], style="bold"))
        console.print(f"seed {data.get('seed')}   actors {', '.join(data.get('actors', []))}")
        return
    if kind == "inject":
        to = data.get("to") or []
        console.print(Text.assemble(("  inject   ", "magenta"), (ev["text"], "italic"),
                                    (f"  [to {', '.join(to)}]", "dim")))
        return
    if kind == "move":
        score = data.get("score", 0.0)
        line = Text.assemble(
            (f"  {actor:<6}", style), (f"{ev['text']:<58}", ""),
            (f"rung {data.get('rung', 0):>2}  ", "cyan"),
            (f"score {score:+.0f}  ", "yellow"),
            (f"({data.get('rivera', '')})", "dim"))
        console.print(line)
        why = data.get("rationale") or data.get("reason")
        if why:
            console.print(Text(f"          why: {why}", style="dim"))
        return
    if kind in ("ruling", "incident"):
        tag = "  INCIDENT " if kind == "incident" else "  ruling   "
        console.print(Text.assemble((tag, "red" if kind == "incident" else "green"),
                                    (ruling_text(ev), "")))
        return
    if kind == "turn":
        rungs = data.get("rungs", {})
        order = [a for a in cells if a in rungs] + [a for a in rungs if a not in cells]
        parts = "  ".join(f"{a} {rungs[a]}" for a in order)
        console.print(Text(f"  rungs    {parts}   tension {data.get('tension', 0):.2f}  "
                           f"risk/turn {data.get('risk', 0):.3f}", style="dim"))
        return
    if kind == "end":
        console.print(outcome_table(data))


def outcome_table(o: dict[str, Any]) -> Table:
    """The outcome record as a small table."""
    t = Table(title="Outcome", show_header=False, title_style="bold")
    t.add_column("field", style="bold")
    t.add_column("value")
    nuc = "no"
    if o.get("nuclear_use"):
        nuc = f"YES: first by {o.get('nuclear_first_user')} on turn {o.get('nuclear_turn')}"
    end = f"{o.get('end_reason')} after {o.get('turns')} turns"
    if o.get("capitulated_by"):
        end += f" ({o['capitulated_by']} capitulated)"
    if o.get("settlement_share") is not None and o.get("end_reason") in (
            "settlement", "ceasefire", "stalemate"):
        end += "; challenger's share " \
               f"{100 * o['settlement_share']:.0f}%"
    war = "no"
    if o.get("war"):
        war = f"yes: first violence by {o.get('first_violence_by')} on turn " \
              f"{o.get('first_violence_turn')}"
    rows = [
        ("end", end),
        ("war", war),
        ("nuclear use", nuc),
        ("challenger success", "yes" if o.get("challenger_success") else "no"),
        ("deterrence held", "yes" if o.get("deterrence_held") else "no"),
        ("peak rung", f"{o.get('peak_rung')}  "
                      f"({', '.join(f'{a} {r}' for a, r in o.get('peak_rung_by_actor', {}).items())})"),
        ("escalation score", f"{o.get('escalation_score', 0):.0f}  ("
         + ", ".join(f"{a} {s:.0f}" for a, s in o.get("escalation_score_by_actor", {}).items())
         + ")"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    return t


def print_narrative(console: Console, events: Iterable[dict[str, Any]], cells: dict[str, str],
                    days: float, start: str = "D", header: Iterable[str] = ()) -> None:
    """Print a whole run, with a heading for each turn.

    ``header`` (the record's excursion, ``--set`` values, overrides, players,
    grid point: what the event log does not say) follows the start line.
    """
    last = 0
    for ev in events:
        if ev["kind"] != "start" and ev["turn"] != last:
            last = ev["turn"]
            console.print(Text(f"\nTurn {last} ({day_label(last, days, start)})", style="bold"))
        print_event(console, ev, cells, days, start)
        if ev["kind"] == "start":
            for line in header:
                console.print(Text(line, style="dim"))
