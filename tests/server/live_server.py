"""A real server for the tests: ``whitecell serve`` in a subprocess on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SRC = str(Path(__file__).resolve().parents[2] / "src")
CONSOLE = "console-token-for-tests-0123456789"
PG_URL = os.environ.get("WHITECELL_TEST_PG_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``whitecell serve`` process."""

    db: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "PYTHONPATH": SRC, "WHITECELL_CONSOLE_TOKEN": CONSOLE}
        assert self.log is not None
        fh = open(self.log, "a")  # the child writes to it until stopped
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "whitecell.cli", "serve", "--port", str(self.port),
             "--db", self.db], env=env, stdout=fh, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def create(server: Server, cells: dict[str, str] | None = None, **body: object) -> dict:
    r = httpx.post(server.url + "/api/exercises", headers=auth(CONSOLE), timeout=60, json={
        "scenario": "taiwan-strait-crisis", "seed": 7,
        "cells": cells if cells is not None else {"USA": "human", "JPN": "human"}, **body})
    assert r.status_code == 201, r.text
    return dict(r.json())
