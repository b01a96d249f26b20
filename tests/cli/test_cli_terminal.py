"""The human cell at the terminal: stable numbers, help, sensible targets, rationale."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console

from whitecell.record.session import start_session
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE
from whitecell.terminal import HumanPolicy, describe, parse_action, target_options
from whitecell.world.compile import World


class Script:
    """Answers the prompts in order, then ends the input like Ctrl-D."""

    def __init__(self, answers: list[str]) -> None:
        self.answers: Iterator[str] = iter(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        try:
            return next(self.answers)
        except StopIteration:
            raise EOFError from None


def _play(answers: list[str], actor: str = "JPN") -> tuple[str, Script, object]:
    buf = io.StringIO()
    console = Console(file=buf, width=200)  # markup on: the policy must not rely on it off
    script = Script(answers)
    s = start_session("taiwan-strait-crisis", seed=3,
                      humans={actor: HumanPolicy(actor, console, ask=script)})
    with pytest.raises(EOFError):
        s.game.play()
    return buf.getvalue(), script, s


def _table_numbers(text: str) -> list[dict[str, int]]:
    """Per printed 'Legal actions' table: action id -> number shown."""
    tables: list[dict[str, int]] = []
    for line in text.splitlines():
        if "Legal actions" in line:
            tables.append({})
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if tables and len(cells) >= 2 and cells[0].isdigit() and cells[1] in ACTION_INDEX:
            tables[-1][cells[1]] = int(cells[0])
    return tables


def test_action_numbers_are_catalogue_positions_every_turn() -> None:
    text, _, _ = _play(["wait", "", "", "wait", "", ""])
    tables = _table_numbers(text)
    assert len(tables) >= 3
    for table in tables:
        assert table and all(n == ACTION_INDEX[a] + 1 for a, n in table.items())


def test_number_picks_the_catalogue_action() -> None:
    n = ACTION_INDEX["diplomatic_message"] + 1
    _, _, s = _play([str(n), "", "", ""])
    moves = [e for e in s.game.events if e.kind == "move" and e.actor == "JPN"]
    assert moves and moves[0].data["action"] == "diplomatic_message"


def test_help_n_describes_a_move_in_one_line() -> None:
    n = ACTION_INDEX["military_exercise"] + 1
    text, script, _ = _play([f"help {n}", "help", "help nope", "[/x]"])
    assert f"{n} military_exercise (Large military exercise, rung 5, posturing): Show of force" \
        in text
    assert "no action 'nope'" in text and "not a legal action: '[/x]'" in text
    assert describe("military_exercise") == describe(str(n))
    assert len(describe(str(n)).splitlines()) == 1


def test_empty_rationale_is_asked_once_more() -> None:
    _, script, s = _play(["wait", "", "holding firm", "wait", "", ""])
    rationale_prompts = [p for p in script.prompts if "rationale" in p]
    assert len(rationale_prompts) == 4  # asked twice on each of two turns
    jpn = [d["JPN"] for d in s.game.decisions if "JPN" in d]
    assert jpn[0].get("rationale") == "holding firm"
    assert not jpn[1].get("rationale")


def test_parse_action_only_legal() -> None:
    legal = [0, 3]
    assert parse_action("1", legal) == 0 and parse_action("4", legal) == 3
    assert parse_action("2", legal) is None and parse_action("999", legal) is None
    assert parse_action(CATALOGUE[3].id, legal) == 3 and parse_action("[/x]", legal) is None


def test_cooperation_targets_partners_and_hostile_moves_adversaries(taiwan_world: World) -> None:
    w = taiwan_world
    usa = w.ids.index("USA")
    coop = target_options(w, usa, CATALOGUE[ACTION_INDEX["security_cooperation"]])
    arms = target_options(w, usa, CATALOGUE[ACTION_INDEX["supply_weapons"]])
    assert "CHN" not in coop and "CHN" not in arms
    assert {"JPN", "TWN"} <= set(coop) and "USA" not in coop
    strike = target_options(w, usa, CATALOGUE[ACTION_INDEX["missile_strike"]])
    assert strike == ["CHN"]


def test_cooperation_target_is_asked_among_partners() -> None:
    n = ACTION_INDEX["security_cooperation"] + 1
    text, script, s = _play([str(n), "CHN", "TWN", "coordinate", ""], actor="USA")
    target_prompts = [p for p in script.prompts if p.startswith("target")]
    assert target_prompts and "CHN" not in target_prompts[0]
    assert "not a target for security_cooperation: 'CHN'" in text
    moves = [e for e in s.game.events if e.kind == "move" and e.actor == "USA"]
    assert moves[0].data["target"] == "TWN"


def test_supporting_actions_are_asked_only_where_the_scenario_allows() -> None:
    buf = io.StringIO()
    console = Console(file=buf, width=200)
    # main: military exercise at CHN; support: a missile strike (refused), then bomber
    # flight at CHN; then the rationale
    script = Script(["military_exercise", "CHN", "missile_strike", "bomber_flight", "CHN",
                     "show of force"])
    s = start_session("taiwan-strait-crisis", seed=3, sets=("parameters.action_cap=2",),
                      humans={"USA": HumanPolicy("USA", console, ask=script)})
    with pytest.raises(EOFError):
        s.game.play()
    assert any(p.startswith("supporting action 1 of 1") for p in script.prompts)
    assert "not a supporting action now: 'missile_strike'" in buf.getvalue()
    moves = [e for e in s.game.events if e.kind == "move" and e.actor == "USA" and e.turn == 1]
    assert [m.data["action"] for m in moves] == ["military_exercise", "bomber_flight"]
    # at the default cap nobody is asked
    _, plain, _ = _play(["diplomatic_message", "CHN", "talk"], actor="USA")
    assert not any(p.startswith("supporting action") for p in plain.prompts)
