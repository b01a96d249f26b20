"""``whitecell score``: the JSON contract, the tables, and every user mistake (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()
FIXTURE = Path(__file__).resolve().parents[1] / "scoring" / "data" / "escalaition_fixture.csv"
CATEGORIES = ["de_escalation", "status_quo", "posturing", "non_violent_escalation",
              "violent_escalation", "nuclear"]


def _ok(args: list[str]) -> str:
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return r.stdout


def _fails(args: list[str]) -> list[str]:
    """Run a mistaken command: exit 2, nothing on stdout, only 'error:' lines on stderr."""
    r = runner.invoke(app, args)
    assert r.exit_code == 2, (args, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), r.stderr
    assert "Traceback" not in r.stderr
    return lines


def test_json_contract_through_a_real_process() -> None:
    r = subprocess.run([sys.executable, "-m", "whitecell", "score", str(FIXTURE), "--map",
                        "escalaition", "--json"], capture_output=True, text=True, timeout=120,
                       env={**os.environ})
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)  # exactly one JSON object
    assert isinstance(d, dict)
    assert [x["day"] for x in d["by_day"]] == [1, 2, 3, 4]
    for x in d["by_day"]:
        assert set(x) == {"day", "total", "by_category"}
        assert list(x["by_category"]) == sorted(CATEGORIES)  # every category, sorted keys
        assert x["total"] == sum(x["by_category"].values())
    assert [x["total"] for x in d["by_day"]] == [28, 74, 100, 146]
    assert {a: v["total"] for a, v in d["by_actor"].items()} == {
        "Blue": 112, "Red": 200, "Green": 6, "Purple": 30}
    assert d["total"] == 348
    assert d["scheme"]["name"] == "rivera-2024" and d["scheme"]["version"] == 1
    assert d["scheme"]["weights"] == dict(zip(CATEGORIES, [-2, 0, 4, 12, 28, 60], strict=True))
    assert d["map"]["name"] == "escalaition" and len(d["map"]["digest"]) == 64


def test_table_output() -> None:
    text = _ok(["score", str(FIXTURE), "--map", "escalaition"])
    assert "By day (all actors)" in text and "By actor" in text
    assert "scheme rivera-2024 v1" in text and "map escalaition (27 actions" in text
    assert "total 348 over 32 actions; peak Kahn rung 35" in text
    assert "7 of the actions have no Kahn rung" in text


def test_unknown_action_exit_2_names_it_and_where(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(FIXTURE.read_text().replace("Cut diplomatic relationships", "Sever ties"))
    lines = _fails(["score", str(log), "--map", "escalaition", "--json"])
    assert lines[0] == (f"error: {log}:19: action: 'Sever ties' is not in map escalaition "
                        "(1 row)")
    assert "--skip-unknown" in lines[-1]


def test_skip_unknown_scores_the_rest_and_warns(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(FIXTURE.read_text().replace("Cut diplomatic relationships", "Sever ties"))
    r = runner.invoke(app, ["score", str(log), "--map", "escalaition", "--json",
                            "--skip-unknown"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["total"] == 348 - 12
    assert d["skipped"] == [{"action": "Sever ties", "count": 1, "first_line": 19}]
    assert r.stderr.startswith("warning: 1 rows of 1 action names not in map escalaition")


def test_bad_map_file_exit_2_with_file_line_and_field(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    m.write_text("map: mine\nactions:\n  Message: chat\n  Wait: {category: nuclear, rung: 0}\n")
    lines = _fails(["score", str(FIXTURE), "--map", str(m)])
    assert lines[0].startswith(f"error: {m}:3:12: actions.Message: 'chat' is neither a Rivera "
                               "category nor a whitecell action id; expected")
    assert lines[1].startswith(f"error: {m}:4:35: actions.Wait.rung: 0 is not a Kahn rung")
    assert _fails(["score", str(FIXTURE), "--map", "nope"]) == [
        "error: --map: unknown map 'nope': expected a bundled map (escalaition, whitecell) or a "
        "YAML map file"]
    assert _fails(["score", str(FIXTURE), "--map", str(tmp_path / "none.yaml")]) == [
        f"error: {tmp_path / 'none.yaml'}:1:1: (root): file not found"]


def test_user_map_and_renamed_columns(tmp_path: Path) -> None:
    log = tmp_path / "game.csv"
    log.write_text("Round,Country,Against,Move\n1,JPN,CHN,Protest\n1,CHN,JPN,Fire\n"
                   "2,CHN,JPN,Fire\n")
    m = tmp_path / "m.yaml"
    m.write_text("map: game\nactions:\n  Protest: public_criticism\n  Fire: missile_strike\n")
    lines = _fails(["score", str(log), "--map", str(m)])
    assert lines[0].startswith(f"error: {log}:1: header: no day column: expected one named "
                               "day or turn; the file has 'Round', 'Country', 'Against', 'Move'")
    d = json.loads(_ok(["score", str(log), "--map", str(m), "--json", "--columns",
                        "day=Round,actor=Country,target=Against,action=Move"]))
    assert [(x["day"], x["total"]) for x in d["by_day"]] == [(1, 40), (2, 28)]
    assert d["by_actor"]["CHN"]["peak_rung"] == 12 and d["by_actor"]["JPN"]["total"] == 12
    assert _fails(["score", str(log), "--map", str(m), "--columns", "when=Round"]) == [
        "error: --columns: unknown role 'when'; expected one of day, actor, target, action"]


def test_stored_run_agrees_with_the_engine(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    run = json.loads(_ok(["run", "east-china-sea", "--seed", "3", "--json", "--out", store]))
    d = json.loads(_ok(["score", run["run_id"][:8], "--out", store, "--json"]))
    assert d["kind"] == "run" and d["engine"]["agrees"]
    assert {a: float(v["total"]) for a, v in d["by_actor"].items()} == \
        run["outcome"]["escalation_score_by_actor"]
    assert [x["day"] for x in d["by_day"]] == list(range(1, run["outcome"]["turns"] + 1))
    text = _ok(["score", run["run_id"], "--out", store])
    assert "By turn (all actors)" in text and "the engine's own per-turn scores: agrees" in text
    assert _fails(["score", run["run_id"], "--out", store, "--map", "escalaition"]) == [
        "error: --map applies to a CSV log; a stored run is scored from whitecell's own action "
        "catalogue"]
    assert _fails(["score", "r-nothere", "--out", store])[0].startswith("error: no run")


def test_sweep_folder(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    _ok(["sweep", "east-china-sea", "-n", "4", "--workers", "1", "--json", "--out", str(out)])
    d = json.loads(_ok(["score", str(out), "--json"]))
    assert d["kind"] == "sweep" and "no score by day" in d["note"]
    assert d["points"][0]["by_actor"]["CHN"]["score"]["runs"] == 4
    text = _ok(["score", str(out)])
    assert "grid point 0" in text and "all actors" in text and "note: a sweep stores" in text


def test_other_mistakes(tmp_path: Path) -> None:
    assert _fails(["score", str(FIXTURE)]) == [
        f"error: {FIXTURE}: a CSV log needs --map: escalaition (the EscalAItion action set), "
        "whitecell (whitecell action ids) or a YAML map file (see docs/scoring.md)"]
    assert _fails(["score", str(tmp_path / "gone.csv"), "--map", "escalaition"]) == [
        f"error: {tmp_path / 'gone.csv'}: file not found"]
    assert _fails(["score", str(tmp_path)]) == [
        f"error: {tmp_path} is a folder but not a sweep folder (no manifest.json in it)"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert _fails(["score", str(empty), "--map", "whitecell"])[0].startswith(
        f"error: {empty}:1: empty file: expected a header row")
    hostile = tmp_path / "h.csv"
    hostile.write_text("day,actor,action\n1,[bold]x,[/x]\n")
    assert _fails(["score", str(hostile), "--map", "whitecell"])[0] == (
        f"error: {hostile}:2: action: '[/x]' is not in map whitecell (1 row)")


@pytest.mark.parametrize("flag", ["--skip-unknown", "--columns=day=x"])
def test_csv_only_options_on_a_run(flag: str) -> None:
    lines = _fails(["score", "r-abc", flag])
    assert "to a CSV log; a stored run is scored" in lines[0]


def test_exercise_id_scores_its_run(tmp_path: Path) -> None:
    from whitecell.exercise import WHITE, Exercises
    from whitecell.record.store import default_url

    store = tmp_path / "store"
    store.mkdir()
    ex = Exercises(default_url(store))
    c = ex.create("east-china-sea", seed=2, start=True)
    ex.adjudicate(c.id, WHITE)
    ex.publish(c.id, WHITE, advance=True)
    d = json.loads(_ok(["score", c.id, "--out", str(store), "--json"]))
    assert d["kind"] == "run" and d["engine"]["agrees"]
    assert [x["day"] for x in d["by_day"]] == [1] and d["log"]["rows"] == 4
    assert _fails(["score", "x-000000000000", "--out", str(store)]) == [
        f"error: no exercise 'x-000000000000' in {default_url(store)}"]
