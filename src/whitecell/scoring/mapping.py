"""Maps from a log's action names to Rivera categories (and Kahn rungs).

A log written by another simulation names its actions in its own words. A
*map* says, for each of those names, which category of Rivera et al. (2024)
it belongs to -- and so its weight in the escalation score -- or which
whitecell move it is, from which the category and the Kahn rung follow
(Rivera et al., "Escalation Risks from Language Models in Military and
Diplomatic Decision-Making", FAccT 2024; Kahn, On Escalation, 1965).

A map file is YAML::

    map: my-sim                       # its name, shown in score output
    description: Actions of my simulation, v3   # optional
    source: https://example.org/my-sim           # optional
    actions:
      Wait: status_quo                # a Rivera category ...
      Fire missiles: missile_strike   # ... or a whitecell action id
      Sanction: {category: non_violent_escalation, rung: 7}   # category and a Kahn rung
      Strike bases: {action: strike_bases}                    # the long form of an id

An entry is a string (a Rivera category or a whitecell action id; the two sets
of names never overlap) or a mapping with ``category``, ``action`` and
``rung`` (1 to 44). With ``action``, category and rung are the catalogue's
(``whitecell actions`` lists them); a ``category`` or ``rung`` given beside it
must agree. Names are matched exactly (case, spaces and punctuation).

Bundled maps: ``escalaition`` (the 27 actions of the EscalAItion simulation
of Rivera et al., ``scoring/maps/escalaition.yaml``) and ``whitecell`` (every
catalogue action id as itself, for logs of whitecell moves).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from whitecell.models.escalation import RIVERA_CATEGORY_IDS, TOP_RUNG, RiveraCategory
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.errors import format_path as _path
from whitecell.scenario.yamlio import LoadedYaml, load_yaml_text, read_yaml_text
from whitecell.scoring.errors import ScoreError, ScoreProblem

__all__ = ["BUNDLED_MAPS", "WHITECELL_MAP", "MapEntry", "ScoringMap", "bundled_map_names",
           "load_map", "whitecell_map"]

WHITECELL_MAP = "whitecell"
"""Name of the built-in map of whitecell's own action ids."""

BUNDLED_MAPS: tuple[str, ...] = ("escalaition",)
"""Map files shipped in ``whitecell/scoring/maps/`` (by name, without ``.yaml``)."""

_TOP_KEYS = ("map", "description", "source", "actions")
_ENTRY_KEYS = ("category", "action", "rung")


@dataclass(frozen=True)
class MapEntry:
    """What one action name of a log means: its Rivera category, and if known its rung.

    ``action`` is the whitecell action id it stands for (``None`` when the map
    gives only a category); ``rung`` the Kahn rung, from that action or given
    in the map.
    """

    category: RiveraCategory
    action: str | None = None
    rung: int | None = None


@dataclass(frozen=True)
class ScoringMap:
    """A named map from action names to :class:`MapEntry`.

    ``origin`` is where it came from (``bundled`` or the file as given),
    ``digest`` the sha256 of the map file's text (of the catalogue's entries
    for the built-in ``whitecell`` map): score output records it, so a score
    can be traced to the exact map that made it.
    """

    name: str
    origin: str
    digest: str
    entries: Mapping[str, MapEntry]
    description: str = ""
    source: str = ""

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def get(self, action: str) -> MapEntry | None:
        """The entry for ``action`` (matched exactly), or ``None``."""
        return self.entries.get(action)

    def to_dict(self) -> dict[str, Any]:
        """Name, origin, digest and size, as score output records them."""
        return {"name": self.name, "origin": self.origin, "digest": self.digest,
                "actions": len(self.entries)}


def bundled_map_names() -> tuple[str, ...]:
    """Names ``--map`` accepts without a file: the bundled files and ``whitecell``."""
    return (*BUNDLED_MAPS, WHITECELL_MAP)


def whitecell_map() -> ScoringMap:
    """The built-in map: every catalogue action id to its own category and rung."""
    entries = {a.id: MapEntry(RiveraCategory(a.rivera), a.id, int(a.kahn_rung))
               for a in CATALOGUE}
    canon = json.dumps({k: [e.category.value, e.rung] for k, e in entries.items()},
                       sort_keys=True, separators=(",", ":"))
    return ScoringMap(name=WHITECELL_MAP, origin="bundled",
                      digest=hashlib.sha256(canon.encode()).hexdigest(),
                      entries=MappingProxyType(entries),
                      description="whitecell's action catalogue (whitecell actions)")


def load_map(ref: str | Path) -> ScoringMap:
    """A bundled map by name (``escalaition``, ``whitecell``) or a map file by path.

    Raises:
        ScoreError: an unknown name, a file that cannot be read, or a map file
            with problems (every problem found, each with file, line, column,
            field and what was expected).
    """
    text_ref = str(ref)
    if text_ref == WHITECELL_MAP:
        return whitecell_map()
    if text_ref in BUNDLED_MAPS:
        res = resources.files("whitecell.scoring").joinpath(f"maps/{text_ref}.yaml")
        return parse_map(res.read_text(encoding="utf-8"), file=f"{text_ref}.yaml",
                         origin="bundled")
    p = Path(text_ref)
    if not (p.suffix.lower() in (".yaml", ".yml") or p.exists() or "/" in text_ref
            or "\\" in text_ref):
        names = ", ".join(bundled_map_names())
        raise ScoreError([ScoreProblem("", None, None, "--map",
                                       f"unknown map {text_ref!r}: expected a bundled map "
                                       f"({names}) or a YAML map file")])
    try:
        text = read_yaml_text(p)
    except ScenarioError as e:
        raise _from_scenario_error(e) from None
    return parse_map(text, file=text_ref, origin=text_ref)


