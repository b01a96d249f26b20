"""The one-at-a-time tornado ranks parameters by their effect, with intervals."""

import json

import pytest

from whitecell.analysis import read_sensitivity, sensitivity, summarize
from whitecell.analysis.errors import SweepError
from whitecell.scenario.errors import ScenarioError

SC = "taiwan-strait-crisis"
PARAMS = ["actors.CHN.doctrine.war_threshold=0.3:0.7", "actors.USA.forces.strike.value=150:700",
          "actors.RUS.stakes=0.1:0.3"]


@pytest.fixture(scope="module")
def tornado(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens") / "s"
    return out, sensitivity(SC, PARAMS, 1500, outcome="war", excursion="base",
                            seed=2, chunk=750, out=out, workers=1, progress=False)


def test_tornado_is_ranked_and_consistent(tornado):
    out, data = tornado
    rows = data["parameters"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    effects = [abs(r["effect"]) for r in rows]
    assert effects == sorted(effects, reverse=True)
    for r in rows:
        assert r["effect"] == pytest.approx(r["at_high"]["value"] - r["at_low"]["value"])
        assert r["paired_low"] <= r["effect"] <= r["paired_high"]
        assert r["effect_low"] <= r["effect"] <= r["effect_high"]
    by = {r["path"]: r for r in rows}
    # a challenger that needs more resolve before its first violent step fights
    # less; Russia's stakes enter no rule of this scenario
    assert by["actors.CHN.doctrine.war_threshold"]["effect"] < 0
    assert by["actors.CHN.doctrine.war_threshold"]["rank"] == 1
    assert by["actors.RUS.stakes"]["effect"] == 0
    assert read_sensitivity(out) == data
    assert json.loads((out / "sensitivity.json").read_text()) == data
    s = summarize(out)
    assert len(s["points"]) == 1 + 2 * len(PARAMS)
    assert s["points"][0]["vary"] == {}


def test_peak_rung_outcome_and_bad_input(tmp_path):
    d = sensitivity(SC, ["actors.USA.forces.strike.value=150:700"], 300, outcome="peak_rung",
                    out=tmp_path / "p", workers=1, progress=False, chunk=300)
    assert d["outcome"] == "peak_rung" and len(d["parameters"]) == 1
    with pytest.raises(SweepError, match="unknown outcome"):
        sensitivity(SC, PARAMS, 10, outcome="glory", out=tmp_path / "x")
    with pytest.raises(ScenarioError):
        sensitivity(SC, ["parameters.combat.base_access=0.3:7"], 10, out=tmp_path / "y")
    with pytest.raises(SweepError, match="twice"):
        sensitivity(SC, [PARAMS[0], PARAMS[0]], 10, out=tmp_path / "z")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
