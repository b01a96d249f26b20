"""Regenerate the golden playthrough transcripts of every bundled scenario.

    python scripts/regen_playthroughs.py          # write tests/playthroughs/*.txt
    python scripts/regen_playthroughs.py --check  # exit 1 if any differs

Each bundled scenario is played with its own AI players at seed 1, once for the
base scenario and once per excursion, and written as a plain-text transcript.
A few featured games at other seeds (``FEATURED``) keep rarer paths of the
rules under the same watch: nuclear use and the answers to it, a war out of
a crisis, a war past the destruction of a fleet.
Review the diff of a regeneration like any code change: it is the rules'
behaviour changing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from whitecell.record.session import run_scenario
from whitecell.report.transcript import transcript
from whitecell.scenario.load import bundled_ids, load_scenario

SEED = 1
OUT = Path(__file__).resolve().parent.parent / "tests" / "playthroughs"


#: (scenario, excursion, seed, what the game shows) of the featured goldens
FEATURED: tuple[tuple[str, str | None, int, str], ...] = (
    ("surprise-missile-attack", None, 4,
     "the DPRK's pre-delegated nuclear use after a strike on its homeland, and the answers"),
    ("taiwan-strait-crisis", "pessimistic", 8,
     "China's no-first-use pledge eroding in a failing invasion"),
    ("regional-nuclear-escalation", None, 5,
     "a crisis that becomes a war: North Korea's first strike on Japan, Japan's gates "
     "opening, the pre-delegated use, and a war that ends in stalemate"),
    ("taiwan-strait-crisis", "no-japan-bases", 1,
     "a long war past the Chinese fleet's destruction (fleet battles with nothing left "
     "to engage) that ends in stalemate"),
)


def render(scenario_id: str, excursion: str | None, seed: int = SEED) -> str:
    """The golden transcript text of one scenario/excursion at ``seed``."""
    sc = load_scenario(scenario_id, excursion=excursion).scenario
    rec = run_scenario(scenario_id, excursion=excursion, seed=seed)
    header = (f"# whitecell playthrough: {sc.id} v{sc.version} excursion="
              f"{excursion or '-'} seed={seed} policies="
              + ",".join(f"{a}:{k}" for a, k in sorted(rec.policies.items()))
              + f"\n# event log sha256 {rec.event_digest}")
    return transcript(rec.events, sc.turn.length_days, sc.turn.start_label, header)


def targets() -> list[tuple[str, str | None, int, Path]]:
    """Every (scenario, excursion, seed, file) the goldens cover."""
    out = []
    for sid in bundled_ids():
        sc = load_scenario(sid).scenario
        out.append((sid, None, SEED, OUT / f"{sid}.txt"))
        for e in sc.excursions:
            out.append((sid, e.id, SEED, OUT / f"{sid}--{e.id}.txt"))
    for sid, exc, seed, _what in FEATURED:
        out.append((sid, exc, seed, OUT / f"{sid}--{exc or 'as-written'}--seed{seed}.txt"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    bad = 0
    for sid, exc, seed, path in targets():
        text = render(sid, exc, seed)
        if args.check:
            if not path.exists() or path.read_text() != text:
                print(f"differs: {path.name}")
                bad += 1
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(OUT.parent.parent)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
