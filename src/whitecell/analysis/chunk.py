"""The unit of work of a sweep: play one chunk of runs of one grid point.

This is the only function executors run (a local process pool or Dask
workers), so everything it needs travels in a small picklable
:class:`ChunkTask`: the resolved scenario itself (not a file path: cluster
workers need not see the driver's files), its digest, the seed and the global
run indices. It returns the chunk's rows as a :class:`pyarrow.Table`; the
driver writes the shard, so workers need no shared file system.

Because the engine's dice are counter-based (``engine/dice.py``), run ``i``
gives the same outcome in any chunk, on any worker, under any backend: the
table of a chunk depends only on the task.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from whitecell import __version__
from whitecell.analysis.errors import SweepError
from whitecell.engine.game import Game
from whitecell.policies import make_policies
from whitecell.scenario.actions import FORCE_KINDS
from whitecell.scenario.model import Scenario
from whitecell.world.compile import World, compile_world
from whitecell.world.state import END_REASONS

__all__ = ["ChunkTask", "outcome_schema", "play_runs", "run_chunk"]

#: Outcome columns common to every scenario, in table order, with their Arrow types.
OUTCOME_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("war", pa.bool_()),
    ("nuclear_use", pa.bool_()),
    ("nuclear_first_user", pa.string()),
    ("nuclear_turn", pa.int16()),
    ("nuclear_test", pa.bool_()),
    ("peak_rung", pa.int16()),
    ("escalation_score", pa.float64()),
    ("challenger_success", pa.bool_()),
    ("deterrence_held", pa.bool_()),
    ("end_reason", pa.string()),
    ("turns", pa.int16()),
    ("incidents", pa.int16()),
    ("cumulative_risk", pa.float64()),
    ("first_violence_by", pa.string()),
    ("first_violence_turn", pa.int16()),
    ("capitulated_by", pa.string()),
    ("settlement_share", pa.float64()),
)

_ARROW_TYPES: dict[str, pa.DataType] = {"bool": pa.bool_(), "int64": pa.int64(),
                                        "float64": pa.float64(), "string": pa.string()}

_WORLDS: OrderedDict[str, World] = OrderedDict()
_WORLD_CACHE = 16


@dataclass(frozen=True)
class ChunkTask:
    """Everything needed to play runs ``[start, stop)`` of grid point ``point``.

    ``vary`` holds ``(column, arrow type name, value)`` for every varied column
    of the sweep (value ``None`` when this point leaves the path at its base).
    ``players`` is the player model of the point when the sweep has that axis
    (the shard then has a ``players`` column).
    """

    point: int
    chunk: int
    start: int
    stop: int
    seed: int
    scenario: Scenario
    digest: str
    excursion: str | None
    vary: tuple[tuple[str, str, Any], ...]
    policy: tuple[tuple[str, str], ...]
    version: str = __version__
    players: str | None = None
    llm: Any = None  # (Endpoint, completion cache path or None) for language-model cells

    @property
    def rows(self) -> int:
        return self.stop - self.start


def _world(task: ChunkTask) -> World:
    """Compile the scenario once per worker process and digest (small LRU cache)."""
    w = _WORLDS.get(task.digest)
    if w is None:
        w = compile_world(task.scenario)
        _WORLDS[task.digest] = w
        while len(_WORLDS) > _WORLD_CACHE:
            _WORLDS.popitem(last=False)
    else:
        _WORLDS.move_to_end(task.digest)
    return w


def actor_fields(actors: Sequence[str]) -> list[tuple[str, pa.DataType]]:
    """Per-actor columns: peak rung, escalation score, costs, damage suffered (share of its
    stakes, what others did to it), and losses per force kind."""
    fields: list[tuple[str, pa.DataType]] = []
    for a in actors:
        fields += [(f"peak_rung_{a}", pa.int16()), (f"escalation_score_{a}", pa.float64()),
                   (f"costs_{a}", pa.float64()), (f"damage_{a}", pa.float64())]
    for a in actors:
        fields += [(f"losses_{a}_{k}", pa.float64()) for k in FORCE_KINDS]
    return fields


def outcome_schema(actors: Sequence[str], vary: Sequence[tuple[str, str]],
                   players: bool = False, llm: bool = False) -> pa.Schema:
    """The schema of a shard: grid point, excursion, [players,] varied columns, run, outcome."""
    fields: list[tuple[str, pa.DataType]] = [("grid_point", pa.int32()),
                                             ("excursion", pa.string())]
    if players:
        fields += [("players", pa.string())]
    fields += [(name, _ARROW_TYPES[kind]) for name, kind in vary]
    fields += [("run", pa.int64())]
    fields += list(OUTCOME_FIELDS)
    fields += actor_fields(actors)
    if llm:
        fields += llm_fields()
    return pa.schema(fields)


def llm_setup(spec: Any) -> Any:
    """The worker's LLMSetup from a task's ``(Endpoint, cache path)`` (None without LLM cells)."""
    if spec is None:
        return None
    from whitecell.llm.client import CompletionCache, LLMClient, OpenAIBackend
    from whitecell.policies import LLMSetup

    ep, cache = spec
    return LLMSetup(endpoint=ep, client=LLMClient(
        OpenAIBackend(ep), cache=CompletionCache(cache) if cache else None,
        concurrency=ep.concurrency))


def llm_fields() -> list[tuple[str, pa.DataType]]:
    """Per-run columns of a sweep with language-model cells (sums over its LLM cells)."""
    from whitecell.policies.llm import RUN_COUNTS

    return [(f"llm_{k}", pa.float64() if k == "wall_ms" else pa.int64()) for k in RUN_COUNTS]


def play_runs(world: World, policy: dict[str, str], seed: int,
              runs: np.ndarray, llm: Any = None
              ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Play the runs with global indices ``runs``; return outcome columns and losses (R, A, K).

    With language-model cells (``llm``: an LLMSetup) the columns gain the
    per-run ``llm_*`` counts; the runs of the chunk are played at once, so
    their cells are asked concurrently.
    """
    g = Game(world, make_policies(world, policy, seed=seed, runs=runs, llm=llm), seed=seed,
             runs=runs, record=False)
    g.play()
    cols = g.columns()
    if llm is not None:
        from whitecell.policies.llm import RUN_COUNTS

        for k in RUN_COUNTS:
            cols[f"llm_{k}"] = np.array([
                sum(getattr(p, "run_counts", {}).get(int(r), {}).get(k, 0.0)
                    for p in g.policies.values() if getattr(p, "name", "") == "llm")
                for r in runs])
    return cols, g.state.lost.copy()


