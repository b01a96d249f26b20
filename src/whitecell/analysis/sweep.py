"""Monte Carlo sweeps: a scenario x excursions x parameter grid, many runs each.

::

    from whitecell.analysis import sweep
    res = sweep("taiwan-strait-crisis", 100_000, excursions="all", out="sweeps/taiwan")
    res.summary["points"][0]["proportions"]["war"]    # {"p": ..., "low": ..., "high": ...}
    res.table(["excursion", "war", "peak_rung"])       # pyarrow.Table, one row per run

**Reproducible by construction.** Runs are cut into fixed-size chunks: chunk
``k`` covers global run indices ``[k*chunk, (k+1)*chunk)``. The engine's dice
are counter-based, so run ``i`` is the same whichever chunk, worker or backend
plays it, and the shards and ``summary.json`` are byte-identical for any
``workers`` and ``backend``. ``Game(world, policies, seed, runs=np.array([i]))``
re-plays run ``i`` alone (:func:`whitecell.analysis.rerun.rerun_from_sweep`).

**Common random numbers.** Every grid point uses the same seed and the same run
indices, so run ``i`` of excursion A and run ``i`` of excursion B draw the same
uniforms slot by slot. Differences between variants then come from the
variants, not from luck, and the paired intervals of the summary are much
narrower than independent sampling would give.

**Resumable.** With an ``out`` folder every chunk becomes a Parquet shard
written atomically; started again with the same arguments, a sweep skips the
complete shards and plays the rest. Other arguments against the same folder
are refused rather than mixed.

**Bounded memory.** Chunk tasks are generated lazily and at most
``2 x workers`` chunks are in flight; the driver writes each shard as it
arrives and keeps nothing else (unless ``out`` is ``None``, when the rows are
collected in memory for small interactive sweeps, up to
:data:`MAX_IN_MEMORY_ROWS`). Sizes no machine can finish -- more than
:data:`MAX_SHARDS` shards, chunks over :data:`MAX_CHUNK` runs -- are refused
up front with the arithmetic, rather than left to fill a disk.

**Crash safe.** Every file is written atomically (see
:mod:`whitecell.analysis.shards`); a folder a kill left before its manifest
landed (only our temporary files in it) is taken as new.

**Says what it does.** On a terminal a progress bar; otherwise (a log file, a
CI job, ``nohup``) a plain line on stderr every :data:`PROGRESS_EVERY` seconds:
runs done / total, runs/s, ETA.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from whitecell import __version__
from whitecell.analysis.chunk import ChunkTask, run_chunk
from whitecell.analysis.errors import SweepError
from whitecell.analysis.executors import Executor, make_executor, plan_workers
from whitecell.analysis.grid import (
    Axis,
    GridPoint,
    ResolvedPoint,
    axes_from,
    build_grid,
    column_value,
    excursion_ids,
    parse_players,
    point_policy,
    resolve_grid,
    vary_columns,
)
from whitecell.analysis.shards import (
    MANIFEST,
    SUMMARY,
    clean_temp,
    only_temp_files,
    read_json,
    shard_complete,
    shard_path,
    write_json_atomic,
    write_shard,
)
from whitecell.analysis.summary import (
    expected_shards,
    read_manifest,
    source_sql,
    summarize,
    summarize_table,
)
from whitecell.record.session import MAX_SEED
from whitecell.scenario.load import did_you_mean
from whitecell.world.compile import compile_world

__all__ = ["SweepResult", "run_grid", "sweep"]

FORMAT = "whitecell-sweep/1"
DEFAULT_CHUNK = 10_000
#: Most shards (chunks x grid points) one sweep may have: a million files is already a lot.
MAX_SHARDS = 1_000_000
#: Most runs in one chunk: a chunk is played as one array batch in one worker's memory.
MAX_CHUNK = 1_000_000
#: Most rows a sweep without ``out`` may collect in memory.
MAX_IN_MEMORY_ROWS = 5_000_000
#: Seconds between plain progress lines when stderr is not a terminal.
PROGRESS_EVERY = 5.0
#: Manifest keys that describe how a sweep ran, not what it computes (not compared on resume).
_EXECUTION_KEYS = ("execution",)

#: Progress callback: (runs done including resumed ones, runs played by this process).
ProgressFn = Callable[[int, int], None]


@dataclass
class SweepResult:
    """A finished sweep: where it is, what was asked, its statistics and its rows."""

    out: Path | None
    manifest: dict[str, Any]
    summary: dict[str, Any]
    ran_chunks: int = 0
    skipped_chunks: int = 0
    _rows: pa.Table | None = field(default=None, repr=False)

    def table(self, columns: Sequence[str] | None = None) -> pa.Table:
        """All rows (one per run and grid point), ordered by grid point then run.

        Reads the shards lazily from disk; pass ``columns`` to keep memory small
        on large sweeps (a million rows of every column is several hundred MB).
        """
        if self._rows is not None:
            return self._rows.select(list(columns)) if columns else self._rows
        assert self.out is not None
        files = [shard_path(self.out, gp, k) for gp, k, _ in expected_shards(self.manifest)]
        tables = [pq.read_table(f, columns=list(columns) if columns else None) for f in files]
        return pa.concat_tables(tables, promote_options="default")

    def sql_source(self) -> str:
        """A DuckDB ``read_parquet(...)`` expression over the shards, for your own queries."""
        if self.out is None:
            raise SweepError("this sweep kept its rows in memory: use .table()")
        return source_sql([shard_path(self.out, gp, k)
                           for gp, k, _ in expected_shards(self.manifest)])


# --------------------------------------------------------------------------- manifest


def _manifest(ref: str, resolved: Sequence[ResolvedPoint], *, kind: str, runs: int, seed: int,
              chunk: int, policy: Mapping[str, str], sets: Sequence[str],
              axes: Sequence[Axis], vary_types: Mapping[str, str],
              extra: Mapping[str, Any] | None) -> dict[str, Any]:
    sc = resolved[0].resolved.scenario
    grid = []
    for rp in resolved:
        p = rp.point
        grid.append({"id": p.id, "excursion": p.excursion, "vary": dict(p.vary),
                     "overrides": list(p.overrides), "label": p.label,
                     "digest": rp.resolved.digest,
                     "actors": list(rp.resolved.scenario.actor_ids),
                     "max_turns": rp.resolved.scenario.max_turns})
        if p.players is not None:
            grid[-1]["players"] = p.players
            grid[-1]["policy"] = dict(sorted(point_policy(policy, p.players,
                                                          rp.resolved.scenario).items()))
    m: dict[str, Any] = {
        "format": FORMAT, "kind": kind,
        "scenario": {"ref": ref, "id": sc.id, "version": sc.version, "title": sc.title,
                     "coerced": _coerced(sc)},
        "runs": runs, "seed": seed, "chunk": chunk,
        "policy": dict(sorted(policy.items())), "sets": list(sets),
        "axes": [{"path": a.path, "values": list(a.values)} for a in axes],
        "vary_columns": dict(vary_types),
        "grid": grid,
        "max_turns": max(rp.resolved.scenario.max_turns for rp in resolved),
        "whitecell_version": __version__,
        "common_random_numbers": True,
    }
    if extra:
        m.update(extra)
    return m


def _identity(m: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k not in _EXECUTION_KEYS}


def _diff_keys(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    keys = sorted(set(a) | set(b))
    return [k for k in keys if a.get(k) != b.get(k)]


def _check_out(out: Path, manifest: Mapping[str, Any]) -> bool:
    """Check that ``out`` is new, empty, or this same sweep; True when resuming."""
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out} exists and is not a folder")
    if not out.exists():
        return False
    mpath = out / MANIFEST
    if not mpath.exists():
        # a sweep killed while writing its manifest leaves only its temp files: start afresh
        if not only_temp_files(out):
            raise SweepError(f"--out {out} is not empty and holds no sweep; "
                             "choose a new or empty folder")
        return False
    try:
        old = read_json(mpath)
    except (OSError, ValueError) as e:
        raise SweepError(f"cannot read {mpath}: {e}") from None
    diff = _diff_keys(_identity(old), _identity(manifest))
    if diff:
        what = ", ".join(diff)
        raise SweepError(f"--out {out} holds a different sweep (differs in: {what}); "
                         "use another --out or delete that folder")
    return True


def _prepare_out(out: Path, manifest: dict[str, Any], resuming: bool) -> None:
    """Create ``out`` and its manifest (or keep the one of a resumed sweep)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        clean_temp(out)
        if not resuming:
            write_json_atomic(out / MANIFEST, manifest)
    except OSError as e:
        raise SweepError(f"cannot write to --out {out}: {e.strerror or e}") from None


