"""Sweeps that explain themselves: absurd sizes refused, lazy tasks, clamped workers,
progress off a terminal, damaged shards named, half-made folders taken over."""

import importlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from typer.testing import CliRunner

from whitecell.analysis import SweepError, sweep
from whitecell.analysis.executors import plan_workers
from whitecell.analysis.shards import list_shards
from whitecell.analysis.sobol import sobol
from whitecell.cli import app

sweep_mod = importlib.import_module("whitecell.analysis.sweep")

SC = "taiwan-strait-crisis"
runner = CliRunner()


class _Stop(Exception):
    pass


class _PullThree:
    """An executor that takes three tasks from the driver, then stops the sweep."""

    name = "local"
    workers = 1

    def __init__(self) -> None:
        self.pulled: list[int] = []
        self.kind = ""

    def imap(self, fn, tasks):
        self.kind = type(tasks).__name__
        for t in tasks:
            self.pulled.append(t.chunk)
            if len(self.pulled) == 3:
                raise _Stop
        yield from ()

    def close(self) -> None:
        pass


def test_absurd_sizes_are_refused_before_any_work(tmp_path):
    start = time.perf_counter()
    with pytest.raises(SweepError, match=r"100,000,000 shards.*lower -n"):
        sweep(SC, 10**12, out=tmp_path / "a", workers=1, progress=False)
    with pytest.raises(SweepError, match="--chunk"):
        sweep(SC, 10, out=tmp_path / "b", chunk=10**7, workers=1, progress=False)
    with pytest.raises(SweepError, match="in memory"):
        sweep(SC, 10**7, out=None, workers=1, progress=False)
    assert time.perf_counter() - start < 10
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    r = runner.invoke(app, ["sweep", SC, "-n", str(10**12), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2 and "shards" in r.stderr and "Traceback" not in r.output


def test_chunk_tasks_are_generated_lazily(tmp_path):
    """A million-shard sweep hands its executor a generator, not a list of a million tasks."""
    ex = _PullThree()
    start = time.perf_counter()
    with pytest.raises(_Stop):
        sweep(SC, sweep_mod.MAX_SHARDS * 10_000, out=tmp_path / "s", chunk=10_000,
              progress=False, executor=ex)
    assert time.perf_counter() - start < 10
    assert ex.kind == "generator" and ex.pulled == [0, 1, 2]


def test_workers_are_clamped_and_it_is_said(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert plan_workers(999, 50) == (2, "note: using 2 workers instead of 999 (2 cores)")
    assert plan_workers(8, 1) == (1, "note: using 1 worker instead of 8 (1 chunk to play)")
    assert plan_workers(None, 50) == (2, None) and plan_workers(2, 50) == (2, None)
    with pytest.raises(SweepError):
        plan_workers(0, 5)
    res = sweep(SC, 100, chunk=100, out=tmp_path / "s", workers=999, progress=True)
    err = capsys.readouterr().err
    assert err.count("note: using 1 worker instead of 999 (1 chunk to play)") == 1
    assert res.manifest["execution"]["workers"] == 1


def test_plain_progress_lines_off_a_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sweep_mod, "PROGRESS_EVERY", 0.0)
    sweep(SC, 300, chunk=100, out=tmp_path / "s", workers=1, progress=True)
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "runs/s" in ln]
    assert len(lines) >= 3
    assert "runs 300/300 (100.0%)" in lines[-1] and "ETA 0:00" in lines[-1]
    assert "runs 100/300 (33.3%)" in lines[0]
    (tmp_path / "s" / "summary.json").unlink()
    for shard in list_shards(tmp_path / "s")[1:]:
        shard.unlink()
    sweep(SC, 300, chunk=100, out=tmp_path / "s", workers=1, progress=True)
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "runs/s" in ln]
    assert "runs 200/300 (66.7%)" in lines[0] and "runs 300/300" in lines[-1]
    sweep(SC, 300, chunk=100, out=tmp_path / "q", workers=1, progress=False)
    assert capsys.readouterr().err == ""
    r = runner.invoke(app, ["sweep", SC, "-n", "200", "--chunk", "100", "--workers", "1",
                            "--out", str(tmp_path / "j"), "--json"])
    assert r.exit_code == 0 and r.stderr == ""
    json.loads(r.stdout)


