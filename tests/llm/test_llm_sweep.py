"""Language-model cells in a sweep: worker processes over real HTTP, paired with doctrine."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pyarrow.parquet as pq
from fake_server import FakeServer


def test_a_sweep_pairs_an_llm_cell_with_doctrine_and_reruns_from_the_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, cache = tmp_path / "sw", tmp_path / "cache.sqlite"
    with FakeServer() as srv:
        args = [sys.executable, "-m", "whitecell", "sweep", "east-china-sea", "-n", "6",
                "--chunk", "3", "--workers", "2", "--players", "CHN=llm,CHN=doctrine",
                "--llm-url", srv.url, "--llm-model", "fake", "--llm-cache", str(cache),
                "--out", str(out), "--json"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        asked = srv.requests
    summary = json.loads(r.stdout)
    assert set(summary["players"]) == {"CHN=llm", "CHN=doctrine"}
    assert summary["model_spread"]  # paired across the two players on the same seeds
    assert summary["llm"]["model"] == "fake" and summary["llm"]["total"]["calls"] == asked
    assert summary["llm"]["total"]["fallbacks"] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["llm"]["endpoint"]["model"] == "fake"
    shards = sorted(out.rglob("*.parquet"))
    rows = [pq.read_table(f).to_pylist() for f in shards]
    llm_rows = [x for t in rows for x in t if x["players"] == "CHN=llm"]
    assert len(llm_rows) == 6
    assert all(x["llm_calls"] >= x["llm_decisions"] > 0 for x in llm_rows)
    assert sum(x["llm_calls"] for x in llm_rows) == asked
    assert all(x["llm_fallbacks"] == 0 for x in llm_rows)
    n_cached = sqlite3.connect(cache).execute("SELECT COUNT(*) FROM completions").fetchone()[0]
    assert n_cached == asked
    # run 4 of the llm point re-played alone, with the server gone: all from the cache
    gp = next(g["id"] for g in manifest["grid"] if g.get("players") == "CHN=llm")
    r2 = subprocess.run([sys.executable, "-m", "whitecell", "run", "--from-sweep", str(out),
                         "--index", "4", "--grid-point", str(gp), "--llm-cache", str(cache),
                         "--json", "--out", str(tmp_path / "runs")],
                        capture_output=True, text=True, timeout=600)
    assert r2.returncode == 0, r2.stderr
    alone = json.loads(r2.stdout)["outcome"]
    row = next(x for x in llm_rows if x["run"] == 4)
    assert alone["turns"] == row["turns"] and alone["end_reason"] == row["end_reason"]
    assert alone["war"] == row["war"]
