"""The REST API over real HTTP: every route, every wrong token, limits, isolation, SSE."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest
from live_server import CONSOLE, Server, auth, create

PAYLOAD = "<script>alert('x')</script> SECRET-RATIONALE"


def routes(xid: str) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    """(method, path, body, who may call it): every route of one exercise."""
    p = f"/api/exercises/{xid}"
    return [
        ("GET", p, None, "any"),
        ("GET", p + "/actions", None, "cell"),
        ("PUT", p + "/moves/USA", {"actions": ["wait"], "rationale": "r"}, "USA"),
        ("GET", p + "/moves/USA", None, "USA+white"),
        ("POST", p + "/adjudicate", None, "white"),
        ("GET", p + "/rulings/incident", None, "white"),
        ("POST", p + "/rulings/incident", {"decision": "accept"}, "white"),
        ("POST", p + "/publish", None, "white"),
        ("POST", p + "/pause", None, "white"),
        ("POST", p + "/resume", None, "white"),
        ("POST", p + "/reopen", None, "white"),
        ("POST", p + "/advance", None, "white"),
        ("POST", p + "/end", None, "white"),
        ("POST", p + "/start", None, "white"),
        ("POST", p + "/clock", {"minutes": 5}, "white"),
        ("POST", p + "/injects", {"title": "t", "text": "x"}, "white"),
        ("POST", p + "/msel/exercise-does-not-end", {"op": "hold"}, "white"),
        ("POST", p + "/messages", {"to": "white", "text": "x"}, "cell+white"),
        ("POST", p + "/messages/1/release", None, "white"),
        ("POST", p + "/notes", {"kind": "hotwash", "text": "x"}, "white"),
        ("GET", p + "/audit", None, "white"),
        ("POST", p + "/tokens", None, "white"),
        ("GET", p + "/export.json", None, "any"),
        ("GET", p + "/export.xlsx", None, "any"),
        ("GET", p + "/events", None, "any"),
    ]


def call(server: Server, method: str, path: str, token: str | None,
         body: dict[str, Any] | None = None) -> httpx.Response:
    if path.endswith("/events"):
        with httpx.stream(method, server.url + path, headers=auth(token), timeout=10) as r:
            r.read() if r.status_code != 200 else None
            return r
    return httpx.request(method, server.url + path, headers=auth(token), json=body,
                         timeout=60)


@pytest.fixture(scope="module")
def two(server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    return create(server), create(server)


def test_openapi_lists_the_routes(server: Server) -> None:
    spec = httpx.get(server.url + "/openapi.json", timeout=10).json()
    paths = set(spec["paths"])
    for p in ("/api/exercises", "/api/exercises/{xid}", "/api/exercises/{xid}/actions",
              "/api/exercises/{xid}/moves/{actor}", "/api/exercises/{xid}/adjudicate",
              "/api/exercises/{xid}/rulings/{rid}", "/api/exercises/{xid}/publish",
              "/api/exercises/{xid}/events"):
        assert p in paths


def test_create_needs_the_server_token(server: Server, two: Any) -> None:
    a, _ = two
    body = {"scenario": "taiwan-strait-crisis"}
    assert httpx.post(server.url + "/api/exercises", json=body).status_code == 401
    for tok in (a["tokens"]["facilitator"], a["tokens"]["observer"],
                a["tokens"]["cells"]["USA"], "garbage"):
        r = httpx.post(server.url + "/api/exercises", json=body, headers=auth(tok))
        assert r.status_code in (401, 403), (tok, r.text)
    bad = httpx.post(server.url + "/api/exercises", headers=auth(CONSOLE),
                     json={"scenario": "taiwan-strait-crisis", "cells": {"ZZZ": "human"}})
    assert bad.status_code == 422 and "unknown actor" in bad.json()["detail"]
    bad = httpx.post(server.url + "/api/exercises", headers=auth(CONSOLE),
                     json={"scenario": "taiwan-strait-crisis", "cells": {"USA": "robot"}})
    assert bad.status_code == 422 and "cells" in bad.json()["detail"]
    bad = httpx.post(server.url + "/api/exercises", headers=auth(CONSOLE),
                     json={"scenario": "no-such-scenario"})
    assert bad.status_code == 422 and "no-such-scenario" in bad.json()["detail"]


def test_every_route_refuses_every_wrong_token(server: Server, two: Any) -> None:
    a, b = two
    xid = a["id"]
    t = a["tokens"]
    roles = {"white": t["facilitator"], "console": CONSOLE, "observer": t["observer"],
             "USA": t["cells"]["USA"], "JPN": t["cells"]["JPN"]}
    for method, path, body, allowed in routes(xid):
        # no token: 401; a token nobody issued: 401; another exercise's tokens: 403
        assert call(server, method, path, None, body).status_code == 401, path
        assert call(server, method, path, "not-a-token", body).status_code == 401, path
        for other in (b["tokens"]["facilitator"], b["tokens"]["cells"]["USA"],
                      b["tokens"]["observer"]):
            r = call(server, method, path, other, body)
            assert r.status_code == 403, (path, r.status_code)
        # unknown exercise: 404 with a valid token
        r = call(server, method, path.replace(xid, "x-000000000000"), t["facilitator"], body)
        assert r.status_code == 404, (path, r.status_code)
        # a role of this exercise that may not call the route: 403
        for name, tok in roles.items():
            may = (allowed == "any" or name in allowed.split("+")
                   or (allowed in ("cell", "cell+white") and name in ("USA", "JPN"))
                   or (name == "console" and "white" in allowed))
            if not may:
                r = call(server, method, path, tok, body)
                assert r.status_code == 403, (path, name, r.status_code, r.text)


def test_malformed_and_oversized_bodies(server: Server) -> None:
    x = create(server)
    url = server.url + f"/api/exercises/{x['id']}/moves/USA"
    h = auth(x["tokens"]["cells"]["USA"])
    for body in ({"actions": "wait"}, {"actions": []}, {"rationale": "r"},
                 {"actions": ["wait"], "extra": 1}, {"actions": [{"action": 3}]}):
        r = httpx.put(url, json=body, headers=h)
        assert r.status_code == 422 and r.json()["detail"], (body, r.text)
    r = httpx.put(url, content=b"{not json", headers={**h, "content-type": "application/json"})
    assert r.status_code == 422
    big = json.dumps({"actions": ["wait"], "rationale": "x" * 70000})
    r = httpx.put(url, content=big, headers={**h, "content-type": "application/json"})
    assert r.status_code == 413

    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1024

    r = httpx.put(url, content=chunks(), headers={**h, "content-type": "application/json"})
    assert r.status_code == 413
    r = httpx.put(url, json={"actions": ["nuclear_test_of_nothing"]}, headers=h)
    assert r.status_code == 422 and "unknown action" in r.json()["detail"]


def test_a_turn_over_the_api_with_isolation_and_filtered_events(server: Server) -> None:
    x = create(server)
    xid, t = x["id"], x["tokens"]
    base = server.url + f"/api/exercises/{xid}"
    seen: dict[str, list[dict[str, Any]]] = {"white": [], "JPN": [], "observer": []}
    stop = threading.Event()

    def listen(name: str, token: str) -> None:
        try:
            with httpx.stream("GET", base + "/events", headers=auth(token),
                              timeout=None) as r:
                ev = None
                for line in r.iter_lines():
                    if stop.is_set():
                        return
                    if line.startswith("event: "):
                        ev = line[7:]
                    elif line.startswith("data: ") and ev:
                        seen[name].append({"event": ev, **json.loads(line[6:])})
        except httpx.HTTPError:  # the server stops at the end of the module
            return

    threads = [threading.Thread(target=listen, args=(n, tok), daemon=True) for n, tok in
               (("white", t["facilitator"]), ("JPN", t["cells"]["JPN"]),
                ("observer", t["observer"]))]
    for th in threads:
        th.start()
    deadline = time.time() + 20
    while time.time() < deadline and not all(any(e["event"] == "hello" for e in v)
                                             for v in seen.values()):
        time.sleep(0.05)
    acts = httpx.get(base + "/actions", headers=auth(t["cells"]["USA"]), timeout=30).json()
    ultimatum = next(a for a in acts["actions"] if a["id"] == "ultimatum")
    assert ultimatum["targets"] == ["CHN"]
    r = httpx.put(base + "/moves/USA", headers=auth(t["cells"]["USA"]), timeout=30,
                  json={"actions": [{"action": "ultimatum", "target": "CHN"}],
                        "rationale": PAYLOAD})
    assert r.status_code == 200, r.text
    assert httpx.get(base + "/moves/USA", headers=auth(t["facilitator"])).json()[
        "rationale"] == PAYLOAD
    assert httpx.get(base + "/moves/JPN", headers=auth(t["cells"]["JPN"])).status_code == 404
    for tok in (t["cells"]["JPN"], t["observer"]):
        assert PAYLOAD not in httpx.get(base, headers=auth(tok)).text
    prop = httpx.post(base + "/adjudicate", headers=auth(t["facilitator"]), timeout=60).json()
    rid = next(r["id"] for r in prop["rulings"] if r["overridable"])
    detail = httpx.get(base + f"/rulings/{rid}", headers=auth(t["facilitator"]),
                       timeout=60).json()
    assert detail["options"]
    r = httpx.post(base + f"/rulings/{rid}", headers=auth(t["facilitator"]), timeout=60,
                   json={"decision": "override_draw", "draw": 0.5})
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    r = httpx.post(base + f"/rulings/{rid}", headers=auth(t["facilitator"]), timeout=60,
                   json={"decision": "override_draw", "draw": 0.5, "reason": "seminar"})
    assert r.status_code == 200
    pub = httpx.post(base + "/publish", headers=auth(t["facilitator"]), timeout=60).json()
    assert pub["next_turn"] == 2
    deadline = time.time() + 10
    while time.time() < deadline and not any(e["event"] == "published" for e in seen["JPN"]):
        time.sleep(0.05)
    stop.set()
    assert any(e["event"] == "move" and e["actor"] == "USA" for e in seen["white"])
    assert not any(e["event"] == "move" for e in seen["JPN"] + seen["observer"])
    assert any(e["event"] == "published" for e in seen["JPN"])
    assert PAYLOAD not in json.dumps(seen["JPN"] + seen["observer"])
    after = httpx.get(base, headers=auth(t["cells"]["JPN"])).json()
    assert after["turn"] == 2 and PAYLOAD not in json.dumps(after)
    mine = httpx.get(base, headers=auth(t["cells"]["USA"])).json()
    assert mine["past_moves"][0]["rationale"] == PAYLOAD


def test_tokens_are_never_logged(server: Server, two: Any) -> None:
    assert server.log is not None
    text = server.log.read_text()
    assert "PUT /api/exercises/" in text  # the log is there
    for x in two:
        t = x["tokens"]
        for tok in (t["facilitator"], t["observer"], *t["cells"].values()):
            assert tok not in text
    assert text.count(CONSOLE) <= 1  # printed once, in the console URL at start


def test_the_server_adjudicates_a_turn_when_its_clock_runs_out(server: Server) -> None:
    """A clock set to adjudicate at the deadline: the server's own watcher tries the turn
    (no request from anyone), audited as the clock's act, and later moves are refused."""
    x = create(server)
    base, t = server.url + f"/api/exercises/{x['id']}", x["tokens"]
    white = auth(t["facilitator"])
    r = httpx.put(base + "/moves/USA", headers=auth(t["cells"]["USA"]), timeout=30,
                  json={"actions": ["military_exercise"], "rationale": "before the clock"})
    assert r.status_code == 200, r.text
    bad = httpx.post(base + "/clock", headers=white, json={"minutes": 1, "at_deadline": "x"})
    assert bad.status_code == 422
    r = httpx.post(base + "/clock", headers=white, timeout=30,
                   json={"minutes": 0.05, "at_deadline": "adjudicate"})
    assert r.status_code == 200 and r.json()["at_deadline"] == "adjudicate", r.text
    deadline, status = time.time() + 30, None
    while time.time() < deadline:
        status = httpx.get(base, headers=white, timeout=30).json()["status"]
        if status == "adjudicating":
            break
        time.sleep(0.25)
    assert status == "adjudicating"
    late = httpx.put(base + "/moves/JPN", headers=auth(t["cells"]["JPN"]), timeout=30,
                     json={"actions": ["wait"], "rationale": "too late"})
    assert late.status_code == 409
    audit = httpx.get(base + "/audit", headers=white, timeout=30).json()
    rows = audit if isinstance(audit, list) else audit.get("audit", audit.get("entries", []))
    assert any(e.get("role") == "clock" and e.get("action") == "adjudicate" for e in rows), rows


