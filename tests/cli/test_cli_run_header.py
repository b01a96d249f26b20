"""What a run played is stated: in the narrated header, in `whitecell runs`, and in the README.

The event log says the scenario and seed; the excursion, the ``--set``
values, white-cell overrides, the players and the grid point of a run from a
sweep come from the run record and head the narrative of ``run``, ``replay``
and ``play``, and fill the variant column of ``whitecell runs``.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"
VARIANT = ["run", "taiwan-strait-crisis", "-e", "pessimistic", "--set", "actors.CHN.stakes=0.9",
           "--policy", "CHN=strategic", "--override", "1:strike_bases:CHN=0.99"]
HEADER = ["excursion pessimistic", "--set actors.CHN.stakes=0.9",
          "white-cell override 1:strike_bases:CHN=0.99",
          "players strategic CHN; doctrine TWN, USA, JPN, RUS"]


def _after_start(text: str, n: int) -> list[str]:
    lines = text.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("seed "))
    return lines[i + 1:i + 1 + n]


def test_run_header_states_what_was_played(tmp_path: Path) -> None:
    r = runner.invoke(app, [*VARIANT, "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert _after_start(r.stdout, 4) == HEADER
    plain = runner.invoke(app, ["run", "taiwan-strait-crisis", "--out", str(tmp_path)])
    assert _after_start(plain.stdout, 2) == ["scenario as written",
                                             "players doctrine CHN, TWN, USA, JPN, RUS"]


def test_replay_header_and_runs_table(tmp_path: Path) -> None:
    rid = json.loads(runner.invoke(app, [*VARIANT, "--out", str(tmp_path), "--json"]).stdout
                     )["run_id"]
    r = runner.invoke(app, ["replay", rid, "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert _after_start(r.stdout, 5)[-1] == f"replay of {rid}"
    rows = json.loads(runner.invoke(app, ["runs", "--out", str(tmp_path), "--json"]).stdout)
    row = next(x for x in rows if x["run_id"] == rid)
    assert row["excursion"] == "pessimistic" and row["overrides"] == ["actors.CHN.stakes=0.9"]
    assert row["draw_overrides"] == ["1:strike_bases:CHN=0.99"]
    assert row["policies"]["CHN"] == "strategic" and row["run_index"] == 0
    table = runner.invoke(app, ["runs", "--out", str(tmp_path)]).stdout
    flat = re.sub(r"\s+", " ", table.replace("│", " "))
    for part in ("excursion pessimistic", "--set actors.CHN.stakes=0.9", "strategic CHN"):
        assert part in flat, table


def test_run_from_sweep_names_its_grid_point(tmp_path: Path) -> None:
    sweep = tmp_path / "sw"
    r = runner.invoke(app, ["sweep", "east-china-sea", "-n", "8", "--workers", "1", "--vary",
                            "actors.CHN.stakes=0.5,0.9", "--out", str(sweep), "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["run", "--from-sweep", str(sweep), "--index", "5", "--grid-point",
                            "1", "--out", str(tmp_path / "store")])
    assert r.exit_code == 0, r.output
    head = _after_start(r.stdout, 5)
    assert "--set actors.CHN.stakes=0.9" in head and "run index 5" in head
    assert head[-1] == f"from sweep {sweep}, grid point 1"


def test_readme_set_example_has_a_visible_effect(tmp_path: Path) -> None:
    """The README's --set example changes what the reader sees, not only the digest."""
    line = next(ln for ln in README.read_text().splitlines()
                if ln.startswith("whitecell run ") and " --set " in ln)
    argv = shlex.split(line.partition("#")[0])[1:]
    base = [a for i, a in enumerate(argv) if a != "--set" and (i == 0 or argv[i - 1] != "--set")]

    def story(args: list[str]) -> list[str]:
        r = runner.invoke(app, [*args, "--out", str(tmp_path)])
        assert r.exit_code == 0, r.output
        lines = r.stdout.splitlines()
        start = next(k for k, ln in enumerate(lines) if ln.startswith("Turn 1"))
        return [ln for ln in lines[start:] if not ln.startswith(("run r-", "event log"))]

    assert story(argv) != story(base)


def test_play_header_names_the_human_cells(tmp_path: Path) -> None:
    r = runner.invoke(app, ["play", "east-china-sea", "--as", "JPN", "-e", "article5-reaffirmed",
                            "--out", str(tmp_path)], input="")
    assert r.exit_code == 130, r.output  # stdin closed: the game is saved, as on Ctrl-C
    lines = r.stdout.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("You play: JPN"))
    head = lines[i + 1:i + 3]
    assert head[0] == "excursion article5-reaffirmed"
    assert "human JPN" in head[1] and head[1].startswith("players ")
