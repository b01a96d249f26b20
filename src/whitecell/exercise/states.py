"""The life of an exercise: which status may follow which, and who may act when.

    draft -> running <-> paused
    running -> adjudicating -> published -> running (next turn) ... -> ended
    adjudicating -> running (the white cell reopens the turn to revise moves)
    any status but ended -> ended (the white cell ends the exercise early)

Cells may submit or revise moves only while the exercise is ``running``;
the white cell decides rulings only while ``adjudicating``. Every transition
goes through :func:`check_transition`, so a front end cannot invent one.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Status of a live exercise."""

    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    ADJUDICATING = "adjudicating"
    PUBLISHED = "published"
    ENDED = "ended"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.RUNNING, Status.ENDED}),
    Status.RUNNING: frozenset({Status.PAUSED, Status.ADJUDICATING, Status.ENDED}),
    Status.PAUSED: frozenset({Status.RUNNING, Status.ENDED}),
    Status.ADJUDICATING: frozenset({Status.RUNNING, Status.PUBLISHED, Status.ENDED}),
    Status.PUBLISHED: frozenset({Status.RUNNING, Status.ENDED}),
    Status.ENDED: frozenset(),
}


class ExerciseError(Exception):
    """An operation the exercise refuses; ``code`` is the HTTP status a server answers.

    400-level codes only: 403 (role may not), 404 (no such thing), 409 (not
    now: wrong status), 422 (malformed or illegal input).
    """

    def __init__(self, message: str, code: int = 422) -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0])


def check_transition(current: str, new: Status, what: str) -> None:
    """Raise a 409 ExerciseError unless ``current`` may become ``new``."""
    cur = Status(current)
    if new not in TRANSITIONS[cur]:
        raise ExerciseError(f"cannot {what}: the exercise is {cur.value}", 409)
