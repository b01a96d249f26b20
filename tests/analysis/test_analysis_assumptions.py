"""sensitivity --assumptions: every declared judgement swept over its range, with its basis."""

import json

import pytest
import yaml
from typer.testing import CliRunner

from whitecell.analysis import SweepError, sensitivity
from whitecell.analysis.assumptions import assumption_params
from whitecell.analysis.sobol import sobol
from whitecell.cli import app
from whitecell.scenario.load import scenario_path

runner = CliRunner()

ASSUMPTIONS = [
    {"path": "commitments.taiwan-relations-act.strength", "range": [0.2, 0.9],
     "basis": "strategic ambiguity: from a hollow to a firm commitment"},
    {"path": "actors.USA.doctrine.max_step", "range": [1, 3],
     "basis": "designers' judgement: pace of the US response"},
    {"path": "parameters.combat.base_access", "range": [0.35, 1.0],
     "basis": "designers' judgement: Japanese bases from little to full use"},
    {"path": "parameters.combat.strike_per_turn", "range": [0.25, 0.25],
     "basis": "fixed range: nothing to vary"},
]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """The Taiwan scenario with an assumptions list and one theatre_share."""
    d = yaml.safe_load(scenario_path("taiwan-strait-crisis").read_text())
    d["assumptions"] = ASSUMPTIONS
    for a in d["actors"]:  # keep only the one theatre_share this test declares
        for block in ("forces", "reinforcements"):
            for fig in (a.get(block) or {}).values():
                share = fig.pop("theatre_share", None)
                if share is not None:
                    fig["value"] = round(fig["value"] * share["value"])
    usa = next(a for a in d["actors"] if a["id"] == "USA")
    usa["forces"]["naval"]["value"] = 67
    usa["forces"]["naval"]["theatre_share"] = {
        "value": 0.6, "range": [0.3, 0.8], "basis": "share of the Pacific Fleet in theatre"}
    path = tmp_path_factory.mktemp("scen") / "tw-assumptions.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    return str(path)


def test_assumptions_picks_every_assumption_with_its_range(scenario):
    prms = {p.path: p for p in assumption_params(scenario)}
    assert set(prms) == {"commitments.taiwan-relations-act.strength",
                         "actors.USA.doctrine.max_step", "parameters.combat.base_access",
                         "actors.USA.forces.naval.theatre_share.value"}
    assert (prms["commitments.taiwan-relations-act.strength"].low,
            prms["commitments.taiwan-relations-act.strength"].high) == ("0.2", "0.9")
    assert (prms["actors.USA.doctrine.max_step"].low,
            prms["actors.USA.doctrine.max_step"].high) == ("1", "3")  # an integer field
    ts = prms["actors.USA.forces.naval.theatre_share.value"]
    assert (ts.low, ts.high, ts.basis) == ("0.3", "0.8", "share of the Pacific Fleet in theatre")


def test_tornado_over_assumptions_names_basis_and_ranks_by_effect(scenario, tmp_path):
    data = sensitivity(scenario, [], 400, assumptions=True, out=tmp_path / "t", workers=1,
                       progress=False, seed=3)
    rows = data["parameters"]
    assert len(rows) == 4 and all(r["basis"] for r in rows)
    effects = [abs(r["effect"]) for r in rows]
    assert effects == sorted(effects, reverse=True)
    assert rows[0]["path"] == "commitments.taiwan-relations-act.strength"
    assert rows[0]["basis"].startswith("strategic ambiguity")
    stored = json.loads((tmp_path / "t" / "sensitivity.json").read_text())
    assert stored == data


def test_explicit_param_replaces_a_declared_range(scenario, tmp_path):
    data = sensitivity(scenario, ["actors.USA.doctrine.max_step=2:3"], 100, assumptions=True,
                       out=tmp_path / "t", workers=1, progress=False)
    row = next(r for r in data["parameters"] if r["path"] == "actors.USA.doctrine.max_step")
    assert (row["low_value"], row["high_value"]) == ("2", "3") and "basis" not in row


def test_sobol_over_assumptions(scenario, tmp_path):
    data = sobol(scenario, [], 40, samples=2, assumptions=True, out=tmp_path / "s",
                 workers=1, progress=False)
    assert {r["path"] for r in data["parameters"]} == {
        p.path for p in assumption_params(scenario)}
    assert all("basis" in r for r in data["parameters"])


def test_no_assumptions_declared_is_a_clear_error(tmp_path):
    d = yaml.safe_load(scenario_path("taiwan-strait-crisis").read_text())
    d.pop("assumptions", None)
    for a in d["actors"]:
        for group in ("forces", "reinforcements"):
            for fig in (a.get(group) or {}).values():
                fig.pop("theatre_share", None)
        if isinstance(a.get("counterstrike"), dict):
            a["counterstrike"].pop("theatre_share", None)
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    with pytest.raises(SweepError, match="declares no assumptions"):
        sensitivity(str(path), [], 10, assumptions=True, out=tmp_path / "x", workers=1,
                    progress=False)


def test_cli_assumptions(scenario, tmp_path):
    r = runner.invoke(app, ["sensitivity", scenario, "-n", "100", "--assumptions",
                            "--workers", "1", "--out", str(tmp_path / "c"), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)["parameters"]
    assert {row["basis"] for row in rows} >= {"share of the Pacific Fleet in theatre"}
    r = runner.invoke(app, ["sensitivity", scenario, "-n", "10", "--workers", "1",
                            "--out", str(tmp_path / "d")])
    assert r.exit_code == 2 and "--assumptions" in r.output
