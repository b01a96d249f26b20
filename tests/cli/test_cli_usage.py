"""A mistyped command line: one plain line (what, expected, did you mean, --help), exit 2.

Every command of ``whitecell --help`` is checked for an unknown option, a
missing argument or option, an option without its value, a flag given a value,
a value of the wrong type and an extra argument; none may draw Typer's rich
box, print a traceback or read the user's text as markup.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()
GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)  # type: ignore[attr-defined]
SRC = Path(__file__).resolve().parents[2] / "src"


def _params(name: str) -> list:
    return list(GROUP.commands[name].params)  # type: ignore[attr-defined]


def _usage_error(args: list[str]) -> str:
    """Run ``whitecell ARGS``; check the usage-error contract; return the one stderr line."""
    r = runner.invoke(app, args, prog_name="whitecell")
    assert r.exit_code == 2, (args, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.stdout == "", (args, r.stdout)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, (args, r.stderr)
    line = lines[0]
    assert line.startswith("error: "), line
    assert "--help'" in line, line
    for junk in ("╭", "│", "Traceback", "Usage:"):
        assert junk not in line, line
    return line


def test_every_command_is_checked() -> None:
    assert {"validate", "schema", "scenarios", "actions", "run", "runs", "replay", "report",
            "play", "version", "sweep", "summarize", "sensitivity"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_unknown_option(name: str) -> None:
    line = _usage_error([name, "--no-such-thing"])
    assert line == (f"error: whitecell {name}: no such option '--no-such-thing'; "
                    f"see 'whitecell {name} --help'")


@pytest.mark.parametrize("name", COMMANDS)
def test_help_still_works(name: str) -> None:
    for flag in ("--help", "-h"):
        r = runner.invoke(app, [name, flag], prog_name="whitecell")
        assert r.exit_code == 0, r.output
        assert f"whitecell {name}" in r.stdout and "--help" in r.stdout


def test_top_level_help_and_version() -> None:
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and all(c in r.stdout for c in COMMANDS)
    assert runner.invoke(app, ["--version"]).exit_code == 0


@pytest.mark.parametrize("name", COMMANDS)
def test_options_without_their_value(name: str) -> None:
    for p in _params(name):
        if p.param_type_name != "option" or p.is_flag:
            continue
        opt = p.opts[0]
        line = _usage_error([name, opt])
        assert line.startswith(f"error: whitecell {name}: option '{opt}' needs a value"), line
        assert line.endswith(f"see 'whitecell {name} --help'")


@pytest.mark.parametrize("name", COMMANDS)
def test_flags_given_a_value(name: str) -> None:
    for p in _params(name):
        if p.param_type_name == "option" and p.is_flag:
            line = _usage_error([name, f"{p.opts[0]}=yes"])
            assert f"option '{p.opts[0]}' is a flag and takes no value" in line


@pytest.mark.parametrize("name", COMMANDS)
def test_whole_numbers(name: str) -> None:
    ints = [p for p in _params(name) if p.param_type_name == "option"
            and getattr(p.type_descriptor, "annotation", None) is int]
    for p in ints:
        for bad in ("abc", "2.5", "[/x]", "1e3"):
            line = _usage_error([name, p.opts[0], bad])
            assert (f"invalid value '{bad}' for option {' / '.join(p.opts)} "
                    "(expected a whole number)") in line, line


@pytest.mark.parametrize("name", COMMANDS)
def test_missing_required(name: str) -> None:
    required = [p for p in _params(name) if p.required]
    if not required:
        return
    line = _usage_error([name])
    first = required[0]
    label = (f"argument {first.name.upper()}" if first.param_type_name == "argument"
             else f"option {' / '.join(first.opts)}")
    assert f"error: whitecell {name}: missing {label} (" in line, line


def test_missing_required_option_says_what_it_takes() -> None:
    line = _usage_error(["sweep", "taiwan-strait-crisis"])
    assert line == ("error: whitecell sweep: missing option --runs / -n (runs per grid point); "
                    "see 'whitecell sweep --help'")
    line = _usage_error(["report", "r-1"])
    assert "missing option -o / --output (HTML file)" in line


@pytest.mark.parametrize("name", COMMANDS)
def test_extra_argument(name: str) -> None:
    if hasattr(GROUP.commands[name], "commands"):  # a group (whitecell llm): no such command
        line = _usage_error([name, "surplus"])
        assert "no such command 'surplus'" in line and f"whitecell {name} --help" in line
        return
    takes_many = any(p.param_type_name == "argument" and p.nargs == -1 for p in _params(name))
    if takes_many:
        return
    n_args = sum(p.param_type_name == "argument" for p in _params(name))
    required = [x for p in _params(name) if p.param_type_name == "option" and p.required
                for x in (p.opts[0], "1")]
    line = _usage_error([name, *required, *["a"] * n_args, "surplus"])
    assert "unexpected extra argument 'surplus' (it takes " in line, line


def test_extra_argument_names_what_the_command_takes() -> None:
    line = _usage_error(["sweep", "taiwan-strait-crisis", "-n", "10", "--vary", "a=1", "2"])
    assert line == ("error: whitecell sweep: unexpected extra argument '2' (it takes SCENARIO; "
                    "quote a value that holds spaces); see 'whitecell sweep --help'")
    assert "(it takes no arguments)" in _usage_error(["runs", "x"])


def test_did_you_mean_an_option() -> None:
    assert "(did you mean '--seed'?)" in _usage_error(["run", "--seeds", "3"])
    assert "(did you mean '--excursion'?)" in _usage_error(["run", "--excur", "x"])
    assert "(did you mean '--all-excursions' or" in _usage_error(
        ["sweep", "tw", "-n", "1", "--all-excursion"])


def test_unknown_command_with_did_you_mean() -> None:
    line = _usage_error(["runz"])
    assert line == ("error: no such command 'runz' (did you mean 'run' or 'runs'?); "
                    "see 'whitecell --help' for the commands")
    assert "did you mean 'summarize'" in _usage_error(["sumarize", "x"])
    assert "did you mean" not in _usage_error(["frobnicate"])
    assert _usage_error(["--bogus"]).startswith("error: whitecell: no such option '--bogus'")


def test_user_text_is_never_markup_nor_terminal_control() -> None:
    line = _usage_error(["run", "--seed", "[bold red]1[/x]"])
    assert "'[bold red]1[/x]'" in line
    line = _usage_error(["[/x]:100:"])
    assert "no such command '[/x]:100:'" in line and "💯" not in line
    line = _usage_error(["run", "--seed", "\x1b[31m1"])
    assert "\x1b" not in line and "'\\x1b[31m1'" in line
    line = _usage_error(["run", "--[/x]"])
    assert "no such option '--[/x]'" in line


def test_no_arguments_prints_the_help() -> None:
    r = runner.invoke(app, [])
    assert r.exit_code == 2 and "Commands" in r.output


def test_real_process_prints_one_plain_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "40", "FORCE_COLOR": "1"}
    for module in ("whitecell", "whitecell.cli"):
        p = subprocess.run([sys.executable, "-m", module, "run", "--bogus"], env=env,
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert p.returncode == 2 and p.stdout == ""
        assert p.stderr == ("error: whitecell run: no such option '--bogus'; "
                            "see 'whitecell run --help'\n")


@pytest.mark.parametrize("args,hint", [
    (["sensitivity", "taiwan-strait-crisis", "-n", "10", "--outcome", "chalenger_success",
      "--param", "a.b=1:2"], "'challenger_success'"),
    (["sensitivity", "taiwan-strait-crisis", "-n", "10", "--method", "sobl", "--param",
      "a.b=1:2"], "'sobol'"),
    (["sweep", "taiwan-strait-crisis", "-n", "10", "--players", "doctrin"], "'doctrine'"),
    (["sweep", "taiwan-strait-crisis", "-n", "10", "--backend", "lokal"], "'local'"),
    (["run", "taiwan-strait-crisis", "--policy", "CHN=strategik"], "'strategic'"),
])
def test_did_you_mean_a_choice(args: list[str], hint: str, tmp_path: Path) -> None:
    r = runner.invoke(app, [*args] + (["--out", str(tmp_path / "o")]), prog_name="whitecell")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: ") and len(r.stderr.splitlines()) == 1
    assert f"(did you mean {hint}?)" in r.stderr
