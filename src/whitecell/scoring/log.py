"""Action logs: who did what to whom, when -- read from CSV or from a stored run.

An action log is a list of rows, each an actor taking one action (at a
target) at a time step: the day of an EscalAItion log (Rivera et al., FAccT
2024), the turn of a whitecell run. Only the actions are scored; the target is
kept for the reader.

A CSV log needs four roles of column, found by name (first match, exact)::

    day     day, turn
    actor   actor, self, nation
    target  target, other           (optional)
    action  action

EscalAItion's published logs (``day,self,other,action,content``) read as they
are. Other names are given with ``columns={"day": "Round", ...}`` (on the
command line ``--columns day=Round,actor=Country``); columns of no role are
ignored.
"""

from __future__ import annotations

import csv
import io
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from whitecell.scoring.errors import ScoreError, ScoreProblem, fail

__all__ = ["COLUMN_ROLES", "DEFAULT_COLUMNS", "ActionLog", "LoggedAction", "parse_columns",
           "read_csv_log", "read_csv_text"]

COLUMN_ROLES: tuple[str, ...] = ("day", "actor", "target", "action")
"""The columns an action log needs (``target`` may be absent)."""

DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "day": ("day", "turn"),
    "actor": ("actor", "self", "nation"),
    "target": ("target", "other"),
    "action": ("action",),
}
"""Column names looked for in each role, in order, when none is given."""

MAX_LOG_BYTES = 512 * 1024 * 1024
"""Largest CSV log read (512 MiB); EscalAItion's largest published run is under 1 MiB."""


@dataclass(frozen=True)
class LoggedAction:
    """One row of a log: ``actor`` took ``action`` (at ``target``) at time ``day``.

    ``line`` is where the row starts in its file (the event number for a
    stored run), for error messages.
    """

    day: int
    actor: str
    target: str | None
    action: str
    line: int


@dataclass(frozen=True)
class ActionLog:
    """The rows of one log, in file order.

    ``source`` names it (a file path or ``run r-...``); ``time`` says what
    ``day`` counts: ``"day"`` or ``"turn"``.
    """

    source: str
    rows: tuple[LoggedAction, ...]
    time: str = "day"

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def actors(self) -> tuple[str, ...]:
        """The actors in order of first appearance."""
        return tuple(dict.fromkeys(r.actor for r in self.rows))


def parse_columns(spec: str | Sequence[str] | None) -> dict[str, str]:
    """``day=Round,actor=Country`` (or a list of such) as ``{"day": "Round", ...}``.

    Raises:
        ScoreError: an unknown role, a part without ``=``, a role given twice
            or an empty column name.
    """
    out: dict[str, str] = {}
    if spec is None:
        return out
    parts = [spec] if isinstance(spec, str) else list(spec)
    for text in parts:
        for item in text.split(","):
            if not item.strip():
                continue
            role, eq, name = item.partition("=")
            role = role.strip()
            if not eq:
                raise _option(f"{item.strip()!r}: expected ROLE=COLUMN, e.g. day=Round (roles: "
                              f"{', '.join(COLUMN_ROLES)})")
            if role not in COLUMN_ROLES:
                raise _option(f"unknown role {role!r}; expected one of {', '.join(COLUMN_ROLES)}")
            if role in out:
                raise _option(f"{role} given twice")
            if not name.strip():
                raise _option(f"{role}=: expected the name of a column after '='")
            out[role] = name.strip()
    return out


def _option(message: str) -> ScoreError:
    return ScoreError([ScoreProblem("", None, None, "--columns", message)])


