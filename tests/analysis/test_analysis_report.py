"""The sweep report: one self-contained offline page, the same bytes every time."""

import re

import pytest

from whitecell.analysis import SweepError, sensitivity, sweep
from whitecell.report.sweep import render_sweep_report, survival, write_sweep_report


def test_sweep_report(tmp_path):
    res = sweep("taiwan-strait-crisis", 600, ["base", "taiwan-alone"], chunk=300,
                out=tmp_path / "s", workers=1, progress=False)
    path = write_sweep_report(res.out, tmp_path / "r.html")
    html = path.read_text()
    assert html == render_sweep_report(res.out)
    nuclear = "No run used nuclear weapons." not in html  # else the empty chart is left out
    assert html.count("<svg") == 2 + nuclear
    for title in ("Outcome probabilities", "Peak-rung distribution"):
        assert title in html
    assert ("No nuclear use yet" in html) == nuclear
    assert "taiwan-alone" in html and "Differences" in html
    assert not re.search(r"<script|https?://|src=", html)
    assert "Sensitivity" not in html
    # the challenger's share of the stakes, with its interval and the runs that define it
    shares = re.findall(r'<td class="num">(0\.\d\d|1\.00)<span class="ci">\[[^<]*\] · n '
                        r'([\d,]+)</span></td>', html)
    assert len(shares) == 2
    base, alone = (float(v) for v, _ in shares)
    assert alone > base  # standing alone, Taiwan keeps less of the stakes


def test_report_with_tornado_and_errors(tmp_path):
    out = tmp_path / "sens"
    sensitivity("taiwan-strait-crisis", ["parameters.combat.base_access=0.35:1.0"], 300,
                out=out, workers=1, progress=False, outcome="challenger_success", chunk=300)
    html = render_sweep_report(out)
    nuclear = "No run used nuclear weapons." not in html
    assert html.count("<svg") == 3 + nuclear and "Sensitivity tornado" in html
    with pytest.raises(SweepError):
        render_sweep_report(tmp_path / "nothing")


def test_survival_curve():
    pt = {"n": 10, "first_nuclear_use_by_turn": {"2": 1, "4": 3}}
    assert survival(pt, 5) == [1.0, 1.0, 0.9, 0.9, 0.6, 0.6]
