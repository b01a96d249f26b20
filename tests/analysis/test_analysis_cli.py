"""The sweep, summarize and sensitivity commands: output, and one-line errors with exit 2."""

import json
import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()
SC = "taiwan-strait-crisis"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sweep_json_via_python_m_and_summarize(tmp_path):
    out = tmp_path / "s"
    p = subprocess.run([sys.executable, "-m", "whitecell.cli", "sweep", SC, "-n", "400",
                        "-e", "base", "-e", "optimistic", "--chunk", "200", "--workers", "1",
                        "--out", str(out), "--json"], capture_output=True, text=True,
                       timeout=300, env={**os.environ})
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert [pt["excursion"] for pt in s["points"]] == ["base", "optimistic"]
    assert s["points"][0]["n"] == 400 and s["differences"]
    assert json.loads((out / "summary.json").read_text()) == s
    r = runner.invoke(app, ["summarize", str(out), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == s
    r = runner.invoke(app, ["summarize", str(out)])
    assert r.exit_code == 0 and "P(war)" in r.stdout and "optimistic" in r.stdout


def test_sweep_table_and_default_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["sweep", SC, "-n", "200", "--vary", "actors.USA.forces.strike.value=150,700",
            "--workers", "1"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "P(war)" in r.stdout and ".strike.value" in r.stdout
    made = list((tmp_path / "sweeps").iterdir())
    assert len(made) == 1 and (made[0] / "summary.json").is_file()
    r2 = runner.invoke(app, args)  # the same command finds the same folder: all resumed
    assert r2.exit_code == 0 and "resumed" in r2.stdout
    assert list((tmp_path / "sweeps").iterdir()) == made


def test_sensitivity_command(tmp_path):
    r = runner.invoke(app, ["sensitivity", SC, "-n", "200", "--param",
                            "parameters.combat.base_access=0.35:1.0", "--outcome",
                            "challenger_success", "--workers", "1", "--out",
                            str(tmp_path / "t"), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["parameters"][0]["path"] == "parameters.combat.base_access"


@pytest.mark.parametrize("args, message", [
    (["-n", "10", "-e", "nope"], "unknown excursion 'nope'"),
    (["-n", "10", "--vary", "no.such.path=1,2"], "unknown field"),
    (["-n", "10", "--vary", "max_turns=20,-3"], "max_turns"),
    (["-n", "10", "--vary", "max_turns"], "expected dotted.path=v1,v2"),
    (["-n", "0"], "runs must be a positive integer"),
    (["-n", "-5"], "runs must be a positive integer"),
    (["-n", "10", "-e", "base", "--all-excursions"], "not both"),
    (["-n", "10", "--backend", "spark"], "unknown backend"),
    (["-n", "10", "--workers", "0"], "at least 1"),
    (["-n", "10", "--policy", "CHN=psychic"], "unknown policy"),
])
def test_bad_sweep_input_exits_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    r = runner.invoke(app, ["sweep", SC, *args, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert "Traceback" not in r.output
    assert not out.exists()


def test_unreachable_dask_and_unwritable_out(tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, ["sweep", SC, "-n", "10", "--backend", "dask", "--address",
                            f"tcp://127.0.0.1:{_free_port()}", "--out", str(out)])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
    (tmp_path / "file").write_text("x")
    r = runner.invoke(app, ["sweep", SC, "-n", "10", "--workers", "1", "--out",
                            str(tmp_path / "file" / "sub")])
    assert r.exit_code == 2 and "cannot write to --out" in r.stderr


def test_mismatched_resume_and_bad_summarize(tmp_path):
    out = tmp_path / "s"
    assert runner.invoke(app, ["sweep", SC, "-n", "50", "--workers", "1", "--out",
                               str(out)]).exit_code == 0
    r = runner.invoke(app, ["sweep", SC, "-n", "50", "--seed", "1", "--workers", "1",
                            "--out", str(out)])
    assert r.exit_code == 2 and "holds a different sweep" in r.stderr
    r = runner.invoke(app, ["summarize", str(tmp_path / "none")])
    assert r.exit_code == 2 and "not a whitecell sweep folder" in r.stderr
    r = runner.invoke(app, ["sensitivity", SC, "-n", "10", "--param", "max_turns=5",
                            "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "low:high" in r.stderr
