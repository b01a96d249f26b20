"""A full 3-turn exercise in headless Chromium (Debian's): a white cell and two human
cells in separate browser contexts, AI players in the other cells, an override, a
message between cells, an ad-hoc inject, the hotwash and the AAR/IP.

Set WHITECELL_SCREENSHOT_DIR to keep screenshots of the pages (docs/img in the README).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import CONSOLE, Server

playwright_sync = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
XSS = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)> hold the line"
SHOTS = os.environ.get("WHITECELL_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'whitecell.sqlite'}"
    s = Server(db=db, log=tmp_path_factory.mktemp("log") / "server.log").start()
    try:
        yield s
    finally:
        s.stop()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _watch(page: Any, base: str, seen: list[str], dialogs: list[str]) -> None:
    page.on("request", lambda r: seen.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: dialogs.append(f"page error: {e}"))


def _move(page: Any, prefix: str, rationale: str) -> None:
    values = page.locator("#choice option").evaluate_all("els => els.map(e => e.value)")
    pick = next(v for v in values if v.startswith(prefix))
    page.select_option("#choice", pick)
    page.fill("#move-form textarea[name=rationale]", rationale)
    page.click("#move-form button[type=submit]")
    playwright_sync.expect(page.locator("#current-move")).to_contain_text(prefix.split(">")[0])


def test_three_turn_exercise_in_the_browser(web: Server) -> None:
    expect = playwright_sync.expect
    seen: list[str] = []
    dialogs: list[str] = []
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        try:
            contexts = {n: browser.new_context(viewport={"width": 1280, "height": 900})
                        for n in ("white", "USA", "JPN", "observer")}
            pages = {n: c.new_page() for n, c in contexts.items()}
            for pg in pages.values():
                pg.set_default_timeout(20000)
                _watch(pg, web.url, seen, dialogs)
            white = pages["white"]
            # the white cell sets up the exercise from the console link
            white.goto(f"{web.url}/join?t={CONSOLE}")
            white.select_option("#scenario", "taiwan-strait-crisis")
            white.click("text=Set up cells")
            white.select_option("select[name=cell_USA]", "human")
            white.select_option("select[name=cell_JPN]", "human")
            white.select_option("select[name=cell_CHN]", "doctrine")
            white.select_option("select[name=cell_RUS]", "strategic")
            white.fill("input[name=seed]", "11")
            white.click("text=Create exercise")
            links = {el.get_attribute("data-actor"): el.inner_text()
                     for el in white.locator(".link-cell").all()}
            observer_link = white.locator("#link-observer").inner_text()
            assert set(links) == {"USA", "JPN"}
            white.click("#open-exercise")
            white.click("button[data-op=start]")
            expect(white.locator("#status")).to_have_text("running")
            pages["USA"].goto(links["USA"])
            pages["JPN"].goto(links["JPN"])
            pages["observer"].goto(observer_link)
            usa, jpn, obs = pages["USA"], pages["JPN"], pages["observer"]
            assert "/join" not in usa.url and "t=" not in usa.url  # the token left the URL
            expect(usa.locator("table.picture")).to_contain_text("(you)")
            xid = re.search(r"/x/(x-[0-9a-f]+)", usa.url).group(1)  # type: ignore[union-attr]
            for turn in (1, 2, 3):
                _move(usa, "military_exercise", XSS if turn == 1 else f"USA turn {turn}")
                _move(jpn, "diplomatic_message", f"JPN turn {turn}")
                # the white cell's page learns of both moves live (SSE -> htmx)
                expect(white.locator("#panel-cells tr[data-actor=USA] .submitted")).to_have_text(
                    "submitted")
                expect(white.locator("#panel-cells tr[data-actor=JPN] .submitted")).to_have_text(
                    "submitted")
                if turn == 1:
                    expect(white.locator("#panel-moves")).to_contain_text("<script>")
                    jpn.fill("#cell-message textarea", "JPN to USA: coordinate <b>quietly</b>")
                    jpn.uncheck("#cell-message input[value=white]")
                    jpn.check("#cell-message input[value=USA]")
                    jpn.click("#cell-message button[type=submit]")
                    expect(white.locator("#panel-messages")).to_contain_text("quietly")
                    expect(usa.locator("#panel-messages")).not_to_contain_text("quietly")
                    white.locator("#panel-messages button", has_text="Release").click()
                    expect(usa.locator("#panel-messages")).to_contain_text(
                        "coordinate <b>quietly</b>")
                if turn == 3:
                    white.fill("#adhoc input[name=title]", "Typhoon warning")
                    white.fill("#adhoc textarea", "A typhoon closes the strait for 48 hours.")
                    white.check("#adhoc input[value=USA]")
                    white.click("#adhoc button[type=submit]")
                    expect(usa.locator("#panel-situation")).to_contain_text("Typhoon warning")
                    expect(jpn.locator("#panel-situation")).not_to_contain_text("Typhoon")
                white.click("button[data-op=adjudicate]")
                expect(white.locator("#status")).to_have_text("adjudicating")
                expect(usa.locator("#panel-move")).to_contain_text("frozen")
                if turn == 2:
                    form = white.locator("form.override-draw").first
                    form.locator("input[name=draw]").fill("0.999")
                    form.locator("input[name=reason]").fill("exercise the escalation branch")
                    form.locator("button").click()
                    expect(white.locator(".ruling.overridden")).to_contain_text(
                        "exercise the escalation branch")
                    _shot(white, "facilitator-adjudication")
                white.locator("button[data-op=publish]").click()
                expect(usa.locator("#panel-timeline")).to_contain_text(f"T{turn}")
                expect(obs.locator("#panel-timeline")).to_contain_text(f"T{turn}")
                if turn < 3:
                    white.click("button[data-op=advance]")
                    expect(white.locator("#turn")).to_contain_text(f"turn {turn + 1}")
                    expect(jpn.locator("#move-form")).to_be_visible()
                else:
                    _shot(usa, "cell-view")
                    _shot(obs, "observer-view")
            # isolation in the browser: JPN and the observer never see USA's rationale
            for pg in (jpn, obs):
                pg.reload()
                assert "hold the line" not in pg.content()
                assert "doctrine:" not in pg.content()
            white.reload()
            assert "doctrine:" in white.content()  # the white cell reads AI reasoning
            white.click("button[data-op=end]")
            expect(white.locator("#status")).to_have_text("ended")
            white.fill("#hotwash textarea", "Blue hesitated to signal in turn 2.")
            white.click("#hotwash button")
            white.fill("#improvement input[name=capability]", "Alliance coordination")
            white.fill("#improvement input[name=owner]", "J5 planning cell")
            white.fill("#improvement input[name=due]", "2026-06-30")
            white.fill("#improvement textarea[name=text]", "No agreed threshold for a joint signal")
            white.fill("#improvement textarea[name=recommendation]", "Agree a signalling ladder")
            white.click("#improvement button")
            obs.fill("#evaluator textarea", "White cell override steered turn 2.")
            obs.click("#evaluator button")
            expect(white.locator("#panel-notes")).to_contain_text("signalling ladder")
            _shot(white, "facilitator-console")
            white.click("#report-link")
            text = white.content()
            for want in ("Improvement plan", "Agree a signalling ladder", "J5 planning cell",
                         "exercise the escalation branch", "coordinate &lt;b&gt;quietly&lt;/b&gt;",
                         "Typhoon warning", "Blue hesitated", "White cell override steered"):
                assert want in text, want
            assert "Unfinished game: 3 of 30 turns" in text
            _shot(white, "exercise-report")
            usa.goto(f"{web.url}/x/{xid}/report")
            assert "JPN turn 1" not in usa.content() and "Agree a signalling" not in usa.content()
            assert "White cell only" not in usa.content() and "doctrine:" not in usa.content()
            assert usa.evaluate("() => window.__pwned === undefined")
        finally:
            browser.close()
    assert not dialogs, dialogs
    outside = [u for u in seen if not u.startswith(web.url) and not u.startswith("data:")]
    assert not outside, outside