def test_cells_submitting_at_once_lose_nothing(server: Server) -> None:
    """Four cells of one exercise submit together, one of them revising its move many
    times at once: every write is acknowledged, revisions count every write, and the
    stored move is the last acknowledged one (on PostgreSQL the cells' writes share the
    exercise's lock and each cell's writes queue on its own)."""
    from concurrent.futures import ThreadPoolExecutor

    x = create(server, cells={"USA": "human", "JPN": "human", "TWN": "human", "RUS": "human"})
    base, t = server.url + f"/api/exercises/{x['id']}", x["tokens"]

    def put(actor: str, i: int) -> int:
        r = httpx.put(base + f"/moves/{actor}", headers=auth(t["cells"][actor]), timeout=60,
                      json={"actions": ["wait"], "rationale": f"{actor} {i}"})
        assert r.status_code == 200, r.text
        return int(r.json()["revision"])

    jobs = [(a, 0) for a in ("JPN", "TWN", "RUS")] + [("USA", i) for i in range(8)]
    with ThreadPoolExecutor(max_workers=11) as pool:
        revs = list(pool.map(lambda j: put(*j), jobs))
    assert sorted(revs[3:]) == list(range(1, 9))  # USA's eight writes, each counted once
    white = auth(t["facilitator"])
    for a in ("JPN", "TWN", "RUS"):
        got = httpx.get(base + f"/moves/{a}", headers=white, timeout=30).json()
        assert got["revision"] == 1 and got["rationale"] == f"{a} 0"
    usa = httpx.get(base + "/moves/USA", headers=white, timeout=30).json()
    assert usa["revision"] == 8


