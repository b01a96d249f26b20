"""Bad or surprising user input at the command line: clear one-line errors, exit 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whitecell import __version__
from whitecell.cli import app
from whitecell.scenario.load import bundled_dir

runner = CliRunner()
GOOD = (bundled_dir() / "taiwan-strait-crisis.yaml").read_text()


def _invoke(*args: str, input: str | None = None):  # noqa: A002 - mirrors CliRunner
    return runner.invoke(app, list(args), input=input)


def _no_traceback(r) -> None:
    assert "Traceback" not in r.output, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception


# --------------------------------------------------------------------------- markup


def test_validate_path_with_markup_is_printed_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[" / "x]"  # the path reads .../[/x]/s.yaml
    folder.mkdir(parents=True)
    assert "[/x]" in str(folder)
    p = folder / "s.yaml"
    p.write_text(GOOD)
    r = _invoke("validate", str(p))
    assert r.exit_code == 0, r.output
    assert f"{p}: ok" in r.stdout
    bad = folder / "bad.yaml"
    bad.write_text("a: [unclosed\n")
    r = _invoke("validate", str(bad))
    assert r.exit_code == 2 and r.stderr.startswith(f"{bad}:")
    _no_traceback(r)


def test_emoji_codes_are_not_replaced(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("#\n" * 99 + "a: 1\n")  # problems at line 100: 'FILE:100:1:'
    r = _invoke("validate", str(p))
    assert r.exit_code == 2
    assert f"{p}:100:1: a: unknown field" in r.stderr
    assert "💯" not in r.stderr


def _briefed(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("briefing: |\n", f"briefing: |\n  {text}\n", 1))
    return p


def test_play_prints_a_briefing_with_markup_literally(tmp_path: Path) -> None:
    p = _briefed(tmp_path, "Brief [/x] :100: [bold]b")
    r = _invoke("play", str(p), "--as", "JPN", "--out", str(tmp_path / "store"), input="")
    assert r.exit_code == 130, r.output  # input ends at once: the game is saved
    assert "Brief [/x] :100: [bold]b" in r.stdout
    assert "game saved as" in r.stderr


def test_markup_typed_at_the_play_prompt_does_not_crash(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    r = _invoke("play", "taiwan-strait-crisis", "--as", "JPN", "--out", store,
                input="[/x]\n[bold]\nwait\n[/x] rationale :100:\n")
    assert r.exit_code == 130, r.output
    assert "not a legal action: '[/x]'" in r.stdout
    run_id = r.stderr.split("game saved as ")[1].split(";")[0]
    rows = json.loads(_invoke("runs", "--out", store, "--json").stdout)
    assert [x["run_id"] for x in rows] == [run_id] and rows[0]["status"] == "in_progress"


def test_replay_verdict_still_printed(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    r = _invoke("run", "taiwan-strait-crisis", "--seed", "2", "--out", store)
    run_id = next(w for w in r.stdout.split() if w.startswith("r-"))
    rp = _invoke("replay", run_id, "--out", store)
    assert rp.exit_code == 0, rp.output
    assert "identical to the stored log" in rp.stdout


# --------------------------------------------------------------------------- files


def test_validate_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    r = _invoke("validate", str(fifo))
    assert r.exit_code == 2 and "not a regular file (a named pipe)" in r.stderr


def test_validate_dev_zero() -> None:
    r = _invoke("validate", "/dev/zero")
    assert r.exit_code == 2 and "not a regular file" in r.stderr


def test_validate_deep_nesting_exits_2(tmp_path: Path) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text("references: " + "[" * 500 + "]" * 500 + "\n")
    r = _invoke("validate", str(p))
    assert r.exit_code == 2, r.output
    assert f"{p}:1:" in r.stderr and "nested too deeply" in r.stderr
    _no_traceback(r)


def test_validated_file_with_infinity_never_reaches_the_engine(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("naval: {value: 26,", "naval: {value: .inf,", 1))
    for cmd in (["validate", str(p)], ["run", str(p)]):
        r = _invoke(*cmd)
        assert r.exit_code == 2 and "finite" in r.stderr, r.output


def test_set_error_names_the_expression() -> None:
    r = _invoke("run", "taiwan-strait-crisis", "--set", "actors.USA.forces.air.value=abc")
    assert r.exit_code == 2
    line = r.stderr.strip()
    assert line.startswith("--set actors.USA.forces.air.value=abc: Input should be a valid "
                           "number"), line
    assert "taiwan-strait-crisis.yaml" not in line


# --------------------------------------------------------------------------- ranges


@pytest.mark.parametrize("seed", ["9223372036854775808", "-1", str(2**70)])
def test_seed_out_of_range(seed: str, tmp_path: Path) -> None:
    for cmd in ("run", "play"):
        r = _invoke(cmd, "taiwan-strait-crisis", "--as", "JPN", "--seed", seed) if (
            cmd == "play") else _invoke(cmd, "taiwan-strait-crisis", "--seed", seed)
        assert r.exit_code == 2, r.output
        assert "--seed" in r.stderr and "0 to 9223372036854775807" in r.stderr
        _no_traceback(r)


def test_largest_seed_runs(tmp_path: Path) -> None:
    r = _invoke("run", "taiwan-strait-crisis", "--seed", str(2**63 - 1), "--json",
                "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["seed"] == 2**63 - 1


@pytest.mark.parametrize("limit,code", [("99999999999999999999", 0), ("0", 2), ("-5", 2)])
def test_runs_limit(tmp_path: Path, limit: str, code: int) -> None:
    _invoke("run", "taiwan-strait-crisis", "--out", str(tmp_path))
    r = _invoke("runs", "--limit", limit, "--out", str(tmp_path), "--json")
    assert r.exit_code == code, r.output
    if code == 0:
        assert len(json.loads(r.stdout)) == 1
    else:
        assert "--limit" in r.stderr
    _no_traceback(r)


# --------------------------------------------------------------------------- report -o


@pytest.fixture
def stored_run(tmp_path: Path) -> tuple[str, str]:
    store = str(tmp_path / "store")
    r = _invoke("run", "taiwan-strait-crisis", "--seed", "4", "--out", store, "--json")
    return json.loads(r.stdout)["run_id"], store


def test_report_refuses_a_symlink_target(tmp_path: Path, stored_run: tuple[str, str]) -> None:
    run_id, store = stored_run
    real = tmp_path / "real.html"
    real.write_text("keep me")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    r = _invoke("report", run_id, "-o", str(link), "--out", store)
    assert r.exit_code == 2 and "symbolic link" in r.stderr, r.output
    assert link.is_symlink() and real.read_text() == "keep me"


def test_report_refuses_a_fifo_target(tmp_path: Path, stored_run: tuple[str, str]) -> None:
    run_id, store = stored_run
    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    r = _invoke("report", run_id, "-o", str(fifo), "--out", store)
    assert r.exit_code == 2 and "named pipe" in r.stderr
    assert fifo.is_fifo()
    r = _invoke("run", "taiwan-strait-crisis", "--report", str(fifo), "--out", store)
    assert r.exit_code == 2 and "named pipe" in r.stderr and fifo.is_fifo()


def test_report_refuses_a_folder_target(tmp_path: Path, stored_run: tuple[str, str]) -> None:
    run_id, store = stored_run
    r = _invoke("report", run_id, "-o", str(tmp_path), "--out", store)
    assert r.exit_code == 2 and "a folder" in r.stderr


def test_report_overwrites_a_regular_file(tmp_path: Path, stored_run: tuple[str, str]) -> None:
    run_id, store = stored_run
    target = tmp_path / "r.html"
    target.write_text("old")
    r = _invoke("report", run_id, "-o", str(target), "--out", store)
    assert r.exit_code == 0, r.output
    assert target.read_text().startswith("<!DOCTYPE html>") or "<html" in target.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_report_of_a_missing_folder_says_so(tmp_path: Path) -> None:
    r = _invoke("report", str(tmp_path / "no-such-sweep"), "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "no such sweep folder" in r.stderr
    r = _invoke("report", str(tmp_path), "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "not a sweep folder" in r.stderr
    r = _invoke("report", "r-0", "-o", str(tmp_path / "x.html"), "--out",
                str(tmp_path / "missing-store"))
    assert r.exit_code == 2 and "run store folder" in r.stderr and "does not exist" in r.stderr
    assert not (tmp_path / "missing-store").exists()


# --------------------------------------------------------------------------- runs and paths


def test_replay_and_report_of_a_relative_path_from_elsewhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "my.yaml").write_text(GOOD)
    store = str(tmp_path / "store")
    monkeypatch.chdir(work)
    r = _invoke("run", "./my.yaml", "--seed", "3", "--out", store, "--json")
    assert r.exit_code == 0, r.output
    run_id = json.loads(r.stdout)["run_id"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    rp = _invoke("replay", run_id, "--out", store, "--json")
    assert rp.exit_code == 0, rp.output
    assert json.loads(rp.stdout)["identical"]
    rr = _invoke("report", run_id, "-o", "r.html", "--out", store)
    assert rr.exit_code == 0, rr.output
    assert (elsewhere / "r.html").is_file()
    # the file changes, then goes: both said plainly
    (work / "my.yaml").write_text(GOOD.replace("max_turns: 30", "max_turns: 29"))
    rp = _invoke("replay", run_id, "--out", store)
    assert rp.exit_code == 2 and "has changed since run" in rp.stderr
    (work / "my.yaml").unlink()
    rp = _invoke("replay", run_id, "--out", store)
    assert rp.exit_code == 2 and "no longer exists" in rp.stderr
    rr = _invoke("report", run_id, "-o", "r2.html", "--out", store)
    assert rr.exit_code == 2 and "no longer exists" in rr.stderr


def test_run_id_prefix_wildcards_are_literal(tmp_path: Path) -> None:
    store = str(tmp_path)
    r = _invoke("run", "taiwan-strait-crisis", "--out", store, "--json")
    assert r.exit_code == 0
    for pattern in ("r-%", "r-_", "%", "_"):
        rp = _invoke("replay", pattern, "--out", store)
        assert rp.exit_code == 2 and "no run" in rp.stderr, (pattern, rp.output)


# --------------------------------------------------------------------------- newcomers


def test_root_version_flag() -> None:
    r = _invoke("--version")
    assert r.exit_code == 0 and r.stdout.strip() == __version__
    assert _invoke("version").stdout.strip() == __version__


def test_did_you_mean_for_command_scenario_and_excursion() -> None:
    r = _invoke("valdate", "x")
    assert r.exit_code == 2 and "(did you mean 'validate'?)" in r.stderr
    r = _invoke("run", "taiwan-strait-crisiss")
    assert r.exit_code == 2 and "did you mean 'taiwan-strait-crisis'?" in r.stderr
    r = _invoke("run", "taiwan-strait-crisis", "-e", "optimistik")
    assert r.exit_code == 2 and "did you mean 'optimistic'?" in r.stderr