# --------------------------------------------------------------------------- progress


def _eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    s = int(seconds + 0.5)
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"


def progress_line(done: int, total: int, played: int, elapsed: float) -> str:
    """One plain progress line: ``runs 12,000/40,000 (30.0%), 2,400 runs/s, ETA 0:11``.

    The rate counts only the ``played`` runs of this process (not resumed shards).
    """
    rate = played / elapsed if elapsed > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else float("inf")
    pct = 100.0 * done / total if total else 100.0
    return f"runs {done:,}/{total:,} ({pct:.1f}%), {rate:,.0f} runs/s, ETA {_eta(eta)}"


@contextlib.contextmanager
def _plain_progress(total: int, done: int, label: str, every: float) -> Iterator[ProgressFn]:
    """A line on stderr at most every ``every`` seconds, and one at the end."""
    start = last = time.perf_counter()
    state = {"done": done, "played": 0}

    def update(d: int, played: int) -> None:
        nonlocal last
        state.update(done=d, played=played)
        now = time.perf_counter()
        if now - last >= every:
            last = now
            print(f"{label}: {progress_line(d, total, played, now - start)}", file=sys.stderr,
                  flush=True)

    yield update
    if state["played"]:
        line = progress_line(state["done"], total, state["played"], time.perf_counter() - start)
        print(f"{label}: {line}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _progress_bar(total: int, done: int, label: str, enabled: bool) -> Iterator[ProgressFn]:
    """A rich progress bar (runs, runs/s, ETA) on a terminal, plain lines otherwise, or a no-op."""
    if not enabled:
        yield lambda _d, _t: None
        return
    if not sys.stdout.isatty():
        with _plain_progress(total, done, label, PROGRESS_EVERY) as upd:
            yield upd
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    start = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("runs"), TextColumn("{task.fields[rate]}"),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  transient=False) as prog:
        task = prog.add_task(label, total=total, completed=done, rate="")

        def update(d: int, played: int) -> None:
            el = time.perf_counter() - start
            rate = played / el if el > 0 else 0.0
            prog.update(task, completed=d, rate=f"{rate:,.0f} runs/s")

        yield update