def test_a_move_of_several_actions_over_the_api(server: Server) -> None:
    """An exercise created with parameters.action_cap=2 takes a main effort and one
    supporting signal; a bad set is a 422 that names it; the cap holds."""
    bad = httpx.post(server.url + "/api/exercises", headers=auth(CONSOLE), timeout=60, json={
        "scenario": "taiwan-strait-crisis", "cells": {"USA": "human"},
        "sets": ["parameters.action_cap=9"]})
    assert bad.status_code == 422 and "action_cap" in bad.json()["detail"], bad.text
    x = create(server, sets=["parameters.action_cap=2"])
    base, t = server.url + f"/api/exercises/{x['id']}", x["tokens"]
    usa = auth(t["cells"]["USA"])
    acts = httpx.get(base + "/actions", headers=usa, timeout=30).json()
    assert acts["action_cap"] == 2 and "bomber_flight" in acts["supporting"]
    r = httpx.put(base + "/moves/USA", headers=usa, timeout=30, json={
        "actions": ["military_exercise", {"action": "bomber_flight", "target": "CHN"}],
        "rationale": "show of force"})
    assert r.status_code == 200, r.text
    assert [a["action"] for a in r.json()["actions"]] == ["military_exercise", "bomber_flight"]
    three = httpx.put(base + "/moves/USA", headers=usa, timeout=30, json={
        "actions": ["military_exercise", "bomber_flight", "raise_alert"]})
    assert three.status_code == 422 and "at most 2" in three.json()["detail"]
    with httpx.Client(base_url=server.url, follow_redirects=True, timeout=30) as cell:
        page = cell.get(f"/join?t={t['cells']['USA']}")
    assert page.status_code == 200 and 'name="support1"' in page.text
    assert "<b>military_exercise</b> → CHN + bomber_flight → CHN" in page.text, page.text[
        page.text.find("Your move"):page.text.find("Your move") + 800]


