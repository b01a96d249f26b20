"""Check every doctrine reason against its move over many narrated games.

    python scripts/check_whys.py [--seeds N]

The unit test ``tests/engine/test_engine_crisis_v2.py::test_every_why_is_true_of_its_move``
runs these checks over a few seeds; this script runs them over every bundled scenario,
every excursion and seeds 1..N (default 30), and stops at the first reason that is not
true of its move. Run it after a change to the players or to the reasons they give.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

from test_engine_crisis_v2 import check_whys  # noqa: E402

from whitecell.scenario.load import bundled_ids, load_scenario  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    games: list[tuple[str, str | None, int]] = []
    for sid in bundled_ids():
        excursions = [None] + [e.id for e in load_scenario(sid).scenario.excursions]
        games += [(sid, e, s) for e in excursions for s in range(1, args.seeds + 1)]
    checked, automatic = check_whys(games)
    print(f"{len(games)} games, {checked} moves checked, {automatic} pre-delegated uses: "
          "every reason is true of its move")


if __name__ == "__main__":
    main()
