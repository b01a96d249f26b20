"""Engine throughput per run-turn, batch and loop, for two bundled scenarios.

    python benchmarks/bench_run_turns.py

Runs end after different numbers of turns as the model changes, so engine
versions are compared per run-turn: check the other version out in a git
worktree and run this script there with PYTHONPATH=src, in the same session
(the figures depend on the machine's load). Best of three batches of 20,000
runs; the loop plays 100 runs one at a time.
"""

from __future__ import annotations

import time

import numpy as np

from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

SCENARIOS = ("taiwan-strait-crisis", "surprise-missile-attack")


def batch_rate(sid: str, runs: int = 20_000, repeats: int = 3) -> tuple[float, float]:
    """(best run-turns per second of one batch, mean turns per run)."""
    w = compile_world(load_scenario(sid, excursion="base").scenario)
    best, turns = 0.0, 0.0
    for rep in range(repeats):
        g = Game(w, make_policies(w), seed=rep, runs=runs, record=False)
        t0 = time.perf_counter()
        g.play()
        dt = time.perf_counter() - t0
        best = max(best, float(g.state.end_turn.sum()) / dt)
        turns = float(g.state.end_turn.mean())
    return best, turns


def loop_rate(sid: str, runs: int = 100) -> float:
    """Run-turns per second of the same engine driven one run at a time."""
    w = compile_world(load_scenario(sid, excursion="base").scenario)
    total = 0
    t0 = time.perf_counter()
    for r in range(runs):
        g = Game(w, make_policies(w), seed=1, runs=np.array([r]), record=False)
        g.play()
        total += int(g.state.end_turn.sum())
    return total / (time.perf_counter() - t0)


def main() -> None:
    for sid in SCENARIOS:
        batch, turns = batch_rate(sid)
        loop = loop_rate(sid)
        print(f"{sid}: batch {batch:,.0f} run-turns/s; loop {loop:,.0f} run-turns/s; "
              f"ratio {batch / loop:.0f}x; mean turns {turns:.1f}")


if __name__ == "__main__":
    main()
