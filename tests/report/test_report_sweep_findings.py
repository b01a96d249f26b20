"""The sweep report explains itself: findings in words, excursions, endings, units, reruns."""

import copy
import json
import re
import shlex

import pyarrow.compute as pc
import pytest
from markupsafe import escape

from whitecell.analysis import sweep
from whitecell.analysis.rerun import rerun_from_sweep
from whitecell.report.sweep import (
    ScenarioText,
    ShardFacts,
    _environment,
    build_sweep_context,
    findings,
    render_sweep_report,
    scenario_text,
    shard_facts,
)

SC = "taiwan-strait-crisis"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "s"
    res = sweep(SC, 300, ["base", "taiwan-alone"], chunk=300, out=out, workers=1,
                progress=False)
    return res, render_sweep_report(res.out)


def _summary(res):
    return json.loads((res.out / "summary.json").read_text())


def test_report_leads_with_ranked_findings(swept):
    res, html = swept
    s = _summary(res)
    assert html.index('id="findings"') < html.index("<h2>Outcomes</h2>")
    items = re.findall(r"<li>(.*?)</li>", html[html.index('id="findings"'):
                                             html.index("</section>")], re.S)
    assert 1 <= len(items) <= 5
    # the largest proportion difference comes first, with both probabilities and intervals
    top = max((d for d in s["differences"] if d["kind"] == "proportion"),
              key=lambda d: abs(d["difference"]))
    first = items[0]
    assert "Taiwan stands alone" in first and "(taiwan-alone)" in first
    assert "in the base case" in first
    p = s["points"][1]["proportions"][top["metric"]]
    assert f"{100 * p['p']:.1f}% [{100 * p['low']:.1f}, {100 * p['high']:.1f}]" in first
    assert f"{100 * top['difference']:+.1f} percentage points" in first
    assert "paired 95% interval" in first


def test_findings_say_when_the_interval_includes_zero():
    def pt(gp, ex, p):
        return {"grid_point": gp, "excursion": ex, "vary": {}, "n": 1000,
                "proportions": {"war": {"p": p, "low": p - 0.03, "high": p + 0.03, "count": 1}}}
    summary = {"points": [pt(0, "base", 0.50), pt(1, "calm", 0.49), pt(2, "hot", 0.60)],
               "differences": [
                   {"grid_point": 1, "reference": 0, "metric": "war", "kind": "proportion",
                    "difference": -0.01, "low": -0.05, "high": 0.03,
                    "paired_low": -0.03, "paired_high": 0.01},
                   {"grid_point": 2, "reference": 0, "metric": "war", "kind": "proportion",
                    "difference": 0.10, "low": 0.06, "high": 0.14}]}
    text = ScenarioText({"calm": ("A calm year", "Nobody moves.")})
    got = findings(summary, text)
    assert len(got) == 2
    assert got[0].startswith("Under excursion hot, war breaks out in 60.0% [57.0, 63.0]")
    assert "Newcombe 95% interval [+6.0, +14.0]" in got[0] and "includes zero" not in got[0]
    assert got[1].startswith("Under “A calm year” (calm), war breaks out in 49.0%")
    assert "vs 50.0% [47.0, 53.0] in the base case" in got[1]
    assert "paired 95% interval [-3.0, +1.0]; the interval includes zero" in got[1]


def test_excursions_are_described_from_the_scenario(swept):
    res, html = swept
    assert "<h2>Excursions</h2>" in html
    assert "Taiwan stands alone" in html
    assert "Neither the United States nor Japan intervenes." in html
    m = json.loads((res.out / "manifest.json").read_text())
    assert scenario_text(m).excursions["taiwan-alone"][0] == "Taiwan stands alone"
    broken = copy.deepcopy(m)
    broken["scenario"]["ref"] = str(res.out / "no-such-scenario.yaml")
    assert scenario_text(broken) == ScenarioText()  # guarded: the text is just left out


