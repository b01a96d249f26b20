"""Fault tier: a sweep killed with SIGKILL at random moments, resumed, killed again...

Every kill lands wherever the seeded RNG says: during imports, the manifest
write, a shard write, between chunks. After each kill no process of the sweep
may survive (pool workers die with the driver), and the same command must
resume. At the end the shards and ``summary.json`` must be byte-identical to
an uninterrupted sweep.

CI runs a handful of kills (:data:`CI_KILLS`); ``WHITECELL_FAULT_ITER=200``
runs more.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from whitecell.analysis import sweep
from whitecell.analysis.shards import list_shards

SC = "taiwan-strait-crisis"
RUNS, CHUNK, SEED = 2000, 200, 7
EXC = ["base", "pessimistic"]
CI_KILLS = 5
KILLS = int(os.environ.get("WHITECELL_FAULT_ITER", CI_KILLS))


def _cmd(out: Path, workers: int) -> list[str]:
    cmd = [sys.executable, "-m", "whitecell.cli", "sweep", SC, "-n", str(RUNS), "--chunk",
           str(CHUNK), "--seed", str(SEED), "--workers", str(workers), "--out", str(out),
           "--json"]
    for e in EXC:
        cmd += ["-e", e]
    return cmd


def _files(d: Path) -> dict[str, bytes]:
    got = {str(p.relative_to(d)): p.read_bytes() for p in list_shards(d)}
    got["summary.json"] = (d / "summary.json").read_bytes()
    return got


def _kill_tree(proc: subprocess.Popen[bytes], delay: float) -> tuple[bool, list[psutil.Process]]:
    """SIGKILL the driver after ``delay`` s; return (was it still running, its descendants)."""
    deadline = time.monotonic() + delay
    kids: list[psutil.Process] = []
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            kids = psutil.Process(proc.pid).children(recursive=True) or kids
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    running = proc.poll() is None
    if running:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return running, kids


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    d = tmp_path_factory.mktemp("ref") / "sweep"
    sweep(SC, RUNS, excursions=EXC, seed=SEED, chunk=CHUNK, out=d, workers=1, progress=False)
    return _files(d)


def _campaign(d: Path, rng: random.Random, budget: int) -> tuple[int, int]:
    """Kill the sweep in ``d`` up to ``budget`` times, then let it finish; (kills, restarts)."""
    kills = starts = 0
    while kills < budget:
        workers = rng.choice([1, 2])
        proc = subprocess.Popen(_cmd(d, workers), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        starts += 1
        running, kids = _kill_tree(proc, rng.uniform(0.3, 3.5))
        if not running:
            assert proc.returncode == 0
            return kills, starts
        kills += 1
        _, alive = psutil.wait_procs(kids, timeout=15)
        assert not alive, f"processes outlived the killed driver: {alive}"
    final = subprocess.run(_cmd(d, 1), capture_output=True, timeout=300)
    assert final.returncode == 0, final.stderr.decode()
    return kills, starts + 1


def test_kill9_loop_then_resume_gives_identical_bytes(tmp_path, reference):
    rng = random.Random(20261201)
    kills = campaigns = starts = 0
    while kills < KILLS:
        d = tmp_path / f"sweep{campaigns}"
        k, s = _campaign(d, rng, KILLS - kills)
        kills, starts, campaigns = kills + k, starts + s, campaigns + 1
        assert _files(d) == reference, f"campaign {campaigns} differs after {k} kills"
        assert not list(d.rglob("*.tmp"))
    print(f"\nfault tier: {kills} SIGKILLs over {campaigns} sweep(s), {starts} starts, "
          "bytes identical")


def test_pool_workers_die_with_a_killed_driver(tmp_path):
    """The OOM killer's SIGKILL to the driver alone: fork server, tracker and workers follow."""
    d = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "whitecell.cli", "sweep", SC, "-n", "40000", "--chunk", "500",
           "--workers", "2", "--out", str(d), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while not list_shards(d) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        kids = psutil.Process(proc.pid).children(recursive=True)
        assert len(kids) >= 3, kids  # resource tracker, fork server, its workers
    finally:
        proc.send_signal(signal.SIGKILL)  # the driver only, not its process group
        proc.wait(timeout=60)
    gone, alive = psutil.wait_procs(kids, timeout=15)
    assert not alive, f"still running after the driver was killed: {alive}"
