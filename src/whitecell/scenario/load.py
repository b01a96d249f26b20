"""Load a scenario by file path or bundled id, apply an excursion and overrides.

The pipeline: YAML with positions -> schema (pydantic) -> cross-references ->
excursion patch -> ``--set`` overrides -> schema and cross-references again.
Every failure is a :class:`ScenarioError` whose problems read
``FILE:LINE:COLUMN: field.path: message``. The result carries a digest of the
fully resolved scenario, recorded with every run.

A file is parsed and validated once: :func:`load_variants` resolves the base
and every excursion from that one parse (what ``whitecell validate`` needs),
and a small cache keyed by the file's name and content digest lets repeated
``load_scenario`` calls on an unchanged file (a sweep's grid points) skip the
parse. Problems caused by a ``--set`` name the expression, not a line of the
file that has nothing to do with it::

    --set actors.USA.forces.air.value=abc: Input should be a valid number ...
"""

from __future__ import annotations

import difflib
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic

from whitecell.scenario.check import cross_reference_problems
from whitecell.scenario.errors import Problem, ScenarioError, format_path
from whitecell.scenario.model import LLMParameters, Scenario
from whitecell.scenario.overrides import (
    OverrideError,
    apply_overrides,
    apply_set,
    deep_merge,
    parse_set,
    resolve_path,
)
from whitecell.scenario.validation import problems_from_pydantic, validate_loaded
from whitecell.scenario.yamlio import LoadedYaml, load_yaml_text, read_yaml_text