def _check_size(runs: int, chunk: int, points: int, in_memory: bool) -> int:
    """Refuse sizes no machine finishes; return the number of shards."""
    if chunk > MAX_CHUNK:
        raise SweepError(f"--chunk {chunk:,} is over {MAX_CHUNK:,} runs: a chunk is played in "
                         "one worker's memory; use a smaller --chunk")
    per_point = -(-runs // chunk)
    shards = per_point * points
    if shards > MAX_SHARDS:
        raise SweepError(f"{runs:,} runs x {points:,} grid point" + ("s" if points != 1 else "")
                         + f" in chunks of {min(chunk, runs):,} make {shards:,} shards, over the "
                         f"limit of {MAX_SHARDS:,}: lower -n (--runs) or raise --chunk "
                         f"(at most {MAX_CHUNK:,})")
    if in_memory and runs * points > MAX_IN_MEMORY_ROWS:
        raise SweepError(f"{runs * points:,} rows are too many to keep in memory "
                         f"(limit {MAX_IN_MEMORY_ROWS:,}): give an out folder")
    return shards


# --------------------------------------------------------------------------- running


def _tasks(resolved: Sequence[ResolvedPoint], runs: int, chunk: int, seed: int,
           policy: Mapping[str, str], vary_types: Mapping[str, str],
           skip: Callable[[int, int, int], bool], llm: Any = None) -> Iterator[ChunkTask]:
    nchunks = math.ceil(runs / chunk)
    for rp in resolved:
        p = rp.point
        given = dict(p.vary)
        vary = tuple((name, kind, column_value(given[name], kind) if name in given else None)
                     for name, kind in vary_types.items())
        pol = tuple(sorted(point_policy(policy, p.players, rp.resolved.scenario).items()))
        for k in range(nchunks):
            start, stop = k * chunk, min(runs, (k + 1) * chunk)
            if skip(p.id, k, stop - start):
                continue
            yield ChunkTask(point=p.id, chunk=k, start=start, stop=stop, seed=seed,
                            scenario=rp.resolved.scenario, digest=rp.resolved.digest,
                            excursion=p.excursion, vary=vary, policy=pol, players=p.players,
                            llm=llm)


def run_grid(ref: str, points: Sequence[GridPoint], runs: int, *, seed: int = 0,
             workers: int | None = None, backend: str = "local", address: str | None = None,
             out: str | os.PathLike[str] | None = None, chunk: int = DEFAULT_CHUNK,
             policy: Mapping[str, str] | None = None, progress: bool | None = None,
             kind: str = "sweep", axes: Sequence[Axis] = (), sets: Sequence[str] = (),
             extra: Mapping[str, Any] | None = None,
             executor: Executor | None = None, llm: Any = None,
             llm_cache: str | os.PathLike[str] | None = None) -> SweepResult:
    """Play ``runs`` runs of every grid point in ``points`` (the engine of :func:`sweep`).

    Every argument is checked and every grid point resolved before anything
    is written or any worker started. ``llm`` (an Endpoint) serves the
    language-model cells, through the completion cache file ``llm_cache``.
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or runs <= 0:
        raise SweepError(f"runs must be a positive integer (got {runs})")
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk <= 0:
        raise SweepError(f"chunk must be a positive integer (got {chunk})")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SweepError(f"seed must be a whole number from 0 to {MAX_SEED} (2**63 - 1) "
                         f"(got {seed})")
    if backend not in ("local", "dask"):
        raise SweepError(f"unknown backend {backend!r}{did_you_mean(backend, ('local', 'dask'))}"
                         " (expected local or dask)")
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be at least 1 (got {workers})")
    if not points:
        raise SweepError("the sweep has no grid points")
    nshards = _check_size(runs, chunk, len(points), in_memory=out is None)
    pol = dict(policy or {})
    setup = None
    if llm is not None:
        from whitecell.analysis.chunk import llm_setup

        setup = llm_setup((llm, None))
    resolved = resolve_grid(ref, points, pol, llm=setup)
    uses_llm = any("llm" in point_policy(pol, rp.point.players, rp.resolved.scenario).values()
                   for rp in resolved)
    if llm is not None and not uses_llm:
        raise SweepError("an llm endpoint is given but no cell plays llm "
                         "(--policy ACTOR=llm or --players ACTOR=llm,...)")
    extra = dict(extra or {})
    if setup is not None:
        w0 = compile_world(resolved[0].resolved.scenario)
        extra["llm"] = setup.identity(w0)
    vary_types = vary_columns(points)
    manifest = _manifest(ref, resolved, kind=kind, runs=runs, seed=seed, chunk=chunk,
                         policy=pol, sets=sets, axes=axes, vary_types=vary_types, extra=extra)
    task_llm = (llm, str(llm_cache) if llm_cache else None) if llm is not None else None
    outdir = Path(out) if out is not None else None
    resuming = _check_out(outdir, manifest) if outdir is not None else False

    show = sys.stdout.isatty() if progress is None else progress
    own_executor = executor is None
    if own_executor and not (backend == "dask" and address):
        workers, note = plan_workers(workers, nshards)
        if note and show:
            print(note, file=sys.stderr, flush=True)
    ex = executor or make_executor(backend, workers, address)
    ran = 0
    try:
        if outdir is not None:
            manifest["execution"] = {
                "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "backend": ex.name, "workers": ex.workers,
                "address": getattr(ex, "address", None) if ex.name == "dask" else None}
            _prepare_out(outdir, manifest, resuming)
            if resuming:
                manifest = read_manifest(outdir)
        done = 0
        skipped = 0
        resumed = 0  # runs of complete shards found on disk

        def skip(gp: int, k: int, rows: int) -> bool:
            nonlocal done, skipped, resumed
            if outdir is not None and shard_complete(shard_path(outdir, gp, k), rows):
                done += rows
                resumed += rows
                skipped += 1
                return True
            return False

        total = runs * len(points)
        # lazy: the executor pulls a task only when a slot frees (bounded in flight)
        tasks = _tasks(resolved, runs, chunk, seed, pol, vary_types, skip, task_llm)
        kept: list[tuple[int, int, pa.Table]] = []
        label = f"{manifest['scenario']['id']} x {len(points)} grid point" + \
            ("s" if len(points) != 1 else "")
        with _progress_bar(total, done, label, bool(show)) as tick:
            for task, table in ex.imap(run_chunk, tasks):
                if outdir is not None:
                    try:
                        write_shard(table, shard_path(outdir, task.point, task.chunk))
                    except OSError as e:
                        raise SweepError(f"cannot write a shard in {outdir}: "
                                         f"{e.strerror or e}") from None
                else:
                    kept.append((task.point, task.chunk, table))
                done += task.rows
                ran += 1
                tick(done, done - resumed)
    finally:
        if own_executor:
            ex.close()

    if outdir is not None:
        summary = summarize(outdir, allow_partial=False)
        try:
            write_json_atomic(outdir / SUMMARY, summary)
        except OSError as e:
            raise SweepError(f"cannot write {outdir / SUMMARY}: {e.strerror or e}") from None
        return SweepResult(outdir, manifest, summary, ran, skipped)
    kept.sort(key=lambda t: (t[0], t[1]))
    rows = pa.concat_tables([t for _, _, t in kept], promote_options="default")
    return SweepResult(None, manifest, summarize_table(rows, manifest), ran, 0, rows)


def sweep(scenario: str, runs: int,
          excursions: Sequence[str] | str | None = None,
          vary: Mapping[str, Sequence[Any]] | Sequence[str] | None = None,
          *, sets: Sequence[str] = (), seed: int = 0, workers: int | None = None,
          backend: str = "local", address: str | None = None,
          out: str | os.PathLike[str] | None = None, chunk: int = DEFAULT_CHUNK,
          policy: Mapping[str, str] | None = None, progress: bool | None = None,
          executor: Executor | None = None,
          players: Sequence[str] | str | None = None, llm: Any = None,
          llm_cache: str | os.PathLike[str] | None = None) -> SweepResult:
    """Run ``runs`` games of every grid point: excursions x players x product of ``vary``.

    Args:
        scenario: bundled scenario id or YAML file.
        runs: runs per grid point (global run indices ``0 .. runs-1``).
        excursions: ``None`` (the scenario as written), a list of excursion ids,
            or ``"all"`` (every excursion of the scenario).
        vary: ``{"dotted.path": [v1, v2, ...]}`` (or CLI strings
            ``"dotted.path=v1,v2"``); the grid is their cartesian product.
        sets: fixed ``dotted.path=value`` overrides applied at every grid point.
        seed: root seed, the same for every grid point (common random numbers).
        workers: processes (``local``) or LocalCluster workers (``dask`` without
            address); default ``os.cpu_count()``.
        backend: ``"local"`` or ``"dask"``.
        address: Dask scheduler address, e.g. ``tcp://10.0.0.5:8786``.
        out: folder for the Parquet shards, manifest and summary (resumable);
            ``None`` keeps the rows in memory.
        chunk: runs per chunk (the unit of work and of a shard).
        policy: ``{"CHN": "strategic"}``, or ``{"*": kind}`` for every actor;
            these actors are pinned under every player model.
        progress: report progress: a bar on a terminal, else a plain line on stderr
            every few seconds (default: only when stdout is a terminal).
        executor: an already started executor to reuse (its ``close`` is yours).
        players: player models as an axis of the grid, e.g.
            ``["doctrine", "strategic", "mixed"]`` (or ``"doctrine,strategic"``),
            or one cell's player, ``"CHN=llm,CHN=doctrine"`` (paired on the same seeds);
            ``None`` plays the scenario's players only, without a ``players``
            column (see :mod:`whitecell.analysis.grid`).

    Returns:
        A :class:`SweepResult` (``.summary`` dict, ``.table()`` rows, ``.out``).

    Raises:
        ScenarioError: an excursion or override does not resolve.
        SweepError: any other bad argument, a foreign ``out`` folder, an
            unreachable Dask scheduler.
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or runs <= 0:
        raise SweepError(f"runs must be a positive integer (got {runs})")
    exc = excursion_ids(scenario, excursions)
    axes = axes_from(vary)
    models = parse_players(players)
    points = build_grid(exc, axes, tuple(sets), models)
    extra: dict[str, Any] = {"excursions": exc}
    if models is not None:
        extra["players"] = models
    return run_grid(scenario, points, runs, seed=seed, workers=workers, backend=backend,
                    address=address, out=out, chunk=chunk, policy=policy, progress=progress,
                    kind="sweep", axes=axes, sets=tuple(sets),
                    extra=extra, executor=executor, llm=llm, llm_cache=llm_cache)


def world_of(point: Mapping[str, Any], ref: str) -> Any:
    """Compile the world of a manifest grid point (helper for reruns and reports)."""
    from whitecell.scenario.load import load_scenario

    res = load_scenario(ref, excursion=point["excursion"], sets=tuple(point["overrides"]))
    return res, compile_world(res.scenario)


def _coerced(sc: Any) -> str | None:
    """The actor the challenger coerces (its principal adversary): the sweep table shows
    the damage it suffers, the outcome of a coercion campaign short of its objective."""
    from whitecell.world.compile import compile_world

    w = compile_world(sc)
    j = int(w.adversary[w.challenger])
    return w.ids[j] if j >= 0 else None
