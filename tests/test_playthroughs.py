"""Golden playthroughs: every bundled scenario and excursion at seed 1, and the featured
games (rarer paths such as nuclear use), diffed line by line.

Regenerate with ``make golden`` (scripts/regen_playthroughs.py) after an
intended change to the rules, and review the diff.
"""

import difflib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("regen", ROOT / "scripts" / "regen_playthroughs.py")
assert spec and spec.loader
regen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regen)

CASES = regen.targets()


@pytest.mark.parametrize("sid,exc,seed,path", CASES, ids=[p.name for *_, p in CASES])
def test_playthrough_matches_golden(sid, exc, seed, path):
    assert path.exists(), f"missing golden {path.name}: run `make golden`"
    got = regen.render(sid, exc, seed)
    want = path.read_text()
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            "golden", "now", n=1))
        pytest.fail(f"{path.name} differs from the golden transcript:\n{diff[:4000]}")


def test_every_bundled_scenario_has_a_golden():
    names = {p.name for *_, p in CASES}
    on_disk = {p.name for p in (ROOT / "tests" / "playthroughs").glob("*.txt")}
    assert on_disk == names, on_disk ^ names


def test_featured_games_show_what_they_are_kept_for():
    sma = (ROOT / "tests" / "playthroughs" / "surprise-missile-attack--as-written--seed4.txt")
    assert "automatic nuclear use under its declared law" in sma.read_text()
    assert "answer the nuclear use" in sma.read_text()
    twn = ROOT / "tests" / "playthroughs" / "taiwan-strait-crisis--pessimistic--seed8.txt"
    assert "doctrine: nuclear use (pledge eroded" in twn.read_text()
    rne = ROOT / "tests" / "playthroughs" / "regional-nuclear-escalation--as-written--seed5.txt"
    text = rne.read_text()
    assert "inject first-blood" in text and "war termination" in text and "STALEMATE" in text
    long_war = (ROOT / "tests" / "playthroughs"
                / "taiwan-strait-crisis--no-japan-bases--seed1.txt").read_text()
    assert "no fleet engagement" in long_war and '"end_reason": "stalemate"' in long_war