def run_chunk(task: ChunkTask) -> pa.Table:
    """Play one chunk and return its rows (the worker side of every executor)."""
    if task.version != __version__:
        raise SweepError(f"a worker runs whitecell {__version__} but the sweep was started with "
                           f"{task.version}: install the same version on every worker")
    world = _world(task)
    runs = np.arange(task.start, task.stop, dtype=np.int64)
    cols, losses = play_runs(world, dict(task.policy), task.seed, runs, llm_setup(task.llm))
    n = len(runs)
    schema = outcome_schema(world.ids, [(name, kind) for name, kind, _ in task.vary],
                            players=task.players is not None, llm=task.llm is not None)
    data: dict[str, Any] = {
        "grid_point": np.full(n, task.point, dtype=np.int32),
        "excursion": pa.repeat(pa.scalar(task.excursion, pa.string()), n),
        "run": runs,
    }
    if task.players is not None:
        data["players"] = pa.repeat(pa.scalar(task.players, pa.string()), n)
    for name, kind, value in task.vary:
        data[name] = pa.repeat(pa.scalar(value, _ARROW_TYPES[kind]), n)
    ids = np.array(list(world.ids) + [None], dtype=object)
    used = cols["nuclear_use"].astype(bool)
    for name, _ in OUTCOME_FIELDS:
        if name in ("nuclear_first_user", "first_violence_by", "capitulated_by"):
            who = cols[name].astype(np.int64)
            data[name] = pa.array(ids[np.where(who >= 0, who, len(world.ids))],
                                  type=pa.string())
        elif name == "first_violence_turn":
            data[name] = pa.array(cols[name].astype(np.int16),
                                  mask=cols["first_violence_by"] < 0, type=pa.int16())
        elif name == "settlement_share":
            data[name] = pa.array(cols[name], mask=np.isnan(cols[name]), type=pa.float64())
        elif name == "nuclear_turn":
            data[name] = pa.array(cols[name].astype(np.int16), mask=~used, type=pa.int16())
        elif name == "end_reason":
            data[name] = pa.array(np.array(END_REASONS, dtype=object)[cols[name].astype(int)],
                                  type=pa.string())
        else:
            data[name] = cols[name]
    for i, a in enumerate(world.ids):
        data[f"peak_rung_{a}"] = cols[f"peak_rung_{a}"]
        data[f"escalation_score_{a}"] = cols[f"escalation_score_{a}"]
        data[f"costs_{a}"] = cols[f"costs_{a}"]
        data[f"damage_{a}"] = cols[f"damage_{a}"]
        for j, k in enumerate(FORCE_KINDS):
            data[f"losses_{a}_{k}"] = np.ascontiguousarray(losses[:, i, j])
    if task.llm is not None:
        for name, typ in llm_fields():
            v = cols[name]
            data[name] = v if typ == pa.float64() else np.rint(v).astype(np.int64)
    arrays = [pa.array(data[f.name], type=f.type) if not isinstance(data[f.name], pa.Array)
              else data[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