_CACHE_SIZE = 4


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario ready to play, with how it was made."""

    scenario: Scenario
    file: str
    excursion: str | None
    overrides: tuple[str, ...]
    digest: str

    @property
    def label(self) -> str:
        ex = f" [{self.excursion}]" if self.excursion else ""
        return f"{self.scenario.id}{ex}"


def bundled_dir() -> Path:
    """Folder of the scenarios shipped in the package."""
    return Path(str(resources.files("whitecell") / "scenarios"))


def bundled_ids() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``known`` to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _exists(p: Path) -> bool:
    """``p.exists()``, false (not an OSError) for a name too long or otherwise unusable."""
    try:
        return p.exists()
    except (OSError, ValueError):
        return False


def scenario_path(ref: str) -> Path:
    """A bundled scenario id or a path to a YAML file."""
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") or _exists(p) or "/" in ref:
        return p
    cand = bundled_dir() / f"{ref}.yaml"
    if _exists(cand):
        return cand
    ids = bundled_ids()
    raise ScenarioError([Problem(ref, None, None, "", "no such file and no bundled scenario "
                                 f"with that id{did_you_mean(ref, ids)} "
                                 f"(bundled: {', '.join(ids)})")])


def digest_of(sc: Scenario) -> str:
    """sha256 of the canonical JSON of a resolved scenario.

    Fields added after runs were first stored (``parameters.llm``,
    ``parameters.action_cap``, an actor's ``persona``) count only when set away from their default, so a scenario
    that does not use them keeps the digest its stored runs recorded.
    """
    data = sc.model_dump(mode="json")
    if sc.parameters.llm == LLMParameters():
        data["parameters"].pop("llm", None)
    if sc.parameters.action_cap == 1:
        data["parameters"].pop("action_cap", None)
    for a in data["actors"]:
        if a.get("persona") is None:
            a.pop("persona", None)
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _check(sc: Scenario, loaded: LoadedYaml) -> None:
    probs = [loaded.problem(path, msg) for path, msg in cross_reference_problems(sc)]
    if probs:
        raise ScenarioError(probs)


def _variant_problems(data: dict[str, Any], file: str) -> tuple[Scenario | None,
                                                                  list[tuple[str, str]]]:
    """Validate patched data; return the scenario or ``(rendered path, message)`` pairs."""
    try:
        sc = Scenario.model_validate(data, strict=True)
    except pydantic.ValidationError as exc:
        probs = problems_from_pydantic(exc, LoadedYaml(data=data, file=file, marks={},
                                                       key_marks={}))
        return None, [(p.path, p.message) for p in probs]
    cross = cross_reference_problems(sc, assumptions=False)
    if cross:
        return None, [(format_path(path), msg) for path, msg in cross]
    return sc, []


def _validate_variant(data: dict[str, Any], loaded: LoadedYaml, anchor: tuple[Any, ...],
                      label: str) -> Scenario:
    """Validate patched data; problems point at ``anchor`` in the file."""
    sc, probs = _variant_problems(data, loaded.file)
    if sc is None:
        raise ScenarioError([loaded.problem(anchor, f"{label}: {path}: {msg}")
                             for path, msg in probs])
    return sc


def _under(path: str, prefix: str) -> bool:
    """Whether rendered field ``path`` is ``prefix`` or lies inside it."""
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


def _validate_sets(data: dict[str, Any], sets: Sequence[str], file: str) -> Scenario:
    """Validate data after ``--set``; each problem names the expression that caused it.

    A problem inside the field an expression set is that expression's; one
    elsewhere (a cross-reference the new value broke) names every expression.
    These problems belong to the command line, so they carry no file position.
    """
    sc, probs = _variant_problems(data, file)
    if sc is not None:
        return sc
    targets: list[tuple[str, str]] = []
    for expr in sets:
        try:
            targets.append((format_path(resolve_path(data, parse_set(expr)[0])), expr))
        except OverrideError:  # pragma: no cover - applied fine a moment ago
            continue
    out: list[Problem] = []
    for path, msg in probs:
        owners = [(t, e) for t, e in targets if path and _under(path, t)]
        if owners:
            t, expr = max(owners, key=lambda te: len(te[0]))
            text = msg if path == t else f"{path}: {msg}"
            out.append(Problem("", None, None, f"--set {expr}", text))
        else:
            out.append(Problem("", None, None, "--set " + " --set ".join(sets),
                               f"{path or '(root)'}: {msg}"))
    raise ScenarioError(out)


@dataclass(frozen=True)
class _Base:
    """A scenario file parsed and validated as written (before excursions and --set)."""

    path: Path
    loaded: LoadedYaml
    scenario: Scenario
    data: dict[str, Any]


_cache: OrderedDict[tuple[str, str], _Base] = OrderedDict()
_cache_lock = threading.Lock()


def _load_base(ref: str) -> _Base:
    """Parse and validate the file ``ref`` names, reusing an earlier parse of the same bytes."""
    path = scenario_path(ref)
    text = read_yaml_text(path)
    key = (str(path), hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    loaded = load_yaml_text(text, str(path))
    base = validate_loaded(Scenario, loaded)
    _check(base, loaded)
    # overrides and excursions work on the validated data with every default
    # filled in, so a field left at its default can still be set by path
    made = _Base(path, loaded, base, base.model_dump(mode="json"))
    with _cache_lock:
        _cache[key] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made


def load_scenario(ref: str, excursion: str | None = None,
                  sets: Sequence[str] = ()) -> ResolvedScenario:
    """Load, validate and resolve a scenario (raises ScenarioError)."""
    return _resolve(_load_base(ref), excursion, sets)


def load_variants(ref: str) -> tuple[ResolvedScenario, list[ResolvedScenario]]:
    """The scenario as written and every excursion of it, from one parse of the file.

    Raises:
        ScenarioError: with the problems of the first variant that fails.
    """
    b = _load_base(ref)
    return _resolve(b, None, ()), [_resolve(b, e.id, ()) for e in b.scenario.excursions]


def _resolve(b: _Base, excursion: str | None, sets: Sequence[str]) -> ResolvedScenario:
    """Apply an excursion and ``--set`` overrides to a parsed base; validate the result."""
    loaded, base, path = b.loaded, b.scenario, b.path
    data = b.data
    sc = base
    if excursion:
        ids = [e.id for e in base.excursions]
        if excursion not in ids:
            raise ScenarioError([loaded.problem(("excursions",), f"unknown excursion "
                                                f"{excursion!r}{did_you_mean(excursion, ids)} "
                                                f"(known: {', '.join(ids) or 'none'})")])
        k = ids.index(excursion)
        exc = base.excursions[k]
        try:
            data = deep_merge(data, exc.changes)
            for dotted, value in exc.set.items():
                seg, _ = parse_set(f"{dotted}=null")
                data = apply_set(data, seg, value, in_place=True)  # deep_merge copied
        except OverrideError as err:
            raise ScenarioError([loaded.problem(("excursions", k), f"excursion "
                                                f"{excursion!r}: {err}")]) from None
        sc = _validate_variant(data, loaded, ("excursions", k), f"excursion {excursion!r}")
    if sets:
        try:
            data = apply_overrides(data, sets)
        except OverrideError as err:
            text = str(err)
            expr, sep, rest = text.partition(": ")
            if not (sep and expr.startswith("--set ")):
                expr, rest = "--set", text
            raise ScenarioError([Problem("", None, None, expr, rest)]) from None
        sc = _validate_sets(data, sets, loaded.file)
    return ResolvedScenario(scenario=sc, file=str(path), excursion=excursion,
                            overrides=tuple(sets), digest=digest_of(sc))
