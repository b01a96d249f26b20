"""Benchmark the engine: the batch engine vs. the same engine one run at a time.

    python benchmarks/bench_engine.py [--scenario taiwan-strait-crisis] [--runs 20000]

Prints runs per second for (a) one batch of ``--runs`` runs, (b) the same engine
driven one run at a time in a Python loop (``--loop`` runs), (c) a narrated game
with its full event log, and the batch/loop ratio. One process, one core.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="taiwan-strait-crisis")
    ap.add_argument("--excursion", default="base")
    ap.add_argument("--runs", type=int, default=20_000)
    ap.add_argument("--loop", type=int, default=200)
    args = ap.parse_args()
    w = compile_world(load_scenario(args.scenario, excursion=args.excursion).scenario)

    t = time.perf_counter()
    g = Game(w, make_policies(w), seed=1, runs=args.runs, record=False)
    g.play()
    batch = args.runs / (time.perf_counter() - t)
    turns = float(g.columns()["turns"].mean())

    t = time.perf_counter()
    for i in range(args.loop):
        one = Game(w, make_policies(w), seed=1, runs=np.array([i]), record=False)
        one.play()
    loop = args.loop / (time.perf_counter() - t)

    t = time.perf_counter()
    n = 20
    for i in range(n):
        Game(w, make_policies(w), seed=i, runs=1, record=True).play()
    narrated = n / (time.perf_counter() - t)

    print(f"machine   {platform.machine()} {platform.processor() or ''} python "
          f"{platform.python_version()} numpy {np.__version__}")
    print(f"scenario  {args.scenario} [{args.excursion}], mean {turns:.1f} turns per run")
    print(f"batch     {batch:12,.0f} runs/s  ({args.runs:,} runs in one batch)")
    print(f"loop      {loop:12,.1f} runs/s  (runs=1, {args.loop} runs)")
    print(f"narrated  {narrated:12,.1f} runs/s  (runs=1 with the full event log)")
    print(f"ratio     {batch / loop:12,.0f}x batch over loop")


if __name__ == "__main__":
    main()
