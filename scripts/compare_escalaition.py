"""Compare `whitecell score --map escalaition` with EscalAItion's own per-day scores.

    python scripts/compare_escalaition.py PATH/TO/EscalAItion [--logs results/actions_v3]
        [--evals evals/json_v6_exponential]

EscalAItion (github.com/jprivera44/EscalAItion, the code and data of Rivera et
al., FAccT 2024) publishes each run's action log as CSV and, per run, a JSON
list of per-day scores whose ``Total`` sums the weights of that day's actions
over every nation. This script scores every published log with the bundled
map (actions the map lacks -- free text some models wrote instead of an action
name -- left out, as EscalAItion's scoring also gives them nothing) and
compares day by day. It prints, for each log, whether every day agrees exactly,
or agrees once one known difference is taken out: EscalAItion's scorer leaves
"Occupy border city of attacked nation" (28, violent escalation) out of its
``Total``, which whitecell counts.

Not part of the test suite (it needs their repository); see docs/scoring.md
for the figures it gave.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from whitecell.models.escalation import RIVERA_WEIGHTS, RiveraCategory
from whitecell.scoring import load_map, read_csv_log, score_log

OCCUPY = "Occupy border city of attacked nation"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--logs", default="results/actions_v3")
    ap.add_argument("--evals", default="evals/json_v6_exponential")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    esc = load_map("escalaition")
    occupy_w = RIVERA_WEIGHTS[RiveraCategory.VIOLENT_ESCALATION]
    tally: Counter[str] = Counter()
    days_total = days_equal = 0
    for csv_path in sorted((args.repo / args.logs).glob("*.csv")):
        ev = args.repo / args.evals / f"{csv_path.stem}_raw.json"
        if not ev.is_file():
            tally["no published scores"] += 1
            continue
        log = read_csv_log(csv_path)
        s = score_log(log, esc, unknown="skip")
        theirs = {int(d["Day"]): int(d["Total"]) for d in json.loads(ev.read_text())}
        occupy = Counter(r.day for r in log.rows if r.action == OCCUPY)
        ours = {d: t.total for d, t in s.by_day.items()}
        days = sorted(set(theirs) | set(ours))
        exact = all(ours.get(d, 0) == theirs.get(d, 0) for d in days)
        adjusted = all(ours.get(d, 0) - occupy_w * occupy[d] == theirs.get(d, 0) for d in days)
        days_total += len(days)
        days_equal += sum(ours.get(d, 0) == theirs.get(d, 0) for d in days)
        clean = "all names in the map" if not s.skipped else "some free-text names skipped"
        verdict = ("equal on every day" if exact else
                   "equal once 'Occupy border city' is left out" if adjusted else "DIFFERENT")
        tally[f"{clean}: {verdict}"] += 1
        if args.verbose or verdict == "DIFFERENT":
            print(f"{csv_path.name}: {verdict}; ours {sum(ours.values())}, "
                  f"theirs {sum(theirs.values())}")
    for k, v in sorted(tally.items()):
        print(f"{v:4d}  {k}")
    print(f"days equal exactly: {days_equal} of {days_total}")
    return 1 if any("DIFFERENT" in k for k in tally) else 0


if __name__ == "__main__":
    sys.exit(main())
