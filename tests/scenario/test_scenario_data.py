"""The bundled scenarios' data: every figure sourced, judgements marked, assumptions checked.

An expert review found force figures that were designers' estimates filed
under a national-total citation, citations of "REFERENCES.md", and a
methods paper cited as if it were data. These tests keep that from coming back:

- every force figure has a real source and a year;
- a figure whose note says it is a judgement ("estimate", "judgement",
  "share") either carries a ``theatre_share`` (the cited total stays apart
  from the judged share) or is declared in the scenario's ``assumptions``;
- every actor has a defence budget, with a documented exemption;
- every assumption names a numeric field that ``--set`` accepts and its base
  value lies within its range (and the loader says where, if not).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from whitecell.scenario.check import assumption_problems, resolve_path
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import bundled_dir, bundled_ids, load_scenario
from whitecell.scenario.model import Assumption, MissileDefence, Scenario, Sourced
from whitecell.world.compile import compile_world

IDS = bundled_ids()

#: Actors without a defence budget, and why (SIPRI publishes no figure for the DPRK).
BUDGET_EXEMPT = {"PRK": "SIPRI publishes no military-expenditure figure for North Korea"}

#: Words that mark a figure as a judgement rather than a cited fact.
JUDGEMENT = re.compile(r"estimate|judgement|judgment|\bshare\b", re.IGNORECASE)
#: Citations that are not publications.
NOT_A_SOURCE = re.compile(r"REFERENCES\.md|^designers'? (estimate|judgement)", re.IGNORECASE)


def _load(sid: str) -> Scenario:
    return load_scenario(sid).scenario


def _figures(sc: Scenario) -> list[tuple[str, Sourced]]:
    out = []
    for a in sc.actors:
        for block in ("forces", "reinforcements"):
            for kind, fig in getattr(a, block).items():
                out.append((f"actors.{a.id}.{block}.{kind}", fig))
    return out


@pytest.fixture(scope="module", params=IDS)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return _load(request.param)


def test_every_force_figure_has_a_real_source_and_year(scenario: Scenario) -> None:
    for path, fig in _figures(scenario):
        assert not NOT_A_SOURCE.search(fig.source), f"{scenario.id}: {path}: {fig.source!r}"
        assert 1990 <= fig.year <= 2030, f"{scenario.id}: {path}: year {fig.year}"


def test_judged_figures_carry_a_share_or_are_declared_assumptions(scenario: Scenario) -> None:
    declared = {a.path for a in scenario.assumptions}
    for path, fig in _figures(scenario):
        if fig.note and JUDGEMENT.search(fig.note) and fig.theatre_share is None:
            assert f"{path}.value" in declared, (
                f"{scenario.id}: {path} is a judgement ({fig.note[:60]!r}...) without a "
                f"theatre_share and is not listed under assumptions")


def test_theatre_shares_say_why(scenario: Scenario) -> None:
    for path, fig in _figures(scenario):
        if fig.theatre_share is not None:
            assert "judgement" in fig.theatre_share.basis, f"{scenario.id}: {path}"
            assert fig.value >= fig.in_theatre, f"{scenario.id}: {path}"


def test_every_actor_has_a_defence_budget(scenario: Scenario) -> None:
    for a in scenario.actors:
        if a.id in BUDGET_EXEMPT:
            assert a.defence_budget is None, f"{scenario.id}: {a.id} is exempt but has a budget"
            continue
        b = a.defence_budget
        assert b is not None, f"{scenario.id}: {a.id} has no defence_budget"
        assert "SIPRI" in b.source and b.year == 2024, f"{scenario.id}: {a.id}: {b.source}"
        assert b.theatre_share is None


def test_budgets_reach_the_world(scenario: Scenario) -> None:
    w = compile_world(scenario)
    assert w.budget.shape == (w.n_actors,)
    for i, a in enumerate(scenario.actors):
        want = a.defence_budget.value if a.defence_budget is not None else 0.0
        assert w.budget[i] == want


def test_same_actor_same_budget_across_scenarios() -> None:
    seen: dict[str, float] = {}
    for sid in IDS:
        for a in _load(sid).actors:
            if a.defence_budget is not None:
                assert seen.setdefault(a.id, a.defence_budget.value) == a.defence_budget.value


def test_missile_defence_is_a_judgement_with_its_method(scenario: Scenario) -> None:
    for a in scenario.actors:
        d = a.defence
        if d is None:
            continue
        assert d.basis, f"{scenario.id}: {a.id}: missile defence without a basis"
        assert d.method and "Wilkening" in d.method
        assert d.source is None or "Wilkening" not in d.source, "a method is not a data source"
        for p in (d.sspk, d.p_track):
            assert isinstance(p, Assumption), f"{scenario.id}: {a.id}: give sspk/p_track a range"


def test_assumption_ranges_contain_base_values(scenario: Scenario) -> None:
    assert scenario.assumptions, f"{scenario.id} declares no assumptions"
    assert assumption_problems(scenario) == []
    data = scenario.model_dump(mode="json")
    for a in scenario.assumptions:
        v = resolve_path(data, a.path)
        assert a.range[0] <= v <= a.range[1], (scenario.id, a.path, v, a.range)


def test_assumptions_cover_the_judgements_that_matter(scenario: Scenario) -> None:
    paths = {a.path for a in scenario.assumptions}
    assert "parameters.combat.strike_pk" in paths
    assert any(p.startswith("parameters.risk.") for p in paths)
    ch = next(a for a in scenario.actors if a.role == "challenger")
    assert f"actors.{ch.id}.doctrine.war_threshold" in paths
    for c in scenario.commitments:
        assert f"commitments.{c.id}.strength" in paths


@pytest.mark.parametrize("sid", IDS)
def test_every_assumption_path_is_accepted_by_set(sid: str) -> None:
    sc = _load(sid)
    sets = []
    for a in sc.assumptions:
        value = (a.range[0] + a.range[1]) / 2
        if a.path.endswith(("max_deployments", "missiles_per_counterstrike_kill")):
            value = round(value)
        sets.append(f"{a.path}={value}")
    resolved = load_scenario(sid, sets=sets).scenario
    data = resolved.model_dump(mode="json")
    for expr in sets:
        path, value = expr.split("=")
        assert resolve_path(data, path) == pytest.approx(float(value))


def test_excursions_still_load() -> None:
    for sid in IDS:
        for e in _load(sid).excursions:
            compile_world(load_scenario(sid, excursion=e.id).scenario)


# ----------------------------------------------------------------- the check itself

BASE = (bundled_dir() / "east-china-sea.yaml").read_text()


def _with_assumptions(tmp_path: Path, block: str) -> Path:
    text = BASE.replace("\nassumptions:\n", "\nassumptions_old:\n", 1)
    text = re.sub(r"\nassumptions_old:\n(  - .*\n)+", "\n", text)
    p = tmp_path / "ecs.yaml"
    p.write_text(text.replace("\nreferences:\n", "\n" + textwrap.dedent(block) + "references:\n"))
    return p


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{path: parameters.combat.strike_pk, range: [0.6, 0.9], basis: 'test'}",
         "lies outside its range"),
        ("{path: parameters.combat.no_such, range: [0, 1], basis: 'test'}", "cannot be set"),
        ("{path: actors.XYZ.doctrine.war_threshold, range: [0, 1], basis: 'test'}",
         "cannot be set"),
        ("{path: actors.CHN.forces.air, range: [0, 1], basis: 'test'}", "did you mean"),
        ("{path: actors.CHN.doctrine.nuclear_first_use, range: [0, 1], basis: 'test'}",
         "is not a number"),
    ],
)
def test_bad_assumption_is_a_located_error(tmp_path: Path, entry: str, message: str) -> None:
    p = _with_assumptions(tmp_path, f"assumptions:\n  - {entry}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(p))
    text = str(err.value)
    assert message in text
    assert re.search(r"ecs\.yaml:\d+:\d+", text), text


def test_good_assumption_loads_and_variants_may_leave_the_range(tmp_path: Path) -> None:
    p = _with_assumptions(tmp_path, "assumptions:\n  - {path: parameters.combat.strike_pk, "
                                    "range: [0.3, 0.7], basis: 'test'}\n")
    load_scenario(str(p))
    # an analyst may push a judgement past its plausible range on purpose
    sc = load_scenario(str(p), sets=["parameters.combat.strike_pk=0.95"]).scenario
    assert sc.parameters.combat.strike_pk == 0.95


# ----------------------------------------------------------------- schema forms


def test_missile_defence_accepts_plain_numbers_with_a_basis() -> None:
    d = MissileDefence(sspk=0.6, p_track=0.9, shots_per_warhead=2, basis="judgement")
    assert (d.sspk_value, d.p_track_value) == (0.6, 0.9)
    legacy = MissileDefence(sspk=0.6, p_track=0.9, shots_per_warhead=2, source="x y z", year=1999)
    assert legacy.sspk_value == 0.6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sspk": 0.6, "p_track": 0.9},  # neither basis nor source
        {"sspk": 1.2, "p_track": 0.9, "basis": "judgement"},
        {"sspk": {"value": 0.6, "range": [0.4, 1.2], "basis": "judgement"}, "p_track": 0.9,
         "basis": "judgement"},
        {"sspk": 0.6, "p_track": 0.9, "source": "a source"},  # source without year
    ],
)
def test_missile_defence_rejects(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        MissileDefence(shots_per_warhead=2, **kwargs)  # type: ignore[arg-type]


def test_budget_takes_no_theatre_share() -> None:
    text = BASE.replace(
        'defence_budget: {value: 314, ',
        'defence_budget: {theatre_share: {value: 0.5, range: [0, 1], basis: "x y z"}, '
        'value: 314, ', 1)
    assert text != BASE
    data = yaml.safe_load(text)
    with pytest.raises(ValueError, match="national figure"):
        Scenario.model_validate(data)


def test_no_figure_leans_on_our_own_notes_for_its_facts() -> None:
    """Two figures cited "REFERENCES.md", a planning note of ours, and a basis read
    "the lead is recalibrating". A scenario's notes and bases cite publications and
    say what was judged; they never point at our own files or work in progress."""
    files = sorted(Path(bundled_dir()).glob("*.yaml"))
    assert len(files) == len(IDS)
    for f in files:
        text = f.read_text(encoding="utf-8")
        for bad in ("REFERENCES", "the lead ", "TODO", "FIXME"):
            assert bad not in text, (f.name, bad)
