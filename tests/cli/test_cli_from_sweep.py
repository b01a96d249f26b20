"""A run of a sweep re-played alone through `run --from-sweep`, stored and replayed."""

import json

import duckdb
from typer.testing import CliRunner

from whitecell.analysis import sweep
from whitecell.cli import app

runner = CliRunner()


def test_run_from_sweep_matches_the_row_and_replays(tmp_path):
    out = tmp_path / "sw"
    sweep("taiwan-strait-crisis", 300, excursions=["base", "taiwan-alone"], seed=9,
          workers=1, out=out, chunk=100)
    store = str(tmp_path / "store")
    r = runner.invoke(app, ["run", "--from-sweep", str(out), "--index", "217",
                            "--grid-point", "1", "--out", store, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["run_index"] == 217 and d["excursion"] == "taiwan-alone"
    row = duckdb.sql(f"select end_reason, turns, challenger_success, war from read_parquet("
                     f"'{out}/shards/**/*.parquet') where run = 217 and grid_point = 1"
                     ).fetchall()[0]
    o = d["outcome"]
    assert row == (o["end_reason"], o["turns"], o["challenger_success"], o["war"])
    rp = runner.invoke(app, ["replay", d["run_id"], "--out", store, "--json"])
    assert rp.exit_code == 0 and json.loads(rp.stdout)["identical"]
    rep = runner.invoke(app, ["report", str(out), "-o", str(tmp_path / "r" / "sweep.html")])
    assert rep.exit_code == 0, rep.output
    assert (tmp_path / "r" / "sweep.html").read_text().count("<svg") >= 2


def test_from_sweep_bad_input(tmp_path):
    r = runner.invoke(app, ["run", "--from-sweep", str(tmp_path)])
    assert r.exit_code == 2 and "--index" in r.stderr
    r = runner.invoke(app, ["run", "--from-sweep", str(tmp_path), "--index", "1"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["run"])
    assert r.exit_code == 2 and "SCENARIO" in r.stderr
