"""A real Dask cluster on 127.0.0.1 (scheduler + two worker processes) gives the same bytes."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from whitecell.analysis import SweepError, sweep
from whitecell.analysis.shards import list_shards

SC = "taiwan-strait-crisis"
ARGS = dict(excursions=["base", "no-japan-bases"], vary={"max_turns": [12, 30]}, seed=4,
            chunk=500)
RUNS = 1500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`dask scheduler` and two `dask worker` processes (1 process, 1 thread each)."""
    import distributed

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    procs: list[subprocess.Popen] = []

    def start(name, args):
        log = open(logs / f"{name}.log", "wb")
        procs.append(subprocess.Popen([sys.executable, "-m", *args], stdout=log,
                                      stderr=subprocess.STDOUT))

    try:
        start("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                            "--port", str(port), "--no-dashboard"])
        for i in range(2):
            start(f"worker{i}", ["distributed.cli.dask_worker", address, "--nworkers", "1",
                                 "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                                 "--name", f"w{i}"])
        deadline = time.monotonic() + 90
        client = None
        while time.monotonic() < deadline:
            try:
                client = distributed.Client(address, timeout="3s", set_as_default=False)
                break
            except OSError:
                time.sleep(0.3)
        assert client is not None, "the Dask scheduler did not start"
        try:
            client.wait_for_workers(2, timeout=90)
        finally:
            client.close()
        yield address
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs[::-1]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in list_shards(d)}


def test_dask_cluster_matches_local(cluster, tmp_path):
    local = sweep(SC, RUNS, out=tmp_path / "local", workers=1, progress=False, **ARGS)
    dask = sweep(SC, RUNS, out=tmp_path / "dask", backend="dask", address=cluster,
                 progress=False, **ARGS)
    assert _files(dask.out) == _files(local.out)
    assert len(_files(local.out)) == 4 * 3
    assert (dask.out / "summary.json").read_bytes() == (local.out / "summary.json").read_bytes()
    m = json.loads((dask.out / "manifest.json").read_text())
    assert m["execution"]["backend"] == "dask" and m["execution"]["workers"] == 2
    # resume on the other backend: drop shards from the Dask sweep, finish them locally
    for p in list_shards(dask.out)[::3]:
        p.unlink()
    again = sweep(SC, RUNS, out=tmp_path / "dask", workers=2, progress=False, **ARGS)
    assert again.ran_chunks == 4
    assert _files(again.out) == _files(local.out)


def test_unreachable_scheduler_fails_fast(tmp_path):
    t = time.monotonic()
    with pytest.raises(SweepError, match="cannot reach the Dask scheduler"):
        sweep(SC, 10, backend="dask", address=f"tcp://127.0.0.1:{_free_port()}",
              out=tmp_path / "x", progress=False)
    assert time.monotonic() - t < 30
    assert not (tmp_path / "x").exists()
