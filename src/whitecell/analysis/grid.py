"""The grid of a sweep: excursions x the cartesian product of varied parameters.

A *grid point* is one fully specified variant of a scenario: an excursion (or
none), optionally a *player model* (``--players``), plus a list of
``dotted.path=value`` overrides. Every grid point is
resolved with :func:`whitecell.scenario.load.load_scenario` -- the same code
path as ``whitecell run --excursion E --set path=value`` -- so a value the
schema refuses fails here, with the scenario's own error message, before a
single run is played or a single file is written.

Values are kept as the text the user typed (``"0.7"``, ``"true"``) because
that text is what ``--set`` reads; the typed value (``0.7``, ``True``) becomes
the column of the result table.

**Player models.** The AI players are a model too, and often the largest
source of uncertainty. ``--players doctrine,strategic,mixed`` makes the player
model an axis of the grid, like an excursion (excursion outer, player model
next, varied values inner):

* ``doctrine``: every AI cell as the scenario declares it (today's default:
  the rule-based doctrine player unless an actor's ``policy`` says otherwise);
* ``strategic``: every AI cell played by the expected-utility player;
* ``mixed``: per run and per actor, doctrine or strategic, drawn from
  (seed, global run index, actor) (:mod:`whitecell.policies.mixed`).

Scripted cells keep their script under every model, and an explicit
``--policy ACTOR=kind`` pins that actor in every model. All models share the
seed and run indices, so paired differences between them are valid.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from whitecell.analysis.errors import SweepError
from whitecell.policies import make_policies
from whitecell.scenario.load import ResolvedScenario, did_you_mean, load_scenario
from whitecell.scenario.overrides import parse_set
from whitecell.world.compile import compile_world

__all__ = ["PLAYER_MODELS", "Axis", "GridPoint", "ResolvedPoint", "build_grid", "excursion_ids",
           "parse_players", "parse_vary", "point_policy", "resolve_grid", "split_values",
           "value_text", "vary_columns"]

#: The player models a sweep can take as an axis (``--players``).
PLAYER_MODELS: tuple[str, ...] = ("doctrine", "strategic", "mixed")


@dataclass(frozen=True)
class Axis:
    """One varied parameter: a dotted path and the values it takes (as ``--set`` text)."""

    path: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class GridPoint:
    """One scenario variant of a sweep: excursion + fixed overrides + varied values.

    ``vary`` pairs each varied path with the value text of this point, in the
    order the axes were given; a path absent from ``vary`` is at its base value.
    """

    id: int
    excursion: str | None
    sets: tuple[str, ...]
    vary: tuple[tuple[str, str], ...]
    players: str | None = None

    @property
    def overrides(self) -> tuple[str, ...]:
        """Every ``--set`` expression applied at this point, fixed ones first."""
        return self.sets + tuple(f"{p}={v}" for p, v in self.vary)

    @property
    def label(self) -> str:
        """Short human label: ``pessimistic players=strategic actors.CHN.resolve=0.7``."""
        parts = [self.excursion or "-"]
        if self.players is not None:
            parts.append(f"players={self.players}")
        parts += [f"{p}={v}" for p, v in self.vary]
        return " ".join(parts)


@dataclass(frozen=True)
class ResolvedPoint:
    """A grid point with its validated scenario (and its digest)."""

    point: GridPoint
    resolved: ResolvedScenario


def split_values(text: str, sep: str = ",") -> list[str]:
    """Split ``v1,v2,...`` at top-level ``sep`` (inside ``[..]``, ``{..}`` or quotes it stays)."""
    items: list[str] = []
    depth = 0
    quote = ""
    cur: list[str] = []
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == sep and depth == 0:
            items.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    items.append("".join(cur).strip())
    return items


def parse_vary(expr: str) -> Axis:
    """Parse ``dotted.path=v1,v2,...`` (the ``--vary`` option) into an :class:`Axis`.

    Raises:
        SweepError: no ``=``, an empty path, an empty value or a repeated value.
    """
    if "=" not in expr:
        raise SweepError(f"--vary {expr}: expected dotted.path=v1,v2,... (no '=')")
    path, _, rest = expr.partition("=")
    path = path.strip()
    if not path:
        raise SweepError(f"--vary {expr}: empty path before '='")
    values = split_values(rest)
    if any(not v for v in values):
        raise SweepError(f"--vary {expr}: empty value in the list (write '' for an empty string)")
    if len(set(values)) != len(values):
        raise SweepError(f"--vary {expr}: a value is repeated")
    return Axis(path, tuple(values))


def value_text(value: Any) -> str:
    """The ``--set`` text of a Python value (``True`` -> ``true``, ``0.5`` -> ``0.5``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int | float):
        return repr(value)
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()


