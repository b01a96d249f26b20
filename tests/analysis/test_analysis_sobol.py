"""Sobol indices: parameters that matter rank above parameters that do not."""

import json

import pytest
from typer.testing import CliRunner

from whitecell.analysis.errors import SweepError
from whitecell.analysis.sobol import sobol
from whitecell.cli import app
from whitecell.report.sweep import write_sweep_report


def test_sobol_ranks_a_decisive_parameter_above_an_inert_one(tmp_path):
    # the challenger's war threshold decides whether it fights at all; Russia's
    # stakes do not enter any rule that moves war in this scenario
    d = sobol("taiwan-strait-crisis",
              ["actors.CHN.doctrine.war_threshold=0.3:0.8", "actors.RUS.stakes=0.1:0.3"], 200,
              samples=8, outcome="war", out=tmp_path / "s", workers=1, chunk=200,
              progress=False)
    top, bottom = d["parameters"]
    assert top["path"] == "actors.CHN.doctrine.war_threshold"
    assert top["ST"] > 0.5 and abs(bottom["ST"]) < 0.1
    assert d["points"] == 8 * (2 + 2)
    saved = json.loads((tmp_path / "s" / "sobol.json").read_text())
    assert saved == json.loads(json.dumps(d))
    html = write_sweep_report(tmp_path / "s", tmp_path / "r.html").read_text()
    assert "Sobol indices" in html and 'id="sweep-sobol' in html
    assert "actors.CHN.doctrine.war_threshold" in html and "http" not in html.replace("http://www.w3.org", "")


@pytest.mark.parametrize("params,samples,msg", [
    (["actors.CHN.war_cost=0.5:1.5"], 8, "at least two"),
    (["actors.CHN.war_cost=0.5:1.5", "actors.RUS.stakes=0.1:0.3"], 6, "power of two"),
    (["actors.CHN.war_cost=1.5:0.5", "actors.RUS.stakes=0.1:0.3"], 8, "low must be below"),
    (["actors.CHN.policy=doctrine:strategic", "actors.RUS.stakes=0.1:0.3"], 8, "numeric"),
])
def test_sobol_bad_input(tmp_path, params, samples, msg):
    with pytest.raises(SweepError, match=msg):
        sobol("taiwan-strait-crisis", params, 10, samples=samples, out=tmp_path / "x",
              workers=1, progress=False)
    assert not (tmp_path / "x").exists()


def test_sensitivity_cli_sobol(tmp_path):
    r = CliRunner().invoke(app, [
        "sensitivity", "taiwan-strait-crisis", "-n", "100", "--method", "sobol",
        "--samples", "4", "--param", "actors.CHN.war_cost=0.5:1.5",
        "--param", "actors.RUS.stakes=0.1:0.3", "--workers", "1", "--chunk", "100",
        "--out", str(tmp_path / "s"), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["parameters"][0]["path"] == "actors.CHN.war_cost"
    r = CliRunner().invoke(app, ["sensitivity", "taiwan-strait-crisis", "-n", "10",
                                 "--method", "magic", "--param", "a.b=1:2"])
    assert r.exit_code == 2 and "oat or sobol" in r.stderr
