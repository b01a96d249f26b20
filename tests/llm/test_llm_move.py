"""The reply schema and its validation (whitecell.llm.move)."""

from __future__ import annotations

import json

import pytest

from whitecell.llm.move import ACTION_CAP, MenuItem, ReplyError, move_schema, parse_reply

MENU = [MenuItem("wait", ()), MenuItem("propose_talks", ("CHN",)),
        MenuItem("missile_strike", ("CHN", "RUS"))]


def _reply(**kw: object) -> str:
    base: dict[str, object] = {"reasoning": "r", "signal": "s", "signal_intent": "status_quo",
                               "actions": [{"action": "wait", "target": None}]}
    base.update(kw)
    return json.dumps(base)


def test_schema_lists_legal_ids_and_targets_as_enums_with_the_cap() -> None:
    s = move_schema(MENU)
    acts = s["properties"]["actions"]
    assert acts["maxItems"] == ACTION_CAP == 1 and acts["minItems"] == 1
    branches = acts["items"]["anyOf"]
    ids = [b["properties"]["action"]["enum"] for b in branches]
    assert ids == [["wait"], ["propose_talks"], ["missile_strike"]]
    assert branches[0]["properties"]["target"] == {"type": "null"}
    assert branches[2]["properties"]["target"] == {"enum": ["CHN", "RUS"]}
    assert s["additionalProperties"] is False
    assert set(s["required"]) == {"reasoning", "signal", "signal_intent", "actions"}


def test_a_legal_reply_parses() -> None:
    mv = parse_reply(_reply(actions=[{"action": "missile_strike", "target": "RUS"}],
                            signal_intent="violent_escalation"), MENU)
    assert mv.actions == (("missile_strike", "RUS"),)
    assert mv.signal_intent == "violent_escalation"


def test_a_fenced_reply_is_accepted() -> None:
    assert parse_reply("```json\n" + _reply() + "\n```", MENU).actions == (("wait", None),)


@pytest.mark.parametrize(("text", "says"), [
    ("I will wait.", "not JSON"),
    ("[1, 2]", "expected a JSON object"),
    (_reply(actions=[{"action": "nuclear_use", "target": "CHN"}]), "'nuclear_use' is not legal"),
    (_reply(actions=[{"action": "propose_talks", "target": "RUS"}]), "takes one of CHN"),
    (_reply(actions=[{"action": "wait", "target": "CHN"}]), "takes no target"),
    (_reply(actions=[{"action": "wait", "target": None}] * 2), "at most 1 allowed"),
    (_reply(actions=[]), "at least one action"),
    (_reply(signal_intent="peace"), "signal_intent 'peace'"),
    (_reply(signal=3), "signal: expected a string"),
    (_reply(extra=1), "unexpected field 'extra'"),
])
def test_an_invalid_reply_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ReplyError, match=says):
        parse_reply(text, MENU)
