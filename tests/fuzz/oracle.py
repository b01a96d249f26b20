"""What the fuzz tier accepts from ``whitecell``, in process and as a real subprocess.

Acceptable: exit 0 (a finished game, a parsable JSON answer) or exit 2 with
one located line per problem on stderr. Never a traceback, never any other
exit status (``play`` may exit 130 once stdin is closed: it saves the game,
as on Ctrl-C), never a timeout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from whitecell.cli import app

SRC = Path(__file__).resolve().parents[2] / "src"
TIMEOUT = 20.0

# FILE:LINE:COLUMN: (a file name may hold spaces), error: ..., or a command-line
# problem naming its option (--set EXPR: ...). Usage errors (unknown option,
# value not an integer, missing argument) are one 'error:' line too, no box.
LOCATED = re.compile(r"^(.+?:\d+:\d+: |error: |--[a-z][a-z-]* \S)")

_runner = CliRunner()
_SCRIPT = Path(sys.executable).parent / "whitecell"
_COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "whitecell.cli"]


@dataclass
class Result:
    argv: list[str]
    code: int | None  # None: timed out
    stdout: str
    stderr: str
    crash: str = ""  # formatted exception, in process

    def describe(self) -> str:
        return (f"whitecell {' '.join(a[:80] for a in self.argv)}\n"
                f"exit {self.code}\n--- stderr\n{self.stderr[-3000:]}\n{self.crash[-3000:]}")


def invoke(argv: list[str]) -> Result:
    """Run ``whitecell ARGV`` in this process (Typer's test runner)."""
    r = _runner.invoke(app, argv)
    crash = ""
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        crash = "".join(traceback.format_exception(r.exception))
    return Result(argv, r.exit_code, r.stdout, r.stderr, crash)


def spawn(argv: list[str], cwd: str | Path, env: dict[str, str] | None = None,
          timeout: float = TIMEOUT) -> Result:
    """Run the real ``whitecell ARGV`` (the console script of this venv), stdin closed."""
    full = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    try:
        p = subprocess.run([*_COMMAND, *argv], cwd=cwd, env=full,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return Result(argv, None, _text(e.stdout), _text(e.stderr))
    return Result(argv, p.returncode, _text(p.stdout), _text(p.stderr))


def _text(b: bytes | str | None) -> str:
    if b is None:
        return ""
    return b if isinstance(b, str) else b.decode("utf-8", "replace")


def problems(r: Result, *, json_out: bool = False, outcome: bool = False) -> list[str]:
    """Why ``r`` is not acceptable (empty if it is)."""
    bad: list[str] = []
    if r.code is None:
        return [f"timed out after {TIMEOUT} s"]
    if r.crash:
        bad.append("uncaught exception")
    if "Traceback" in r.stderr or "Traceback" in r.stdout:
        bad.append("traceback in the output")
    if r.code == 0:
        if json_out:
            try:
                data: Any = json.loads(r.stdout)
            except ValueError as e:
                bad.append(f"exit 0 but stdout is not JSON ({e})")
            else:
                if outcome and not (isinstance(data, dict) and data.get("outcome")):
                    bad.append("exit 0 but no outcome in the JSON")
    elif r.code == 2:
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        if not lines:
            bad.append("exit 2 with nothing on stderr")
        unlocated = [ln for ln in lines if not LOCATED.match(ln)]
        if unlocated:
            bad.append(f"stderr line not located: {unlocated[0][:300]!r}")
        if lines and lines[0].startswith("error: ") and len(lines) > 1:
            bad.append("an 'error:' message of more than one line")
    elif not (r.code == 130 and r.argv[:1] == ["play"] and "game saved as" in r.stderr):
        bad.append(f"exit status {r.code} (expected 0 or 2)")
    return bad
