"""Sweeps: identical results for any worker count or chunking, atomic shards, resume."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from whitecell import __version__
from whitecell.analysis import SweepError, sweep
from whitecell.analysis.shards import list_shards
from whitecell.scenario.errors import ScenarioError
from whitecell.world.state import END_REASONS

SC = "taiwan-strait-crisis"
RUNS = 3000
ARGS = dict(excursions=["base", "pessimistic"], vary={"actors.USA.forces.strike.value": [150, 700]},
            seed=11, chunk=1000)


def _sweep(out, workers=1, **kw):
    args = {**ARGS, **kw}
    return sweep(SC, RUNS, out=out, workers=workers, progress=False, **args)


@pytest.fixture(scope="module")
def one(tmp_path_factory):
    """The reference sweep: 4 grid points x 3,000 runs on one worker (in-process)."""
    return _sweep(tmp_path_factory.mktemp("w1") / "sweep")


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in list_shards(d)}


def test_layout_and_manifest(one):
    d = one.out
    m = json.loads((d / "manifest.json").read_text())
    assert m["seed"] == 11 and m["runs"] == RUNS and m["chunk"] == 1000
    assert m["whitecell_version"] == __version__
    assert m["scenario"]["ref"] == SC
    assert len(m["grid"]) == 4 and all(len(g["digest"]) == 64 for g in m["grid"])
    assert m["grid"][3]["overrides"] == ["actors.USA.forces.strike.value=700"]
    assert len(list_shards(d)) == 4 * 3
    assert (d / "summary.json").is_file()
    t = one.table()
    assert t.num_rows == 4 * RUNS
    assert t.column("actors.USA.forces.strike.value").type == "int64"
    assert set(t.column("end_reason").to_pylist()) <= set(END_REASONS)
    assert "losses_CHN_naval" in t.column_names and "peak_rung_USA" in t.column_names
    runs = t.filter(pc.equal(t["grid_point"], 2))["run"].to_numpy()
    assert np.array_equal(runs, np.arange(RUNS))


def test_two_workers_give_identical_shards_and_summary(one, tmp_path):
    two = _sweep(tmp_path / "sweep", workers=2)
    assert _files(two.out) == _files(one.out)
    assert (two.out / "summary.json").read_bytes() == (one.out / "summary.json").read_bytes()


def test_chunking_does_not_change_runs(one):
    other = sweep(SC, RUNS, out=None, workers=1, progress=False, **{**ARGS, "chunk": 700})
    a = one.table().sort_by([("grid_point", "ascending"), ("run", "ascending")])
    b = other.table().sort_by([("grid_point", "ascending"), ("run", "ascending")])
    assert a.equals(b)
    assert other.summary["points"] == one.summary["points"]
    assert other.summary["differences"] == one.summary["differences"]


def test_common_random_numbers_pair_runs(one):
    """Same seed and indices at every grid point: the draws, hence many runs, coincide."""
    t = one.table(["grid_point", "run", "war"])
    a = t.filter(pc.equal(t["grid_point"], 0))["war"].to_numpy()
    b = t.filter(pc.equal(t["grid_point"], 2))["war"].to_numpy()
    pa, pb = a.mean(), b.mean()
    independent = pa * pb + (1 - pa) * (1 - pb)
    assert np.mean(a == b) > independent + 0.05
    d = next(e for e in one.summary["differences"]
             if e["grid_point"] == 2 and e["reference"] == 0 and e["metric"] == "war")
    assert d["paired_high"] - d["paired_low"] < d["high"] - d["low"]


def test_resume_after_lost_shards_and_leftover_temp_files(one, tmp_path):
    d = tmp_path / "sweep"
    shutil.copytree(one.out, d)
    shards = list_shards(d)
    for p in shards[1:4]:
        p.unlink()
    (d / "summary.json").unlink()
    # what a kill during a write leaves: a temp file next to the shard, never the shard
    (shards[1].parent / f".{shards[1].name}.dead.tmp").write_bytes(b"PAR1 half written")
    # a shard with the wrong number of rows is not complete either
    pq.write_table(pq.read_table(shards[5]).slice(0, 10), shards[5])
    res = _sweep(d)
    assert res.ran_chunks == 4 and res.skipped_chunks == 8
    assert not list(d.rglob("*.tmp"))
    assert _files(d) == _files(one.out)
    assert (d / "summary.json").read_bytes() == (one.out / "summary.json").read_bytes()


def test_resume_after_kill(one, tmp_path):
    """SIGKILL a real sweep process mid-way, start it again: same final results."""
    d = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "whitecell.cli", "sweep", SC, "-n", str(RUNS), "--seed", "11",
           "-e", "base", "-e", "pessimistic", "--vary", "actors.USA.forces.strike.value=150,700",
           "--chunk", "1000", "--workers", "1", "--out", str(d), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while len(list_shards(d)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    assert not (d / "summary.json").exists()
    done_before = len(list_shards(d))
    assert 2 <= done_before < 12
    res = _sweep(d)
    assert res.skipped_chunks >= done_before - 1
    assert _files(d) == _files(one.out)
    assert (d / "summary.json").read_bytes() == (one.out / "summary.json").read_bytes()


def test_different_arguments_are_refused(one, tmp_path):
    d = tmp_path / "sweep"
    shutil.copytree(one.out, d)
    before = _files(d)
    with pytest.raises(SweepError, match="different sweep.*seed"):
        _sweep(d, seed=12)
    with pytest.raises(SweepError, match="runs"):
        sweep(SC, RUNS + 1, out=d, workers=1, progress=False, **ARGS)
    assert _files(d) == before


def test_foreign_or_unwritable_out(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    with pytest.raises(SweepError, match="not empty"):
        sweep(SC, 10, out=tmp_path / "notes", workers=1, progress=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SweepError, match="cannot write|not a folder"):
        sweep(SC, 10, out=tmp_path / "file" / "sub", workers=1, progress=False)
    with pytest.raises(SweepError, match="not a folder"):
        sweep(SC, 10, out=tmp_path / "file", workers=1, progress=False)


def test_bad_arguments_fail_before_anything_is_written(tmp_path):
    d = tmp_path / "out"
    for kw in ({"runs": 0}, {"runs": -4}, {"chunk": 0}, {"workers": 0},
               {"backend": "spark"}, {"excursions": ["nope"]},
               {"vary": {"max_turns": [20, -3]}}, {"vary": ["no.such.path=1,2"]},
               {"policy": {"CHN": "psychic"}}):
        args = {"runs": 10, **kw}
        with pytest.raises((ValueError, ScenarioError)):
            sweep(SC, args.pop("runs"), out=d, progress=False, **args)
        assert not d.exists(), kw


def test_in_memory_sweep_matches_and_respects_policy():
    res = sweep(SC, 200, workers=1, progress=False, policy={"*": "doctrine"})
    assert res.out is None and res.table().num_rows == 200
    assert res.manifest["policy"] == {"*": "doctrine"}
    assert res.summary["points"][0]["n"] == 200
