"""Benchmark sweeps: batch vs one-at-a-time, then a million-run sweep on K workers.

    python benchmarks/bench_sweep.py [--runs 1000000] [--workers 2] [--chunk 10000]
                                     [--scenario taiwan-strait-crisis] [--skip-engine]

(a) runs ``benchmarks/bench_engine.py`` (one process, one core): the batch engine
    on a chunk of runs vs the same engine driven one run at a time, and their ratio;
(b) a ``--runs`` sweep of one grid point with ``--workers`` local worker
    processes into a temporary folder: wall time (play + shards + DuckDB
    summary), runs/s, and peak resident memory -- per process (VmHWM from
    /proc) and the largest sum over the driver and its workers at one moment
    (sampled every 0.2 s), which is what the machine must hold.

Targets (issue 3): batch >= 100x the loop; 1,000,000 runs of a 30-turn
scenario in < 60 s on 2 cores; < 1.5 GB peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) of a process from /proc, empty when it is gone."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def _descendants(root: int) -> list[int]:
    """Every process below ``root`` (from /proc/*/stat parent ids)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    stat = fh.read()
                parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        frontier += kids
    return found


class MemorySampler(threading.Thread):
    """Samples the RSS of this process and its descendants until stopped."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stop_event = threading.Event()
        self.peak_sum_kb = 0
        self.hwm_kb: dict[int, int] = {}

    def run(self) -> None:
        me = os.getpid()
        while not self.stop_event.is_set():
            total = 0
            for pid in [me, *_descendants(me)]:
                st = _status(pid)
                total += st.get("VmRSS", 0)
                if "VmHWM" in st:
                    self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), st["VmHWM"])
            self.peak_sum_kb = max(self.peak_sum_kb, total)
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


def engine_ratio(scenario: str) -> None:
    """Part (a): the existing engine benchmark, unchanged."""
    print("== (a) batch engine vs one run at a time (benchmarks/bench_engine.py)")
    subprocess.run([sys.executable, str(HERE / "bench_engine.py"), "--scenario", scenario],
                   check=True)


def big_sweep(scenario: str, runs: int, workers: int, chunk: int) -> None:
    """Part (b): a large sweep on local worker processes."""
    from whitecell.analysis import sweep

    print(f"\n== (b) {runs:,}-run sweep of {scenario}, {workers} workers, chunks of {chunk:,}")
    out = Path(tempfile.mkdtemp(prefix="whitecell-bench-")) / "sweep"
    sampler = MemorySampler()
    sampler.start()
    t0 = time.perf_counter()
    try:
        res = sweep(scenario, runs, excursions=["base"], workers=workers, chunk=chunk, out=out,
                    progress=sys.stdout.isatty())
        wall = time.perf_counter() - t0
    finally:
        sampler.stop()
    t1 = time.perf_counter()
    from whitecell.analysis import summarize

    summarize(out)
    summary_s = time.perf_counter() - t1
    size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    pt = res.summary["points"][0]
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    workers_hwm = sorted((kb for pid, kb in sampler.hwm_kb.items() if pid != os.getpid()),
                         reverse=True)
    print(f"machine   {platform.machine()} {os.cpu_count()} cores, python "
          f"{platform.python_version()}")
    print(f"wall      {wall:10.1f} s   (play + write {res.ran_chunks} shards + summary)")
    print(f"rate      {runs / wall:12,.0f} runs/s")
    print(f"summary   {summary_s:10.2f} s   (DuckDB over the shards, alone)")
    print(f"shards    {size / 2**20:10.1f} MiB Parquet (zstd), {res.ran_chunks} files")
    print(f"memory    peak sum of RSS (driver + workers, sampled) "
          f"{sampler.peak_sum_kb / 1024:,.0f} MiB")
    print(f"          driver peak {self_kb / 1024:,.0f} MiB; worker peaks "
          f"{', '.join(f'{kb / 1024:,.0f}' for kb in workers_hwm[:workers + 1])} MiB "
          f"(largest child by getrusage {child_kb / 1024:,.0f} MiB)")
    print(f"outcomes  P(war) {pt['proportions']['war']['p']:.4f}  P(nuclear use) "
          f"{pt['proportions']['nuclear_use']['p']:.5f}  mean turns "
          f"{pt['means']['turns']['mean']:.2f}")
    shutil.rmtree(out.parent, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="taiwan-strait-crisis")
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--skip-engine", action="store_true", help="skip part (a)")
    args = ap.parse_args()
    if not args.skip_engine:
        engine_ratio(args.scenario)
    big_sweep(args.scenario, args.runs, args.workers, args.chunk)


if __name__ == "__main__":
    main()
