"""The language-model player over a mock backend: legal, audited, replayable."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from whitecell.engine.game import Game
from whitecell.llm.client import ChatRequest, LLMClient
from whitecell.llm.endpoint import Endpoint
from whitecell.llm.mock import FunctionBackend, menu_of, reply
from whitecell.policies import LLMSetup, make_policies
from whitecell.policies.llm import call_seed
from whitecell.record.session import replay, run_scenario
from whitecell.record.store import RunStore
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

EP = Endpoint(url="http://mock.test/v1", model="mock-model")


def hashed_choice(req: ChatRequest) -> str:
    """A deterministic 'model': the menu item picked by a hash of the prompt and seed."""
    menu = menu_of(req)
    h = int(hashlib.sha256((req.messages[-1][1] + str(req.seed)).encode()).hexdigest(), 16)
    a, targets = menu[h % len(menu)]
    return reply(a, targets[h % len(targets)] if targets else None,
                 signal=f"statement {h % 97}", intent="posturing", reasoning=f"why {h % 89}")


def setup(fn=hashed_choice) -> LLMSetup:  # type: ignore[no-untyped-def]
    return LLMSetup(EP, LLMClient(FunctionBackend(fn)))


def test_every_move_is_legal_and_explained_and_the_signal_is_recorded() -> None:
    rec = run_scenario("east-china-sea", seed=5, policy={"CHN": "llm", "JPN": "llm"},
                       llm=setup())
    moves = [e for e in rec.events if e["kind"] == "move" and e["actor"] in ("CHN", "JPN")]
    assert moves
    illegal = [e for e in rec.events if e["kind"] == "ruling" and "is not legal" in e["text"]]
    assert not illegal
    for e in moves:
        d = e["data"]
        assert d["policy"] == "llm"
        assert d["reason"].startswith("chosen by the language model mock-model (prompt v1)")
        assert d["signal"].startswith("statement ") and d["reasoning"].startswith("why ")
        assert d["llm"]["fallback"] is False and len(d["llm"]["requests"]) == 1
    cells = rec.llm["cells"]  # type: ignore[index]
    assert cells["CHN"]["calls"] == cells["CHN"]["decisions"] == len(
        [e for e in moves if e["actor"] == "CHN"])
    assert rec.llm["endpoint"] == {"url": EP.url, "model": "mock-model",  # type: ignore[index]
                                   "mode": "json_schema", "api_key_env": EP.api_key_env}
    assert len(rec.llm_calls) == cells["CHN"]["calls"] + cells["JPN"]["calls"]
    call = rec.llm_calls[0]
    assert call["request"]["seed"] == call_seed(5, 0, 1, call["actor"], 0)
    assert call["request"]["messages"][0]["role"] == "system"


def test_replay_without_the_model_gives_the_same_digest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rec = run_scenario("east-china-sea", seed=2, policy={"CHN": "llm"}, llm=setup())
    store = RunStore(f"sqlite:///{tmp_path / 'runs.db'}")
    store.save(rec)
    back = store.load(rec.run_id)
    assert back.llm == rec.llm and back.llm_calls == rec.llm_calls
    new, same = replay(back)  # no backend: answers come from the record only
    assert same and new.event_digest == rec.event_digest


def test_same_seed_same_game_and_the_run_id_names_the_model() -> None:
    a = run_scenario("east-china-sea", seed=4, policy={"CHN": "llm"}, llm=setup())
    b = run_scenario("east-china-sea", seed=4, policy={"CHN": "llm"}, llm=setup())
    assert a.event_digest == b.event_digest and a.run_id == b.run_id
    other = LLMSetup(Endpoint(url=EP.url, model="other-model"),
                     LLMClient(FunctionBackend(hashed_choice)))
    c = run_scenario("east-china-sea", seed=4, policy={"CHN": "llm"}, llm=other)
    assert c.run_id != a.run_id


def test_an_invalid_reply_is_reasked_then_counted() -> None:
    def flaky(req: ChatRequest) -> str:
        if len(req.messages) == 2:  # the first ask: off the menu
            return json.dumps({"reasoning": "", "signal": "", "signal_intent": "status_quo",
                               "actions": [{"action": "launch_everything", "target": None}]})
        return hashed_choice(req)

    rec = run_scenario("east-china-sea", seed=1, policy={"CHN": "llm"}, llm=setup(flaky))
    c = rec.llm["cells"]["CHN"]  # type: ignore[index]
    assert c["invalid"] == c["decisions"] == c["reasked"] and c["fallbacks"] == 0
    assert c["calls"] == 2 * c["decisions"]
    first = next(e for e in rec.events if e["kind"] == "move" and e["actor"] == "CHN")
    assert "after 1 invalid reply" in first["data"]["reason"]
    assert "'launch_everything' is not legal" in first["data"]["llm"]["invalid"][0]
    retry = next(c for c in rec.llm_calls if c["attempt"] == 1)
    assert "That reply is not valid" in retry["request"]["messages"][-1]["content"]


def test_no_valid_reply_falls_back_to_doctrine_and_says_so() -> None:
    rec = run_scenario("east-china-sea", seed=1, policy={"CHN": "llm"},
                       llm=setup(lambda r: "I refuse to answer in JSON."))
    doctrine = run_scenario("east-china-sea", seed=1, policy={"CHN": "doctrine"})
    c = rec.llm["cells"]["CHN"]  # type: ignore[index]
    assert c["fallbacks"] == c["decisions"] > 0 and c["calls"] == 3 * c["decisions"]

    def moves(r):  # type: ignore[no-untyped-def]
        return [(e["turn"], e["actor"], e["data"]["action"]) for e in r.events
                if e["kind"] == "move"]

    assert moves(rec) == moves(doctrine)  # the stand-in is the doctrine player's move
    first = next(e for e in rec.events if e["kind"] == "move" and e["actor"] == "CHN")
    assert "no valid reply in 3 tries" in first["data"]["reason"]
    assert "doctrine player's move stands in" in first["data"]["reason"]
    assert first["data"]["llm"]["fallback"] is True


@pytest.mark.parametrize("index", [0, 3])
def test_a_batch_asks_the_same_questions_as_a_run_played_alone(index: int) -> None:
    """Prompts come from the observation, so sweep run i re-played alone is the same game."""
    res = load_scenario("east-china-sea")
    w = compile_world(res.scenario)
    runs = np.arange(6, dtype=np.int64)
    s = setup()
    g = Game(w, make_policies(w, {"CHN": "llm"}, seed=9, runs=runs, llm=s), seed=9, runs=runs,
             record=False)
    g.play()
    batch = g.columns()
    from whitecell.record.session import start_session

    ss = start_session("east-china-sea", seed=9, policy={"CHN": "llm"}, llm=setup(),
                       run_index=index)
    ss.game.play()
    alone = ss.game.columns()
    assert set(alone) == set(batch)
    for k, v in alone.items():
        a, b = np.asarray(v)[0], np.asarray(batch[k])[index]
        assert a == b or (np.issubdtype(np.asarray(a).dtype, np.floating)
                          and np.isnan(a) and np.isnan(b)), k


def test_the_report_shows_statements_gaps_and_reasoning_only_to_the_white_cell() -> None:
    from whitecell.report.aar import render_run_report

    rec = run_scenario("east-china-sea", seed=5, policy={"CHN": "llm"}, llm=setup())
    sc = load_scenario("east-china-sea").scenario
    full = render_run_report(rec.report_input(sc))
    assert "Language-model cells" in full and "model mock-model" in full
    assert "say-do gap" in full and "statement " in full
    assert "private reasoning of the language model" in full and "why " in full
    cell = render_run_report(rec.report_input(sc, redacted=True))
    assert "Language-model cells" in cell
    assert "private reasoning of the language model" not in cell


def test_prompt_version_and_persona_are_settable_conditions() -> None:
    base = run_scenario("east-china-sea", seed=5, policy={"CHN": "llm"}, llm=setup())
    v2 = run_scenario("east-china-sea", seed=5, policy={"CHN": "llm"}, llm=setup(),
                      sets=("parameters.llm.prompt=v2",
                            "actors.CHN.persona=You are a cautious leader of China.",
                            "parameters.llm.temperature=0.7"))
    u1 = base.llm_calls[0]["request"]["messages"][1]["content"]
    u2 = v2.llm_calls[0]["request"]["messages"][1]["content"]
    assert "escalation rung, category" in u1 and "escalation rung" not in u2
    assert v2.llm_calls[0]["request"]["messages"][0]["content"].startswith(
        "You are a cautious leader of China.")
    assert v2.llm_calls[0]["request"]["temperature"] == 0.7
    assert v2.llm["prompt"] == "v2" and v2.llm["prompt_digest"] != base.llm["prompt_digest"]  # type: ignore[index]
    assert v2.run_id != base.run_id


def test_the_cells_of_a_turn_are_asked_together() -> None:
    backend = FunctionBackend(hashed_choice, delay=0.05)
    s = LLMSetup(EP, LLMClient(backend, concurrency=1))
    a = run_scenario("east-china-sea", seed=6, policy={"CHN": "llm", "JPN": "llm"}, llm=s)
    assert backend.peak == 2  # one request per cell in flight at once, although concurrency is 1
    b = run_scenario("east-china-sea", seed=6, policy={"CHN": "llm", "JPN": "llm"}, llm=setup())
    assert a.event_digest == b.event_digest


def test_a_language_model_may_back_its_move_with_supporting_actions() -> None:
    """With parameters.action_cap 2 the schema allows two actions, the prompt says which may
    support, a bad second action is re-asked, and the supporting action is played."""
    import json as _json

    from whitecell.scenario.actions import SUPPORTING

    seen: dict[str, object] = {}

    def two(req: ChatRequest) -> str:
        seen["max"] = req.schema["properties"]["actions"]["maxItems"]
        seen["system"] = req.messages[0][1]
        menu = dict(menu_of(req))
        asked_again = len(req.messages) > 2
        second = "missile_strike" if not asked_again and "missile_strike" in menu else next(
            a for a in menu if a in SUPPORTING and a != "diplomatic_message")
        acts = [{"action": "diplomatic_message", "target": (menu["diplomatic_message"] or
                                                            [None])[0]},
                {"action": second, "target": (menu[second] or [None])[0]}]
        return _json.dumps({"reasoning": "r", "signal": "s", "signal_intent": "posturing",
                            "actions": acts})

    rec = run_scenario("east-china-sea", seed=5, policy={"CHN": "llm"}, llm=setup(two),
                       sets=("parameters.action_cap=2", "max_turns=3"))
    assert seen["max"] == 2
    assert "up to 1 more that support it" in str(seen["system"])
    chn = [e for e in rec.events if e["kind"] == "move" and e["actor"] == "CHN"]
    assert any(e["data"].get("support") for e in chn)
    assert not any(e["data"]["action"] == "missile_strike" for e in chn)
    from whitecell.report.aar import render_run_report
    html = render_run_report(rec.report_input(load_scenario("east-china-sea",
                                                            sets=("parameters.action_cap=2",
                                                                  "max_turns=3")).scenario))
    section = html[html.index('<section id="llm">'):]
    assert "Send a private diplomatic message -&gt; JPN + " in section  # one row per move
    one = run_scenario("east-china-sea", seed=5, policy={"CHN": "llm"}, llm=setup(),
                       sets=("max_turns=3",))
    assert "Choose exactly one action" in one.llm_calls[0]["request"]["messages"][0]["content"]
