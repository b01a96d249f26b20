"""Tests for whitecell.report.aar: the single-run after-action report."""

from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from matplotlib.figure import Figure

import whitecell
from whitecell.engine.events import canonical_json
from whitecell.engine.game import Game
from whitecell.models.escalation import KAHN_THRESHOLDS, rung_name
from whitecell.policies import make_policies
from whitecell.report import files as report_files
from whitecell.report.aar import RunReportError, render_run_report, write_run_report
from whitecell.report.svg import figure_to_svg
from whitecell.scenario.load import load_scenario
from whitecell.world.compile import compile_world

# Attributes that make a browser fetch or navigate somewhere, and CSS that fetches.
_FETCHING_ATTRS = frozenset({
    "src", "href", "xlink:href", "srcset", "action", "formaction", "poster", "data",
    "background", "manifest", "ping", "codebase", "cite", "longdesc",
})
_CSS_FETCH = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)


class _Tags(HTMLParser):
    """Every tag of a document with its attributes, and the text of its <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def external_references(doc: str) -> list[str]:
    """Everything in ``doc`` that would make a browser load or open another resource."""
    parser = _Tags()
    parser.feed(doc)
    found = []
    for tag, attrs in parser.tags:
        if tag in ("script", "link", "iframe", "object", "embed", "base", "img", "audio", "video",
                   "source", "track", "frame"):
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name in _FETCHING_ATTRS and not (value or "").startswith("#"):
                found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and _CSS_FETCH.search(value or ""):
                found.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
    found += [f"<style> {m.group(0)}" for css in parser.styles for m in _CSS_FETCH.finditer(css)]
    return found


def make_run(seed: int = 7, excursion: str = "base") -> dict[str, Any]:
    """A run record as the run store will hand it to the report, from a real game."""
    resolved = load_scenario("taiwan-strait-crisis", excursion=excursion)
    world = compile_world(resolved.scenario)
    game = Game(world, make_policies(world), seed=seed)
    game.play()
    events = [e.to_dict() for e in game.events]
    sc = resolved.scenario
    return {
        "run_id": "r-" + hashlib.sha256(f"{resolved.digest}:{seed}".encode()).hexdigest()[:12],
        "scenario": {
            "id": sc.id,
            "version": sc.version,
            "title": sc.title,
            "summary": sc.summary,
            "theatre": sc.theatre,
            "turn_days": sc.turn.length_days,
            "max_turns": sc.max_turns,
            "digest": resolved.digest,
            "excursion": resolved.excursion,
            "overrides": list(resolved.overrides),
            "actors": [
                {"id": a.id, "name": a.name, "cell": a.cell, "role": a.role} for a in sc.actors
            ],
        },
        "seed": seed,
        "policies": {a: sc.actor(a).policy for a in world.ids},
        "whitecell_version": whitecell.__version__,
        "event_digest": "sha256:" + hashlib.sha256(canonical_json(events).encode()).hexdigest(),
        "created": "2026-11-25T12:00:00Z",
        "outcome": game.outcome(),
        "events": events,
    }


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    return make_run()


@pytest.fixture(scope="module")
def report(run: dict[str, Any]) -> str:
    return render_run_report(run)


def _rulings(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in run["events"] if e["kind"] in ("ruling", "incident")]


def _text(doc: str) -> str:
    """The document with entities decoded, for searching visible text."""
    return html.unescape(doc)


# ------------------------------------------------------------ self-contained
def test_report_is_one_html_document(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>")
    assert report.count("<html") == 1 and report.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in report
    assert "<style>" in report


def test_the_reference_checker_catches_external_references() -> None:
    bad = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        "<style>@import 'x.css'; body { background: url(https://example.com/a.png) }</style>"
        '</head><body><script src="https://cdn.example/x.js"></script>'
        '<a href="https://example.com">x</a><svg><use xlink:href="http://example.com/s.svg#a"/>'
        '</svg><a href="#local">ok</a><div style="background:url(#ok)"></div></body></html>'
    )
    found = external_references(bad)
    assert len(found) == 8, found
    assert not any("#local" in f or "#ok" in f for f in found)


def test_report_references_nothing_outside_itself(report: str) -> None:
    assert "<script" not in report.lower()  # no script at all, let alone <script src=
    assert external_references(report) == []
    # the bundled scenario quotes its sources as text, without URLs: none anywhere
    assert "http://" not in report and "https://" not in report
    assert "<?xml" not in report and "<!DOCTYPE svg" not in report


def test_a_url_quoted_in_a_source_stays_text(run: dict[str, Any]) -> None:
    doctored = copy.deepcopy(run)
    inject = next(e for e in doctored["events"] if e["kind"] == "inject")
    inject["data"]["source"] = "CSIS report, https://www.csis.org/analysis/lights-out"
    doc = render_run_report(doctored)
    assert "https://www.csis.org/analysis/lights-out" in doc  # quoted as text
    assert external_references(doc) == []


def test_markup_in_the_run_record_is_escaped(run: dict[str, Any]) -> None:
    doctored = copy.deepcopy(run)
    doctored["scenario"]["title"] = "Crisis <script>alert(1)</script>"
    doctored["scenario"]["actors"][0]["name"] = '<img src="x" onerror="alert(1)">'
    move = next(e for e in doctored["events"] if e["kind"] == "move")
    move["data"]["rationale"] = "<b>bold</b> & <script src=//evil></script>"
    doc = render_run_report(doctored)
    assert "<script" not in doc.lower()
    assert "<img" not in doc.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert external_references(doc) == []


# ------------------------------------------------------------ content
def test_report_contains_both_svg_charts(report: str) -> None:
    charts = re.findall(r'<svg class="chart" id="([^"]+)"', report)
    assert charts == ["chart-ladder", "chart-intensity"]
    ladder = report[report.index('id="chart-ladder"') : report.index('id="chart-intensity"')]
    for name, after in KAHN_THRESHOLDS:
        assert name in _text(ladder), name
        assert f"({after} | {after + 1})" in _text(ladder)
    assert report.count("</svg>") >= 2


def test_element_ids_are_unique(report: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', report)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, dupes[:5]
    # every internal reference points at an element of the page
    refs = set(re.findall(r'href="#([^"]+)"', report)) | set(re.findall(r"url\(#([^)]+)\)", report))
    assert refs <= set(ids)


def test_report_names_every_actor_and_policy(run: dict[str, Any], report: str) -> None:
    text = _text(report)
    for actor in run["scenario"]["actors"]:
        assert actor["id"] in text
        assert actor["name"] in text
    for policy in set(run["policies"].values()):
        assert policy in text


def test_report_shows_every_ruling_model_probability_and_draw(
    run: dict[str, Any], report: str
) -> None:
    text = _text(report)
    rulings = _rulings(run)
    assert rulings, "the sample game has rulings"
    appendix = text[text.index('id="rulings"') : text.index('id="method"')]
    assert appendix.count("<tr class=\"ruling\">") + appendix.count(
        "<tr class=\"incident\">"
    ) == len(rulings)
    for e in rulings:
        model = e["data"]["model"]
        assert model in appendix, model
        for key in e["data"].get("inputs") or {}:
            assert key in appendix
    first = rulings[0]["data"]
    assert f"{first['probability']:.3f}" in appendix or f"{first['probability']:.2f}" in appendix


def test_report_states_the_outcome(run: dict[str, Any], report: str) -> None:
    text = _text(report)
    outcome = run["outcome"]
    box = text[text.index('id="outcome"') : text.index('id="escalation"')]
    assert ("War broke out" in box) == outcome["war"]
    assert rung_name(outcome["peak_rung"]) in box
    assert f'<div class="value">{outcome["peak_rung"]}</div>' in box
    assert f'<div class="value">{outcome["turns"]}</div>' in box
    label = {"time_limit": "time limit reached", "objective": "challenger achieved its objective",
             "strategic_exchange": "strategic nuclear exchange"}.get(
        outcome["end_reason"], outcome["end_reason"].replace("_", " "))
    assert label in box
    deterrence = "yes" if outcome["deterrence_held"] else "no"
    assert re.search(r"Deterrence held</div><div class=\"value\">" + deterrence, box)
    assert "Nuclear use" in box


def test_timeline_labels_game_days_and_moves(run: dict[str, Any], report: str) -> None:
    text = _text(report)
    timeline = text[text.index('id="timeline"') : text.index('id="costs"')]
    days = run["scenario"]["turn_days"]
    for turn in range(1, run["outcome"]["turns"] + 1):
        assert f'id="turn-{turn}"' in timeline
        assert f"D+{(turn - 1) * days:g}" in timeline
    moves = [e for e in run["events"] if e["kind"] == "move"]
    assert timeline.count('<tr class="move') == len(moves)
    for e in moves[:10]:
        assert rung_name(e["data"]["rung"]) in timeline


def test_losses_beliefs_and_white_cell_section(run: dict[str, Any], report: str) -> None:
    text = _text(report)
    costs = text[text.index('id="costs"') : text.index('id="rulings"')]
    for kinds in run["outcome"]["losses"].values():
        for kind in kinds:
            assert kind.replace("_", " ") in costs
    assert "that CHN is resolved" in costs
    white = text[text.index('id="white-cell"') :]
    assert "White cell only" in white and "do not show to player cells" in white
    start = next(e for e in run["events"] if e["kind"] == "start")
    for actor, value in start["data"]["resolve"].items():
        assert f"{value:.2f}" in white or f"{value:.3f}" in white, actor
    # private values appear in the white-cell section only
    outside = text.replace(white, "")
    assert "Risk tolerance" not in outside


def test_method_footer_cites_without_links(report: str) -> None:
    text = _text(report)
    footer = text[text.index('id="method"') : text.index('id="white-cell"')]
    assert text.index('class="colophon"') < text.index('id="white-cell"')
    assert "Kahn, On Escalation" in footer
    assert "Rivera" in footer
    assert "Schelling" in footer
    assert "<a " not in footer


def test_incidents_are_highlighted(run: dict[str, Any]) -> None:
    doctored = copy.deepcopy(run)
    ruling = next(e for e in doctored["events"]
                  if e["kind"] == "ruling" and "inadvertent" in e["text"])
    ruling["kind"] = "incident"
    ruling["text"] = "inadvertent incident: pi=0.05, draw 0.01 -> INCIDENT: a clash nobody ordered"
    doc = render_run_report(doctored)
    assert doc.count('<tr class="incident">') == 2  # timeline and appendix
    assert '<span class="flag tag incident">incident</span>' in doc
    assert "a clash nobody ordered" in doc


def test_nuclear_use_is_reported_with_user_and_turn(run: dict[str, Any]) -> None:
    doctored = copy.deepcopy(run)
    doctored["outcome"].update(nuclear_use=True, nuclear_first_user="CHN", nuclear_turn=3)
    text = _text(render_run_report(doctored))
    box = text[text.index('id="outcome"') : text.index('id="escalation"')]
    assert "first used by CHN, turn 3 (D+7)" in box
    assert "CHN used nuclear weapons first" in box
    assert "nuclear use" in text[text.index('id="chart-ladder"') :]


def test_nuclear_moves_are_marked(run: dict[str, Any]) -> None:
    doctored = copy.deepcopy(run)
    move = next(e for e in doctored["events"] if e["kind"] == "move" and e["turn"] == 2)
    move["data"].update(rung=21, rivera="nuclear", score=60.0)
    doc = render_run_report(doctored)
    assert doc.count('<tr class="move nuclear">') == 1
    assert '<span class="flag tag nuclear">nuclear use</span>' in doc
    assert rung_name(21) in html.unescape(doc)


def test_a_run_without_end_of_turn_records_still_renders(run: dict[str, Any]) -> None:
    bare = copy.deepcopy(run)
    bare["events"] = [e for e in bare["events"] if e["kind"] != "turn"]
    doc = render_run_report(bare)
    assert "<svg" not in doc
    assert "nothing to chart" in doc


# ------------------------------------------------------------ determinism
def test_rendering_twice_gives_identical_bytes(run: dict[str, Any], report: str) -> None:
    assert render_run_report(copy.deepcopy(run)).encode() == report.encode()


def test_rendering_leaves_matplotlib_settings_alone(run: dict[str, Any]) -> None:
    before = dict(matplotlib.rcParams)
    render_run_report(run)
    assert dict(matplotlib.rcParams) == before


def test_svg_chart_ids_are_checked() -> None:
    with pytest.raises(ValueError, match="chart_id"):
        figure_to_svg(Figure(), chart_id="1 bad id", title="x")


def test_rendering_in_another_process_gives_identical_bytes(
    run: dict[str, Any], report: str, tmp_path: Path
) -> None:
    src = tmp_path / "run.json"
    src.write_text(json.dumps(run), encoding="utf-8")
    code = (
        "import hashlib, json, sys\n"
        "from whitecell.report.aar import render_run_report\n"
        "run = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "print(hashlib.sha256(render_run_report(run).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True,
                         env=env, check=True)
    assert out.stdout.strip() == hashlib.sha256(report.encode()).hexdigest()


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.pop("events"), "missing required field 'events'"),
        (lambda r: r.update(scenario="taiwan"), "run['scenario']: expected a mapping"),
        (lambda r: r.update(events={"turn": 1}), "run['events']: expected a list"),
        (lambda r: r["events"][3].update(turn="three"), "run['events'][3]['turn']"),
        (lambda r: r["events"][2].update(kind="tweet"), "run['events'][2]['kind']"),
        (lambda r: r["scenario"]["actors"][1].pop("id"), "run['scenario']['actors'][1]['id']"),
    ],
)
def test_a_malformed_run_record_gets_a_clear_error(
    run: dict[str, Any], mutate: Any, message: str
) -> None:
    bad = copy.deepcopy(run)
    mutate(bad)
    with pytest.raises(RunReportError, match=re.escape(message)):
        render_run_report(bad)


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(RunReportError, match="run record: expected a mapping"):
        render_run_report([1, 2, 3])  # type: ignore[arg-type]


# ------------------------------------------------------------ atomic writer
def test_write_run_report_writes_the_report_and_no_temp_file(
    run: dict[str, Any], report: str, tmp_path: Path
) -> None:
    path = write_run_report(run, tmp_path / "aar.html")
    assert path == tmp_path / "aar.html"
    assert path.read_text(encoding="utf-8") == report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aar.html"]
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others, like any report


def test_write_run_report_keeps_the_old_file_on_bad_input(
    run: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "aar.html"
    target.write_text("previous report", encoding="utf-8")
    bad = copy.deepcopy(run)
    bad["events"][0]["kind"] = "nonsense"
    with pytest.raises(RunReportError):
        write_run_report(bad, target)
    assert target.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aar.html"]


def test_write_run_report_cleans_up_when_the_write_fails(
    run: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "aar.html"
    target.write_text("previous report", encoding="utf-8")

    def failing_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(report_files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_run_report(run, target)
    assert target.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aar.html"]


def test_write_run_report_needs_an_existing_directory(run: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_run_report(run, tmp_path / "missing" / "aar.html")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- mathtext


MATH_LABELS = [r"$\frac$ broken", r"$x^2$", "cost $5 and $6", "$"]


@pytest.mark.parametrize("label", MATH_LABELS)
def test_sweep_chart_labels_are_literal_text(label):
    """A '$' in an excursion, --vary value or parameter is drawn as typed, never mathtext."""
    from whitecell.report.sweep import nuclear_chart, outcome_chart, peak_rung_chart, tornado_chart

    pr = {m: {"p": .5, "low": .4, "high": .6}
          for m in ("war", "nuclear_use", "challenger_success", "deterrence_held")}
    pts = [{"excursion": None, "vary": {"actors.CHN.name": label}, "proportions": pr, "n": 10,
            "peak_rung_counts": {"3": 5, "5": 5}, "first_nuclear_use_by_turn": {"2": 1},
            "grid_point": 0}]
    for svg in (outcome_chart(pts), peak_rung_chart(pts), nuclear_chart(pts, 4)):
        assert f"actors.CHN.name={label}" in html.unescape(str(svg))
    t = {"parameters": [{"path": f"actors.CHN.{label}", "low_value": label, "high_value": "2",
                         "at_low": {"value": .1}, "at_high": {"value": .2}}],
         "base": {"value": .15}, "outcome": "war"}
    assert f"actors.CHN.{label}" in html.unescape(str(tornado_chart(t)))


def test_literal_escapes_every_dollar():
    from whitecell.report.charts import literal

    assert literal("$a$") == r"\$a\$" and literal("plain") == "plain"


def test_terminal_rulings_name_whose_numbers_they_are():
    from whitecell.report.narrative import ruling_text

    ev = {"kind": "ruling", "actor": "TWN", "turn": 3,
          "text": "salvo exchange with CHN: expected losses 22.1 vs 0.0 ships; draws "
                  "0.05/0.31 -> 21 and 0 ships out of action",
          "data": {"result": {"lost": 21.3, "enemy_lost": 0.0}}}
    shown = ruling_text(ev)
    assert shown.startswith("TWN: salvo exchange with CHN")
    assert shown.endswith("[in each pair: TWN first, CHN second]")
    assert ruling_text({**ev, "actor": None}) == ev["text"]
    gives_up = {"kind": "ruling", "actor": "CHN", "text": "CHN gives up the stakes", "data": {}}
    assert ruling_text(gives_up) == "CHN gives up the stakes"
