"""The state machine: only the listed transitions, each refused with a 409."""

from __future__ import annotations

import pytest

from whitecell.exercise.states import TRANSITIONS, ExerciseError, Status, check_transition


def test_every_pair_is_allowed_or_refused_with_409() -> None:
    for cur in Status:
        for new in Status:
            if new in TRANSITIONS[cur]:
                check_transition(cur.value, new, "x")
            else:
                with pytest.raises(ExerciseError) as e:
                    check_transition(cur.value, new, "go")
                assert e.value.code == 409 and cur.value in e.value.message


def test_the_documented_cycle() -> None:
    path = [Status.DRAFT, Status.RUNNING, Status.PAUSED, Status.RUNNING, Status.ADJUDICATING,
            Status.PUBLISHED, Status.RUNNING, Status.ADJUDICATING, Status.RUNNING,
            Status.ADJUDICATING, Status.ENDED]
    for a, b in zip(path, path[1:], strict=False):
        assert b in TRANSITIONS[a], (a, b)
    assert not TRANSITIONS[Status.ENDED]
