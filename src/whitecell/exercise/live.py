"""A live exercise: its operations, each one committed before it returns.

:class:`Exercises` is the library behind ``whitecell serve`` and ``whitecell
play``: every front end calls these methods with the caller's :class:`Role`
and gets plain data back (or an :class:`ExerciseError` carrying the HTTP code
a server answers). Each write runs in one database transaction that starts by
bumping the exercise's revision (which takes the write lock: SQLite's
database lock, PostgreSQL's row lock), re-reads the status inside it, writes,
appends to the audit log and commits; only then is a notice published on the
bus. So an acknowledged write survives ``kill -9``, and two writers never
interleave on one exercise.

What is stored while a turn is played: the human cells' pending moves (never
shown to other cells), after adjudication the proposed turn (shown to the
white cell only) and the white cell's decisions on its rulings. AI cells
decide when the turn is adjudicated, so a store read before then holds no
AI move of the turn. Publishing writes the turn and the run record (the same
record ``whitecell run`` makes, with the white cell's overrides, so
``whitecell replay`` reproduces the published game) in one transaction.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from whitecell.engine.events import canonical_json
from whitecell.exercise import msel as msel_ops
from whitecell.exercise import turn as T
from whitecell.exercise import views
from whitecell.exercise.bus import Bus
from whitecell.exercise.schema import (
    audit_table,
    cells_table,
    decisions_table,
    exercises_table,
    injects_table,
    messages_table,
    moves_table,
    notes_table,
    server_table,
    turns_table,
)
from whitecell.exercise.states import ExerciseError, Status, check_transition
from whitecell.exercise.tokens import (
    CELL,
    CLOCK,
    CONSOLE,
    FACILITATOR,
    OBSERVER,
    Role,
    new_token,
    same_hash,
    token_hash,
)
from whitecell.record.run import RunRecord
from whitecell.record.session import MAX_SEED, stored_ref
from whitecell.record.store import RunStore, StoreError
from whitecell.scenario.actions import SUPPORTING

#: Longest free text accepted (rationale, message, inject, note), in characters.
MAX_TEXT = 4000
#: Longest title of an ad-hoc inject.
MAX_TITLE = 200
#: Decisions the white cell may take on a proposed ruling.
DECISIONS = ("accept", "reroll", "override_draw", "override_result")
#: Kinds of messages a cell may send.
MESSAGE_KINDS = ("rfi", "note", "reply")
#: Kinds of notes: the white cell's hotwash and improvement-plan items, evaluators' notes.
NOTE_KINDS = ("hotwash", "improvement", "evaluator")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _new_id(res: Any) -> int:
    """The id the database gave the row just inserted."""
    key = res.inserted_primary_key
    assert key is not None
    return int(key[0])


def _text(value: Any, what: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ExerciseError(f"{what} must be text", 422)
    value = value.strip()
    if required and not value:
        raise ExerciseError(f"{what} is empty", 422)
    if len(value) > limit:
        raise ExerciseError(f"{what} is {len(value)} characters long (at most {limit})", 422)
    return value


#: what the turn clock does when its deadline passes (:meth:`Exercises.set_clock`)
AT_DEADLINE = ("warn", "close", "adjudicate")
#: the role the clock acts under: white-cell rights, audited as "clock"
CLOCK_ROLE = Role(CLOCK)

@dataclass(frozen=True)
class Created:
    """A new exercise and its secret tokens (shown once; only hashes are stored)."""

    id: str
    facilitator: str
    observer: str
    cells: dict[str, str]

    def tokens(self) -> dict[str, Any]:
        return {"facilitator": self.facilitator, "observer": self.observer,
                "cells": dict(self.cells)}


@dataclass
class Snap:
    """Everything stored about an exercise, read in one transaction."""

    row: dict[str, Any]
    cells: dict[str, dict[str, Any]]
    moves: dict[str, dict[str, Any]]
    decisions: dict[str, dict[str, Any]]
    turns: list[dict[str, Any]]
    adhoc: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    notes: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def status(self) -> str:
        return str(self.row["status"])

    @property
    def turn(self) -> int:
        return int(self.row["turn"])

    @property
    def proposal(self) -> dict[str, Any] | None:
        p = self.row.get("proposal")
        return json.loads(p) if p else None

    @property
    def msel(self) -> dict[str, dict[str, Any]]:
        return dict(json.loads(self.row["msel"]))

    @property
    def kinds(self) -> dict[str, str]:
        return {a: c["kind"] for a, c in self.cells.items()}

    def humans(self) -> list[str]:
        return [a for a, c in self.cells.items() if c["kind"] == "human"]

    def base_sets(self) -> tuple[str, ...]:
        return tuple(json.loads(self.row["sets"]))

    def published_events(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for t in self.turns:
            out.extend(json.loads(t["events"]))
        return out

    def fired(self) -> dict[str, int]:
        """Injects released in published turns: id -> turn."""
        return {e["data"]["inject"]: int(e["turn"]) for e in self.published_events()
                if e["kind"] == "inject" and e.get("data", {}).get("inject")}


class Exercises:
    """The live exercises of one database (see the module docstring)."""

    def __init__(self, url: str | None = None, bus: Bus | None = None) -> None:
        self.runs = RunStore(url)
        self.url = self.runs.url
        self.engine = self.runs.engine
        if bus is None and self.engine.dialect.name == "postgresql":
            from whitecell.exercise.pgbus import PgBus

            bus = PgBus(self.url)  # notices reach the other processes on the database
        self.bus = bus or Bus()
        self._local: AbstractContextManager[Any] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext())

    def warm(self, xid: str) -> None:
        """Prepare the turn being played in the background (the first move is then quick)."""
        def run() -> None:
            try:
                snap = self.snapshot(xid)
                if self._in_play(snap):
                    T.look(self.setup(snap))
            except (ExerciseError, sa.exc.SQLAlchemyError):
                pass  # a request will compute it again and report the problem

        threading.Thread(target=run, daemon=True, name=f"warm-{xid}").start()

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def _write(self, xid: str, light: bool = False) -> Iterator[tuple[sa.Connection, Snap]]:
        """A transaction holding the exercise's write lock, with its fresh snapshot.

        SQLite has one writer per database: threads of this process queue on a
        lock of their own rather than on SQLite's busy handler, whose sleeps
        would add tens of milliseconds to a write under load. (On PostgreSQL a
        shared row lock per move write, with a lock per cell, was measured
        slower under bench_serve.py than this one exclusive row update: p95 238
        against 160 ms.)
        """
        with self._local, self.engine.begin() as conn:
            res = conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                               .values(rev=exercises_table.c.rev + 1, updated=_now()))
            if res.rowcount == 0:
                raise ExerciseError(f"no exercise {xid!r}", 404)
            yield conn, self._snap(conn, xid, light=light)

    def snapshot(self, xid: str) -> Snap:
        """The stored exercise (ExerciseError 404 if there is none)."""
        with self.engine.connect() as conn:
            return self._snap(conn, xid)

    def _snap(self, conn: sa.Connection, xid: str, light: bool = False,
              with_turns: bool = False) -> Snap:
        """The stored exercise; ``light``: only its row, cells and this turn's moves (and,
        ``with_turns``, the published turns: all :meth:`setup` reads)."""
        row = conn.execute(sa.select(exercises_table).where(exercises_table.c.id == xid)
                           ).mappings().first()
        if row is None:
            raise ExerciseError(f"no exercise {xid!r}", 404)
        r = dict(row)
        turn = int(r["turn"])
        cells = {c["actor"]: dict(c) for c in conn.execute(
            sa.select(cells_table).where(cells_table.c.exercise_id == xid)).mappings()}
        moves = {}
        for m in conn.execute(sa.select(moves_table).where(
                (moves_table.c.exercise_id == xid) & (moves_table.c.turn == turn))).mappings():
            d = dict(m)
            d["actions"] = json.loads(d["actions"])
            moves[d["actor"]] = d
        turns: list[dict[str, Any]] = []
        if not light or with_turns:
            turns = [dict(t) for t in conn.execute(
                sa.select(turns_table).where(turns_table.c.exercise_id == xid)
                .order_by(turns_table.c.turn)).mappings()]
        if light:
            return Snap(row=r, cells=cells, moves=moves, decisions={}, turns=turns, adhoc=[],
                        messages=[], notes=[])
        decisions = {d["ruling"]: dict(d) for d in conn.execute(
            sa.select(decisions_table).where((decisions_table.c.exercise_id == xid)
                                             & (decisions_table.c.turn == turn))).mappings()}

        def rows(table: sa.Table, json_cols: Sequence[str]) -> list[dict[str, Any]]:
            out = []
            for x in conn.execute(sa.select(table).where(table.c.exercise_id == xid)
                                  .order_by(table.c.id)).mappings():
                d = dict(x)
                for c in json_cols:
                    d[c] = json.loads(d[c])
                out.append(d)
            return out

        return Snap(row=r, cells=cells, moves=moves, decisions=decisions, turns=turns,
                    adhoc=rows(injects_table, ["recipients"]),
                    messages=rows(messages_table, ["recipients"]),
                    notes=rows(notes_table, ["fields"]))

    def _audit(self, conn: sa.Connection, snap: Snap, role: Role, what: str,
               **detail: Any) -> None:
        conn.execute(audit_table.insert().values(
            exercise_id=snap.id, at=_now(), turn=snap.turn, role=role.label, action=what,
            detail=json.dumps(detail, sort_keys=True, default=str)))

    def _notify(self, xid: str, notice: dict[str, Any], audiences: Sequence[str]) -> None:
        self.bus.publish(xid, {"exercise": xid, **notice}, audiences)

    def scenario(self, snap: Snap) -> Any:
        """The scenario as written (excursion and the creator's sets, no MSEL changes)."""
        return T.scenario_of(snap.row["scenario_ref"], snap.row["excursion"],
                             snap.base_sets()).scenario

    def setup(self, snap: Snap) -> T.Setup:
        """The engine's view of the exercise: what the game at this turn is built from."""
        sets = snap.base_sets() + msel_ops.msel_sets(snap.msel, self.scenario(snap))
        history = tuple(json.loads(t["moves"]) for t in snap.turns)
        overrides = tuple(o for t in snap.turns for o in json.loads(t["overrides"]))
        return T.Setup(ref=snap.row["scenario_ref"], excursion=snap.row["excursion"],
                       sets=sets, seed=int(snap.row["seed"]), kinds=snap.kinds,
                       history=history, overrides=overrides)

    @staticmethod
    def _white(role: Role) -> None:
        if not role.is_white:
            raise ExerciseError("only the white cell may do this", 403)

    def _in_play(self, snap: Snap) -> bool:
        """A turn is being played (not yet published) and the game has not ended."""
        return snap.status in (Status.RUNNING, Status.PAUSED, Status.ADJUDICATING)

    # ------------------------------------------------------------------ tokens
    def console_token(self, token: str | None = None) -> str:
        """Set the server's own token (a new random one unless given); returns it."""
        token = token or new_token()
        with self.engine.begin() as conn:
            conn.execute(server_table.delete().where(server_table.c.key == "console_hash"))
            conn.execute(server_table.insert().values(key="console_hash",
                                                      value=token_hash(token)))
        return token

    def server_secret(self) -> bytes:
        """A random secret kept in the database (signs CSRF tokens across restarts)."""
        with self.engine.begin() as conn:
            v = conn.execute(sa.select(server_table.c.value)
                             .where(server_table.c.key == "secret")).scalar()
            if v is None:
                v = secrets.token_hex(32)
                conn.execute(server_table.insert().values(key="secret", value=v))
        return bytes.fromhex(str(v))

    def _console_hash(self, conn: sa.Connection) -> str:
        v = conn.execute(sa.select(server_table.c.value)
                         .where(server_table.c.key == "console_hash")).scalar()
        return str(v or "")

    def is_console(self, token: str | None) -> bool:
        """True when ``token`` is the server's own token."""
        if not token:
            return False
        with self.engine.connect() as conn:
            stored = self._console_hash(conn)
        return bool(stored) and same_hash(token_hash(token), stored)

    def authenticate(self, xid: str, token: str | None) -> Role:
        """The role ``token`` holds in exercise ``xid``.

        401: no token, or a token nobody issued; 404: no such exercise; 403: a
        token of another exercise. Every candidate is compared in constant time.
        """
        if not token:
            raise ExerciseError("no token: send 'Authorization: Bearer TOKEN'", 401)
        h = token_hash(token)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(exercises_table.c.facilitator_hash,
                                         exercises_table.c.observer_hash)
                               .where(exercises_table.c.id == xid)).first()
            console = self._console_hash(conn)
            if row is None:
                if not self._known(conn, h, console):
                    raise ExerciseError("unknown token", 401)
                raise ExerciseError(f"no exercise {xid!r}", 404)
            cells = conn.execute(sa.select(cells_table.c.actor, cells_table.c.token_hash)
                                 .where(cells_table.c.exercise_id == xid)).all()
            found: Role | None = None
            for candidate, role in ((console, Role(CONSOLE)), (row[0], Role(FACILITATOR)),
                                    (row[1], Role(OBSERVER)),
                                    *((c.token_hash, Role(CELL, c.actor)) for c in cells)):
                if candidate and same_hash(h, candidate) and found is None:
                    found = role
            if found is not None:
                return found
            if self._known(conn, h, console):
                raise ExerciseError("this token belongs to another exercise", 403)
        raise ExerciseError("unknown token", 401)

    def locate(self, token: str | None) -> tuple[str | None, Role | None]:
        """Which exercise and role a token opens: ``(None, console)`` for the server's token.

        ``(None, None)`` when the token opens nothing.
        """
        if not token:
            return None, None
        if self.is_console(token):
            return None, Role(CONSOLE)
        h = token_hash(token)
        with self.engine.connect() as conn:
            xid = conn.execute(sa.select(exercises_table.c.id).where(
                (exercises_table.c.facilitator_hash == h)
                | (exercises_table.c.observer_hash == h)).limit(1)).scalar()
            if xid is None:
                xid = conn.execute(sa.select(cells_table.c.exercise_id)
                                   .where(cells_table.c.token_hash == h).limit(1)).scalar()
        if xid is None:
            return None, None
        return str(xid), self.authenticate(str(xid), token)

    @staticmethod
    def _known(conn: sa.Connection, h: str, console: str) -> bool:
        if console and same_hash(h, console):
            return True
        if conn.execute(sa.select(exercises_table.c.id).where(
                (exercises_table.c.facilitator_hash == h)
                | (exercises_table.c.observer_hash == h)).limit(1)).first():
            return True
        return conn.execute(sa.select(cells_table.c.actor)
                            .where(cells_table.c.token_hash == h).limit(1)).first() is not None

    # ------------------------------------------------------------------ create
    def create(self, scenario: str, *, excursion: str | None = None, seed: int = 0,
               cells: Mapping[str, str] | None = None, sets: Sequence[str] = (),
               start: bool = False, role: Role = Role(CONSOLE)) -> Created:
        """A new exercise of ``scenario``; ``cells`` maps actor -> human|doctrine|strategic.

        Actors not named play the scenario's own AI. With ``start`` the first
        turn begins at once; otherwise the exercise waits in ``draft``.
        """
        if not isinstance(scenario, str) or not scenario:
            raise ExerciseError("scenario must be a scenario id or file", 422)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise ExerciseError(f"seed must be a whole number from 0 to {MAX_SEED}", 422)
        res = T.scenario_of(scenario, excursion, tuple(sets))
        sc = res.scenario
        given = {str(a).upper(): k for a, k in (cells or {}).items()}
        unknown = sorted(set(given) - set(sc.actor_ids))
        if unknown:
            raise ExerciseError(f"unknown actor {unknown[0]!r} in cells (this scenario has "
                                f"{', '.join(sc.actor_ids)})", 422)
        kinds = {}
        for a in sc.actor_ids:
            k = given.get(a, sc.actor(a).policy)
            if a in given and k not in T.ALL_KINDS:
                raise ExerciseError(f"cells.{a}: {k!r} is not a cell kind (expected one of "
                                    f"{', '.join(T.cell_kinds())})", 422)
            if k == "llm" and T.llm_setup() is None:
                raise ExerciseError(f"cells.{a}: this server has no language model (start it "
                                    "with whitecell serve --llm-url URL --llm-model NAME)", 422)
            kinds[a] = k
        xid = "x-" + secrets.token_hex(6)
        tokens = {a: new_token() for a in sc.actor_ids if kinds[a] == "human"}
        fac, obs = new_token(), new_token()
        now = _now()
        ref = stored_ref(scenario)
        run_id = "r-" + secrets.token_hex(8)
        first = T.published(T.Setup(ref=scenario, excursion=excursion, sets=tuple(sets),
                                    seed=seed, kinds=kinds))
        first.fixed_id = run_id
        with self.engine.begin() as conn:
            conn.execute(exercises_table.insert().values(
                id=xid, rev=0, scenario_ref=ref, scenario_title=sc.title, excursion=excursion,
                sets=json.dumps(list(sets)), seed=seed,
                status=Status.RUNNING if start else Status.DRAFT, turn=1,
                run_id=run_id, msel="{}", proposal=None, deadline=None,
                warning_minutes=2, facilitator_hash=token_hash(fac),
                observer_hash=token_hash(obs), created=now, updated=now))
            for a in sc.actor_ids:
                conn.execute(cells_table.insert().values(
                    exercise_id=xid, actor=a, kind=kinds[a],
                    token_hash=token_hash(tokens[a]) if a in tokens else token_hash(new_token())))
            conn.execute(audit_table.insert().values(
                exercise_id=xid, at=now, turn=1, role=role.label, action="create",
                detail=json.dumps({"scenario": ref, "excursion": excursion, "seed": seed,
                                   "cells": kinds, "started": start}, sort_keys=True)))
            self.runs.save_in(conn, first.record())
        if start:
            self.warm(xid)
        return Created(id=xid, facilitator=fac, observer=obs, cells=tokens)

    def find(self, ref: str) -> str | None:
        """The exercise named by its id or by its run id (a unique prefix), else None."""
        with self.engine.connect() as conn:
            if conn.execute(sa.select(exercises_table.c.id)
                            .where(exercises_table.c.id == ref)).first():
                return ref
        try:
            run_id = self.runs.resolve_id(ref)
        except StoreError:  # not a run either
            return None
        with self.engine.connect() as conn:
            v = conn.execute(sa.select(exercises_table.c.id)
                             .where(exercises_table.c.run_id == run_id)).scalar()
        return str(v) if v else None

    def index(self) -> list[dict[str, Any]]:
        """Every exercise of the database, newest first (for the white cell's console)."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(
                sa.select(exercises_table.c.id, exercises_table.c.scenario_title,
                          exercises_table.c.status, exercises_table.c.turn,
                          exercises_table.c.created)
                .order_by(exercises_table.c.created.desc())).mappings()]

    def reissue(self, xid: str, role: Role) -> Created:
        """New tokens for every role of the exercise (the old ones stop working).

        The white cell uses this to get invite links again: tokens are stored
        only as hashes, so lost links cannot be shown, only replaced.
        """
        self._white(role)
        with self._write(xid) as (conn, snap):
            fac, obs = new_token(), new_token()
            cells = {a: new_token() for a in snap.humans()}
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid).values(
                facilitator_hash=token_hash(fac), observer_hash=token_hash(obs)))
            for a, tok in cells.items():
                conn.execute(cells_table.update().where(
                    (cells_table.c.exercise_id == xid) & (cells_table.c.actor == a)
                ).values(token_hash=token_hash(tok)))
            self._audit(conn, snap, role, "reissue_tokens")
        return Created(id=xid, facilitator=fac, observer=obs, cells=cells)

    # ------------------------------------------------------------------ status
    def _status(self, xid: str, role: Role, new: Status, what: str,
                **values: Any) -> dict[str, Any]:
        self._white(role)
        with self._write(xid) as (conn, snap):
            check_transition(snap.status, new, what)
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                         .values(status=new.value, **values))
            self._audit(conn, snap, role, what, status=new.value)
        self._notify(xid, {"type": "status", "status": new.value, "turn": snap.turn}, ["*"])
        if new == Status.RUNNING:
            self.warm(xid)
        return {"status": new.value, "turn": snap.turn}

    def start(self, xid: str, role: Role) -> dict[str, Any]:
        """Begin turn 1 (draft -> running)."""
        self._white(role)
        return self._status(xid, role, Status.RUNNING, "start") if \
            self.snapshot(xid).status == Status.DRAFT else self._refuse(xid, "start")

    def _refuse(self, xid: str, what: str) -> dict[str, Any]:
        raise ExerciseError(f"cannot {what}: the exercise is {self.snapshot(xid).status}", 409)

    def pause(self, xid: str, role: Role) -> dict[str, Any]:
        """Stop the clock; cells cannot submit until resumed."""
        self._white(role)
        snap = self.snapshot(xid)
        if snap.status != Status.RUNNING:
            return self._refuse(xid, "pause")
        extra: dict[str, Any] = {}
        dl = snap.row.get("deadline")
        if dl and not dl.startswith("P"):
            left = max(0.0, (_parse_time(dl) - datetime.now(UTC)).total_seconds())
            extra["deadline"] = f"P{left:.0f}"
        return self._status(xid, role, Status.PAUSED, "pause", **extra)

    def resume(self, xid: str, role: Role) -> dict[str, Any]:
        """Carry on after a pause (the clock resumes with the time that was left)."""
        self._white(role)
        snap = self.snapshot(xid)
        if snap.status != Status.PAUSED:
            return self._refuse(xid, "resume")
        extra: dict[str, Any] = {}
        dl = snap.row.get("deadline")
        if dl and dl.startswith("P"):
            extra["deadline"] = (datetime.now(UTC) + timedelta(seconds=float(dl[1:]))
                                 ).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return self._status(xid, role, Status.RUNNING, "resume", **extra)

    def set_clock(self, xid: str, role: Role, minutes: float | None,
                  warning_minutes: int = 2, at_deadline: str = "warn") -> dict[str, Any]:
        """Set the turn's deadline ``minutes`` from now (None clears it).

        ``at_deadline`` says what happens when it passes: ``warn`` (the clock
        shows it; moves stay open until the white cell adjudicates), ``close``
        (moves close: a cell that has not moved waits) or ``adjudicate`` (moves
        close and the turn is tried at once, the rulings waiting for the white
        cell's decisions as if it had pressed "Adjudicate").
        """
        self._white(role)
        if at_deadline not in AT_DEADLINE:
            raise ExerciseError(f"at_deadline must be one of {', '.join(AT_DEADLINE)}", 422)
        if minutes is not None and (isinstance(minutes, bool) or
                                    not isinstance(minutes, int | float) or
                                    not 0 < minutes <= 24 * 60):
            raise ExerciseError("minutes must be a number from 0 to 1440", 422)
        if not isinstance(warning_minutes, int) or not 0 <= warning_minutes <= 120:
            raise ExerciseError("warning_minutes must be a whole number from 0 to 120", 422)
        with self._write(xid) as (conn, snap):
            if not self._in_play(snap):
                raise ExerciseError(f"no turn is being played (the exercise is {snap.status})",
                                    409)
            dl = None if minutes is None else (
                datetime.now(UTC) + timedelta(minutes=float(minutes))
            ).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            if minutes is not None and snap.status == Status.PAUSED:
                dl = f"P{float(minutes) * 60:.0f}"
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                         .values(deadline=dl, warning_minutes=warning_minutes,
                                 at_deadline=at_deadline))
            self._audit(conn, snap, role, "clock", minutes=minutes, warning=warning_minutes,
                        at_deadline=at_deadline)
        self._notify(xid, {"type": "clock", "turn": snap.turn, "deadline": dl,
                           "at_deadline": at_deadline}, ["*"])
        return {"deadline": dl, "warning_minutes": warning_minutes, "at_deadline": at_deadline}

    def clock(self, snap: Snap) -> dict[str, Any] | None:
        """The turn clock: deadline, seconds left, and whether the warning is on."""
        dl = snap.row.get("deadline")
        if not dl:
            return None
        at = snap.row.get("at_deadline") or "warn"
        if dl.startswith("P"):
            left = float(dl[1:])
            return {"deadline": None, "seconds_left": left, "paused": True,
                    "warning_seconds": 60 * int(snap.row["warning_minutes"]),
                    "warning": left <= 60 * int(snap.row["warning_minutes"]),
                    "expired": False, "at_deadline": at}
        left = (_parse_time(dl) - datetime.now(UTC)).total_seconds()
        return {"deadline": dl, "seconds_left": max(0.0, round(left)), "paused": False,
                "warning_seconds": 60 * int(snap.row["warning_minutes"]),
                "warning": left <= 60 * int(snap.row["warning_minutes"]), "expired": left <= 0,
                "at_deadline": at}

    def moves_closed(self, snap: Snap) -> bool:
        """The deadline has passed and the clock was set to close the moves."""
        c = self.clock(snap)
        return bool(c and c.get("expired") and c["at_deadline"] in ("close", "adjudicate"))

    def apply_deadlines(self) -> list[str]:
        """Try the turn of every running exercise whose clock has run out with
        ``at_deadline="adjudicate"``; returns their ids. The server calls it every
        second; each is audited as the clock's act, and a white cell that
        adjudicated first simply wins the race."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(exercises_table.c.id, exercises_table.c.deadline)
                                .where((exercises_table.c.status == Status.RUNNING.value)
                                       & (exercises_table.c.at_deadline == "adjudicate")
                                       & exercises_table.c.deadline.is_not(None))).all()
        done = []
        for xid, dl in rows:
            if str(dl).startswith("P") or _parse_time(str(dl)) > now:
                continue
            try:
                self.adjudicate(xid, CLOCK_ROLE)
            except ExerciseError:
                continue  # the white cell moved first, or the turn changed
            done.append(str(xid))
        return done

    # ------------------------------------------------------------------ moves
    def look(self, xid: str) -> T.Look:
        """The turn being played, as the human cells see it (pictures, injects)."""
        snap = self.snapshot(xid)
        return T.look(self.setup(snap))

    def actions(self, xid: str, role: Role) -> dict[str, Any]:
        """The legal actions of the role's cell this turn, with their sensible targets."""
        if role.kind != CELL:
            raise ExerciseError("only a cell has actions: use that cell's token", 403)
        snap = self.snapshot(xid)
        if not self._in_play(snap):
            raise ExerciseError(f"no turn is being played (the exercise is {snap.status})", 409)
        pic = T.look(self.setup(snap)).pictures.get(str(role.actor))
        if pic is None:
            raise ExerciseError(f"{role.actor} is not a human cell", 403)
        cap = int(self.scenario(snap).parameters.action_cap)
        return {"turn": snap.turn, "actor": role.actor, "actions": pic["legal"],
                "action_cap": cap,
                "supporting": [a["id"] for a in pic["legal"] if a["id"] in SUPPORTING]
                if cap > 1 else []}

    def submit_move(self, xid: str, role: Role, actor: str, actions: Any,
                    rationale: Any) -> dict[str, Any]:
        """Store (or revise) ``actor``'s move for the turn being played.

        ``actions`` is a list of action ids or ``{"action", "target"}``: the
        move's main effort first, then up to ``parameters.action_cap - 1``
        supporting actions (non-violent signals no model rules; the scenario's
        cap is 1 unless it says otherwise: docs/decisions/0004).
        """
        if role.kind != CELL or role.actor != actor:
            raise ExerciseError(f"only {actor}'s own token may submit its move", 403)
        if not isinstance(actions, list) or not actions:
            raise ExerciseError("actions must be a non-empty list of actions", 422)
        parsed = []
        for a0 in actions:
            if isinstance(a0, str):
                a0 = {"action": a0}
            if not isinstance(a0, dict) or set(a0) - {"action", "target"} or "action" not in a0:
                raise ExerciseError("each action is an action id or {\"action\": ID, "
                                    "\"target\": ACTOR}", 422)
            if a0.get("target") is not None and not isinstance(a0["target"], str):
                raise ExerciseError("target must be an actor id", 422)
            parsed.append(a0)
        text = _text(rationale, "rationale", required=False)
        with self.engine.connect() as conn:  # what the move is checked against, no more
            snap = self._snap(conn, xid, light=True, with_turns=True)
        cap = int(self.scenario(snap).parameters.action_cap)
        if len(parsed) > cap:
            raise ExerciseError(
                f"at most {cap} action{'s' if cap > 1 else ''} per move in this scenario "
                f"(parameters.action_cap = {cap}: the main effort"
                + (f" and up to {cap - 1} supporting actions" if cap > 1 else "")
                + "; docs/decisions/0004-one-move-per-cell-per-turn.md)", 422)
        if snap.status != Status.RUNNING:
            raise ExerciseError(f"moves are not open: the exercise is {snap.status}", 409)
        if self.moves_closed(snap):
            raise ExerciseError("moves are closed: the turn's deadline has passed (a cell "
                                "without a move waits this turn)", 409)
        pic = T.look(self.setup(snap)).pictures.get(actor)
        if pic is None:
            raise ExerciseError(f"{actor} is not a human cell", 403)
        checked = [T.check_move(pic, {"action": a0["action"], "target": a0["target"].upper()
                                      if a0.get("target") else None}) for a0 in parsed]
        T.check_support(checked)
        move = checked[0]
        with self._write(xid, light=True) as (conn, snap2):
            if snap2.status != Status.RUNNING or snap2.turn != snap.turn:
                raise ExerciseError(f"moves are not open: the exercise is {snap2.status}", 409)
            prev = snap2.moves.get(actor)
            rev = (int(prev["revision"]) + 1) if prev else 1
            values = dict(actions=json.dumps(checked), rationale=text, revision=rev,
                          submitted=_now())
            if prev:
                conn.execute(moves_table.update().where(
                    (moves_table.c.exercise_id == xid) & (moves_table.c.turn == snap.turn)
                    & (moves_table.c.actor == actor)).values(**values))
            else:
                conn.execute(moves_table.insert().values(exercise_id=xid, turn=snap.turn,
                                                         actor=actor, **values))
            self._audit(conn, snap2, role, "move", actor=actor, revision=rev,
                        action=move["action"], target=move["target"])
        out = {"turn": snap.turn, "actor": actor, "actions": checked, "rationale": text,
               "revision": rev, "submitted": values["submitted"]}
        self._notify(xid, {"type": "move", "turn": snap.turn, "actor": actor, "revision": rev,
                           "submitted": values["submitted"]},
                     ["white", f"cell:{actor}"])
        return out

    def get_move(self, xid: str, role: Role, actor: str) -> dict[str, Any]:
        """The stored move of ``actor`` this turn (its own token or the white cell's)."""
        if not (role.is_white or (role.kind == CELL and role.actor == actor)):
            raise ExerciseError(f"only {actor}'s own token or the white cell may read its move",
                                403)
        snap = self.snapshot(xid)
        if actor not in snap.cells:
            raise ExerciseError(f"no cell {actor!r} in this exercise", 404)
        m = snap.moves.get(actor)
        if m is None:
            raise ExerciseError(f"{actor} has no move for turn {snap.turn} yet", 404)
        return {"turn": snap.turn, "actor": actor, "actions": m["actions"],
                "rationale": m["rationale"], "revision": m["revision"],
                "submitted": m["submitted"]}

    @staticmethod
    def _engine_moves(snap: Snap) -> dict[str, dict[str, Any]]:
        out = {}
        for a, m in snap.moves.items():
            mv = dict(m["actions"][0])
            mv["rationale"] = m["rationale"] or None
            if len(m["actions"]) > 1:
                mv["support"] = [dict(x) for x in m["actions"][1:]]
            out[a] = mv
        return out

    # ------------------------------------------------------------------ adjudication
    def _overrides(self, snap: Snap, decisions: Mapping[str, Mapping[str, Any]]) -> list[str]:
        return [T.override_text(snap.turn, rid, float(d["draw"]))
                for rid, d in sorted(decisions.items())
                if d["draw"] is not None and d["decision"] != "accept"]

    def _proposal(self, snap: Snap, decisions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        setup = self.setup(snap)
        overrides = self._overrides(snap, decisions)
        tr = T.trial(setup, self._engine_moves(snap), overrides)
        for r in tr.rulings:
            d = decisions.get(r["id"])
            r["decision"] = ({"decision": d["decision"], "draw": d["draw"], "reason": d["reason"]}
                             if d else None)
        return {"turn": tr.turn, "moves": tr.moves, "events": tr.events, "rulings": tr.rulings,
                "overrides": overrides, "finished": tr.finished, "options": {}}

    def adjudicate(self, xid: str, role: Role) -> dict[str, Any]:
        """Freeze the moves and try the turn: the proposed moves and rulings."""
        self._white(role)
        snap = self.snapshot(xid)
        check_transition(snap.status, Status.ADJUDICATING, "adjudicate")
        prop = self._proposal(snap, snap.decisions)
        with self._write(xid) as (conn, snap2):
            check_transition(snap2.status, Status.ADJUDICATING, "adjudicate")
            if canonical_json(snap2.moves) != canonical_json(snap.moves):
                prop = self._proposal(snap2, snap2.decisions)
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid).values(
                status=Status.ADJUDICATING.value, proposal=json.dumps(prop)))
            self._audit(conn, snap2, role, "adjudicate", rulings=len(prop["rulings"]))
        self._notify(xid, {"type": "status", "status": "adjudicating", "turn": snap.turn}, ["*"])
        return prop

    def reopen(self, xid: str, role: Role) -> dict[str, Any]:
        """Back from adjudication to the cells: moves may be revised again."""
        return self._status(xid, role, Status.RUNNING, "reopen", proposal=None)

    def proposal(self, xid: str, role: Role) -> dict[str, Any]:
        """The proposed turn under adjudication (white cell only)."""
        self._white(role)
        snap = self.snapshot(xid)
        p = snap.proposal
        if snap.status != Status.ADJUDICATING or p is None:
            raise ExerciseError(f"no turn under adjudication (the exercise is {snap.status})", 409)
        return p

    def ruling_options(self, xid: str, role: Role, rid: str) -> list[dict[str, Any]]:
        """The results ruling ``rid`` can take, each with the draw that gives it."""
        prop = self.proposal(xid, role)
        if rid in prop.get("options", {}):
            return list(prop["options"][rid])
        ruling = next((r for r in prop["rulings"] if r["id"] == rid), None)
        if ruling is None:
            raise ExerciseError(f"no ruling {rid!r} in the proposed turn", 404)
        if not ruling["overridable"]:
            raise ExerciseError(f"ruling {rid} is not a chance outcome with a named draw; it "
                                "can only be accepted", 422)
        snap = self.snapshot(xid)
        opts = T.probe(self.setup(snap), self._engine_moves(snap),
                       self._overrides(snap, snap.decisions), rid)
        with self._write(xid) as (conn, snap2):
            p2 = snap2.proposal
            if p2 is not None and snap2.status == Status.ADJUDICATING:
                p2.setdefault("options", {})[rid] = opts
                conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                             .values(proposal=json.dumps(p2)))
        return opts

    def decide(self, xid: str, role: Role, rid: str, decision: str, *,
               draw: float | None = None, result: Any = None, reason: str | None = None
               ) -> dict[str, Any]:
        """The white cell's decision on a proposed ruling; returns the new proposal.

        ``accept`` keeps the dice; ``reroll`` draws anew; ``override_draw`` sets
        the draw; ``override_result`` sets the draw that gives ``result`` (one of
        :meth:`ruling_options`). Re-rolls and overrides need a written reason.
        """
        self._white(role)
        if decision not in DECISIONS:
            raise ExerciseError(f"decision must be one of {', '.join(DECISIONS)}", 422)
        why = _text(reason, "reason", required=decision != "accept")
        prop = self.proposal(xid, role)
        ruling = next((r for r in prop["rulings"] if r["id"] == rid), None)
        if ruling is None:
            raise ExerciseError(f"no ruling {rid!r} in the proposed turn", 404)
        if decision != "accept" and not ruling["overridable"]:
            raise ExerciseError(f"ruling {rid} has no named draw to re-roll or override; it "
                                "can only be accepted", 422)
        value: float | None = None
        if decision == "reroll":
            value = round(secrets.SystemRandom().random(), 6)
        elif decision == "override_draw":
            if isinstance(draw, bool) or not isinstance(draw, int | float) or \
                    not 0.0 <= float(draw) < 1.0:
                raise ExerciseError("draw must be a number in [0, 1)", 422)
            value = float(draw)
        elif decision == "override_result":
            opts = self.ruling_options(xid, role, rid)
            pick = next((o for o in opts if canonical_json(o["result"]) == canonical_json(result)),
                        None)
            if pick is None:
                raise ExerciseError(f"result {json.dumps(result)} is not one ruling {rid} can "
                                    "take (see its options)", 422)
            value = float(pick["draw"])
        snap = self.snapshot(xid)
        decisions = dict(snap.decisions)
        row = {"decision": decision, "draw": value, "reason": why, "decided": _now()}
        decisions[rid] = row
        new = self._proposal(snap, decisions)
        with self._write(xid) as (conn, snap2):
            if snap2.status != Status.ADJUDICATING or snap2.turn != snap.turn:
                raise ExerciseError(f"no turn under adjudication (the exercise is "
                                    f"{snap2.status})", 409)
            conn.execute(decisions_table.delete().where(
                (decisions_table.c.exercise_id == xid) & (decisions_table.c.turn == snap.turn)
                & (decisions_table.c.ruling == rid)))
            conn.execute(decisions_table.insert().values(exercise_id=xid, turn=snap.turn,
                                                         ruling=rid, **row))
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                         .values(proposal=json.dumps(new)))
            self._audit(conn, snap2, role, decision, ruling=rid, draw=value, reason=why,
                        was=ruling.get("result"))
        self._notify(xid, {"type": "ruling", "turn": snap.turn, "ruling": rid,
                           "decision": decision}, ["white"])
        return new

    def publish(self, xid: str, role: Role, advance: bool = False) -> dict[str, Any]:
        """Publish the adjudicated turn (and the run record); with ``advance``, start the next.

        The turn is rebuilt from scratch as a replay would, and must give the
        events the white cell reviewed.
        """
        self._white(role)
        snap = self.snapshot(xid)
        check_transition(snap.status, Status.PUBLISHED, "publish")
        prop = snap.proposal
        if prop is None:
            raise ExerciseError("nothing to publish: adjudicate first", 409)
        setup = self.setup(snap)
        s = T.canonical(setup, prop["moves"], prop["overrides"])
        events = [e.to_dict() for e in s.game.events if e.turn == snap.turn]
        if canonical_json(events) != canonical_json(prop["events"]):
            raise ExerciseError("the turn did not replay to the proposed rulings; adjudicate "
                                "again", 409)
        s.fixed_id = snap.row["run_id"]
        rec: RunRecord = s.record()
        finished = s.game.finished or snap.turn >= self.scenario(snap).max_turns
        new = Status.ENDED if finished else (Status.RUNNING if advance else Status.PUBLISHED)
        with self._write(xid) as (conn, snap2):
            check_transition(snap2.status, Status.PUBLISHED, "publish")
            if snap2.row["proposal"] != snap.row["proposal"]:
                raise ExerciseError("the proposal changed while publishing; publish again", 409)
            conn.execute(turns_table.insert().values(
                exercise_id=xid, turn=snap.turn, moves=json.dumps(prop["moves"]),
                overrides=json.dumps(prop["overrides"]), events=json.dumps(events),
                published=_now()))
            values: dict[str, Any] = {"status": new.value, "proposal": None}
            if new == Status.RUNNING:
                values.update(turn=snap.turn + 1, deadline=None)
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                         .values(**values))
            self.runs.save_in(conn, rec)
            self._audit(conn, snap2, role, "publish", overrides=prop["overrides"],
                        finished=finished)
        self._notify(xid, {"type": "published", "turn": snap.turn, "status": new.value}, ["*"])
        if new == Status.RUNNING:
            self.warm(xid)
        return {"turn": snap.turn, "status": new.value, "next_turn": snap.turn + 1
                if new == Status.RUNNING else None, "run_id": rec.run_id, "finished": finished}

    def advance(self, xid: str, role: Role) -> dict[str, Any]:
        """Start the next turn after a published one."""
        self._white(role)
        snap = self.snapshot(xid)
        if snap.status != Status.PUBLISHED:
            return self._refuse(xid, "advance")
        return self._status(xid, role, Status.RUNNING, "advance", turn=snap.turn + 1,
                            deadline=None)

    def end(self, xid: str, role: Role) -> dict[str, Any]:
        """End the exercise (a turn not yet published is dropped)."""
        return self._status(xid, role, Status.ENDED, "end", proposal=None, deadline=None)

    # ------------------------------------------------------------------ injects
    def msel(self, xid: str, role: Role, inject: str, op: str,
             at: int | None = None) -> dict[str, Any]:
        """Release, hold, disable, enable or reschedule a scenario inject."""
        self._white(role)
        with self._write(xid) as (conn, snap):
            if snap.status in (Status.ENDED, Status.ADJUDICATING):
                raise ExerciseError(f"the MSEL cannot change now: the exercise is {snap.status}"
                                    + (" (reopen the turn first)"
                                       if snap.status == Status.ADJUDICATING else ""), 409)
            turn = snap.turn + (1 if snap.status == Status.PUBLISHED else 0)
            new = msel_ops.apply_operation(snap.msel, self.scenario(snap), inject, op, turn,
                                           set(snap.fired()), at)
            conn.execute(exercises_table.update().where(exercises_table.c.id == xid)
                         .values(msel=json.dumps(new, sort_keys=True)))
            self._audit(conn, snap, role, "msel_" + op, inject=inject, turn=at)
        self._notify(xid, {"type": "inject", "turn": snap.turn}, ["*"])
        return new.get(inject, {"status": "scheduled"})

    def _recipients(self, snap: Snap, to: Any) -> Any:
        if to in (None, "all"):
            return "all"
        if not isinstance(to, list) or not to or not all(isinstance(a, str) for a in to):
            raise ExerciseError("to must be \"all\" or a list of actor ids", 422)
        out = sorted({a.upper() for a in to})
        bad = [a for a in out if a not in snap.cells]
        if bad:
            raise ExerciseError(f"unknown actor {bad[0]!r} (this exercise has "
                                f"{', '.join(snap.cells)})", 422)
        return out

    def adhoc_inject(self, xid: str, role: Role, title: Any, text: Any,
                     to: Any = "all") -> dict[str, Any]:
        """Write an inject on the spot and deliver it to all or chosen cells now."""
        self._white(role)
        title = _text(title, "title", MAX_TITLE)
        body = _text(text, "text")
        with self._write(xid) as (conn, snap):
            if snap.status in (Status.ENDED, Status.DRAFT):
                raise ExerciseError(f"no inject now: the exercise is {snap.status}", 409)
            rec = self._recipients(snap, to)
            res = conn.execute(injects_table.insert().values(
                exercise_id=xid, turn=snap.turn, title=title, text=body,
                recipients=json.dumps(rec), created=_now()))
            iid = _new_id(res)
            self._audit(conn, snap, role, "adhoc_inject", id=iid, to=rec)
        aud = ["*"] if rec == "all" else ["white", *(f"cell:{a}" for a in rec)]
        self._notify(xid, {"type": "inject", "turn": snap.turn, "id": iid}, aud)
        return {"id": iid, "turn": snap.turn, "title": title, "text": body, "recipients": rec}

    # ------------------------------------------------------------------ messages
    def send_message(self, xid: str, role: Role, to: Any, text: Any,
                     kind: str = "note") -> dict[str, Any]:
        """A message from a cell (to the white cell or to cells) or from the white cell.

        A cell's message to another cell is held until the white cell releases it.
        """
        if role.kind == OBSERVER:
            raise ExerciseError("observers do not send messages", 403)
        if kind not in MESSAGE_KINDS:
            raise ExerciseError(f"kind must be one of {', '.join(MESSAGE_KINDS)}", 422)
        body = _text(text, "message")
        with self._write(xid) as (conn, snap):
            if snap.status in (Status.ENDED, Status.DRAFT):
                raise ExerciseError(f"no messages now: the exercise is {snap.status}", 409)
            if to == "white":
                if role.is_white:
                    raise ExerciseError("the white cell writes to cells, not to itself", 422)
                rec: list[str] = ["white"]
                status = "delivered"
            else:
                r = self._recipients(snap, to)
                rec = list(snap.cells) if r == "all" else list(r)
                if role.kind == CELL:
                    rec = [a for a in rec if a != role.actor]
                    if not rec:
                        raise ExerciseError("a message needs a recipient other than yourself",
                                            422)
                status = "delivered" if role.is_white else "held"
            res = conn.execute(messages_table.insert().values(
                exercise_id=xid, turn=snap.turn, sender=role.label, recipients=json.dumps(rec),
                kind=kind, text=body, status=status, created=_now()))
            mid = _new_id(res)
            self._audit(conn, snap, role, "message", id=mid, to=rec, status=status)
        aud = ["white"] + ([f"cell:{role.actor}"] if role.kind == CELL else [])
        if status == "delivered":
            aud += [f"cell:{a}" for a in rec if a != "white"]
        self._notify(xid, {"type": "message", "turn": snap.turn, "id": mid}, aud)
        return {"id": mid, "turn": snap.turn, "sender": role.label, "recipients": rec,
                "kind": kind, "text": body, "status": status}

    def release_message(self, xid: str, role: Role, mid: int) -> dict[str, Any]:
        """Deliver a held cell-to-cell message."""
        self._white(role)
        with self._write(xid) as (conn, snap):
            m = next((x for x in snap.messages if x["id"] == mid), None)
            if m is None:
                raise ExerciseError(f"no message {mid}", 404)
            if m["status"] != "held":
                raise ExerciseError(f"message {mid} is already {m['status']}", 409)
            conn.execute(messages_table.update().where(messages_table.c.id == mid)
                         .values(status="delivered"))
            self._audit(conn, snap, role, "release_message", id=mid)
        self._notify(xid, {"type": "message", "turn": snap.turn, "id": mid},
                     ["white", *(f"cell:{a}" for a in m["recipients"]),
                      f"cell:{m['sender']}"])
        return {"id": mid, "status": "delivered"}

    # ------------------------------------------------------------------ notes
    def add_note(self, xid: str, role: Role, kind: str, text: Any,
                 fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A hotwash note or improvement-plan item (white cell), an evaluator note (observer).

        An improvement-plan item carries ``finding`` (the text), and in
        ``fields``: ``recommendation``, ``owner``, ``due`` and ``capability``.
        """
        if kind not in NOTE_KINDS:
            raise ExerciseError(f"kind must be one of {', '.join(NOTE_KINDS)}", 422)
        if kind == "evaluator" and role.kind != OBSERVER and not role.is_white:
            raise ExerciseError("evaluator notes come from the observer link", 403)
        if kind != "evaluator" and not role.is_white:
            raise ExerciseError("only the white cell writes hotwash notes and the improvement "
                                "plan", 403)
        body = _text(text, "note")
        extra: dict[str, str] = {}
        if kind == "improvement":
            for k in ("recommendation", "owner", "due", "capability"):
                extra[k] = _text((fields or {}).get(k), k, 500, required=k == "recommendation")
        with self._write(xid) as (conn, snap):
            res = conn.execute(notes_table.insert().values(
                exercise_id=xid, turn=snap.turn, author="white" if role.is_white else "observer",
                kind=kind, text=body, fields=json.dumps(extra), created=_now()))
            nid = _new_id(res)
            self._audit(conn, snap, role, "note", id=nid, kind=kind)
        self._notify(xid, {"type": "note", "turn": snap.turn, "id": nid}, ["white", "observer"])
        return {"id": nid, "turn": snap.turn, "kind": kind, "text": body, "fields": extra}

    # ------------------------------------------------------------------ reading
    def audit(self, xid: str, role: Role, limit: int = 200) -> list[dict[str, Any]]:
        """The audit log, newest first (white cell only)."""
        self._white(role)
        with self.engine.connect() as conn:
            return [{**dict(r), "detail": json.loads(r["detail"])} for r in conn.execute(
                sa.select(audit_table).where(audit_table.c.exercise_id == xid)
                .order_by(audit_table.c.id.desc()).limit(limit)).mappings()]

    def game_day(self, snap: Snap, turn: int) -> str:
        """Game time of ``turn``: the scenario's day label, e.g. ``D+14``."""
        sc = self.scenario(snap)
        return f"{sc.turn.start_label}+{(turn - 1) * sc.turn.length_days:g}"

    def view(self, xid: str, role: Role) -> dict[str, Any]:
        """Everything ``role`` may see of the exercise now (see :mod:`.views`)."""
        snap = self.snapshot(xid)
        sc = self.scenario(snap)
        ids = sc.actor_ids
        pub = snap.published_events()
        out: dict[str, Any] = {
            "id": snap.id, "status": snap.status, "turn": snap.turn,
            "game_time": self.game_day(snap, snap.turn), "max_turns": sc.max_turns,
            "role": {"kind": role.kind if not role.is_white else "facilitator",
                     "actor": role.actor},
            "scenario": {"id": sc.id, "title": sc.title, "summary": sc.summary,
                         "briefing": sc.briefing, "theatre": sc.theatre,
                         "objective": sc.objective.description,
                         "challenger": sc.objective.actor,
                         "turn_days": sc.turn.length_days, "start_label": sc.turn.start_label,
                         "excursion": snap.row["excursion"]},
            "cells": [{"actor": a, "name": sc.actor(a).name, "cell": sc.actor(a).cell,
                       "kind": snap.cells[a]["kind"]} for a in ids],
            "clock": self.clock(snap),
            "action_cap": int(sc.parameters.action_cap),
            "published_turns": len(snap.turns),
            "timeline": views.redact_events(pub, role, ids),
            "chart": self._chart(pub, ids),
            "messages": [m for m in snap.messages if views.visible_message(m, role)],
            "adhoc_injects": [i for i in snap.adhoc if views.visible_inject(i, role)],
            "notes": [n for n in snap.notes if views.visible_note(n, role)],
        }
        in_play = self._in_play(snap) and len(snap.turns) == snap.turn - 1
        look = T.look(self.setup(snap)) if in_play else None
        if role.kind == CELL:
            me = str(role.actor)
            out["cell"] = {"actor": me, "name": sc.actor(me).name, "kind": snap.cells[me]["kind"]}
            out["picture"] = look.pictures.get(me) if look else None
            out["injects_now"] = views.redact_events(look.injects, role, ids) if look else []
            m = snap.moves.get(me)
            out["move"] = ({"actions": m["actions"], "rationale": m["rationale"],
                            "revision": m["revision"], "submitted": m["submitted"]}
                           if m else None)
            out["past_moves"] = [
                {"turn": t["turn"], **json.loads(t["moves"]).get(me, {})} for t in snap.turns]
        if role.is_white:
            out["moves"] = {a: {"actions": m["actions"], "rationale": m["rationale"],
                                "revision": m["revision"], "submitted": m["submitted"]}
                            for a, m in snap.moves.items()}
            out["submitted"] = {a: a in snap.moves for a in snap.humans()}
            out["proposal"] = snap.proposal if snap.status == Status.ADJUDICATING else None
            out["injects_now"] = look.injects if look else []
            out["msel"] = msel_ops.msel_rows(snap.msel, sc, snap.fired(),
                                             {e["data"]["inject"] for e in
                                              (look.injects if look else [])})
            out["connected"] = sorted(self.bus.audiences(xid))
            out["run_id"] = snap.row["run_id"]
            out["published_moves"] = [{"turn": t["turn"], "moves": json.loads(t["moves"]),
                                       "overrides": json.loads(t["overrides"])}
                                      for t in snap.turns]
        return out

    @staticmethod
    def _chart(events: Sequence[Mapping[str, Any]], ids: Sequence[str]) -> dict[str, Any]:
        turns: list[int] = []
        rungs: dict[str, list[int]] = {a: [] for a in ids}
        for e in events:
            if e["kind"] == "turn":
                turns.append(int(e["turn"]))
                for a in ids:
                    rungs[a].append(int((e["data"].get("rungs") or {}).get(a, 0)))
        return {"turns": turns, "rungs": rungs}

    def report_input(self, xid: str, role: Role) -> dict[str, Any]:
        """The run record of the published turns as the AAR takes it, redacted for ``role``."""
        snap = self.snapshot(xid)
        rec = self.runs.load(snap.row["run_id"])
        sc = self.scenario(snap)
        events = rec.events if role.is_white else views.redact_events(rec.events, role,
                                                                      sc.actor_ids)
        return rec.report_input(sc, events=events, redacted=not role.is_white)

    def run_record(self, xid: str) -> RunRecord | None:
        """The run record of the published turns (None before the first publication)."""
        snap = self.snapshot(xid)
        if not snap.turns:
            return None
        return self.runs.load(snap.row["run_id"])