def test_endings_split_capitulations_by_actor(swept):
    res, html = swept
    facts = shard_facts(res.out)
    s = _summary(res)
    for pt in s["points"]:
        by_reason: dict[str, int] = {}
        for (reason, _by), c in facts.endings[pt["grid_point"]].items():
            by_reason[reason] = by_reason.get(reason, 0) + c
        assert by_reason == pt["end_reasons"]
    caps = {by for e in facts.endings.values() for (r, by), _ in e.items()
            if r == "capitulation"}
    assert caps and None not in caps
    table = html[html.index('id="endings"'):]
    table = table[:table.index("</table>")]
    for a in caps:
        assert f"{a} capitulated, %" in table
    assert "settlement, %" in table and "capitulation, %" in table
    base = s["points"][0]
    share = base["end_reasons"].get("capitulation", 0) / base["n"]
    assert f"{100 * share:.1f}%" in table


def test_units_in_headings_and_peak_bars(swept):
    res, html = swept
    for unit in ("P(war), %", "mean peak rung, rungs", "mean length, turns",
                 "share of stakes", "air (aircraft)", "force kind (unit)", "share of runs (%)"):
        assert unit in html, unit
    peak = html[html.index('id="sweep-peak'):]
    peak = peak[:peak.index("</svg>")]
    bars = sum(len(pt["peak_rung_counts"]) for pt in _summary(res)["points"])
    assert peak.count('id="sweep-peak-patch_') >= bars  # one bar per grid point and rung reached


def test_empty_nuclear_chart_is_replaced_by_a_sentence(swept):
    res, _ = swept
    s = _summary(res)
    m = json.loads((res.out / "manifest.json").read_text())
    s0 = copy.deepcopy(s)
    for pt in s0["points"]:
        pt["first_nuclear_use_by_turn"] = {}
        pt["proportions"]["nuclear_use"]["count"] = 0
    ctx0 = build_sweep_context(s0, m, None)
    assert ctx0["charts"]["nuclear"] is None and not ctx0["any_nuclear"]
    html = _environment().get_template("sweep.html").render(**ctx0)
    assert "No run used nuclear weapons." in html and 'id="sweep-nuclear' not in html
    s2 = copy.deepcopy(s0)
    s2["points"][0]["first_nuclear_use_by_turn"] = {"3": 5}
    s2["points"][0]["proportions"]["nuclear_use"]["count"] = 5
    ctx = build_sweep_context(s2, m, None)
    assert ctx["charts"]["nuclear"] is not None and ctx["any_nuclear"]
    assert "No run used nuclear weapons." not in _environment().get_template(
        "sweep.html").render(**ctx)


def test_from_sweep_command_reads_a_challenger_success(swept):
    res, html = swept
    t = res.table(["grid_point", "run", "challenger_success"])
    t = t.filter(pc.and_(pc.equal(t["grid_point"], 1), t["challenger_success"]))
    first = min(t["run"].to_pylist())
    cmd = f"whitecell run --from-sweep {res.out} --index {first} --grid-point 1"
    assert cmd in html and "first run ending in challenger success" in html
    assert rerun_from_sweep(res.out, first, grid_point=1).outcome["challenger_success"]


def test_scenario_text_is_escaped(swept):
    res, _ = swept
    s = _summary(res)
    m = json.loads((res.out / "manifest.json").read_text())
    text = ScenarioText({"taiwan-alone": ("<b>bold</b>", "a <script>x</script> & y")},
                        {"CHN": "<i>China</i>"}, "<i>China</i>")
    html = _environment().get_template("sweep.html").render(
        **build_sweep_context(s, m, None, text=text, facts=ShardFacts(), folder="d'ir"))
    assert "<script" not in html and "<b>bold" not in html and "<i>China" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "&lt;i&gt;China&lt;/i&gt; succeeds" in html
    quoted = escape(shlex.quote("d'ir"))  # shell-quoted, then HTML-escaped
    assert f"--from-sweep {quoted} --index" in html
