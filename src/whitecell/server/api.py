"""The REST API: the exercise's operations for programs and remote players.

Every route authenticates first (401 no or unknown token, 403 a token of
another exercise or role, 404 no such exercise), then calls the exercise
layer, which enforces what the role may do and see. Bodies are validated by
pydantic models that forbid unknown fields (422 with the field named).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from whitecell.exercise import ExerciseError, Exercises
from whitecell.exercise.tokens import CONSOLE, Role
from whitecell.server.auth import bearer, role_of


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateBody(Body):
    scenario: str = Field(min_length=1, max_length=500)
    excursion: str | None = Field(default=None, max_length=64)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    cells: dict[str, Literal["human", "doctrine", "strategic"]] = Field(default_factory=dict)
    sets: list[str] = Field(default_factory=list, max_length=32, description=(
        "Changes to the scenario as PATH=VALUE, as --set on the command line (e.g. "
        "'parameters.action_cap=2', 'max_turns=6'); a bad one is a 422 naming it."))
    start: bool = Field(default=True, description="Begin turn 1 at once (else: draft).")


class ActionRef(Body):
    action: str = Field(min_length=1, max_length=64)
    target: str | None = Field(default=None, max_length=16)


class MoveBody(Body):
    actions: list[str | ActionRef] = Field(min_length=1, max_length=8)
    rationale: str = Field(default="", max_length=4000)


class RulingBody(Body):
    decision: Literal["accept", "reroll", "override_draw", "override_result"]
    draw: float | None = None
    result: dict[str, Any] | None = None
    reason: str | None = Field(default=None, max_length=4000)


class ClockBody(Body):
    minutes: float | None = Field(default=None)
    warning_minutes: int = Field(default=2, ge=0, le=120)
    at_deadline: Literal["warn", "close", "adjudicate"] = Field(
        default="warn", description="warn: show the deadline only; close: moves close; "
        "adjudicate: moves close and the turn is tried at once")


class InjectBody(Body):
    title: str = Field(max_length=200)
    text: str = Field(max_length=4000)
    to: Literal["all"] | list[str] = "all"


class MselBody(Body):
    op: Literal["release", "hold", "disable", "enable", "reschedule"]
    turn: int | None = Field(default=None, ge=1, le=500)


class MessageBody(Body):
    to: Literal["white", "all"] | list[str]
    text: str = Field(max_length=4000)
    kind: Literal["rfi", "note", "reply"] = "note"


class NoteBody(Body):
    kind: Literal["hotwash", "improvement", "evaluator"]
    text: str = Field(max_length=4000)
    fields: dict[str, str] = Field(default_factory=dict)


def router(exercises: Exercises) -> APIRouter:
    """The API routes over ``exercises``."""
    r = APIRouter(prefix="/api")

    def who(request: Request, xid: str) -> Role:
        return role_of(exercises, request, xid)

    @r.post("/exercises", status_code=201, summary="Create an exercise (server token)")
    def create(body: CreateBody, request: Request) -> dict[str, Any]:
        token = bearer(request)
        if not token:
            raise ExerciseError("no token: send 'Authorization: Bearer TOKEN'", 401)
        if not exercises.is_console(token):
            raise ExerciseError("only the server's facilitator token creates exercises", 403)
        if any(len(x) > 500 for x in body.sets):
            raise ExerciseError("each set is at most 500 characters", 422)
        c = exercises.create(body.scenario, excursion=body.excursion, seed=body.seed,
                             cells=body.cells, sets=body.sets, start=body.start,
                             role=Role(CONSOLE))
        return {"id": c.id, "tokens": c.tokens()}

    @r.get("/exercises/{xid}", summary="Status, turn and what this token may see")
    def view(xid: str, request: Request) -> dict[str, Any]:
        return exercises.view(xid, who(request, xid))

    @r.get("/exercises/{xid}/actions", summary="The legal actions of this cell this turn")
    def actions(xid: str, request: Request) -> dict[str, Any]:
        return exercises.actions(xid, who(request, xid))

    @r.put("/exercises/{xid}/moves/{actor}", summary="Submit or revise this cell's move")
    def put_move(xid: str, actor: str, body: MoveBody, request: Request) -> dict[str, Any]:
        role = who(request, xid)
        acts = [a if isinstance(a, str) else a.model_dump() for a in body.actions]
        return exercises.submit_move(xid, role, actor.upper(), acts, body.rationale)

    @r.get("/exercises/{xid}/moves/{actor}", summary="The stored move of this turn")
    def get_move(xid: str, actor: str, request: Request) -> dict[str, Any]:
        return exercises.get_move(xid, who(request, xid), actor.upper())

    @r.post("/exercises/{xid}/adjudicate", summary="Freeze moves; the proposed rulings")
    def adjudicate(xid: str, request: Request) -> dict[str, Any]:
        return exercises.adjudicate(xid, who(request, xid))

    @r.get("/exercises/{xid}/rulings/{rid}", summary="A proposed ruling and its possible results")
    def ruling(xid: str, rid: str, request: Request) -> dict[str, Any]:
        role = who(request, xid)
        prop = exercises.proposal(xid, role)
        found = next((x for x in prop["rulings"] if x["id"] == rid), None)
        if found is None:
            raise ExerciseError(f"no ruling {rid!r} in the proposed turn", 404)
        opts = exercises.ruling_options(xid, role, rid) if found["overridable"] else []
        return {**found, "options": opts}

    @r.post("/exercises/{xid}/rulings/{rid}", summary="Accept, re-roll or override a ruling")
    def decide(xid: str, rid: str, body: RulingBody, request: Request) -> dict[str, Any]:
        return exercises.decide(xid, who(request, xid), rid, body.decision, draw=body.draw,
                                result=body.result, reason=body.reason)

    @r.post("/exercises/{xid}/publish", summary="Publish the turn and start the next")
    def publish(xid: str, request: Request) -> dict[str, Any]:
        return exercises.publish(xid, who(request, xid), advance=True)

    for name in ("start", "pause", "resume", "reopen", "advance", "end"):
        def status_route(xid: str, request: Request, _name: str = name) -> dict[str, Any]:
            return dict(getattr(exercises, _name)(xid, who(request, xid)))
        r.add_api_route(f"/exercises/{{xid}}/{name}", status_route, methods=["POST"],
                        summary=f"{name.capitalize()} (white cell)", name=f"status_{name}")

    @r.post("/exercises/{xid}/tokens", summary="New tokens for every role (old ones stop)")
    def reissue(xid: str, request: Request) -> dict[str, Any]:
        c = exercises.reissue(xid, who(request, xid))
        return {"id": c.id, "tokens": c.tokens()}

    @r.post("/exercises/{xid}/clock", summary="Set the turn's deadline")
    def clock(xid: str, body: ClockBody, request: Request) -> dict[str, Any]:
        return exercises.set_clock(xid, who(request, xid), body.minutes, body.warning_minutes,
                                   body.at_deadline)

    @r.post("/exercises/{xid}/injects", status_code=201, summary="An ad-hoc inject, now")
    def inject(xid: str, body: InjectBody, request: Request) -> dict[str, Any]:
        return exercises.adhoc_inject(xid, who(request, xid), body.title, body.text, body.to)

    @r.post("/exercises/{xid}/msel/{inject_id}", summary="Release, hold, reschedule an inject")
    def msel(xid: str, inject_id: str, body: MselBody, request: Request) -> dict[str, Any]:
        return exercises.msel(xid, who(request, xid), inject_id, body.op, body.turn)

    @r.post("/exercises/{xid}/messages", status_code=201, summary="Send a message")
    def message(xid: str, body: MessageBody, request: Request) -> dict[str, Any]:
        return exercises.send_message(xid, who(request, xid), body.to, body.text, body.kind)

    @r.post("/exercises/{xid}/messages/{mid}/release", summary="Deliver a held message")
    def release(xid: str, mid: int, request: Request) -> dict[str, Any]:
        return exercises.release_message(xid, who(request, xid), mid)

    @r.post("/exercises/{xid}/notes", status_code=201, summary="Hotwash, improvement or "
            "evaluator note")
    def note(xid: str, body: NoteBody, request: Request) -> dict[str, Any]:
        return exercises.add_note(xid, who(request, xid), body.kind, body.text, body.fields)

    @r.get("/exercises/{xid}/audit", summary="The audit log (white cell)")
    def audit(xid: str, request: Request) -> list[dict[str, Any]]:
        return exercises.audit(xid, who(request, xid))

    @r.get("/exercises/{xid}/export.json", summary="The exercise record as JSON")
    def export_json(xid: str, request: Request) -> Response:
        from whitecell.exercise.export import record_json

        data = record_json(exercises, xid, who(request, xid))
        return Response(data, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="{xid}.json"'})

    @r.get("/exercises/{xid}/export.xlsx", summary="The exercise record as a workbook")
    def export_xlsx(xid: str, request: Request) -> Response:
        from whitecell.exercise.export import record_xlsx

        data = record_xlsx(exercises, xid, who(request, xid))
        return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet", headers={
                            "Content-Disposition": f'attachment; filename="{xid}.xlsx"'})

    return r
