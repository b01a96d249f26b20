"""Running, storing, replaying and playing games through the real command."""

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()


def _wc(*args, env=None, input=None):
    return subprocess.run([sys.executable, "-m", "whitecell.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, input=input, timeout=300)


def test_run_json_is_byte_identical_across_processes(tmp_path):
    env = {"WHITECELL_DB": str(tmp_path / "a.sqlite")}
    args = ["run", "taiwan-strait-crisis", "-e", "pessimistic", "--seed", "5", "--json"]
    a = _wc(*args, env=env)
    b = _wc(*args, env={"WHITECELL_DB": str(tmp_path / "b.sqlite")})
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    d = json.loads(a.stdout)
    assert d["run_id"].startswith("r-") and len(d["event_digest"]) == 64
    assert d["seed"] == 5 and d["excursion"] == "pessimistic"
    for k in ("war", "nuclear_use", "peak_rung", "escalation_score", "challenger_success",
              "deterrence_held", "end_reason", "turns"):
        assert k in d["outcome"]


def test_different_seeds_give_different_logs():
    a = runner.invoke(app, ["run", "taiwan-strait-crisis", "--seed", "1", "--json"])
    b = runner.invoke(app, ["run", "taiwan-strait-crisis", "--seed", "2", "--json"])
    assert json.loads(a.stdout)["event_digest"] != json.loads(b.stdout)["event_digest"]


def test_run_narrative_store_list_replay(tmp_path):
    out = str(tmp_path / "store")
    r = runner.invoke(app, ["run", "taiwan-strait-crisis", "--seed", "7", "--out", out])
    assert r.exit_code == 0, r.output
    assert "Turn 1 (D+0)" in r.stdout and "ruling" in r.stdout and "Outcome" in r.stdout
    run_id = next(w for w in r.stdout.split() if w.startswith("r-"))
    # storing the same run twice keeps one
    runner.invoke(app, ["run", "taiwan-strait-crisis", "--seed", "7", "--out", out])
    ls = runner.invoke(app, ["runs", "--out", out, "--json"])
    rows = json.loads(ls.stdout)
    assert [x["run_id"] for x in rows] == [run_id]
    rp = runner.invoke(app, ["replay", run_id[:8], "--out", out, "--json"])
    assert rp.exit_code == 0, rp.output
    d = json.loads(rp.stdout)
    assert d["identical"] and d["event_digest"] == rows[0]["event_digest"]


def test_replay_unknown_run(tmp_path):
    r = runner.invoke(app, ["replay", "r-doesnotexist", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "no run" in r.stderr


def test_unwritable_store(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions
            return
        r = runner.invoke(app, ["run", "taiwan-strait-crisis", "--out", str(locked / "x")])
        assert r.exit_code == 2
    finally:
        locked.chmod(0o700)


def test_policy_override_changes_players(tmp_path):
    r = runner.invoke(app, ["run", "taiwan-strait-crisis", "--policy", "strategic", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert set(d["policies"].values()) == {"strategic"}
    r2 = runner.invoke(app, ["run", "taiwan-strait-crisis", "--policy", "CHN=strategic",
                             "--json"])
    p = json.loads(r2.stdout)["policies"]
    assert p["CHN"] == "strategic" and p["USA"] == "doctrine"


def test_play_hot_seat_ctrl_d_saves_and_resume_finishes(tmp_path):
    out = str(tmp_path / "store")
    # answer two turns as JPN (wait, no rationale), then the input ends (like Ctrl-D)
    first = _wc("play", "taiwan-strait-crisis", "--as", "JPN", "--seed", "3", "--out", out,
                input="wait\n\n\nwait\nholding\n")
    assert first.returncode == 130, first.stderr
    assert "play --resume" in first.stderr
    run_id = first.stderr.split("game saved as ")[1].split(";")[0]
    ls = json.loads(_wc("runs", "--out", out, "--json").stdout)
    assert ls[0]["status"] == "in_progress"
    # resume and keep waiting until the game ends
    second = _wc("play", "--resume", run_id, "--out", out, input="wait\n\n\n" * 40)
    assert second.returncode == 0, second.stderr[-2000:]
    rows = json.loads(_wc("runs", "--out", out, "--json").stdout)
    assert rows[0]["status"] == "complete" and rows[0]["run_id"] == run_id
    # the human moves and rationale are in the record and replay reproduces it
    rp = _wc("replay", run_id, "--out", out, "--json")
    assert rp.returncode == 0, rp.stderr
    assert json.loads(rp.stdout)["identical"]


def test_play_needs_an_actor():
    r = runner.invoke(app, ["play", "taiwan-strait-crisis"])
    assert r.exit_code == 2 and "--as" in r.stderr
    r = runner.invoke(app, ["play", "taiwan-strait-crisis", "--as", "ZZZ"])
    assert r.exit_code == 2 and "unknown actor" in r.stderr


def test_play_ctrl_c_saves_the_game(tmp_path):
    """A real SIGINT at the action prompt saves the game so far (exit 130)."""
    import signal
    import time

    out = str(tmp_path / "store")
    proc = subprocess.Popen([sys.executable, "-m", "whitecell.cli", "play", "east-china-sea",
                             "--as", "JPN", "--out", out], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("wait\nfirst move\n")
    proc.stdin.flush()
    seen = ""
    deadline = time.time() + 60
    while "turn 2" not in seen and time.time() < deadline:
        seen += proc.stdout.readline()
    assert "turn 2" in seen, seen[-2000:]
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "play --resume" in err and "Traceback" not in err
    rows = json.loads(_wc("runs", "--out", out, "--json").stdout)
    assert rows[0]["status"] == "in_progress"