def test_progress_line_arithmetic():
    assert sweep_mod.progress_line(500, 1000, 500, 10.0) == \
        "runs 500/1,000 (50.0%), 50 runs/s, ETA 0:10"
    assert sweep_mod.progress_line(0, 1000, 0, 1.0).endswith("ETA ?")
    assert sweep_mod.progress_line(900, 1000, 100, 10.0).endswith("10 runs/s, ETA 0:10")
    assert sweep_mod.progress_line(1000, 4_000_000, 1000, 1.0).endswith("ETA 1:06:39")


def test_summarize_names_a_truncated_shard_and_resume_repairs_it(tmp_path):
    d = tmp_path / "s"
    first = sweep(SC, 300, chunk=100, out=d, workers=1, progress=False)
    good = (d / "summary.json").read_bytes()
    shard = list_shards(d)[1]
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    r = runner.invoke(app, ["summarize", str(d)])
    assert r.exit_code == 2, r.output
    assert str(shard) in r.stderr and "delete it" in r.stderr and "re-plays" in r.stderr
    assert "Traceback" not in r.output
    shard.unlink()
    again = sweep(SC, 300, chunk=100, out=d, workers=1, progress=False)
    assert again.ran_chunks == 1 and again.skipped_chunks == 2
    assert (d / "summary.json").read_bytes() == good
    assert again.summary == first.summary


def test_folder_left_by_a_kill_during_the_first_manifest_write_is_taken_over(tmp_path):
    d = tmp_path / "s"
    (d / "shards" / "p0000").mkdir(parents=True)
    (d / ".manifest.json.k2j3.tmp").write_text('{"format": "whitecell-sw')
    (d / "shards" / "p0000" / ".c000000.parquet.x1.tmp").write_bytes(b"PAR1")
    res = sweep(SC, 200, chunk=100, out=d, workers=1, progress=False)
    assert res.ran_chunks == 2 and (d / "summary.json").is_file()
    assert not list(d.rglob("*.tmp"))
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "notes.txt").write_text("mine")
    (tmp_path / "t" / ".manifest.json.k2j3.tmp").write_text("{")
    with pytest.raises(SweepError, match="not empty"):
        sweep(SC, 200, chunk=100, out=tmp_path / "t", workers=1, progress=False)


def test_sobol_with_huge_samples_is_refused(tmp_path):
    prms = ["parameters.combat.base_access=0.35:1.0", "max_turns=10:30"]
    with pytest.raises(SweepError, match=r"grid points, over the limit.*--samples 16,384"):
        sobol(SC, prms, 10, samples=2**40, out=tmp_path / "s", workers=1, progress=False)
    with pytest.raises(SweepError, match="shards"):
        sobol(SC, prms, 10**6, samples=2**10, chunk=10, out=tmp_path / "s", workers=1,
              progress=False)
    r = runner.invoke(app, ["sensitivity", SC, "-n", "10", "--method", "sobol", "--samples",
                            str(2**40), "--param", prms[0], "--param", prms[1],
                            "--out", str(tmp_path / "c")])
    assert r.exit_code == 2 and "--samples" in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "s").exists() and not (tmp_path / "c").exists()


@pytest.mark.parametrize("address", ["not an address", "tcp://127.0.0.1:1", "ucx://x:1"])
def test_bad_dask_address_fails_fast_and_clean(tmp_path, address):
    start = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "whitecell.cli", "sweep", SC, "-n", "10",
                        "--backend", "dask", "--address", address, "--out",
                        str(tmp_path / "s")], capture_output=True, text=True, timeout=60)
    took = time.monotonic() - start
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("error: ") and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr and took < 9, (took, p.stderr)
    assert not (tmp_path / "s").exists()


def test_a_port_where_no_scheduler_answers_fails_within_the_timeout(tmp_path):
    """Something listens but never speaks: Client() alone would wait for ever."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.extend(srv.accept() for _ in range(4)),
                     daemon=True).start()
    try:
        start = time.monotonic()
        p = subprocess.run([sys.executable, "-m", "whitecell.cli", "sweep", SC, "-n", "10",
                            "--backend", "dask", "--address",
                            f"tcp://127.0.0.1:{srv.getsockname()[1]}", "--out",
                            str(tmp_path / "s")], capture_output=True, text=True, timeout=60)
        took = time.monotonic() - start
    finally:
        srv.close()
    assert p.returncode == 2 and "no Dask scheduler answers" in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and took < 15, took
