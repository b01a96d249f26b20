"""Package-level checks for whitecell.models: imports, public names, cited sources."""

from __future__ import annotations

import inspect
import re
from types import ModuleType

import pytest

import whitecell.models as models
from whitecell.models import (
    attrition,
    bargaining,
    beliefs,
    bmd,
    brinkmanship,
    contest,
    deterrence,
    escalation,
    risk,
)

# Module -> an author (or title word) its docstring and functions must cite.
SOURCES: dict[ModuleType, tuple[str, ...]] = {
    bmd: ("Wilkening",),
    attrition: ("Lanchester", "Engel", "Hughes"),
    bargaining: ("Fearon",),
    brinkmanship: ("Powell",),
    deterrence: ("Zagare",),
    risk: ("Schelling",),
    beliefs: ("Bayes", "Fearon", "Olver"),
    escalation: ("Kahn", "Rivera"),
    contest: ("Hirshleifer",),
}

CONTRACT: dict[ModuleType, tuple[str, ...]] = {
    bmd: (
        "kill_probability",
        "zero_leak_probability",
        "expected_leakers",
        "interceptors_required",
        "shoot_look_shoot",
        "leakers",
        "salvo_engagement",
    ),
    attrition: ("lanchester", "lanchester_step", "Trajectory", "iwo_jima_engel", "salvo"),
    bargaining: ("bargaining_range", "deal_acceptable", "war_expected_value"),
    brinkmanship: ("critical_risk", "stands_firm", "first_to_quit"),
    deterrence: ("deterrence_threshold", "is_deterred", "chicken_mixed"),
    risk: ("deterrence_band", "inadvertent_risk", "cumulative_risk"),
    beliefs: ("beta_mean", "update", "prob_exceeds", "sample_resolve"),
    escalation: (
        "KAHN_RUNGS",
        "KAHN_GROUPS",
        "KAHN_THRESHOLDS",
        "rung_name",
        "rung_group",
        "RiveraCategory",
        "RIVERA_WEIGHTS",
        "escalation_score",
        "is_violent",
        "is_nuclear_use",
        "NUCLEAR_USE_RUNGS",
    ),
    contest: ("success_probability",),
}


def test_submodules_exported() -> None:
    assert set(models.__all__) == {m.__name__.rsplit(".", 1)[1] for m in SOURCES}


@pytest.mark.parametrize("module", list(CONTRACT), ids=lambda m: m.__name__)
def test_public_contract_names_exist(module: ModuleType) -> None:
    for name in CONTRACT[module]:
        assert hasattr(module, name), f"{module.__name__}.{name} missing"
        assert name in module.__all__
    for name in module.__all__:
        assert hasattr(module, name)


@pytest.mark.parametrize("module", list(SOURCES), ids=lambda m: m.__name__)
def test_module_docstring_cites_source_with_year(module: ModuleType) -> None:
    doc = module.__doc__ or ""
    for author in SOURCES[module]:
        assert author in doc
    assert re.search(r"\b(19|20)\d\d\b", doc)
    assert models.__doc__ is not None
    assert module.__name__.rsplit(".", 1)[1] in models.__doc__


@pytest.mark.parametrize("module", list(SOURCES), ids=lambda m: m.__name__)
def test_public_functions_documented_and_annotated(module: ModuleType) -> None:
    for name in module.__all__:
        obj = getattr(module, name)
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        assert doc, f"{module.__name__}.{name} has no docstring"
        # Every public function names its published source, with a year.
        assert "Source:" in doc, f"{module.__name__}.{name} does not cite its source"
        source = doc.split("Source:", 1)[1].split("\n\n", 1)[0]
        assert any(author in source for author in SOURCES[module]), name
        assert re.search(r"\b(19|20)\d\d\b", source), name
        sig = inspect.signature(obj)
        assert sig.return_annotation is not inspect.Signature.empty, name
        for param in sig.parameters.values():
            assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name})"
