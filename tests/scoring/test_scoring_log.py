"""Reading action logs: EscalAItion's CSV as published, other column names, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from whitecell.scoring import ScoreError, parse_columns, read_csv_log
from whitecell.scoring.log import read_csv_text

FIXTURE = Path(__file__).parent / "data" / "escalaition_fixture.csv"


def test_reads_escalaition_columns_and_line_numbers() -> None:
    log = read_csv_log(FIXTURE)
    assert len(log) == 32 and log.time == "day"
    first = log.rows[0]
    assert (first.day, first.actor, first.target, first.action, first.line) == (
        1, "Blue", "Red", "Message", 2)
    # the message of row 16 spans two lines, so row 17 starts on line 19
    assert (log.rows[15].line, log.rows[16].line) == (17, 19)
    assert log.rows[16].action == "Cut diplomatic relationships"


def test_other_column_names_by_default_and_by_option() -> None:
    log = read_csv_text("turn,actor,target,action\n1,USA,CHN,wait\n")
    assert log.time == "turn" and log.rows[0].target == "CHN"
    text = "Round,Country,Move\n3,JPN,High-level visit\n\n4.0,JPN,Wait\n"
    log = read_csv_text(text, columns=parse_columns("day=Round,actor=Country,action=Move"))
    assert [(r.day, r.actor, r.target, r.action, r.line) for r in log.rows] == [
        (3, "JPN", None, "High-level visit", 2), (4, "JPN", None, "Wait", 4)]


def test_missing_columns_name_what_was_expected() -> None:
    with pytest.raises(ScoreError) as e:
        read_csv_text("Round,Country,Move\n1,A,Wait\n", file="x.csv")
    lines = [str(p) for p in e.value.problems]
    assert lines == [
        "x.csv:1: header: no day column: expected one named day or turn; the file has "
        "'Round', 'Country', 'Move'; name yours with --columns day=COLUMN",
        "x.csv:1: header: no actor column: expected one named actor or self or nation; the "
        "file has 'Round', 'Country', 'Move'; name yours with --columns actor=COLUMN",
        "x.csv:1: header: no action column: expected one named action; the file has "
        "'Round', 'Country', 'Move'; name yours with --columns action=COLUMN",
    ]
    with pytest.raises(ScoreError, match="no column 'Turn' \\(given for day by --columns\\)"):
        read_csv_text("day,self,action\n", columns={"day": "Turn"})


@pytest.mark.parametrize(("text", "message"), [
    ("", "x.csv:1: empty file: expected a header row"),
    ("day,self,action\nsoon,A,Wait\n", "x.csv:2: day: 'soon' is not a whole number"),
    ("day,self,action\n1.5,A,Wait\n", "x.csv:2: day: '1.5' is not a whole number"),
    ("day,self,action\n1,,Wait\n", "x.csv:2: self: empty: expected the acting nation"),
    ("day,self,action\n1,A\n", "x.csv:2: 2 fields; the header has 3"),
])
def test_bad_rows(text: str, message: str) -> None:
    with pytest.raises(ScoreError) as e:
        read_csv_text(text, file="x.csv")
    assert str(e.value.problems[0]).startswith(message), str(e.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ScoreError, match="file not found"):
        read_csv_log(tmp_path / "nope.csv")
    with pytest.raises(ScoreError, match="is a folder, not a CSV log"):
        read_csv_log(tmp_path)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"day,self,action\n1,Bl\xe9,Wait\n")
    with pytest.raises(ScoreError, match=r"latin1.csv:2: not UTF-8 text \(byte 0xe9\)"):
        read_csv_log(bad)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"day\x00")
    with pytest.raises(ScoreError, match="binary"):
        read_csv_log(binary)


@pytest.mark.parametrize(("spec", "message"), [
    ("day", "'day': expected ROLE=COLUMN"),
    ("when=Round", "unknown role 'when'"),
    ("day=a,day=b", "day given twice"),
    ("day=", "day=: expected the name of a column"),
])
def test_bad_column_option(spec: str, message: str) -> None:
    with pytest.raises(ScoreError) as e:
        parse_columns(spec)
    assert str(e.value).startswith("--columns: ") and message in str(e.value)
