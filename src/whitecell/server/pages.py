"""The browser UI: facilitator console, cell view and observer view (Jinja2 + htmx + SSE).

A person opens an invite link ``/join?t=TOKEN`` once; the server sets an
HttpOnly, SameSite=Strict cookie with the token and redirects to the
exercise page, so the token leaves the address bar. Pages are server-rendered
from :meth:`whitecell.exercise.Exercises.view` -- the same role view the API
returns -- with autoescaping on, so free text (rationales, messages, injects,
scenario titles) always renders as text. Each page listens to its own event
stream; a notice makes htmx reload the panels it concerns. Every form post
carries a CSRF token bound to the caller's token; every page carries a
Content-Security-Policy that allows scripts from this server only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from whitecell.exercise import ExerciseError, Exercises, Role, Status
from whitecell.exercise.tokens import CELL, CONSOLE
from whitecell.scenario.actions import SUPPORTING
from whitecell.server.auth import CONSOLE_COOKIE, COOKIE, bearer, check_csrf, csrf_token
from whitecell.server.stream import event_stream

HERE = Path(__file__).parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
       "form-action 'self'; base-uri 'none'")

#: Panels of each page and the notices that reload them.
PANELS: dict[str, dict[str, str]] = {
    "facilitator": {"head": "status, published, clock", "cells": "move, presence, status, "
                    "published", "moves": "move, status, published", "proposal":
                    "ruling, status, published", "msel": "inject, status, published",
                    "messages": "message", "notes": "note", "timeline": "published"},
    "cell": {"head": "status, published, clock", "move": "status, published",
             "situation": "status, published, inject", "messages": "message",
             "timeline": "published"},
    "observer": {"head": "status, published, clock", "timeline": "published, status",
                 "notes": "note"},
}

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                          autoescape=True, undefined=jinja2.ChainableUndefined,
                          trim_blocks=True, lstrip_blocks=True)
_env.filters["tojson_text"] = lambda v: json.dumps(v, sort_keys=True)
#: actions that may support a move's main effort (scenarios with action_cap > 1)
_env.globals["supporting"] = frozenset(SUPPORTING)


def _page(name: str, **ctx: Any) -> HTMLResponse:
    html = _env.get_template(name).render(**ctx)
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP,
                                       "Cache-Control": "no-store",
                                       "X-Content-Type-Options": "nosniff",
                                       "Referrer-Policy": "no-referrer"})


def _page_kind(role: Role) -> str:
    return "facilitator" if role.is_white else ("cell" if role.kind == CELL else "observer")


def chart_svg(chart: dict[str, Any], cells: list[dict[str, Any]]) -> str:
    """The escalation chart (Kahn rung per actor per published turn) as inline SVG."""
    turns = chart["turns"]
    w, h, pad = 520, 180, 28
    if not turns:
        return ""
    top = max([9] + [r for v in chart["rungs"].values() for r in v])
    colours = {"blue": "#1f5fa8", "red": "#b3261e", "green": "#2e7d4f", "white": "#6b7280"}
    cell_of = {c["actor"]: c["cell"] for c in cells}
    n = len(turns) - 1

    def xy(i: int, r: int) -> str:
        x = pad + (w - 2 * pad) * (i / n if n else 0.5)
        return f"{x:.1f},{h - pad - (h - 2 * pad) * r / top:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
             f'style="max-width:{w + 200}px" role="img" aria-label="Escalation chart: Kahn '
             f'rung of each actor per published turn">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#999"/>',
             f'<text x="2" y="{pad}" font-size="10">rung {top}</text>']
    for k, (actor, rungs) in enumerate(chart["rungs"].items()):
        col = colours.get(cell_of.get(actor, "white"), "#444")
        dash = ' stroke-dasharray="4 3"' if k % 2 else ""
        pts = " ".join(xy(i, r) for i, r in enumerate(rungs))
        parts.append(f'<polyline fill="none" stroke="{col}" stroke-width="2"{dash} '
                     f'points="{pts}"/>')
        if len(rungs) == 1:
            parts.append(f'<circle cx="{xy(0, rungs[0]).split(",")[0]}" '
                         f'cy="{xy(0, rungs[0]).split(",")[1]}" r="3" fill="{col}"/>')
        last = xy(len(rungs) - 1, rungs[-1]).split(",")
        same = [a for a, v in chart["rungs"].items() if v[-1] == rungs[-1]]
        dy = 11 * same.index(actor)  # labels of actors at the same rung one under another
        parts.append(f'<text x="{float(last[0]) + 3:.1f}" y="{float(last[1]) + dy:.1f}" '
                     f'font-size="10" fill="{col}">{actor}</text>')
    for i, t in enumerate(turns):
        parts.append(f'<text x="{xy(i, 0).split(",")[0]}" y="{h - 10}" font-size="10" '
                     f'text-anchor="middle">T{t}</text>')
    parts.append(f'<text x="{w - pad}" y="{pad - 8}" font-size="9" text-anchor="end" '
                 'fill="#666">Kahn escalation rung after each published turn</text>')
    parts.append("</svg>")
    return "".join(parts)


def invitations(request: Request, c: Any) -> dict[str, Any]:
    """The invite links of a new set of tokens (shown once)."""
    base = str(request.base_url).rstrip("/")
    return {"facilitator": f"{base}/join?t={quote(c.facilitator)}",
            "observer": f"{base}/join?t={quote(c.observer)}",
            "cells": {a: f"{base}/join?t={quote(t)}" for a, t in c.cells.items()}}


def mount(app: FastAPI, exercises: Exercises) -> None:
    """Add the pages, their partials, form actions and static files to ``app``."""
    secret = exercises.server_secret()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def ctx(request: Request, xid: str, role: Role, token: str, **extra: Any) -> dict[str, Any]:
        v = exercises.view(xid, role)
        kind = _page_kind(role)
        options: dict[str, list[dict[str, Any]]] = {}
        out: dict[str, Any] = {"v": v, "xid": xid, "kind": kind, "csrf": csrf_token(secret, token),
               "panels": PANELS[kind], "msg": request.query_params.get("msg"),
               "err": request.query_params.get("err"), "Status": Status,
               "chart": chart_svg(v["chart"], v["cells"]), "options": options}
        if role.is_white and v.get("proposal"):
            for r in v["proposal"]["rulings"]:
                if r["overridable"]:
                    options[r["id"]] = exercises.ruling_options(xid, role, r["id"])
        out.update(extra)
        return out

    def who(request: Request, xid: str) -> tuple[Role, str]:
        token = bearer(request)
        role = exercises.authenticate(xid, token)
        assert token is not None
        return role, token

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        if exercises.is_console(request.cookies.get(CONSOLE_COOKIE)):
            return RedirectResponse("/console", 303)
        return _page("welcome.html")

    @app.get("/join", include_in_schema=False)
    def join(request: Request) -> Response:
        token = request.query_params.get("t", "")
        xid, role = exercises.locate(token)
        if role is None:
            raise ExerciseError("this invite link is not (or no longer) valid; ask the white "
                                "cell for a new one", 403)
        if xid is None:
            resp = RedirectResponse("/console", 303)
            resp.set_cookie(CONSOLE_COOKIE, token, httponly=True, samesite="strict")
        else:
            resp = RedirectResponse(f"/x/{xid}", 303)
            resp.set_cookie(f"{COOKIE}_{xid}", token, httponly=True, samesite="strict")
        return resp

    def console_token(request: Request) -> str:
        token = request.cookies.get(CONSOLE_COOKIE)
        if not token or not exercises.is_console(token):
            raise ExerciseError("open the facilitator link printed by `whitecell serve`", 401)
        return token

    @app.get("/console", include_in_schema=False)
    def console(request: Request) -> Response:
        token = console_token(request)
        from whitecell.exercise.turn import scenario_of
        from whitecell.scenario.load import bundled_ids

        scenarios = [(i, scenario_of(i, None, ()).scenario.title) for i in bundled_ids()]
        return _page("console.html", exercises=exercises.index(), scenarios=scenarios,
                     csrf=csrf_token(secret, token), err=request.query_params.get("err"))

    @app.get("/console/new", include_in_schema=False)
    def new(request: Request, scenario: str) -> Response:
        token = console_token(request)
        from whitecell.exercise.turn import cell_kinds, scenario_of

        sc = scenario_of(scenario, None, ()).scenario
        return _page("new.html", sc=sc, ref=scenario, kinds=cell_kinds(),
                     csrf=csrf_token(secret, token))

    @app.post("/console/create", include_in_schema=False)
    async def create(request: Request) -> Response:
        token = console_token(request)
        form = await request.form()
        check_csrf(request, secret, token, str(form.get("csrf") or ""))
        scenario = str(form.get("scenario") or "")
        excursion = str(form.get("excursion") or "") or None
        try:
            seed = int(str(form.get("seed") or "0"))
        except ValueError:
            raise ExerciseError("seed must be a whole number", 422) from None
        cells = {k[5:]: str(v) for k, v in form.items() if k.startswith("cell_")}
        sets: list[str] = []
        for key, path in (("action_cap", "parameters.action_cap"), ("max_turns", "max_turns")):
            raw = str(form.get(key) or "").strip()
            if raw:
                if not raw.isdigit():
                    raise ExerciseError(f"{key.replace('_', ' ')} must be a whole number", 422)
                sets.append(f"{path}={int(raw)}")
        import anyio

        base = await anyio.to_thread.run_sync(lambda: _scenario_defaults(scenario))
        sets = [x for x in sets if x not in base]  # as written: no set at all
        c = await anyio.to_thread.run_sync(lambda: exercises.create(
            scenario, excursion=excursion, seed=seed, cells=cells, sets=sets,
            role=Role(CONSOLE)))
        return _page("created.html", xid=c.id, links=invitations(request, c),
                     title=exercises.snapshot(c.id).row["scenario_title"])

    @app.get("/x/{xid}", include_in_schema=False)
    def exercise_page(xid: str, request: Request) -> Response:
        role, token = who(request, xid)
        return _page(f"{_page_kind(role)}.html", **ctx(request, xid, role, token))

    @app.get("/x/{xid}/panel/{name}", include_in_schema=False)
    def panel(xid: str, name: str, request: Request) -> Response:
        role, token = who(request, xid)
        kind = _page_kind(role)
        if name not in PANELS[kind]:
            raise ExerciseError(f"no panel {name!r}", 404)
        return _page(f"panels/{kind}_{name}.html", **ctx(request, xid, role, token))

    @app.get("/x/{xid}/events", include_in_schema=False)
    async def page_events(xid: str, request: Request) -> Any:
        import anyio

        role, _ = await anyio.to_thread.run_sync(who, request, xid)
        return event_stream(exercises, request, xid, role)

    @app.get("/x/{xid}/export.{fmt}", include_in_schema=False)
    def export(xid: str, fmt: str, request: Request) -> Response:
        from whitecell.exercise.export import record_json, record_xlsx

        role, _ = who(request, xid)
        if fmt == "json":
            return Response(record_json(exercises, xid, role), media_type="application/json",
                            headers={"Content-Disposition": f'attachment; filename="{xid}.json"'})
        if fmt == "xlsx":
            return Response(record_xlsx(exercises, xid, role), media_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                headers={"Content-Disposition": f'attachment; filename="{xid}.xlsx"'})
        raise ExerciseError(f"no export format {fmt!r} (json or xlsx)", 404)

    @app.get("/x/{xid}/report", include_in_schema=False)
    def report(xid: str, request: Request) -> Response:
        from whitecell.exercise.export import record
        from whitecell.report.exercise import render_exercise_report

        role, _ = who(request, xid)
        html = render_exercise_report(exercises.report_input(xid, role),
                                      record(exercises, xid, role))
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    def _f(form: Any, key: str) -> str:
        return str(form.get(key) or "")

    actions: dict[str, Callable[[str, Role, Any], Any]] = {
        "start": lambda x, r, f: exercises.start(x, r),
        "pause": lambda x, r, f: exercises.pause(x, r),
        "resume": lambda x, r, f: exercises.resume(x, r),
        "reopen": lambda x, r, f: exercises.reopen(x, r),
        "adjudicate": lambda x, r, f: exercises.adjudicate(x, r),
        "publish": lambda x, r, f: exercises.publish(x, r),
        "advance": lambda x, r, f: exercises.advance(x, r),
        "end": lambda x, r, f: exercises.end(x, r),
        "clock": lambda x, r, f: exercises.set_clock(
            x, r, _number(_f(f, "minutes")) if _f(f, "minutes") else None,
            int(_number(_f(f, "warning") or "2")), _f(f, "at_deadline") or "warn"),
        "move": lambda x, r, f: exercises.submit_move(
            x, r, str(r.actor), [_move_choice(_f(f, "choice"))] + [
                _move_choice(_f(f, f"support{k}")) for k in (1, 2) if _f(f, f"support{k}")],
            _f(f, "rationale")),
        "decide": lambda x, r, f: exercises.decide(
            x, r, _f(f, "ruling"), _f(f, "decision"),
            draw=_number(_f(f, "draw")) if _f(f, "draw") else None,
            result=json.loads(_f(f, "result")) if _f(f, "result") else None,
            reason=_f(f, "reason") or None),
        "msel": lambda x, r, f: exercises.msel(
            x, r, _f(f, "inject"), _f(f, "op"),
            int(_number(_f(f, "turn"))) if _f(f, "turn") else None),
        "inject": lambda x, r, f: exercises.adhoc_inject(
            x, r, _f(f, "title"), _f(f, "text"), f.getlist("to") or "all"),
        "message": lambda x, r, f: exercises.send_message(
            x, r, _recipients(f), _f(f, "text"), _f(f, "kind") or "note"),
        "release": lambda x, r, f: exercises.release_message(x, r, int(_number(_f(f, "id")))),
        "note": lambda x, r, f: exercises.add_note(
            x, r, _f(f, "kind"), _f(f, "text"),
            {k: _f(f, k) for k in ("recommendation", "owner", "due", "capability")}),
    }

    @app.post("/x/{xid}/do/{op}", include_in_schema=False)
    async def do(xid: str, op: str, request: Request) -> Response:
        import anyio

        role, token = await anyio.to_thread.run_sync(who, request, xid)
        form = await request.form()
        check_csrf(request, secret, token, _f(form, "csrf"))
        if op == "reissue":  # new invite links; the old ones stop working
            c = await anyio.to_thread.run_sync(exercises.reissue, xid, role)
            resp = _page("created.html", xid=xid, links=invitations(request, c),
                         title=exercises.snapshot(xid).row["scenario_title"])
            if request.cookies.get(f"{COOKIE}_{xid}"):  # this browser joined by a link
                resp.set_cookie(f"{COOKIE}_{xid}", c.facilitator, httponly=True,
                                samesite="strict")
            return resp
        if op not in actions:
            raise ExerciseError(f"no action {op!r}", 404)
        try:
            await anyio.to_thread.run_sync(actions[op], xid, role, form)
        except ExerciseError as e:
            if e.code in (401, 403, 404):
                raise
            return RedirectResponse(f"/x/{xid}?err={quote(e.message)}", 303)
        except (ValueError, json.JSONDecodeError) as e:
            return RedirectResponse(f"/x/{xid}?err={quote(str(e))}", 303)
        return RedirectResponse(f"/x/{xid}?msg={quote(_done(op))}", 303)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ExerciseError(f"{text!r} is not a number", 422) from None


def _scenario_defaults(ref: str) -> set[str]:
    """The create form's sets that merely repeat the scenario as written."""
    from whitecell.exercise.turn import scenario_of

    sc = scenario_of(ref, None, ()).scenario
    return {f"parameters.action_cap={sc.parameters.action_cap}", f"max_turns={sc.max_turns}"}


def _move_choice(choice: str) -> dict[str, Any]:
    """``action`` or ``action>TARGET`` from the move form's select."""
    action, _, target = choice.partition(">")
    if not action:
        raise ExerciseError("choose an action", 422)
    return {"action": action, "target": target or None}


def _recipients(form: Any) -> Any:
    to = form.getlist("to")
    if to == ["white"] or not to:
        return "white"
    if "all" in to:
        return "all"
    return [str(t) for t in to if t != "white"]


def _done(op: str) -> str:
    return {"move": "move stored", "message": "message sent", "note": "note saved",
            "inject": "inject delivered", "decide": "ruling decided",
            "publish": "turn published", "adjudicate": "turn adjudicated"}.get(op, f"{op}: done")
