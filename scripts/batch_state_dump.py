"""Dump the final batch state of many games, to show an engine change alters no result.

    PYTHONPATH=src python scripts/batch_state_dump.py before.npz   # on the old commit
    PYTHONPATH=src python scripts/batch_state_dump.py after.npz    # on the new one
    python scripts/batch_state_dump.py --compare before.npz after.npz

Plays every bundled scenario and excursion in batches (Taiwan base at 5,000 runs
and seeds 0, 1, 7; each base at 5,000 runs, each excursion at 2,000; the bases
also with every actor strategic and every actor mixed; and a 200-run batch at
global run indices 1000-1199 that is never compacted) and saves every array of
the final ``State`` and of ``Game.columns()``. ``--compare`` checks them byte
for byte (dtype, shape and bits: a NaN or a -0.0 must match too). About 80 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np


def dump(out: str) -> None:
    from whitecell.engine.game import Game
    from whitecell.policies import make_policies
    from whitecell.scenario.load import bundled_ids, load_scenario, load_variants
    from whitecell.world.compile import compile_world

    res: dict[str, np.ndarray] = {}

    def keep(tag: str, g: Game) -> None:
        for k, v in g.columns().items():
            res[f"{tag}|col|{k}"] = np.asarray(v)
        for f in dataclasses.fields(g.state):
            res[f"{tag}|st|{f.name}"] = np.asarray(getattr(g.state, f.name))

    for sid in bundled_ids():
        _, variants = load_variants(sid)
        for exc in [None] + [v.excursion for v in variants]:
            w = compile_world(load_scenario(sid, excursion=exc).scenario)
            base = exc in (None, "base")
            seeds = (0, 1, 7) if base and sid == "taiwan-strait-crisis" else (3,)
            runs = 5000 if base else 2000
            for seed in seeds:
                for pol in ("default", "strategic", "mixed") if base else ("default",):
                    kinds = {} if pol == "default" else {a: pol for a in w.ids}
                    g = Game(w, make_policies(w, kinds, seed=seed, runs=runs), seed=seed,
                             runs=runs, record=False)
                    g.play()
                    keep(f"{sid}:{exc}:{seed}:{pol}:{runs}", g)
            idx = np.arange(1000, 1200)
            g = Game(w, make_policies(w, seed=5, runs=idx), seed=5, runs=idx, record=False)
            g.play()
            keep(f"{sid}:{exc}:5:default:offset", g)
    np.savez_compressed(out, **res)
    print(f"{len(res)} arrays -> {out}")


def compare(a_path: str, b_path: str) -> int:
    a, b = np.load(a_path), np.load(b_path)
    bad = sorted(set(a.files) ^ set(b.files))
    for k in sorted(set(a.files) & set(b.files)):
        x, y = a[k], b[k]
        if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
            bad.append(k)
    for k in bad[:20]:
        print("DIFFERS", k)
    print(f"compared {len(a.files)} arrays: " + ("identical" if not bad else f"{len(bad)} differ"))
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.paths))
    dump(args.paths[0])


if __name__ == "__main__":
    main()
