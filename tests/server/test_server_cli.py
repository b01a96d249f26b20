"""``whitecell serve`` refuses what it cannot do with one clear line and exit 2."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()


def test_a_port_in_use_or_out_of_range_is_a_clear_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    r = runner.invoke(app, ["serve", "--port", "0", "--db", db])
    assert r.exit_code == 2 and "expected 1..65535" in r.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port), "--db", db])
    assert r.exit_code == 2 and "cannot listen" in r.stderr and "Traceback" not in r.output
    r = runner.invoke(app, ["serve", "--host", "no-such-host.invalid", "--db", db])
    assert r.exit_code == 2 and "--host" in r.stderr


def test_a_bad_database_url_is_a_clear_error() -> None:
    r = runner.invoke(app, ["serve", "--port", "1", "--db", "nosuchdialect://x/y"])
    assert r.exit_code == 2 and "error:" in r.stderr and "Traceback" not in r.output
