"""The client: cache, concurrency, back-off and errors, over real HTTP clients.

The OpenAI backend is exercised through the real ``openai`` client on an
``httpx.MockTransport`` that answers like a server: 429 and 500 are re-sent
with back-off, a 4xx is an error naming the server, a dead server is an
LLMError after the bounded retries.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from whitecell.llm.client import (
    ChatRequest,
    CompletionCache,
    LLMClient,
    LLMError,
    OpenAIBackend,
    RecordedBackend,
)
from whitecell.llm.endpoint import Endpoint, EndpointError, load_endpoint
from whitecell.llm.mock import FunctionBackend, reply

EP = Endpoint(url="http://model.test/v1", model="m", mode="json_schema", transport_retries=2)


def _req(seed: int = 1, text: str = "hello") -> ChatRequest:
    return ChatRequest(model=EP.model_identity(), messages=(("user", text),),
                       schema={"type": "object"}, temperature=0.0, top_p=1.0, max_tokens=64,
                       seed=seed)


def _ok(content: str) -> httpx.Response:
    return httpx.Response(200, json={
        "id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16}})


def test_request_key_covers_everything_that_decides_the_completion() -> None:
    assert _req().key() == _req().key()
    assert _req(seed=2).key() != _req().key()
    assert _req(text="other").key() != _req().key()


def test_openai_backend_sends_schema_seed_and_retries_429_and_5xx() -> None:
    seen: list[dict[str, object]] = []
    codes = iter([429, 500])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        code = next(codes, 200)
        return _ok(reply("wait", None)) if code == 200 else httpx.Response(
            code, json={"error": {"message": "busy"}})

    backend = OpenAIBackend(EP, http_client=httpx.AsyncClient(
        transport=httpx.MockTransport(handler)), backoff=0.01)
    client = LLMClient(backend)
    [c] = client.complete_all([_req()])
    assert json.loads(c.content)["actions"] == [{"action": "wait", "target": None}]
    assert c.transport_retries == 2 and c.prompt_tokens == 11 and c.completion_tokens == 5
    assert len(seen) == 3
    body = seen[-1]
    assert body["seed"] == 1 and body["temperature"] == 0.0 and body["model"] == "m"
    assert body["response_format"]["type"] == "json_schema"  # type: ignore[index]
    assert client.stats.calls == 1 and client.stats.transport_retries == 2


def test_a_client_error_is_not_retried_and_names_the_server() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404, json={"error": {"message": "model 'm' not found"}})

    backend = OpenAIBackend(EP, http_client=httpx.AsyncClient(
        transport=httpx.MockTransport(handler)), backoff=0.01)
    with pytest.raises(LLMError, match=r"model.test/v1 refused .*HTTP 404"):
        LLMClient(backend).complete_all([_req()])
    assert calls == [1]


def test_a_dead_server_is_an_error_after_bounded_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    backend = OpenAIBackend(EP, http_client=httpx.AsyncClient(
        transport=httpx.MockTransport(handler)), backoff=0.01)
    with pytest.raises(LLMError, match="did not answer after 3 tries: cannot connect"):
        LLMClient(backend).complete_all([_req()])


def test_a_timeout_is_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    backend = OpenAIBackend(EP, http_client=httpx.AsyncClient(
        transport=httpx.MockTransport(handler)), backoff=0.01)
    with pytest.raises(LLMError, match="no answer within"):
        LLMClient(backend).complete_all([_req()])


def test_requests_run_concurrently_up_to_the_bound() -> None:
    def fn(req: ChatRequest) -> str:
        return reply("wait", None)

    backend = FunctionBackend(fn, delay=0.05)
    client = LLMClient(backend, concurrency=3)
    t0 = time.perf_counter()
    out = client.complete_all([_req(seed=i) for i in range(9)])
    wall = time.perf_counter() - t0
    assert len(out) == 9 and backend.peak == 3
    assert wall < 9 * 0.05  # not one at a time


def test_cache_answers_a_repeated_request_without_the_backend(tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = FunctionBackend(lambda r: reply("wait", None))
    cache = CompletionCache(tmp_path / "c.sqlite")
    LLMClient(backend, cache=cache).complete_all([_req()])
    again = LLMClient(FunctionBackend(lambda r: RuntimeError("must not be asked")),
                      cache=CompletionCache(tmp_path / "c.sqlite"))
    [c] = again.complete_all([_req()])
    assert c.cached and json.loads(c.content)["signal_intent"] == "status_quo"
    assert len(backend.requests) == 1


def test_recorded_backend_refuses_a_request_it_does_not_hold() -> None:
    with pytest.raises(LLMError, match="holds no completion"):
        LLMClient(RecordedBackend({}, what="the record")).complete_all([_req()])


def test_endpoint_errors_are_clear(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EndpointError, match="http:// or https://"):
        load_endpoint(url="localhost:8080", model="m")
    with pytest.raises(EndpointError, match="needs --llm-url"):
        load_endpoint(model="m")
    f = tmp_path / "llm.yaml"
    f.write_text("profiles:\n  local:\n    url: http://127.0.0.1:1/v1\n    model: g\n"
                 "    api_key: secret\n")
    with pytest.raises(EndpointError, match="unknown field"):
        load_endpoint(profile="local", config=f)
    f.write_text("profiles:\n  local:\n    url: http://127.0.0.1:1/v1\n    model: g\n"
                 "    mode: json_object\n")
    ep = load_endpoint(profile="local", config=f, concurrency=2)
    assert (ep.url, ep.model, ep.mode, ep.concurrency) == ("http://127.0.0.1:1/v1", "g",
                                                           "json_object", 2)
    with pytest.raises(EndpointError, match="no profile 'x'"):
        load_endpoint(profile="x", config=f)


def test_the_api_key_is_read_from_the_environment_and_never_recorded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MY_KEY", "sk-secret")
    ep = Endpoint(url="http://x/v1", model="m", api_key_env="MY_KEY")
    assert ep.api_key() == "sk-secret"
    assert "sk-secret" not in json.dumps(ep.identity())



def _open_together(path: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    import os

    barrier.wait()
    try:
        cache = CompletionCache(path)
        cache.put(f"k{os.getpid()}", {"pid": os.getpid()})
        cache.close()
        results.put("ok")
    except Exception as err:  # noqa: BLE001 - the test reports what failed
        results.put(repr(err))


def test_many_processes_open_one_new_cache_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Sweep workers open the same fresh cache file together; none may fail as "locked".

    Before the fix, about one round in four had a worker fail with "database is locked"
    (switching a new file to WAL does not wait on the busy timeout)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    failures: list[str] = []
    for r in range(8):
        path = str(tmp_path / f"shared{r}.sqlite")
        barrier, results = ctx.Barrier(8), ctx.Queue()
        procs = [ctx.Process(target=_open_together, args=(path, barrier, results))
                 for _ in range(8)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        failures += [x for x in (results.get(timeout=10) for _ in procs) if x != "ok"]
        cache = CompletionCache(path)
        assert cache._db.execute("SELECT COUNT(*) FROM completions").fetchone()[0] == 8 \
            or failures
        cache.close()
    assert failures == []
