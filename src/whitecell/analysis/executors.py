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

**Workers never outlive the driver.** A driver killed outright (SIGKILL, the
OOM killer) runs no clean-up, and pool workers blocked on their task queue
would wait forever -- and keep the fork server and the resource tracker alive
with them. Each pool worker therefore watches the driver (a thread polling its
pid, plus ``PR_SET_PDEATHSIG`` towards the fork server on Linux) and exits
when it is gone; the fork server and the resource tracker then see their last
client leave and exit too.

**No more processes than work.** :func:`plan_workers` clamps the requested
worker count to the cores and to the number of chunks, and says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from whitecell.analysis.errors import SweepError
from whitecell.scenario.load import did_you_mean

__all__ = ["DaskExecutor", "Executor", "InlineExecutor", "PoolExecutor", "make_executor",
           "plan_workers"]

T = TypeVar("T")
R = TypeVar("R")

#: Seconds to wait for a Dask scheduler before calling it unreachable.
CONNECT_TIMEOUT = 5.0
#: Seconds between a pool worker's checks that the driver is still alive.
WATCH_INTERVAL = 0.5
_PR_SET_PDEATHSIG = 1


def plan_workers(requested: int | None, chunks: int) -> tuple[int, str | None]:
    """How many local workers to start for ``chunks`` chunks, and a note if fewer than asked.

    More processes than cores only share the cores (and each holds a chunk in
    memory); more than chunks would sit idle. ``requested=None`` means every core.
    """
    cores = os.cpu_count() or 1
    if requested is not None and requested < 1:
        raise SweepError(f"--workers must be at least 1 (got {requested})")
    k = max(1, min(requested or cores, cores, chunks))
    if requested is None or k == requested:
        return k, None
    why = f"{cores} core" + ("s" if cores != 1 else "")
    if chunks < min(requested, cores):
        why = f"{chunks} chunk" + ("s" if chunks != 1 else "") + " to play"
    return k, f"note: using {k} worker" + ("s" if k != 1 else "") + \
        f" instead of {requested} ({why})"


def _pid_alive(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(0) said it exists


def _watch_driver(pid: int) -> None:
    while _pid_alive(pid):
        time.sleep(WATCH_INTERVAL)
    os._exit(70)


def die_with_driver(driver: int) -> None:
    """Pool worker initializer: exit as soon as process ``driver`` is gone.

    The worker's parent is the fork server, not the driver, so Linux's
    parent-death signal alone would not do; the watch thread covers the driver.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            pass
    threading.Thread(target=_watch_driver, args=(driver,), name="whitecell-watch-driver",
                     daemon=True).start()


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
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                                         initializer=die_with_driver, initargs=(os.getpid(),))

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
        if address:
            _check_address(address, timeout)
        try:
            if address:
                self.client = _client_class()(address, timeout=f"{timeout}s",
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


def _client_class() -> Any:
    """:class:`distributed.Client` whose ``__del__`` gives up after 1 s, silently.

    When the constructor fails (something listens at the address but is no
    scheduler), the half-made client's own ``__del__`` would block 10 s and
    print a traceback after our one-line error.
    """
    import distributed

    class QuietClient(distributed.Client):
        def __del__(self) -> None:
            with contextlib.suppress(Exception):
                if getattr(self, "status", "closed") not in ("closed", "closing"):
                    self.close(timeout=1)

    return QuietClient


#: Dask comm protocols a sweep can reach a scheduler over (host:port addresses).
_SCHEMES = ("tcp", "tls", "ws", "wss")


def _check_address(address: str, timeout: float) -> None:
    """Fail fast, before any Client exists, on an address that cannot work.

    A :class:`distributed.Client` whose constructor fails is left half-made and
    its ``__del__`` then stalls for 10 s and prints a traceback; checking the
    address and (for TCP) that something listens there avoids building one.
    """
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, loc = parse_address(address, strict=False)
        if scheme not in _SCHEMES:
            raise ValueError(f"unsupported protocol {scheme!r} (expected one of "
                             f"{', '.join(_SCHEMES)})")
        host, port = parse_host_port(loc)
    except (ValueError, TypeError) as e:
        raise SweepError(f"bad Dask scheduler address {address!r}: {e} "
                         "(expected e.g. tcp://10.0.0.5:8786)") from None
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as e:
        raise SweepError(f"cannot reach the Dask scheduler at {address} within "
                         f"{timeout:g} s ({e.strerror or type(e).__name__})") from None
    if scheme == "tcp":
        _probe_scheduler(address, timeout)


def _probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` who it is, with a hard deadline.

    A ``distributed.Client`` pointed at a port where something listens but no
    scheduler answers waits for the handshake forever; a scheduler answers
    ``identity`` at once. Runs in its own thread (and event loop), so it works
    under a caller's running loop (Jupyter) too.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect

    async def ask() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            await comm.close()

    async def bounded() -> Any:
        return await asyncio.wait_for(ask(), timeout)

    with ThreadPoolExecutor(1, thread_name_prefix="whitecell-dask-probe") as pool:
        try:
            who = pool.submit(asyncio.run, bounded()).result()
        except (OSError, TimeoutError) as e:
            raise SweepError(f"no Dask scheduler answers at {address} within {timeout:g} s "
                             f"({type(e).__name__}); is that the scheduler's address?") from None
        except Exception as e:  # a peer speaking another protocol
            raise SweepError(f"{address} does not answer like a Dask scheduler "
                             f"({type(e).__name__}: {e})") from None
    if not isinstance(who, dict) or who.get("type") != "Scheduler":
        raise SweepError(f"{address} is not a Dask scheduler (it says {str(who)[:80]!r})")


def make_executor(backend: str, workers: int | None, address: str | None,
                  chunks: int | None = None) -> Executor:
    """The executor for ``backend`` (``local`` or ``dask``); raises SweepError if unusable.

    With ``chunks`` the local worker count is clamped by :func:`plan_workers`.
    """
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be at least 1 (got {workers})")
    k = workers or os.cpu_count() or 1
    if chunks is not None:
        k, _ = plan_workers(workers, chunks)
    if backend == "local":
        if address:
            raise SweepError("--address is for --backend dask")
        return InlineExecutor() if k == 1 else PoolExecutor(k)
    if backend == "dask":
        return DaskExecutor(address, k)
    raise SweepError(f"unknown backend {backend!r}{did_you_mean(backend, ('local', 'dask'))} "
                     "(expected local or dask)")