def read_csv_log(path: str | Path, columns: Mapping[str, str] | None = None) -> ActionLog:
    """Read a CSV action log (UTF-8, a header row, one action per row).

    Args:
        path: the CSV file.
        columns: column name per role, for the roles whose column is not
            named as :data:`DEFAULT_COLUMNS` expects.

    Raises:
        ScoreError: the file cannot be read, is not UTF-8 text, lacks a column,
            or a row has no actor or a day that is not a whole number (every
            bad row, up to 20).
    """
    file = str(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise fail(file, None, "", "file not found") from None
    except OSError as e:
        raise fail(file, None, "", f"cannot read file: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail(file, None, "", "is a folder, not a CSV log")
    if not stat.S_ISREG(st.st_mode):
        raise fail(file, None, "", "not a regular file; expected a CSV log")
    if st.st_size > MAX_LOG_BYTES:
        raise fail(file, None, "", f"too large ({st.st_size} bytes; at most {MAX_LOG_BYTES})")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise fail(file, None, "", f"cannot read file: {e.strerror or e}") from None
    if b"\x00" in raw:
        raise fail(file, None, "", "not a text CSV file (binary)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise fail(file, line, "", f"not UTF-8 text (byte 0x{raw[e.start]:02x})") from None
    return read_csv_text(text, file=file, columns=columns)


def read_csv_text(text: str, *, file: str = "<log>",
                  columns: Mapping[str, str] | None = None) -> ActionLog:
    """Read a CSV action log from text (see :func:`read_csv_log`)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise fail(file, 1, "", "empty file: expected a header row naming the columns "
                   + _expected_columns()) from None
    except csv.Error as e:
        raise fail(file, 1, "", f"not a CSV file: {e}") from None
    index = _column_index(header, columns or {}, file)
    rows: list[LoggedAction] = []
    problems: list[ScoreProblem] = []
    start = reader.line_num + 1
    try:
        for rec in reader:
            line, start = start, reader.line_num + 1
            if not rec or all(not c.strip() for c in rec):
                continue
            row = _row(rec, index, header, file, line, problems)
            if row is not None:
                rows.append(row)
            if len(problems) >= 20:
                break
    except csv.Error as e:
        problems.append(ScoreProblem(file, reader.line_num, None, "", f"not valid CSV: {e}"))
    if problems:
        raise ScoreError(problems)
    return ActionLog(source=file, rows=tuple(rows), time=_time_name(header, index))


def _expected_columns() -> str:
    return "; ".join(f"{role}: {' or '.join(names)}" + (" (optional)" if role == "target" else "")
                     for role, names in DEFAULT_COLUMNS.items())


def _column_index(header: list[str], given: Mapping[str, str], file: str) -> dict[str, int]:
    names = [h.strip() for h in header]
    index: dict[str, int] = {}
    problems: list[ScoreProblem] = []
    have = ", ".join(repr(n) for n in names)
    for role in COLUMN_ROLES:
        if role in given:
            if given[role] in names:
                index[role] = names.index(given[role])
            else:
                problems.append(ScoreProblem(file, 1, None, "header",
                                             f"no column {given[role]!r} (given for {role} by "
                                             f"--columns); the file has {have}"))
            continue
        found = next((names.index(n) for n in DEFAULT_COLUMNS[role] if n in names), None)
        if found is not None:
            index[role] = found
        elif role != "target":
            problems.append(ScoreProblem(
                file, 1, None, "header",
                f"no {role} column: expected one named {' or '.join(DEFAULT_COLUMNS[role])}; "
                f"the file has {have}; name yours with --columns {role}=COLUMN"))
    if problems:
        raise ScoreError(problems)
    return index


def _time_name(header: list[str], index: Mapping[str, int]) -> str:
    return "turn" if header[index["day"]].strip().lower() == "turn" else "day"


def _cell(rec: list[str], i: int | None) -> str | None:
    if i is None or i >= len(rec):
        return None
    return rec[i]


def _row(rec: list[str], index: Mapping[str, int], header: list[str], file: str, line: int,
         problems: list[ScoreProblem]) -> LoggedAction | None:
    day_text = _cell(rec, index["day"])
    actor = _cell(rec, index["actor"])
    action = _cell(rec, index["action"])
    target = _cell(rec, index.get("target"))
    name = {role: header[i].strip() for role, i in index.items()}
    if action is None or day_text is None or actor is None:
        problems.append(ScoreProblem(file, line, None, "", f"{len(rec)} fields; the header has "
                                     f"{len(header)}"))
        return None
    day = _whole(day_text)
    if day is None:
        problems.append(ScoreProblem(file, line, None, name["day"],
                                     f"{day_text!r} is not a whole number (a day or turn)"))
        return None
    if not actor.strip():
        problems.append(ScoreProblem(file, line, None, name["actor"], "empty: expected the "
                                     "acting nation"))
        return None
    return LoggedAction(day=day, actor=actor.strip(), target=(target.strip() or None)
                        if target is not None else None, action=action, line=line)


def _whole(text: str) -> int | None:
    t = text.strip()
    try:
        return int(t)
    except ValueError:
        pass
    try:
        f = float(t)
    except ValueError:
        return None
    if f.is_integer() and abs(f) < 2**53:
        return int(f)
    return None
