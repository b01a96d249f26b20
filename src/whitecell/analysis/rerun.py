"""Re-play one run of a sweep alone, narrated, to read how it unfolded.

Run ``i`` of a sweep draws its dice from (seed, global index ``i``, slot)
only, so a narrated one-run game at global index ``i`` is the same game as row
``i`` of the sweep: same moves, same rulings, same outcome record -- now with
the full event log, ready for ``whitecell report``.
"""

from __future__ import annotations

import os
from pathlib import Path

from whitecell.analysis.errors import SweepError
from whitecell.analysis.grid import expand_policy
from whitecell.analysis.summary import read_manifest
from whitecell.record.run import RunRecord
from whitecell.record.session import start_session
from whitecell.scenario.load import load_scenario

__all__ = ["rerun_from_sweep", "sweep_run_salt"]


def sweep_run_salt(index: int) -> str:
    """The run-id salt of run ``index`` of a sweep (so it never collides with run 0)."""
    return f"sweep-run-{int(index)}"


def rerun_from_sweep(path: str | os.PathLike[str], index: int,
                     grid_point: int | None = None,
                     llm_cache: str | os.PathLike[str] | None = None) -> RunRecord:
    """The narrated record of run ``index`` (global run index) of a sweep's grid point.

    ``grid_point`` may be omitted when the sweep has a single grid point.
    Language-model cells are answered from the completion cache (``llm_cache``,
    default the user's) and only on a miss from the sweep's endpoint.

    Raises:
        SweepError: not a sweep folder, index out of range, unknown or missing
            grid point, or the scenario changed since the sweep (digest differs).
    """
    d = Path(path)
    m = read_manifest(d)
    grid = m["grid"]
    if grid_point is None:
        if len(grid) != 1:
            labels = "; ".join(f"{g['id']}: {g['label']}" for g in grid)
            raise SweepError(f"the sweep has {len(grid)} grid points; choose one with "
                             f"--grid-point ({labels})")
        grid_point = int(grid[0]["id"])
    point = next((g for g in grid if int(g["id"]) == grid_point), None)
    if point is None:
        raise SweepError(f"no grid point {grid_point} in {d} (0..{len(grid) - 1})")
    runs = int(m["runs"])
    if not 0 <= index < runs:
        raise SweepError(f"run index {index} is outside the sweep (0..{runs - 1})")
    ref = m["scenario"]["ref"]
    res = load_scenario(ref, excursion=point["excursion"], sets=tuple(point["overrides"]))
    if res.digest != point["digest"]:
        raise SweepError(f"scenario {ref} has changed since the sweep (digest "
                         f"{res.digest[:12]} != {point['digest'][:12]})")
    policy = point["policy"] if "policy" in point else expand_policy(
        m.get("policy"), res.scenario.actor_ids)
    setup = None
    if "llm" in policy.values():
        if not m.get("llm"):
            raise SweepError(f"{d}: the sweep has language-model cells but its manifest "
                             "names no endpoint")
        from whitecell.analysis.chunk import llm_setup
        from whitecell.llm.client import default_cache_path
        from whitecell.llm.endpoint import Endpoint

        ep = Endpoint(**m["llm"]["endpoint"])
        setup = llm_setup((ep, str(llm_cache or default_cache_path())))
    session = start_session(ref, seed=int(m["seed"]), resolved=res, policy=policy,
                            salt=sweep_run_salt(index), run_index=index, llm=setup)
    session.game.play()
    return session.record()