def parse_map(text: str, *, file: str = "<map>", origin: str = "") -> ScoringMap:
    """Parse and check the text of a map file (see the module notes for the format).

    Raises:
        ScoreError: every problem of the file, located.
    """
    try:
        doc = load_yaml_text(text, file)
    except ScenarioError as e:
        raise _from_scenario_error(e) from None
    problems: list[ScoreProblem] = []
    data = doc.data

    def problem(path: tuple[Any, ...], message: str, at_key: bool = False) -> None:
        problems.append(_located(doc, path, message, at_key))

    for key in data:
        if key not in _TOP_KEYS:
            problem((key,), f"unknown field; expected {', '.join(_TOP_KEYS)}", at_key=True)
    name = data.get("map")
    if not isinstance(name, str) or not name.strip():
        problem(("map",), "expected the map's name (text), e.g. 'map: my-sim'"
                if "map" in data else "missing field: the map's name, e.g. 'map: my-sim'")
        name = ""
    for key in ("description", "source"):
        if key in data and not isinstance(data[key], str):
            problem((key,), "expected text")
    actions = data.get("actions")
    entries: dict[str, MapEntry] = {}
    if not isinstance(actions, dict) or not actions:
        problem(("actions",), "expected a mapping of action names to a Rivera category or a "
                "whitecell action id (at least one)" if "actions" in data
                else "missing field: 'actions', a mapping of action names to a Rivera "
                "category or a whitecell action id")
    else:
        for action_name, value in actions.items():
            path = ("actions", action_name)
            if not isinstance(action_name, str) or not action_name:
                problem(path, "an action name must be non-empty text", at_key=True)
                continue
            entry = _entry(value, path, problem)
            if entry is not None:
                entries[action_name] = entry
    if problems:
        raise ScoreError(problems)
    return ScoringMap(name=str(name).strip(), origin=origin or file,
                      digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                      entries=MappingProxyType(entries),
                      description=str(data.get("description") or "").strip(),
                      source=str(data.get("source") or "").strip())


_EXPECTED = (f"expected a Rivera category ({', '.join(RIVERA_CATEGORY_IDS)}), a whitecell "
             "action id (see 'whitecell actions') or a mapping with category, action and rung")


def _entry(value: Any, path: tuple[Any, ...], problem: Any) -> MapEntry | None:
    """One map entry from its YAML value, or ``None`` after recording its problems."""
    if isinstance(value, str):
        if value in RIVERA_CATEGORY_IDS:
            return MapEntry(RiveraCategory(value))
        if value in ACTION_INDEX:
            spec = CATALOGUE[ACTION_INDEX[value]]
            return MapEntry(RiveraCategory(spec.rivera), spec.id, int(spec.kahn_rung))
        problem(path, f"{value!r} is neither a Rivera category nor a whitecell action id; "
                + _EXPECTED)
        return None
    if not isinstance(value, dict):
        problem(path, _EXPECTED)
        return None
    bad = False
    for key in value:
        if key not in _ENTRY_KEYS:
            problem((*path, key), f"unknown field; expected {', '.join(_ENTRY_KEYS)}",
                    True)
            bad = True
    category: RiveraCategory | None = None
    if "category" in value:
        c = value["category"]
        if isinstance(c, str) and c in RIVERA_CATEGORY_IDS:
            category = RiveraCategory(c)
        else:
            problem((*path, "category"), f"{c!r} is not a Rivera category; expected one of "
                    f"{', '.join(RIVERA_CATEGORY_IDS)}")
            bad = True
    rung: int | None = None
    if "rung" in value:
        r = value["rung"]
        if isinstance(r, int) and not isinstance(r, bool) and 1 <= r <= TOP_RUNG:
            rung = r
        else:
            problem((*path, "rung"), f"{r!r} is not a Kahn rung; expected a whole number "
                    f"from 1 to {TOP_RUNG}")
            bad = True
    action: str | None = None
    if "action" in value:
        a = value["action"]
        if isinstance(a, str) and a in ACTION_INDEX:
            spec = CATALOGUE[ACTION_INDEX[a]]
            action = spec.id
            if category is not None and category.value != spec.rivera:
                problem((*path, "category"), f"{category.value} disagrees with whitecell "
                        f"action {a} (category {spec.rivera}); give one or make them agree")
                bad = True
            if rung is not None and rung != spec.kahn_rung:
                problem((*path, "rung"), f"{rung} disagrees with whitecell action {a} "
                        f"(rung {spec.kahn_rung}); give one or make them agree")
                bad = True
            category, rung = RiveraCategory(spec.rivera), int(spec.kahn_rung)
        else:
            problem((*path, "action"), f"{a!r} is not a whitecell action id (see "
                    "'whitecell actions')")
            bad = True
    if bad:
        return None
    if category is None:
        problem(path, "missing field: 'category' (or 'action', a whitecell action id)")
        return None
    return MapEntry(category, action, rung)


def _located(doc: LoadedYaml, path: tuple[Any, ...], message: str,
             at_key: bool = False) -> ScoreProblem:
    pos = doc.locate_key(path) if at_key else doc.locate(path)
    line, column = pos if pos is not None else (None, None)
    return ScoreProblem(doc.file, line, column, _path(path) or "(root)", message)


def _from_scenario_error(e: ScenarioError) -> ScoreError:
    """The YAML reader's problems, worded for a map file."""
    return ScoreError([ScoreProblem(p.file, p.line, p.column, p.path or "(root)",
                                    p.message.replace("scenario file", "map file"))
                       for p in e.problems])
