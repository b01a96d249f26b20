"""Player-model ensembles: --players as a grid axis, the mixed player, the model spread."""

import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from whitecell.analysis import SweepError, rerun_from_sweep, summarize, sweep
from whitecell.analysis.grid import build_grid, parse_players, point_policy
from whitecell.analysis.shards import list_shards
from whitecell.cli import app
from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.policies.mixed import MixedPolicy, uses_strategic
from whitecell.report.sweep import render_sweep_report
from whitecell.scenario.load import load_scenario

SC = "taiwan-strait-crisis"
RUNS = 1200
MODELS = ["doctrine", "strategic", "mixed"]
ARGS = dict(players=MODELS, seed=5, chunk=500)
runner = CliRunner()


def _sweep(out, workers=1, **kw):
    return sweep(SC, RUNS, out=out, workers=workers, progress=False, **{**ARGS, **kw})


@pytest.fixture(scope="module")
def one(tmp_path_factory):
    """Three player models x 1,200 runs of the Taiwan scenario on one worker."""
    return _sweep(tmp_path_factory.mktemp("players") / "sweep")


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in list_shards(d)}


def _col(res, gp, name):
    t = res.table(["grid_point", "run", name])
    t = t.filter(pc.equal(t["grid_point"], gp)).sort_by("run")
    return t[name].to_numpy(zero_copy_only=False)


def test_players_axis_is_reproducible_with_one_or_two_workers(one, tmp_path):
    two = _sweep(tmp_path / "sweep", workers=2)
    assert _files(two.out) == _files(one.out)
    assert (two.out / "summary.json").read_bytes() == (one.out / "summary.json").read_bytes()


def test_players_column_manifest_and_common_random_numbers(one):
    m = json.loads((one.out / "manifest.json").read_text())
    assert m["players"] == MODELS
    assert [g["players"] for g in m["grid"]] == MODELS
    assert m["grid"][1]["policy"] == {a: "strategic" for a in m["grid"][1]["actors"]}
    assert m["grid"][0]["policy"] == {}  # doctrine: the scenario's own players
    t = one.table(["grid_point", "players", "run"])
    for gp, model in enumerate(MODELS):
        rows = t.filter(pc.equal(t["grid_point"], gp))
        assert set(rows["players"].to_pylist()) == {model}
        assert sorted(rows["run"].to_pylist()) == list(range(RUNS))  # same run indices


def test_doctrine_model_is_todays_default(one):
    plain = sweep(SC, RUNS, out=None, workers=1, progress=False, seed=5, chunk=500)
    a = plain.summary["points"][0]["proportions"]
    b = one.summary["points"][0]["proportions"]
    assert a == b


def test_mixed_differs_from_both_and_is_deterministic(one, tmp_path):
    war = {m: _col(one, gp, "war") for gp, m in enumerate(MODELS)}
    p = {m: war[m].mean() for m in MODELS}
    assert p["strategic"] < p["mixed"] < p["doctrine"]
    assert not np.array_equal(war["mixed"], war["doctrine"])
    assert not np.array_equal(war["mixed"], war["strategic"])
    again = sweep(SC, RUNS, out=None, workers=1, progress=False, players=["mixed"], seed=5,
                  chunk=300)  # other chunking, mixed alone
    for col in ("war", "peak_rung", "turns", "end_reason"):
        assert np.array_equal(_col(again, 0, col), _col(one, 2, col))


def test_mixed_runs_where_every_actor_drew_one_player_match_that_model(one):
    w = load_scenario(SC).scenario
    runs = np.arange(RUNS)
    strat = np.stack([uses_strategic(5, runs, a) for a in w.actor_ids])
    assert 0.4 < strat.mean() < 0.6
    all_d, all_s = ~strat.any(axis=0), strat.all(axis=0)
    assert all_d.sum() > 10 and all_s.sum() > 10
    for col in ("war", "peak_rung", "turns", "escalation_score"):
        mixed = _col(one, 2, col)
        assert np.array_equal(mixed[all_d], _col(one, 0, col)[all_d])
        assert np.array_equal(mixed[all_s], _col(one, 1, col)[all_s])


def test_mixed_policy_split_is_per_actor_and_keyed_by_global_run_index():
    a = uses_strategic(7, np.arange(100, 200), "CHN")
    assert np.array_equal(a, uses_strategic(7, 300, "CHN")[100:200])
    assert not np.array_equal(a, uses_strategic(7, np.arange(100, 200), "USA"))
    assert not np.array_equal(a, uses_strategic(8, np.arange(100, 200), "CHN"))


def test_mixed_policy_compacts_each_player_with_its_own_runs(taiwan_world):
    """A batch large enough to be compacted gives each run the outcome it has alone."""
    w = taiwan_world
    runs = np.arange(600)
    pols = make_policies(w, {a: "mixed" for a in w.ids}, seed=2, runs=runs)
    assert all(isinstance(p, MixedPolicy) for p in pols.values())
    g = Game(w, pols, seed=2, runs=runs, record=False)
    g.play()
    cols = g.columns()
    for i in (0, 17, 311, 599):
        alone = Game(w, make_policies(w, {a: "mixed" for a in w.ids}, seed=2,
                                      runs=runs[i:i + 1]), seed=2, runs=runs[i:i + 1],
                     record=False)
        alone.play()
        for k in ("peak_rung", "turns", "war"):
            assert alone.columns()[k][0] == cols[k][i]


