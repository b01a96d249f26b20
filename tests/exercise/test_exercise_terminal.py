"""``whitecell play`` on the exercise layer: the leaks of saved games are closed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from whitecell.cli import app

runner = CliRunner()


def test_a_game_saved_at_a_prompt_holds_only_published_turns(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    # turn 1 as JPN, then the input ends at turn 2's prompt (like Ctrl-D)
    r = runner.invoke(app, ["play", "taiwan-strait-crisis", "--as", "JPN", "--seed", "3",
                            "--out", store], input="wait\nholding\n")
    assert r.exit_code == 130, r.output
    run_id = r.stderr.split("game saved as ")[1].split(";")[0]
    assert "why: doctrine" not in r.stdout  # no AI private reasoning at the terminal
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'store' / 'whitecell.sqlite'}")
    with eng.connect() as conn:
        turns = {t for (t,) in conn.execute(sa.text("SELECT DISTINCT turn FROM events"))}
        pending = conn.execute(sa.text("SELECT turn, actor FROM exercise_moves")).all()
    assert turns == {0, 1}  # nothing of turn 2 (being played) in the run record
    assert all(a == "JPN" for _, a in pending)  # and no AI move of it anywhere
    out = tmp_path / "r.html"
    rep = runner.invoke(app, ["report", run_id, "-o", str(out), "--out", store])
    assert rep.exit_code == 0, rep.output
    html = out.read_text()
    assert "Unfinished game: 1 of 30 turns have been played" in html
    assert "Deterrence held" not in html
    red = runner.invoke(app, ["report", run_id, "-o", str(tmp_path / "j.html"), "--out", store,
                              "--as", "JPN"])
    assert red.exit_code == 0, red.output
    assert "White cell only" not in (tmp_path / "j.html").read_text()
    assert "White cell only" in html
    bad = runner.invoke(app, ["report", run_id, "-o", str(tmp_path / "k.html"), "--out", store,
                              "--as", "ZZZ"])
    assert bad.exit_code == 2 and "unknown actor" in bad.stderr