def axes_from(vary: Mapping[str, Sequence[Any]] | Sequence[str] | None) -> list[Axis]:
    """Axes from the Python API (``{"path": [v1, v2]}``) or CLI strings (``"path=v1,v2"``)."""
    if not vary:
        return []
    if isinstance(vary, Mapping):
        axes = []
        for path, values in vary.items():
            if isinstance(values, str | bytes) or not isinstance(values, Sequence):
                raise SweepError(f"vary {path!r}: give a list of values, not {values!r}")
            texts = tuple(value_text(v) for v in values)
            if not texts:
                raise SweepError(f"vary {path!r}: no values")
            if len(set(texts)) != len(texts):
                raise SweepError(f"vary {path!r}: a value is repeated")
            axes.append(Axis(str(path), texts))
    else:
        axes = [parse_vary(v) for v in vary]
    paths = [a.path for a in axes]
    dup = sorted({p for p in paths if paths.count(p) > 1})
    if dup:
        raise SweepError(f"--vary {dup[0]} is given twice")
    return axes


def excursion_ids(ref: str, excursions: Sequence[str] | str | None) -> list[str | None]:
    """The excursions of a sweep: ``None`` (as written), a list, or ``"all"``."""
    if excursions is None:
        return [None]
    if isinstance(excursions, str):
        if excursions != "all":
            return [excursions]
        ids = [e.id for e in load_scenario(ref).scenario.excursions]
        return list(ids) or [None]
    out: list[str | None] = []
    for e in excursions:
        if e in out:
            raise SweepError(f"--excursion {e} is given twice")
        out.append(e)
    return out or [None]


def parse_players(players: Sequence[str] | str | None) -> list[str] | None:
    """The player models of a sweep: ``None`` (no axis), ``"doctrine,strategic"`` or a list.

    Raises:
        SweepError: an unknown or repeated player model, or an empty list.
    """
    if players is None:
        return None
    items = split_values(players) if isinstance(players, str) else [str(p).strip()
                                                                    for p in players]
    if not items or any(not p for p in items):
        raise SweepError("--players: give player models separated by commas, e.g. "
                         "doctrine,strategic,mixed")
    from whitecell.policies import ALL_POLICY_KINDS

    for p in items:
        if "=" in p:  # one cell's player as the axis: CHN=llm,CHN=doctrine
            actor, _, kind = p.partition("=")
            if not actor.strip() or kind.strip() not in ALL_POLICY_KINDS:
                raise SweepError(f"--players {p!r}: expected ACTOR=KIND with KIND one of "
                                 f"{', '.join(ALL_POLICY_KINDS)}")
            continue
        if p not in PLAYER_MODELS:
            raise SweepError(f"--players: unknown player model {p!r}"
                             f"{did_you_mean(p, PLAYER_MODELS)} "
                             f"(expected {', '.join(PLAYER_MODELS)}, or ACTOR=KIND for one "
                             "cell, e.g. CHN=llm,CHN=doctrine)")
    if len(set(items)) != len(items):
        raise SweepError("--players: a player model is repeated")
    return items


