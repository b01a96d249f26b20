"""The pages over real HTTP (no browser): invite links, cookies, CSRF, escaping, roles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import CONSOLE, Server, auth

XSS = "<script>alert('title')</script>"
SCENARIOS = Path(__file__).resolve().parents[2] / "src" / "whitecell" / "scenarios"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'whitecell.sqlite'}"
    s = Server(db=db, log=tmp_path_factory.mktemp("log") / "server.log").start()
    try:
        yield s
    finally:
        s.stop()


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "the page carries a CSRF token"
    return m.group(1)


def _hostile(tmp: Path) -> Path:
    text = (SCENARIOS / "taiwan-strait-crisis.yaml").read_text()
    text = text.replace("title: Taiwan Strait crisis (2027)", f'title: "{XSS} crisis"', 1)
    p = tmp / "hostile.yaml"
    p.write_text(text)
    return p


def test_free_text_is_escaped_everywhere(web: Server, tmp_path: Path) -> None:
    path = _hostile(tmp_path)
    r = httpx.post(web.url + "/api/exercises", headers=auth(CONSOLE), timeout=60, json={
        "scenario": str(path), "seed": 3, "cells": {"USA": "human", "JPN": "human"}})
    assert r.status_code == 201, r.text
    x = r.json()
    xid, t = x["id"], x["tokens"]
    base = web.url + f"/api/exercises/{xid}"
    httpx.put(base + "/moves/USA", headers=auth(t["cells"]["USA"]), timeout=30,
              json={"actions": ["wait"], "rationale": "<img src=x onerror=alert('r')>"})
    httpx.post(base + "/injects", headers=auth(t["facilitator"]), timeout=30,
               json={"title": "<b onclick=alert('i')>inject</b>", "text": "<script>x</script>"})
    httpx.post(base + "/messages", headers=auth(t["cells"]["JPN"]), timeout=30,
               json={"to": "white", "text": "<iframe src=javascript:alert('m')>"})
    white = httpx.Client(base_url=web.url, follow_redirects=True)
    page = white.get(f"/join?t={t['facilitator']}")
    assert page.status_code == 200 and page.url.path == f"/x/{xid}"
    html = page.text
    for raw in (XSS, "<img src=x onerror", "<b onclick", "<script>x</script>", "<iframe"):
        assert raw not in html, raw
    for escaped in ("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;",
                    "&lt;img src=x onerror=alert(&#39;r&#39;)&gt;",
                    "&lt;iframe src=javascript:alert(&#39;m&#39;)&gt;"):
        assert escaped in html, escaped
    assert "default-src 'self'" in page.headers["content-security-policy"]
    report = white.get(f"/x/{xid}/report").text
    assert XSS not in report and "<img src=x onerror" not in report
    assert not re.search(r"""(src|href)=["']?https?://""", html + report)
    console = httpx.Client(base_url=web.url, follow_redirects=True)
    listing = console.get(f"/join?t={CONSOLE}").text
    assert XSS not in listing and "&lt;script&gt;alert" in listing


def test_forms_need_the_csrf_token_and_the_cookie(web: Server) -> None:
    c = httpx.Client(base_url=web.url, follow_redirects=True)
    assert c.get(f"/join?t={CONSOLE}").url.path == "/console"
    new = c.get("/console/new?scenario=taiwan-strait-crisis")
    token = _csrf(new.text)
    form = {"scenario": "taiwan-strait-crisis", "seed": "1", "cell_USA": "human"}
    assert c.post("/console/create", data=form).status_code == 403  # no CSRF token
    assert c.post("/console/create", data={**form, "csrf": "0" * 64}).status_code == 403
    made = c.post("/console/create", data={**form, "csrf": token})
    assert made.status_code == 200
    link = re.search(r'data-actor="USA">([^<]+)<', made.text).group(1)  # type: ignore[union-attr]
    xid = re.search(r"/x/(x-[0-9a-f]+)", made.text).group(1)  # type: ignore[union-attr]
    # a stranger (no cookie) and a wrong invite get nothing
    stranger = httpx.Client(base_url=web.url)
    assert stranger.get(f"/x/{xid}").status_code == 401
    assert stranger.get("/console").status_code == 401
    assert stranger.get("/join?t=nope").status_code == 403
    assert stranger.post(f"/x/{xid}/do/start", data={"csrf": token}).status_code == 401
    start = c.post(f"/x/{xid}/do/start", data={"csrf": _csrf(c.get(f"/x/{xid}").text)})
    assert start.status_code == 200 and "running" in start.text
    cell = httpx.Client(base_url=web.url, follow_redirects=True)
    page = cell.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "USA cell" in page.text
    assert "HttpOnly" in cell.get(link.replace("&amp;", "&"), follow_redirects=False
                                   ).headers["set-cookie"]
    ctoken = _csrf(page.text)
    # a cell may not drive the exercise, even with its own valid CSRF token
    assert cell.post(f"/x/{xid}/do/pause", data={"csrf": ctoken}).status_code == 403
    # the white cell's token in another browser does not make the cell's form valid
    assert cell.post(f"/x/{xid}/do/message", data={"csrf": token, "text": "x",
                                                   "to": "white"}).status_code == 403
    assert cell.get(f"/x/{xid}/panel/proposal").status_code == 404  # not a cell panel
    moved = cell.post(f"/x/{xid}/do/move", data={"csrf": ctoken, "choice": "no_such_action",
                                                 "rationale": ""})
    assert moved.status_code == 200 and "unknown action" in moved.text  # shown, not a crash


def test_the_create_form_sets_actions_per_move_and_turns(web: Server) -> None:
    c = httpx.Client(base_url=web.url, follow_redirects=True, timeout=60)
    assert c.get(f"/join?t={CONSOLE}").url.path == "/console"
    new = c.get("/console/new?scenario=taiwan-strait-crisis")
    assert 'name="action_cap"' in new.text and 'name="max_turns"' in new.text
    form = {"scenario": "taiwan-strait-crisis", "seed": "1", "cell_USA": "human",
            "csrf": _csrf(new.text), "action_cap": "2", "max_turns": "4"}
    made = c.post("/console/create", data=form)
    assert made.status_code == 200, made.text[:500]
    xid = re.search(r"/x/(x-[0-9a-f]+)", made.text).group(1)  # type: ignore[union-attr]
    view = httpx.get(web.url + f"/api/exercises/{xid}", headers={
        "Authorization": f"Bearer {CONSOLE}"}, timeout=30).json()
    assert view["action_cap"] == 2 and view["max_turns"] == 4
    bad = c.post("/console/create", data={**form, "csrf": _csrf(
        c.get("/console/new?scenario=taiwan-strait-crisis").text), "max_turns": "x"})
    assert bad.status_code == 422
