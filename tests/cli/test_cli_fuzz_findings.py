"""Regressions for what the fuzz tier (tests/fuzz) found: each the minimal input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from whitecell.analysis.errors import SweepError
from whitecell.analysis.sweep import sweep
from whitecell.cli import app
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import scenario_path

runner = CliRunner()
TOO_BIG = str(2**63)
LONG = "x" * 300  # longer than NAME_MAX (255): the system refuses the name itself


def _one_error_line(r, start: str) -> None:  # type: ignore[no-untyped-def]
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), r.stderr


# --------------------------------------------------------------------------- seeds >= 2**63


def test_sweep_refuses_a_seed_of_2_to_the_63(tmp_path: Path) -> None:
    r = runner.invoke(app, ["sweep", "east-china-sea", "-n", "5", "--workers", "1",
                            "--seed", TOO_BIG, "--out", str(tmp_path / "s")])
    _one_error_line(r, f"error: --seed {TOO_BIG}: expected a whole number from 0 to")
    assert not (tmp_path / "s").exists()  # refused before anything is written


def test_sensitivity_refuses_a_seed_of_2_to_the_63(tmp_path: Path) -> None:
    r = runner.invoke(app, ["sensitivity", "east-china-sea", "-n", "3", "--workers", "1",
                            "--param", "parameters.risk.base=0.001:0.004", "--seed", TOO_BIG,
                            "--out", str(tmp_path / "s")])
    _one_error_line(r, f"error: --seed {TOO_BIG}: expected a whole number from 0 to")


def test_sweep_library_refuses_a_seed_of_2_to_the_63() -> None:
    with pytest.raises(SweepError, match="seed must be a whole number from 0 to"):
        sweep("east-china-sea", 5, seed=2**63, workers=1)


# --------------------------------------------------------------------------- names too long


def test_scenario_path_of_a_name_too_long_is_a_scenario_error_not_an_oserror() -> None:
    with pytest.raises(ScenarioError, match="no such file and no bundled scenario"):
        scenario_path(LONG)
    assert scenario_path(LONG + ".yaml") == Path(LONG + ".yaml")  # read_yaml_text says why


@pytest.mark.parametrize("argv", [["validate", LONG], ["run", LONG],
                                  ["sweep", LONG, "-n", "1"]])
def test_scenario_name_too_long_is_a_located_problem(argv: list[str]) -> None:
    r = runner.invoke(app, argv)
    _one_error_line(r, f"{LONG}:1:1: (root): no such file")


@pytest.mark.parametrize("argv", [["report", LONG, "-o", "r.html"], ["summarize", LONG],
                                  ["run", "--from-sweep", LONG, "--index", "0"],
                                  ["runs", "--out", "/tmp/" + LONG]])
def test_path_too_long_is_one_error_line(argv: list[str]) -> None:
    r = runner.invoke(app, argv)
    _one_error_line(r, "error: ")
    assert "File name too long" in r.stderr
