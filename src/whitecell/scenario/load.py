"""Load a scenario by file path or bundled id, apply an excursion and overrides.

The pipeline: YAML with positions -> schema (pydantic) -> cross-references ->
excursion patch -> ``--set`` overrides -> schema and cross-references again.
Every failure is a :class:`ScenarioError` whose problems read
``FILE:LINE:COLUMN: field.path: message``. The result carries a digest of the
fully resolved scenario, recorded with every run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic

from whitecell.scenario.check import cross_reference_problems
from whitecell.scenario.errors import Problem, ScenarioError
from whitecell.scenario.model import Scenario
from whitecell.scenario.overrides import (
    OverrideError,
    apply_overrides,
    apply_set,
    deep_merge,
    parse_set,
)
from whitecell.scenario.validation import problems_from_pydantic, validate_loaded
from whitecell.scenario.yamlio import LoadedYaml, load_yaml


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


def scenario_path(ref: str) -> Path:
    """A bundled scenario id or a path to a YAML file."""
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") or p.exists() or "/" in ref:
        return p
    cand = bundled_dir() / f"{ref}.yaml"
    if cand.exists():
        return cand
    raise ScenarioError([Problem(ref, None, None, "", "no such file and no bundled scenario "
                                 f"with that id (bundled: {', '.join(bundled_ids())})")])


def digest_of(sc: Scenario) -> str:
    """sha256 of the canonical JSON of a resolved scenario."""
    blob = json.dumps(sc.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _check(sc: Scenario, loaded: LoadedYaml) -> None:
    probs = [loaded.problem(path, msg) for path, msg in cross_reference_problems(sc)]
    if probs:
        raise ScenarioError(probs)


def _validate_variant(data: dict[str, Any], loaded: LoadedYaml, anchor: tuple[Any, ...],
                      label: str) -> Scenario:
    """Validate patched data; problems point at ``anchor`` in the file."""
    try:
        sc = Scenario.model_validate(data)
    except pydantic.ValidationError as exc:
        probs = problems_from_pydantic(exc, LoadedYaml(data=data, file=loaded.file, marks={},
                                                       key_marks={}))
        raise ScenarioError([loaded.problem(anchor, f"{label}: {p.path}: {p.message}")
                             for p in probs]) from None
    cross = cross_reference_problems(sc, assumptions=False)
    if cross:
        from whitecell.scenario.errors import format_path

        raise ScenarioError([loaded.problem(anchor, f"{label}: {format_path(path)}: {msg}")
                             for path, msg in cross])
    return sc


def load_scenario(ref: str, excursion: str | None = None,
                  sets: Sequence[str] = ()) -> ResolvedScenario:
    """Load, validate and resolve a scenario (raises ScenarioError)."""
    path = scenario_path(ref)
    loaded = load_yaml(path)
    base = validate_loaded(Scenario, loaded)
    _check(base, loaded)
    # overrides and excursions work on the validated data with every default
    # filled in, so a field left at its default can still be set by path
    data: dict[str, Any] = base.model_dump(mode="json")
    sc = base
    if excursion:
        ids = [e.id for e in base.excursions]
        if excursion not in ids:
            raise ScenarioError([loaded.problem(("excursions",), f"unknown excursion "
                                                f"{excursion!r} (known: {', '.join(ids) or 'none'})")])
        k = ids.index(excursion)
        exc = base.excursions[k]
        try:
            data = deep_merge(data, exc.changes)
            for dotted, value in exc.set.items():
                seg, _ = parse_set(f"{dotted}=null")
                data = apply_set(data, seg, value)
        except OverrideError as err:
            raise ScenarioError([loaded.problem(("excursions", k), f"excursion "
                                                f"{excursion!r}: {err}")]) from None
        sc = _validate_variant(data, loaded, ("excursions", k), f"excursion {excursion!r}")
    if sets:
        try:
            data = apply_overrides(data, sets)
        except OverrideError as err:
            raise ScenarioError([Problem(str(path), None, None, "--set", str(err))]) from None
        sc = _validate_variant(data, loaded, (), "--set " + " ".join(sets))
    return ResolvedScenario(scenario=sc, file=str(path), excursion=excursion,
                            overrides=tuple(sets), digest=digest_of(sc))
