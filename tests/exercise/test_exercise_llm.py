"""A language-model cell seated in a live exercise (real HTTP to a fake endpoint)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from whitecell.exercise import WHITE, ExerciseError, Exercises, Role
from whitecell.exercise import turn as T
from whitecell.exercise.tokens import CELL
from whitecell.llm.client import CompletionCache, LLMClient, OpenAIBackend
from whitecell.llm.endpoint import Endpoint
from whitecell.policies import LLMSetup
from whitecell.record.session import replay

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))
from fake_server import FakeServer  # noqa: E402


@pytest.fixture
def seated(tmp_path: Path) -> Iterator[FakeServer]:
    with FakeServer() as srv:
        ep = Endpoint(url=srv.url, model="fake")
        T.configure_llm(LLMSetup(ep, LLMClient(OpenAIBackend(ep),
                                               cache=CompletionCache(tmp_path / "c.sqlite"))))
        try:
            yield srv
        finally:
            T.configure_llm(None)


def test_without_a_model_an_llm_cell_is_refused(ex: Exercises) -> None:
    with pytest.raises(ExerciseError) as e:
        ex.create("taiwan-strait-crisis", seed=1, cells={"CHN": "llm"})
    assert e.value.code == 422 and "no language model" in e.value.message


def test_the_cache_is_required(tmp_path: Path) -> None:
    ep = Endpoint(url="http://127.0.0.1:1/v1", model="m")
    with pytest.raises(ValueError, match="need the completion cache"):
        T.configure_llm(LLMSetup(ep, LLMClient(OpenAIBackend(ep))))


def test_an_llm_cell_plays_is_seen_publicly_and_replays(ex: Exercises, seated: FakeServer
                                                       ) -> None:
    assert "llm" in T.cell_kinds()
    c = ex.create("taiwan-strait-crisis", seed=7, cells={"USA": "human", "CHN": "llm"},
                  sets=["max_turns=2"], start=True)
    usa = Role(CELL, "USA")
    for _turn in (1, 2):
        ex.submit_move(c.id, usa, "USA", ["military_exercise"], "show force")
        prop = ex.adjudicate(c.id, WHITE)
        assert prop["moves"]["CHN"]["action"]
        ex.publish(c.id, WHITE, advance=True)
    rec = ex.run_record(c.id)
    assert rec is not None and rec.status == "complete"
    assert rec.policies["CHN"] == "llm" and rec.llm_calls
    moves = [e for e in rec.events if e["kind"] == "move" and e["actor"] == "CHN"]
    assert all(e["data"]["policy"] == "llm" and e["data"]["signal"] for e in moves)
    new, same = replay(rec)
    assert same
    # the US cell sees China's public statement, never its reasoning
    text = str(ex.view(c.id, usa)) + str(ex.report_input(c.id, usa))
    assert "we say" in text  # the statement is public
    assert "fake " not in text  # the reasoning is the white cell's
    assert "fake " in str(ex.report_input(c.id, WHITE))


def test_play_at_the_terminal_against_an_llm_cell(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from whitecell.cli import app

    with FakeServer() as srv:
        try:
            r = CliRunner().invoke(app, [
                "play", "taiwan-strait-crisis", "--as", "USA", "--policy", "CHN=llm",
                "--seed", "3", "--set", "max_turns=1", "--llm-url", srv.url, "--llm-model",
                "fake", "--llm-cache", str(tmp_path / "c.sqlite"), "--out",
                str(tmp_path / "store")], input="wait\nholding\n")
        finally:
            T.configure_llm(None)
        asked = srv.requests
    assert r.exit_code == 0, r.output
    assert asked >= 1
    assert "fake " not in r.stdout  # the model's reasoning is not shown to the player
