"""A sweep's tables for other tools: load() as pandas, summarize --csv / --xlsx."""

import csv
import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from whitecell.analysis import SweepError, load, sweep
from whitecell.cli import app

SC = "taiwan-strait-crisis"
runner = CliRunner()


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    d = tmp_path_factory.mktemp("exp") / "sweep"
    return sweep(SC, 300, excursions=["base", "pessimistic"],
                 vary={"actors.USA.forces.strike.value": [150, 700]}, chunk=100, out=d,
                 workers=1, progress=False)


def test_load_runs_points_and_differences(done):
    runs = load(done.out)
    assert isinstance(runs, pd.DataFrame) and len(runs) == 4 * 300
    assert runs.equals(done.table().to_pandas())
    few = load(done.out, columns=["grid_point", "war"])
    assert list(few.columns) == ["grid_point", "war"]
    pts = load(done.out, "points")
    assert list(pts["grid_point"]) == [0, 1, 2, 3] and set(pts["n"]) == {300}
    s0 = done.summary["points"][0]
    assert pts.loc[0, "war"] == s0["proportions"]["war"]["p"]
    assert pts.loc[0, "war_low"] == s0["proportions"]["war"]["low"]
    assert pts.loc[0, "peak_rung_mean"] == s0["means"]["peak_rung"]["mean"]
    assert list(pts["actors.USA.forces.strike.value"]) == [150, 700, 150, 700]
    ends = [c for c in pts.columns if c.startswith("end_")]
    assert ends and (pts[ends].sum(axis=1) == 300).all()
    diffs = load(done.out, "differences")
    assert len(diffs) == len(done.summary["differences"])
    with pytest.raises(SweepError, match="unknown table"):
        load(done.out, "nope")


def test_load_of_a_non_sweep_folder_is_a_sweep_error(tmp_path):
    with pytest.raises(SweepError, match="not a whitecell sweep folder"):
        load(tmp_path)


def test_summarize_writes_csv_and_xlsx(done, tmp_path):
    c, x = tmp_path / "p.csv", tmp_path / "s.xlsx"
    r = runner.invoke(app, ["summarize", str(done.out), "--csv", str(c), "--xlsx", str(x),
                            "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == done.summary
    assert f"wrote {c}" in r.stderr and f"wrote {x}" in r.stderr
    with open(c, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and rows[2]["excursion"] == "pessimistic"
    assert float(rows[0]["war"]) == done.summary["points"][0]["proportions"]["war"]["p"]
    wb = openpyxl.load_workbook(x, read_only=True)
    assert wb.sheetnames == ["points", "differences"]
    sheet = list(wb["points"].iter_rows(values_only=True))
    assert sheet[0][:3] == ("grid_point", "excursion", "label") and len(sheet) == 5
    assert len(list(wb["differences"].iter_rows(values_only=True))) == \
        1 + len(done.summary["differences"])
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_to_an_unwritable_place_is_one_line(done, tmp_path):
    (tmp_path / "file").write_text("x")
    r = runner.invoke(app, ["summarize", str(done.out), "--csv", str(tmp_path / "file" / "p.csv")])
    assert r.exit_code == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.output


def test_exports_never_replace_a_device_or_a_link(tmp_path):
    """`summarize --csv /dev/null` as root replaced /dev/null with a regular file."""
    import os

    from whitecell.analysis.errors import SweepError
    from whitecell.analysis.export import write_csv, write_xlsx
    from whitecell.analysis.sweep import sweep

    out = tmp_path / "sw"
    sweep("east-china-sea", 20, out=out, workers=1, chunk=20, progress=False)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere.csv")
    for target in (fifo, link, tmp_path):
        for writer in (write_csv, write_xlsx):
            with pytest.raises(SweepError, match="refusing to write|cannot write"):
                writer(out, target)
    assert fifo.is_fifo() and link.is_symlink()
