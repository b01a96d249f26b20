"""White-cell overrides of chance: named, recorded, replayed."""

import json

import pytest
from typer.testing import CliRunner

from whitecell.cli import app
from whitecell.engine.overrides import OverrideError, parse_override
from whitecell.record.session import replay, run_scenario
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

runner = CliRunner()


def _leakers(rec, turn=1):
    ev = next(e for e in rec.events if e["kind"] == "ruling" and e["turn"] == turn
              and "missile defence" in e["text"])
    return ev["data"]["result"]["leakers"], ev["data"]["draw"]


def test_override_sets_the_draw_and_the_model_decides_the_rest():
    base = run_scenario("surprise-missile-attack", seed=3)
    worst = run_scenario("surprise-missile-attack", seed=3,
                         draw_overrides=("1:strike_bases:PRK=0.999",))
    best = run_scenario("surprise-missile-attack", seed=3,
                        draw_overrides=("1:strike_bases:PRK=0",))
    lw, dw = _leakers(worst)
    lb, db = _leakers(best)
    assert dw == 0.999 and db == 0.0
    assert lb <= _leakers(base)[0] <= lw and lb < lw
    note = [e for e in worst.events if e["data"].get("model") == "white cell override"]
    assert len(note) == 1 and note[0]["turn"] == 1
    assert worst.run_id != base.run_id and worst.draw_overrides == ["1:strike_bases:PRK=0.999"]
    new, same = replay(worst)
    assert same and _leakers(new)[0] == lw


@pytest.mark.parametrize("text,msg", [
    ("strike_bases:PRK=0.5", "expected TURN:RULING"),
    ("1:nonsense:PRK=0.5", "unknown ruling"),
    ("1:strike_bases=0.5", "name the actor"),
    ("1:strike_bases:XXX=0.5", "unknown actor"),
    ("1:incident:PRK=0.5", "has no actor"),
    ("1:strike_bases:PRK=1.0", "[0, 1)"),
    ("999:strike_bases:PRK=0.5", "turn must be"),
])
def test_bad_overrides(text, msg):
    w = compile_world(load_scenario("surprise-missile-attack").scenario)
    with pytest.raises(OverrideError, match=msg.replace("[", r"\[").replace(")", r"\)")):
        parse_override(text, w)


def test_cli_override_recorded_and_replayed(tmp_path):
    out = str(tmp_path / "s")
    r = runner.invoke(app, ["run", "surprise-missile-attack", "--seed", "3", "--out", out,
                            "--override", "1:strike_bases:PRK=0.999", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["draw_overrides"] == ["1:strike_bases:PRK=0.999"]
    rp = runner.invoke(app, ["replay", d["run_id"], "--out", out, "--json"])
    assert rp.exit_code == 0 and json.loads(rp.stdout)["identical"]
    bad = runner.invoke(app, ["run", "surprise-missile-attack", "--override", "1:x=0.5"])
    assert bad.exit_code == 2 and "--override" in bad.stderr