def test_two_server_processes_on_one_postgresql_share_live_events(
        server: Server, db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A move stored through one ``whitecell serve`` reaches the event stream held on
    another on the same PostgreSQL database (LISTEN/NOTIFY); SQLite is one process."""
    if not db_url.startswith("postgresql"):
        pytest.skip("one process per SQLite database: the in-process bus suffices")
    other = Server(db=db_url, log=tmp_path_factory.mktemp("log2") / "server2.log").start()
    try:
        x = create(server)
        xid, t = x["id"], x["tokens"]
        seen: list[dict[str, Any]] = []
        ready, done = threading.Event(), threading.Event()

        def listen() -> None:
            try:
                with httpx.stream("GET", other.url + f"/api/exercises/{xid}/events",
                                  headers=auth(t["facilitator"]), timeout=None) as r:
                    ev = None
                    for line in r.iter_lines():
                        if line.startswith("event: "):
                            ev = line[7:]
                            if ev == "hello":
                                ready.set()
                        elif line.startswith("data: ") and ev:
                            seen.append({"event": ev, **json.loads(line[6:])})
                            if ev == "move":
                                done.set()
                                return
            except httpx.HTTPError:
                return

        threading.Thread(target=listen, daemon=True).start()
        assert ready.wait(20)
        r = httpx.put(server.url + f"/api/exercises/{xid}/moves/USA", timeout=30,
                      headers=auth(t["cells"]["USA"]),
                      json={"actions": ["military_exercise"], "rationale": "via A"})
        assert r.status_code == 200, r.text
        assert done.wait(15), seen
        assert any(e["event"] == "move" and e.get("actor") == "USA" for e in seen)
    finally:
        other.stop()
