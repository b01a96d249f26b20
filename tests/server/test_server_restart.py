"""kill -9 the server while clients write; restart on the same database; nothing acknowledged is lost."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from live_server import Server, auth, create


def _hammer(server: Server, writes: list[tuple[str, str, dict[str, Any]]],
            acked: list[tuple[str, dict[str, Any]]], tried: list[dict[str, Any]]) -> None:
    """Send ``writes`` in a loop until the server dies; note each acknowledged one."""
    i = 0
    while True:
        name, path, make = writes[i % len(writes)][0], writes[i % len(writes)][1], \
            writes[i % len(writes)][2]
        body = {k: (v.format(i=i) if isinstance(v, str) else v) for k, v in make.items()}
        if "draw" in body:
            body["draw"] = round(0.01 + (i % 97) / 100, 4)
        token = body.pop("_token")
        tried.append(body)
        try:
            r = httpx.request("PUT" if "/moves/" in path else "POST", server.url + path,
                              json=body, headers=auth(token), timeout=10)
        except httpx.HTTPError:
            return
        if r.status_code in (200, 201):
            acked.append((name, body))
        i += 1


def _kill_during(server: Server, writes: list[tuple[str, str, dict[str, Any]]],
                 rng: random.Random) -> tuple[list[tuple[str, dict[str, Any]]],
                                              list[dict[str, Any]]]:
    acked: list[tuple[str, dict[str, Any]]] = []
    tried: list[dict[str, Any]] = []
    th = threading.Thread(target=_hammer, args=(server, writes, acked, tried), daemon=True)
    th.start()
    time.sleep(rng.uniform(0.8, 2.0))
    server.kill9()
    th.join(timeout=30)
    assert len(acked) >= 3, "the writer must have got some writes acknowledged"
    return acked, tried


def test_kill9_while_writing_loses_nothing_acknowledged(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(20260218)
    log = tmp_path / "server.log"
    server = Server(db=db_url, log=log).start()
    x = create(server)
    xid, t = x["id"], x["tokens"]
    p = f"/api/exercises/{xid}"
    usa, jpn, fac = t["cells"]["USA"], t["cells"]["JPN"], t["facilitator"]
    # phase 1: moves, messages and notes while the turn is open
    writes = [
        ("move", p + "/moves/USA", {"_token": usa, "actions": ["wait"], "rationale": "m{i}"}),
        ("message", p + "/messages", {"_token": jpn, "to": "white", "text": "msg{i}"}),
        ("note", p + "/notes", {"_token": fac, "kind": "hotwash", "text": "note{i}"}),
    ]
    acked, tried = _kill_during(server, writes, rng)
    server = Server(db=db_url, log=log, port=server.port).start()
    v = httpx.get(server.url + p, headers=auth(fac), timeout=30).json()
    msgs = {m["text"] for m in v["messages"]}
    notes = {n["text"] for n in v["notes"]}
    for name, body in acked:
        if name == "message":
            assert body["text"] in msgs
        elif name == "note":
            assert body["text"] in notes
    last_move = [b["rationale"] for n, b in acked if n == "move"][-1]
    stored = v["moves"]["USA"]["rationale"]
    later = [b.get("rationale") for b in tried[tried.index(next(
        b for b in tried if b.get("rationale") == last_move)):]]
    assert stored in later  # the last acknowledged move, or one sent after it
    # phase 2: the white cell overrides a ruling again and again while the server dies
    prop = httpx.post(server.url + p + "/adjudicate", headers=auth(fac), timeout=60).json()
    rid = next(r["id"] for r in prop["rulings"] if r["overridable"])
    writes = [("override", p + f"/rulings/{rid}", {"_token": fac, "decision": "override_draw",
                                                     "draw": 0.5, "reason": "why{i}"})]
    acked, tried = _kill_during(server, writes, rng)
    server = Server(db=db_url, log=log, port=server.port).start()
    try:
        prop = httpx.get(server.url + p + f"/rulings/{rid}", headers=auth(fac),
                         timeout=60).json()
        last = acked[-1][1]
        after = tried[next(i for i, b in enumerate(tried) if b is last):]
        assert prop["decision"]["reason"] in {b["reason"] for b in after}
        got = next(b for b in after if b["reason"] == prop["decision"]["reason"])
        assert prop["draw"] == got["draw"]
        pub = httpx.post(server.url + p + "/publish", headers=auth(fac), timeout=60)
        assert pub.status_code == 200, pub.text
        v = httpx.get(server.url + p, headers=auth(fac), timeout=30).json()
        assert v["turn"] == 2
        assert any(o.endswith(f"={got['draw']:.6g}") for o in
                   v["published_moves"][0]["overrides"])
    finally:
        server.stop()