def test_rerun_of_a_mixed_run_is_the_same_run(one):
    t = one.table(["grid_point", "run", "war", "peak_rung", "turns"])
    for i in (3, 444, 1100):
        row = t.filter(pc.and_(pc.equal(t["grid_point"], 2), pc.equal(t["run"], i)))
        rec = rerun_from_sweep(one.out, i, grid_point=2)
        assert rec.outcome["war"] == row["war"][0].as_py()
        assert rec.outcome["peak_rung"] == row["peak_rung"][0].as_py()
        assert rec.outcome["turns"] == row["turns"][0].as_py()
        assert set(rec.policies.values()) == {"mixed"}


def test_explicit_policy_pins_an_actor_in_every_model():
    sc = load_scenario(SC).scenario
    assert point_policy({"CHN": "doctrine"}, "strategic", sc)["CHN"] == "doctrine"
    assert point_policy({"CHN": "strategic"}, "doctrine", sc) == {"CHN": "strategic"}
    assert point_policy(None, "mixed", sc) == {a: "mixed" for a in sc.actor_ids}
    pts = build_grid(["base", "pessimistic"], [], (), ["doctrine", "strategic"])
    assert [(p.excursion, p.players) for p in pts] == [
        ("base", "doctrine"), ("base", "strategic"), ("pessimistic", "doctrine"),
        ("pessimistic", "strategic")]
    assert pts[1].label == "base players=strategic"


@pytest.mark.parametrize("bad", ["doctrine,doctrine", "human", "", "doctrine,"])
def test_bad_players_are_refused(bad):
    with pytest.raises(SweepError, match="--players"):
        parse_players(bad)


def test_paired_intervals_and_spread_in_summary_json(one):
    s = json.loads((one.out / "summary.json").read_text())
    assert s["players"] == MODELS
    assert [p["players"] for p in s["points"]] == MODELS
    (entry,) = s["model_spread"]
    assert entry["grid_points"] == {"doctrine": 0, "strategic": 1, "mixed": 2}
    for metric in ("war", "challenger_success", "nuclear_use", "deterrence_held"):
        assert metric in entry["metrics"]
    assert any(k.startswith("end_reason:") for k in entry["metrics"])
    war = entry["metrics"]["war"]
    ps = {m: war["by_players"][m]["p"] for m in MODELS}
    assert war["spread"] == pytest.approx(max(ps.values()) - min(ps.values()))
    assert war["max"]["players"] == "doctrine" and war["min"]["players"] == "strategic"
    assert 0 < war["mc_halfwidth"] < war["spread"]
    pairs = {(p["a"], p["b"]): p for p in war["paired"]}
    assert set(pairs) == {("doctrine", "strategic"), ("doctrine", "mixed"),
                          ("strategic", "mixed")}
    d = pairs[("doctrine", "strategic")]
    assert d["low"] < d["difference"] < d["high"]
    assert d["difference"] == pytest.approx(ps["doctrine"] - ps["strategic"])
    b, c = d["discordant"]
    assert (b - c) / RUNS == pytest.approx(d["difference"])
    assert s["model_spread_headline"].startswith("Across player models P(war) ranges from ")
    assert summarize(one.out) == s  # DuckDB over the shards gives the same


def test_excursion_differences_stay_within_a_player_model(tmp_path):
    res = sweep(SC, 300, ["base", "pessimistic"], out=None, workers=1, progress=False,
                players=["doctrine", "strategic"], seed=1)
    refs = {p["grid_point"]: p["reference"] for p in res.summary["points"]}
    assert refs == {0: None, 1: None, 2: 0, 3: 1}
    assert [e["excursion"] for e in res.summary["model_spread"]] == ["base", "pessimistic"]


def test_report_leads_with_the_spread_sentence(one):
    html = render_sweep_report(one.out)
    s = json.loads((one.out / "summary.json").read_text())
    head = s["model_spread_headline"]
    assert "Across player models P(war) ranges from" in html
    assert "than this model uncertainty" in head
    assert html.index("model-spread-headline") < html.index("<h2>Outcomes</h2>")
    assert "<h2>Across player models</h2>" in html
    assert "doctrine − strategic (paired)" in html


def test_single_model_report_keeps_its_layout(tmp_path):
    res = sweep(SC, 200, out=tmp_path / "s", workers=1, progress=False)
    assert "model_spread" not in res.summary and "players" not in res.summary
    assert "players" not in res.table().column_names
    html = render_sweep_report(res.out)
    assert "Across player models" not in html


def test_cli_players_option(tmp_path):
    out = tmp_path / "cli"
    r = runner.invoke(app, ["sweep", SC, "-n", "300", "--players", "doctrine,strategic",
                            "--workers", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Across player models" in r.output
    r = runner.invoke(app, ["summarize", str(out), "--json"])
    assert json.loads(r.output)["players"] == ["doctrine", "strategic"]
    r = runner.invoke(app, ["sweep", SC, "-n", "10", "--players", "llm", "--workers", "1",
                            "--out", str(tmp_path / "bad")])
    assert r.exit_code == 2 and "unknown player model" in r.output
