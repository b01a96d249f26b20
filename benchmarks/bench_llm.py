"""Benchmark of language-model cells against the local llama.cpp server (test model).

    python benchmarks/bench_llm.py [--games 20] [--turns 2] [--scenario taiwan-strait-crisis]

Starts ``whitecell llm local``'s server (llama-cpp-python, Gemma 3 270M Q4_K_M)
on a free port and measures, with the completion cache off:

1. decisions per second and prompt/completion tokens per second of one game
   with one language-model cell, asked one request at a time (``concurrency 1``);
2. the same with ``--games`` games played at once (a batch: every live game's
   cell is asked each turn) at concurrency 1 and at concurrency 2 (the server
   has one slot, so concurrency shows queueing, not parallel decoding);
3. the wall time of a ``--games``-game sweep through ``whitecell sweep``
   (one worker, one chunk) with the cache off.

Not a test: the figures depend on the machine, its load and how llama.cpp was
built (``-DGGML_NATIVE=OFF`` builds without AVX2 kernels here).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from whitecell.engine.game import Game
from whitecell.llm.client import LLMClient, OpenAIBackend
from whitecell.llm.local import start_local_server
from whitecell.policies import LLMSetup, make_policies
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def batch(ep, scenario: str, turns: int, games: int, concurrency: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    res = load_scenario(scenario, sets=(f"max_turns={turns}",))
    w = compile_world(res.scenario)
    client = LLMClient(OpenAIBackend(ep), concurrency=concurrency)
    setup = LLMSetup(ep, client)
    runs = np.arange(games, dtype=np.int64)
    g = Game(w, make_policies(w, {"CHN": "llm"}, seed=1, runs=runs, llm=setup), seed=1,
             runs=runs, record=False)
    t0 = time.perf_counter()
    g.play()
    wall = time.perf_counter() - t0
    st = client.stats
    return {"games": games, "concurrency": concurrency, "calls": st.calls, "wall_s": wall,
            "decisions_per_s": st.calls / wall,
            "prompt_tokens_per_s": st.prompt_tokens / wall,
            "completion_tokens_per_s": st.completion_tokens / wall,
            "mean_call_s": st.wall_ms / 1000 / max(st.calls, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--games", type=int, default=20)
    ap.add_argument("--turns", type=int, default=2)
    ap.add_argument("--scenario", default="taiwan-strait-crisis")
    ap.add_argument("--sweep-only", action="store_true",
                    help="Only one game and the sweep (skip the two batches).")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    srv = start_local_server(port=_port(), log=tmp / "server.log")
    try:
        ep = srv.endpoint
        results = [batch(ep, a.scenario, a.turns, 1, 1)]
        if not a.sweep_only:
            results += [batch(ep, a.scenario, a.turns, a.games, 1),
                        batch(ep, a.scenario, a.turns, a.games, 2)]
        for r in results:
            print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                              for k, v in r.items()}))
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "whitecell", "sweep", a.scenario, "-n", str(a.games),
               "--set", f"max_turns={a.turns}", "--policy", "CHN=llm", "--workers", "1",
               "--llm-url", ep.url, "--llm-model", ep.model, "--llm-mode", "json_object",
               "--llm-concurrency", "1", "--llm-cache", "off", "--out", str(tmp / "sweep"),
               "--json"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        print(json.dumps({"sweep_games": a.games, "sweep_turns": a.turns,
                          "sweep_wall_s": round(time.perf_counter() - t0, 1)}))
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
