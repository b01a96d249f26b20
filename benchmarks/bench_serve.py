"""Load benchmark of ``whitecell serve``: move submission -> live event at the other clients.

    python benchmarks/bench_serve.py [--clients 40] [--seconds 20] [--db URL]

Starts a real server (``whitecell serve`` in a subprocess on a free port of
127.0.0.1, SQLite in a temporary folder unless ``--db``), creates exercises of
the Taiwan Strait scenario with four human cells each, and connects
``--clients`` clients: per exercise one white-cell client and four cell
clients, every one holding its own event stream (SSE). For ``--seconds`` the
cell clients submit (and revise) moves at random intervals; each submission's
latency is the time from sending the PUT to its ``move`` notice arriving on
the white cell's stream (another client, another connection). Prints the
count, p50, p95 and max latency, and the PUT round trip. Not a test: the
figure depends on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

SRC = str(Path(__file__).resolve().parents[1] / "src")
TOKEN = "bench-console-token-0123456789abcdef"
CELLS = ("USA", "JPN", "TWN", "RUS")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC, "WHITECELL_CONSOLE_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "whitecell.cli", "serve", "--port", str(port),
                             "--db", db], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


async def stream(client: httpx.AsyncClient, url: str, token: str, ready: asyncio.Event,
                 on_move: Any, stop: asyncio.Event) -> None:
    async with client.stream("GET", url, headers={"Authorization": f"Bearer {token}"},
                             timeout=None) as r:
        event = None
        async for line in r.aiter_lines():
            if stop.is_set():
                return
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if event == "hello":
                    ready.set()
                elif event == "move" and on_move is not None:
                    on_move(data, time.perf_counter())


async def run(base: str, clients: int, seconds: float) -> dict[str, Any]:
    per = 1 + len(CELLS)
    n_ex = max(1, clients // per)
    limits = httpx.Limits(max_connections=clients * 2 + 10, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        exercises = []
        for _ in range(n_ex):
            r = await client.post("/api/exercises", headers={"Authorization": f"Bearer {TOKEN}"},
                                  json={"scenario": "taiwan-strait-crisis", "seed": 7,
                                        "cells": {c: "human" for c in CELLS}})
            r.raise_for_status()
            exercises.append(r.json())
        sent: dict[tuple[str, str, int], float] = {}
        lat: list[float] = []
        rtt: list[float] = []
        stop = asyncio.Event()

        def on_move(data: dict[str, Any], at: float) -> None:
            t0 = sent.pop((data["exercise"], data["actor"], data["revision"]), None)
            if t0 is not None:
                lat.append(at - t0)

        tasks, ready = [], []
        for x in exercises:
            path = f"/api/exercises/{x['id']}/events"
            ev = asyncio.Event()
            ready.append(ev)
            tasks.append(asyncio.create_task(
                stream(client, path, x["tokens"]["facilitator"], ev, on_move, stop)))
            for c in CELLS:
                ev = asyncio.Event()
                ready.append(ev)
                tasks.append(asyncio.create_task(
                    stream(client, path, x["tokens"]["cells"][c], ev, None, stop)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready)), 60)

        async def cell(x: dict[str, Any], actor: str) -> None:
            rng = random.Random(f"{x['id']}{actor}")
            rev = 0
            actions = ["wait", "diplomatic_message", "military_exercise", "raise_alert"]
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                await asyncio.sleep(rng.uniform(0.2, 1.0))
                rev += 1
                sent[(x["id"], actor, rev)] = t0 = time.perf_counter()
                r = await client.put(f"/api/exercises/{x['id']}/moves/{actor}",
                                     headers={"Authorization":
                                              f"Bearer {x['tokens']['cells'][actor]}"},
                                     json={"actions": [rng.choice(actions)],
                                           "rationale": f"revision {rev}"})
                rtt.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise SystemExit(f"submission failed: {r.status_code} {r.text}")

        await asyncio.gather(*(cell(x, a) for x in exercises for a in CELLS))
        await asyncio.sleep(1.0)
        stop.set()
        for t in tasks:
            t.cancel()
        lost = len(sent)
    return {"exercises": n_ex, "clients": n_ex * per, "submissions": len(rtt),
            "events": len(lat), "lost": lost,
            "p50_ms": 1000 * statistics.median(lat), "p95_ms": 1000 * pct(lat, 0.95),
            "max_ms": 1000 * max(lat), "put_p50_ms": 1000 * statistics.median(rtt),
            "put_p95_ms": 1000 * pct(rtt, 0.95)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/bench.sqlite"
        port = free_port()
        proc = start(db, port)
        try:
            res = asyncio.run(run(f"http://127.0.0.1:{port}", args.clients, args.seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(f"{res['clients']} clients ({res['exercises']} exercises x 1 white cell + "
          f"{len(CELLS)} cells), {args.seconds:g} s, {res['submissions']} submissions, "
          f"{res['events']} events received, {res['lost']} lost")
    print(f"submission -> event at the white cell: p50 {res['p50_ms']:.1f} ms, "
          f"p95 {res['p95_ms']:.1f} ms, max {res['max_ms']:.1f} ms")
    print(f"PUT round trip: p50 {res['put_p50_ms']:.1f} ms, p95 {res['put_p95_ms']:.1f} ms")


if __name__ == "__main__":
    main()
