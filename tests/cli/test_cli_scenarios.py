"""The CLI's scenario commands and every bad-input case: exit 2, one line per problem."""

import json
import re

import pytest
from typer.testing import CliRunner

from whitecell.cli import app
from whitecell.scenario.load import bundled_dir, bundled_ids

runner = CliRunner()
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<path>\S+): (?P<msg>.+)$")

GOOD = (bundled_dir() / "taiwan-strait-crisis.yaml").read_text()


def _invoke(*args):
    return runner.invoke(app, list(args))


def _problems(result):
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines, result.output
    parsed = [LINE.match(ln) for ln in lines]
    assert all(parsed), lines
    return parsed


def test_validate_bundled_ok():
    r = _invoke("validate", *[str(bundled_dir() / f"{s}.yaml") for s in bundled_ids()])
    assert r.exit_code == 0, r.output
    assert "ok" in r.stdout


def _write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


CASES = {
    "unknown field": (GOOD.replace("    war_cost: 0.9\n", "    war_cost: 0.9\n    warcost: 1\n", 1),
                      "actors[0].warcost", "unknown field"),
    "wrong type": (GOOD.replace("max_turns: 30", "max_turns: thirty"), "max_turns", "integer"),
    "probability out of range": (GOOD.replace("strength: 0.5\n", "strength: 1.5\n", 1),
                                 "commitments[0].strength", "less than or equal to 1"),
    "negative force": (GOOD.replace("naval: {value: 26,", "naval: {value: -3,"),
                       "actors[1].forces.naval.value", "greater than or equal to 0"),
    "unknown actor": (GOOD.replace("protege: TWN", "protege: TWX"), "commitments[0].protege",
                      "unknown actor 'TWX'"),
    "unknown action": (GOOD.replace("ladder: [military_exercise,", "ladder: [military_excercise,"),
                       "actors[0].doctrine.ladder[0]", "unknown action 'military_excercise'"),
    "duplicate id": (GOOD.replace("  - id: JPN\n", "  - id: USA\n"), "actors[3].id",
                     "duplicate id 'USA'"),
    "missing source": (GOOD.replace(', source: "SIPRI Yearbook 2025", year: 2025}', "}", 1),
                       "nuclear_warheads.source", "missing required field"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_reports_file_line_column(tmp_path, case):
    text, path, msg = CASES[case]
    p = _write(tmp_path, text)
    r = _invoke("validate", str(p))
    assert r.exit_code == 2, r.output
    probs = _problems(r)
    assert any(path in m.group("path") and msg in m.group("msg") for m in probs), r.stderr
    for m in probs:
        assert m.group("file") == str(p)
        assert int(m.group("line")) >= 1
    assert "Traceback" not in r.output


def test_validate_points_at_the_right_line(tmp_path):
    text = GOOD.replace("max_turns: 30", "max_turns: -1")
    p = _write(tmp_path, text)
    r = _invoke("validate", str(p))
    line_no = text.splitlines().index("max_turns: -1") + 1
    m = _problems(r)[0]
    assert int(m.group("line")) == line_no and m.group("col") == "12"


@pytest.mark.parametrize("content,msg", [
    ("", "empty"),
    ("# only a comment\n", "empty"),
    ("id: [unclosed\n", "expected"),
    ("- a list\n- not a mapping\n", "mapping"),
])
def test_validate_bad_files(tmp_path, content, msg):
    p = _write(tmp_path, content)
    r = _invoke("validate", str(p))
    assert r.exit_code == 2
    assert msg in r.stderr
    _problems(r)


def test_validate_binary_file(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    r = _invoke("validate", str(p))
    assert r.exit_code == 2 and "binary" in r.stderr
    _problems(r)


def test_validate_missing_file(tmp_path):
    r = _invoke("validate", str(tmp_path / "nope.yaml"))
    assert r.exit_code == 2 and "not found" in r.stderr
    _problems(r)


def test_schema_is_json_schema():
    r = _invoke("schema")
    assert r.exit_code == 0
    s = json.loads(r.stdout)
    assert s["type"] == "object" and "actors" in s["properties"]


def test_scenarios_json_lists_bundled():
    r = _invoke("scenarios", "--json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    ids = {x["id"] for x in rows}
    assert {"taiwan-strait-crisis"} <= ids
    tw = next(x for x in rows if x["id"] == "taiwan-strait-crisis")
    assert {"base", "optimistic", "pessimistic", "no-japan-bases", "taiwan-alone"} <= set(
        tw["excursions"])
    assert "CHN" in tw["actors"] and tw["title"]


def test_actions_catalogue_has_thirty_plus():
    r = _invoke("actions", "--json")
    rows = json.loads(r.stdout)
    assert len(rows) >= 30
    assert {x["instrument"] for x in rows} == {"diplomatic", "information", "military",
                                               "economic", "nuclear"}


@pytest.mark.parametrize("args,msg", [
    (["--excursion", "nope"], "unknown excursion 'nope'"),
    (["--set", "max_turns=abc"], "max_turns"),
    (["--set", "actors.XYZ.stakes=1"], "no element with id 'XYZ'"),
    (["--set", "actors.CHN.stakess=1"], "unknown field 'stakess'"),
    (["--set", "no_equals_sign"], "="),
    (["--set", "commitments.taiwan-relations-act.strength=2"], "less than or equal to 1"),
    (["--policy", "CHN=clever"], "unknown policy 'clever'"),
    (["--policy", "XXX=doctrine"], "unknown actor 'XXX'"),
])
def test_run_bad_options_exit_2(args, msg):
    r = _invoke("run", "taiwan-strait-crisis", *args)
    assert r.exit_code == 2, r.output
    assert msg in r.stderr, r.stderr
    assert "Traceback" not in r.output


def test_run_unknown_scenario():
    r = _invoke("run", "no-such-scenario")
    assert r.exit_code == 2
    assert "no bundled scenario" in r.stderr
