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


# --------------------------------------------------------------------------- Sobol layout


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    """A finished Sobol design: 4 base samples x (2 + 2) = 16 points of 60 runs."""
    out = tmp_path_factory.mktemp("sobol") / "s"
    data = sobol("taiwan-strait-crisis",
                 ["actors.CHN.doctrine.war_threshold=0.3:0.8", "actors.RUS.stakes=0.1:0.3"], 60,
                 samples=4, outcome="war", out=out, workers=1, chunk=60, progress=False)
    return out, data


def test_sobol_summary_has_no_differences_between_its_points(design):
    out, data = design
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "sobol" and len(summary["points"]) == data["points"] == 16
    assert summary["differences"] == []
    assert all(p["reference"] is None for p in summary["points"])


def test_sobol_indices_recomputed_from_the_folder_match_sobol_json(design):
    from whitecell.analysis.sobol import read_sobol, sobol_indices
    from whitecell.analysis.summary import read_manifest, summarize

    out, data = design
    again = sobol_indices(summarize(out), read_manifest(out))
    assert json.loads(json.dumps(again)) == read_sobol(out) == json.loads(json.dumps(data))


def test_summarize_a_sobol_design_shows_indices_first_and_no_per_point_rows(design):
    out, _ = design
    r = CliRunner().invoke(app, ["summarize", str(out)])
    assert r.exit_code == 0, r.output
    text = r.stdout
    first = text.index("Sobol indices of war (16 points")
    assert first < text.index("Outcomes over the 16 parameter points")
    assert "actors.CHN.doctrine.war_threshold" in text and "±" in text
    assert "Differences" not in text and "excursion" not in text
    assert len(text.splitlines()) < 40  # two small tables, not a row per point
    j = CliRunner().invoke(app, ["summarize", str(out), "--json"])
    d = json.loads(j.stdout)
    assert d["sobol"] == json.loads((out / "sobol.json").read_text())
    assert d["differences"] == []


def test_sobol_report_leads_with_indices_and_has_no_per_point_tables(design, tmp_path):
    out, data = design
    html = write_sweep_report(out, tmp_path / "r.html").read_text()
    order = [html.index(s) for s in ('id="findings"', 'id="indices"', 'id="sobol-indices"',
                                     'id="sweep-sobol-scatter', 'id="design-spread"',
                                     'id="endings"', 'id="reproduce"')]
    assert order == sorted(order)
    top = data["parameters"][0]
    assert top["path"] == "actors.CHN.doctrine.war_threshold"
    lo, hi = top["ST"] - top["ST_conf"], top["ST"] + top["ST_conf"]
    assert f"[{lo:.2f}, {hi:.2f}]" in html  # the index with its interval
    assert "explains" in html and "Little or no effect" in html and "actors.RUS.stakes" in html
    assert "Differences" not in html and "vs reference" not in html
    assert html.count("<tr>") < 30  # 16 points, yet no table with a row per point
    assert html.count("--grid-point") == 3  # the usage line and the lowest and highest point
    assert "http" not in html.replace("http://www.w3.org", "")


def test_sobol_report_of_an_unfinished_design_says_so(design, tmp_path):
    import shutil

    src, _ = design
    out = tmp_path / "partial"
    shutil.copytree(src, out)
    for f in ("summary.json", "sobol.json"):
        (out / f).unlink()
    next(iter(sorted(out.rglob("*.parquet")))).unlink()
    html = write_sweep_report(out, tmp_path / "r.html").read_text()
    assert "The design is not finished: 15 of 16" in html
    assert "Not available yet" in html and 'id="sobol-indices"' not in html
    r = CliRunner().invoke(app, ["summarize", str(out)])
    assert r.exit_code == 0 and "not available until every parameter point" in r.stdout
