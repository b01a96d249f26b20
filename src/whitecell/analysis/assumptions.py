"""The designers' judgements of a scenario as sensitivity parameters (``--assumptions``).

A scenario separates cited facts from judgements: its ``assumptions:`` list
names fields that are judgement, each with a plausible ``range`` and its
``basis``, and a sourced force figure may carry a ``theatre_share`` (the judged
share of a national total in the theatre, with its own range and basis).
:func:`assumption_params` turns every one of them into a
:class:`~whitecell.analysis.sensitivity.Param` ``path=low:high`` carrying its
basis, so that ``whitecell sensitivity SCENARIO --assumptions`` (tornado or
Sobol) answers "which assumption drives this result" in one command.

Ranges are read from the variant being analysed (the scenario with the chosen
excursion and ``--set`` overrides applied). A range whose ends are equal has
nothing to vary and is left out (listed in ``fixed`` by
:func:`collect_assumptions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from whitecell.analysis.grid import value_text
from whitecell.scenario.load import load_scenario
from whitecell.scenario.model import Scenario

__all__ = ["Assumption", "assumption_params", "collect_assumptions", "merge_params"]


@dataclass(frozen=True)
class Assumption:
    """One judgement of a scenario: its ``--set`` path, range and basis."""

    path: str
    low: float
    high: float
    basis: str
    source: str  # "assumptions" (the scenario's list) or "theatre_share"


def _lookup(data: Any, path: str) -> Any:
    """The value at dotted ``path`` of a dumped scenario (list items by ``id``), or None."""
    node = data
    for seg in path.split("."):
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list):
            items = node
            node = next((x for x in items if isinstance(x, dict) and x.get("id") == seg), None)
            if node is None and seg.isdigit() and int(seg) < len(items):
                node = items[int(seg)]
        else:
            return None
        if node is None:
            return None
    return node


def _text(x: float, whole: bool) -> str:
    """The ``--set`` text of a range end: a whole number for integer fields."""
    return str(int(round(x))) if whole else value_text(float(x))


def collect_assumptions(sc: Scenario) -> list[Assumption]:
    """Every assumption of ``sc``: its ``assumptions:`` list, then every theatre_share."""
    out: list[Assumption] = []
    for ref in sc.assumptions:
        out.append(Assumption(ref.path, float(ref.range[0]), float(ref.range[1]), ref.basis,
                              "assumptions"))
    for actor in sc.actors:
        groups: list[tuple[str, dict[str, Any]]] = [("forces", dict(actor.forces)),
                                                    ("reinforcements",
                                                     dict(actor.reinforcements or {}))]
        for group, figures in groups:
            for kind, fig in figures.items():
                ts = getattr(fig, "theatre_share", None)
                if ts is not None:
                    out.append(Assumption(f"actors.{actor.id}.{group}.{kind}.theatre_share.value",
                                          float(ts.range[0]), float(ts.range[1]), ts.basis,
                                          "theatre_share"))
        cs = getattr(actor, "counterstrike", None)
        ts = getattr(cs, "theatre_share", None) if cs is not None else None
        if ts is not None:
            out.append(Assumption(f"actors.{actor.id}.counterstrike.theatre_share.value",
                                  float(ts.range[0]), float(ts.range[1]), ts.basis,
                                  "theatre_share"))
    seen: set[str] = set()
    unique: list[Assumption] = []
    for item in out:
        if item.path not in seen:
            seen.add(item.path)
            unique.append(item)
    return unique


def assumption_params(scenario: str, excursion: str | None = None,
                      sets: Sequence[str] = ()) -> list[Any]:
    """Every assumption of the scenario variant as a ``Param`` with its basis.

    Integer fields (e.g. ``doctrine.max_step``) get whole-number ends, so a
    Sobol sample of them stays whole.
    """
    from whitecell.analysis.sensitivity import Param

    sc = load_scenario(scenario, excursion=excursion, sets=tuple(sets)).scenario
    data = sc.model_dump(mode="json")
    params = []
    for a in collect_assumptions(sc):
        if a.low == a.high:
            continue
        base = _lookup(data, a.path)
        whole = isinstance(base, int) and not isinstance(base, bool)
        params.append(Param(a.path, _text(a.low, whole), _text(a.high, whole), basis=a.basis))
    return params


def merge_params(assumed: Sequence[Any], given: Sequence[Any]) -> list[Any]:
    """The assumptions, with an explicit ``--param`` of the same path taking its place."""
    explicit = {p.path: p for p in given}
    out = [explicit.pop(p.path, p) for p in assumed]
    return out + [p for p in given if p.path in explicit]
