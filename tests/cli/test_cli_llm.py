"""The command line of language-model cells: clear errors, nothing half-saved."""

import os
import socket
import subprocess
import sys


def _wc(*args, env=None):
    return subprocess.run([sys.executable, "-m", "whitecell", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_llm_cell_without_an_endpoint_is_a_clear_error(tmp_path):
    r = _wc("run", "east-china-sea", "--policy", "CHN=llm", "--out", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "CHN=llm needs a language model: pass --llm-url" in r.stderr or \
        "needs --llm-url" in r.stderr


def test_llm_options_without_an_llm_cell_are_an_error(tmp_path):
    r = _wc("run", "east-china-sea", "--llm-url", "http://127.0.0.1:1/v1", "--out", str(tmp_path))
    assert r.returncode == 2 and "no cell plays llm" in r.stderr


def test_a_bad_url_and_a_dead_server_are_clear_and_save_nothing(tmp_path):
    r = _wc("run", "east-china-sea", "--policy", "CHN=llm", "--llm-url", "localhost:8080",
            "--llm-model", "m", "--out", str(tmp_path))
    assert r.returncode == 2 and "expected an http:// or https:// URL" in r.stderr
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    r = _wc("run", "east-china-sea", "--policy", "CHN=llm", "--llm-url", url, "--llm-model",
            "m", "--llm-cache", "off", "--out", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "did not answer" in r.stderr and "nothing was saved" in r.stderr
    runs = _wc("runs", "--out", str(tmp_path), "--json")
    assert runs.returncode == 0 and runs.stdout.strip() == "[]"


def test_an_unknown_prompt_version_names_the_versions(tmp_path):
    r = _wc("run", "east-china-sea", "--set", "parameters.llm.prompt=v9", "--out", str(tmp_path))
    assert r.returncode == 2 and "unknown prompt version 'v9'" in r.stderr and "v1" in r.stderr
