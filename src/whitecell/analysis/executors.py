"""Where the chunks of a sweep are played: in-process, a local process pool, or Dask.

Every executor runs the same function (:func:`whitecell.analysis.chunk.run_chunk`)
on the same tasks and hands the results back to the driver in completion order;
the driver writes the shards. At most ``inflight`` tasks are submitted at a
time, so memory is bounded by a few chunks, not by the sweep: a million-run
sweep holds the rows of about ``2 x workers`` chunks at once.

* ``local`` with one worker plays chunks in the driver process (no pool; the
  cheapest for small sweeps and tests).
* ``local`` with K > 1 workers uses :class:`concurrent.futures.ProcessPoolExecutor`
  started with ``forkserver`` where the platform has it (forking a process
  that holds threads -- a progress bar, DuckDB -- is unsafe), ``spawn`` otherwise.
* ``dask`` connects a :class:`distributed.Client` to a running scheduler
  (``address``), or starts a :class:`distributed.LocalCluster` of K single-thread
  worker processes when no address is given.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from whitecell.analysis.errors import SweepError

__all__ = ["DaskExecutor", "Executor", "InlineExecutor", "PoolExecutor", "make_executor"]

T = TypeVar("T")
R = TypeVar("R")

#: Seconds to wait for a Dask scheduler before calling it unreachable.
CONNECT_TIMEOUT = 5.0


class Executor(Protocol):
    """Runs ``fn`` over tasks, yielding ``(task, result)`` as they complete."""

    name: str
    workers: int

    def imap(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        """Results in completion order; at most ``2 x workers`` tasks in flight."""
        ...

    def close(self) -> None:
        """Stop workers and cancel pending tasks (safe to call twice)."""
        ...


class InlineExecutor:
    """Plays chunks one after the other in this process."""

    name = "local"

    def __init__(self) -> None:
        self.workers = 1

    def imap(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        for t in tasks:
            yield t, fn(t)

    def close(self) -> None:
        return None


def _pool_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # import the engine once in the fork server; each worker then forks from it
        ctx.set_forkserver_preload(["whitecell.analysis.chunk"])
    return ctx


class PoolExecutor:
    """A local process pool of ``workers`` processes."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())

    def imap(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        it = iter(tasks)
        pending: dict[Future[R], T] = {}
        limit = 2 * self.workers

        def fill() -> None:
            while len(pending) < limit:
                try:
                    t = next(it)
                except StopIteration:
                    return
                pending[self._pool.submit(fn, t)] = t

        try:
            fill()
            while pending:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in done:
                    t = pending.pop(fut)
                    yield t, fut.result()
                fill()
        except BrokenProcessPool:
            raise SweepError("a worker process died (out of memory, killed, or -- in a script "
                             "-- sweep() called outside `if __name__ == \"__main__\":`, which "
                             "process pools need)") from None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Chunks on a Dask distributed cluster (or a LocalCluster started here)."""

    name = "dask"

    def __init__(self, address: str | None, workers: int,
                 timeout: float = CONNECT_TIMEOUT) -> None:
        import distributed

        self._cluster: Any = None
        try:
            if address:
                self.client = distributed.Client(address, timeout=f"{timeout}s",
                                                 set_as_default=False)
            else:
                self._cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None)
                self.client = distributed.Client(self._cluster, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise SweepError(f"cannot reach the Dask scheduler at {address} within "
                             f"{timeout:g} s ({type(e).__name__})") from None
        except (ValueError, TypeError) as e:
            raise SweepError(f"bad Dask scheduler address {address!r}: {e}") from None
        threads = sum(self.client.nthreads().values())
        if threads == 0:
            self.client.close()
            raise SweepError(f"the Dask scheduler at {address} has no workers")
        self.workers = threads
        self.address = address or str(self.client.scheduler.address)

    def imap(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        import distributed

        it = iter(tasks)
        limit = 2 * max(1, sum(self.client.nthreads().values()))
        owner: dict[Any, T] = {}

        def submit_one() -> Any:
            try:
                t = next(it)
            except StopIteration:
                return None
            fut = self.client.submit(fn, t, pure=False)
            owner[fut.key] = t
            return fut

        first = [f for f in (submit_one() for _ in range(limit)) if f is not None]
        if not first:
            return
        ac = distributed.as_completed(first, loop=self.client.loop)
        for fut in ac:
            t = owner.pop(fut.key)
            res = fut.result()
            fut.release()
            yield t, res
            nxt = submit_one()
            if nxt is not None:
                ac.add(nxt)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None


def make_executor(backend: str, workers: int | None, address: str | None) -> Executor:
    """The executor for ``backend`` (``local`` or ``dask``); raises SweepError if unusable."""
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be at least 1 (got {workers})")
    k = workers or os.cpu_count() or 1
    if backend == "local":
        if address:
            raise SweepError("--address is for --backend dask")
        return InlineExecutor() if k == 1 else PoolExecutor(k)
    if backend == "dask":
        return DaskExecutor(address, k)
    raise SweepError(f"unknown backend {backend!r} (expected local or dask)")