def build_grid(excursions: Sequence[str | None], axes: Sequence[Axis],
               sets: Sequence[str] = (), players: Sequence[str] | None = None
               ) -> list[GridPoint]:
    """Excursions (outer) x player models x cartesian product of the axes (inner)."""
    points: list[GridPoint] = []
    combos = list(itertools.product(*[a.values for a in axes])) if axes else [()]
    models: Sequence[str | None] = list(players) if players else [None]
    for exc in excursions:
        for model in models:
            for combo in combos:
                vary = tuple((a.path, v) for a, v in zip(axes, combo, strict=True))
                points.append(GridPoint(len(points), exc, tuple(sets), vary, model))
    return points


def point_policy(policy: Mapping[str, str] | None, players: str | None,
                 scenario: Any) -> dict[str, str]:
    """The ``--policy`` mapping of one grid point under player model ``players``.

    Explicit ``--policy`` entries pin their actors; ``doctrine`` (or no player
    model) leaves every other actor as the scenario declares it; ``strategic``
    and ``mixed`` give that kind to every other actor that is not scripted.
    """
    ids = list(scenario.actor_ids)
    pol = expand_policy(policy, ids)
    if players is not None and "=" in players:  # one cell's player is the axis
        actor, _, kind = players.partition("=")
        actor = actor.strip().upper()
        if actor not in ids:
            raise SweepError(f"--players {players}: no actor {actor!r} "
                             f"(known: {', '.join(ids)})")
        pol[actor] = kind.strip()
        return pol
    if players is None or players == "doctrine":
        return pol
    for a in ids:
        if a not in pol and scenario.actor(a).policy != "scripted":
            pol[a] = players
    return pol


def resolve_grid(ref: str, points: Sequence[GridPoint],
                 policy: Mapping[str, str] | None = None,
                 llm: Any = None) -> list[ResolvedPoint]:
    """Load, validate and compile every grid point now (raises on the first bad one).

    Compiling the world and building the policies here too means a bad
    ``--policy`` or a scenario that does not compile fails before any work.
    ``llm`` (an LLMSetup) is needed when a point has language-model cells.
    """
    out: list[ResolvedPoint] = []
    for p in points:
        res = load_scenario(ref, excursion=p.excursion, sets=p.overrides)
        world = compile_world(res.scenario)
        try:
            make_policies(world, point_policy(policy, p.players, res.scenario), llm=llm)
        except ValueError as e:
            raise SweepError(str(e)) from None
        out.append(ResolvedPoint(p, res))
    return out


def expand_policy(policy: Mapping[str, str] | None, actors: Sequence[str]) -> dict[str, str]:
    """``{"*": kind}`` means every actor; explicit actors win over ``*``."""
    pol = {k.upper() if k != "*" else k: v for k, v in (policy or {}).items()}
    star = pol.pop("*", None)
    if star is not None:
        for a in actors:
            pol.setdefault(a, star)
    return pol


def typed_value(text: str) -> Any:
    """The value ``--set path=text`` would write (a YAML scalar or flow collection)."""
    return parse_set(f"x={text}")[1]


def vary_columns(points: Sequence[GridPoint]) -> dict[str, str]:
    """Arrow type name per varied path: ``bool``, ``int64``, ``float64`` or ``string``.

    All values of a path decide its type together, so every shard of a sweep
    has the same schema; anything that is not uniformly boolean or numeric is
    kept as the text typed.
    """
    values: dict[str, list[Any]] = {}
    for p in points:
        for path, text in p.vary:
            values.setdefault(path, []).append(typed_value(text))
    types: dict[str, str] = {}
    for path, vals in values.items():
        if all(isinstance(v, bool) for v in vals):
            types[path] = "bool"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            types[path] = "int64"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            types[path] = "float64"
        else:
            types[path] = "string"
    return types


def column_value(text: str, kind: str) -> Any:
    """The value of a varied column for the value text ``text`` and column type ``kind``."""
    if kind == "string":
        return text
    v = typed_value(text)
    if kind == "float64":
        return float(v)
    return v
