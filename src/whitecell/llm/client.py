"""Asking the model: requests, completions, the cache and the back-off.

* A :class:`ChatRequest` is everything that decides a completion: model,
  messages, reply schema and mode, sampling parameters and the per-call seed.
  Its :meth:`~ChatRequest.key` (sha256 of its canonical JSON) names it in the
  cache and in the run record.
* A backend sends a request: :class:`OpenAIBackend` to any OpenAI-compatible
  server through the ``openai`` client; :class:`RecordedBackend` answers from
  a run record's stored completions (``whitecell replay`` needs no model).
* :class:`LLMClient` asks many requests at once (asyncio on a background
  loop, at most ``concurrency`` in flight), answers repeated requests from the
  :class:`CompletionCache`, and counts calls, tokens and wall time.

Transport failures (429, 5xx, timeouts, refused connections) are re-sent with
exponential back-off; when they persist the game stops with an
:class:`LLMError` naming the server, never silently playing on without it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from whitecell.engine.events import canonical_json
from whitecell.llm.endpoint import Endpoint
from whitecell.sqlite_wal import enable_wal, retry_locked


class LLMError(RuntimeError):
    """The model could not be asked (server down, unknown model, missing record)."""


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion request, complete enough to reproduce it."""

    model: dict[str, Any]  # Endpoint.model_identity(): model, mode, file digest
    messages: tuple[tuple[str, str], ...]  # (role, content)
    schema: dict[str, Any]
    temperature: float
    top_p: float
    max_tokens: int
    seed: int

    def body(self) -> dict[str, Any]:
        """The request as canonical data (what :meth:`key` hashes)."""
        return {"model": self.model, "messages": [{"role": r, "content": c}
                                                  for r, c in self.messages],
                "schema": self.schema, "temperature": self.temperature, "top_p": self.top_p,
                "max_tokens": self.max_tokens, "seed": self.seed}

    def key(self) -> str:
        """sha256 of the canonical request: the cache key and the record's reference."""
        return hashlib.sha256(canonical_json(self.body()).encode("utf-8")).hexdigest()


@dataclass
class Completion:
    """What the server answered, with its cost."""

    content: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    wall_ms: float = 0.0  # time to answer (0 when from the cache)
    cached: bool = False
    transport_retries: int = 0

    def stored(self) -> dict[str, Any]:
        """The completion as cached and recorded (without the timing of this call)."""
        d = asdict(self)
        d.pop("cached")
        return d

    @classmethod
    def from_stored(cls, d: dict[str, Any], cached: bool = True) -> Completion:
        return cls(content=str(d.get("content", "")),
                   prompt_tokens=int(d.get("prompt_tokens") or 0),
                   completion_tokens=int(d.get("completion_tokens") or 0),
                   finish_reason=d.get("finish_reason"),
                   wall_ms=0.0 if cached else float(d.get("wall_ms") or 0.0), cached=cached)


class Backend(Protocol):
    """Sends one request and returns the completion (raising LLMError if it cannot)."""

    async def send(self, req: ChatRequest) -> Completion: ...


# ---------------------------------------------------------------- OpenAI-compatible
def response_format(mode: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The ``response_format`` a server of this mode takes for ``schema``."""
    if mode == "json_schema":
        return {"type": "json_schema",
                "json_schema": {"name": "whitecell_move", "strict": True, "schema": schema}}
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


class OpenAIBackend:
    """Any OpenAI-compatible chat endpoint, through the ``openai`` client.

    ``http_client`` (an ``httpx.AsyncClient``) is for tests that serve
    recorded HTTP answers; users never pass it.
    """

    def __init__(self, endpoint: Endpoint, http_client: Any = None,
                 backoff: float = 0.5) -> None:
        self.endpoint = endpoint
        self.backoff = backoff
        self._http_client = http_client
        self._client: Any = None

    def _get(self) -> Any:
        if self._client is None:
            from openai import AsyncOpenAI

            ep = self.endpoint
            self._client = AsyncOpenAI(base_url=ep.url, api_key=ep.api_key(),
                                       timeout=ep.timeout, max_retries=0,
                                       http_client=self._http_client)
        return self._client

    async def send(self, req: ChatRequest) -> Completion:
        import openai

        ep = self.endpoint
        kwargs: dict[str, Any] = {
            "model": ep.model, "messages": [{"role": r, "content": c} for r, c in req.messages],
            "temperature": req.temperature, "top_p": req.top_p, "max_tokens": req.max_tokens,
            "seed": req.seed}
        fmt = response_format(ep.mode, req.schema)
        if fmt is not None:
            kwargs["response_format"] = fmt
        last = ""
        for attempt in range(ep.transport_retries + 1):
            t0 = time.perf_counter()
            try:
                resp = await self._get().chat.completions.create(**kwargs)
            except openai.APIStatusError as e:
                last = f"HTTP {e.status_code}: {_short(e.message)}"
                if e.status_code != 429 and e.status_code < 500:
                    raise LLMError(f"{ep.url} refused the request for model {ep.model!r}: "
                                   f"{last}") from None
            except openai.APITimeoutError:
                last = f"no answer within {ep.timeout:g} s"
            except openai.APIConnectionError as e:
                last = f"cannot connect ({_short(str(e.__cause__ or e))})"
            else:
                choice = resp.choices[0] if resp.choices else None
                usage = resp.usage
                return Completion(
                    content=(choice.message.content or "") if choice else "",
                    prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                    completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                    finish_reason=choice.finish_reason if choice else None,
                    wall_ms=(time.perf_counter() - t0) * 1000.0, transport_retries=attempt)
            if attempt < ep.transport_retries:
                await asyncio.sleep(min(8.0, self.backoff * 2 ** attempt))
        raise LLMError(f"the language model at {ep.url} (model {ep.model!r}) did not answer "
                       f"after {ep.transport_retries + 1} tries: {last}")


def _short(text: str, n: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- recorded
class RecordedBackend:
    """Answers from stored completions only: replays need no model."""

    def __init__(self, completions: dict[str, dict[str, Any]], what: str = "the record"
                 ) -> None:
        self.completions = completions
        self.what = what

    async def send(self, req: ChatRequest) -> Completion:
        got = self.completions.get(req.key())
        if got is None:
            raise LLMError(f"{self.what} holds no completion for request {req.key()[:16]} "
                           "(the prompt, the model or the sampling settings differ from "
                           "those recorded)")
        return Completion.from_stored(got)


# ---------------------------------------------------------------- cache
class CompletionCache:
    """Completions by request key in a SQLite file (WAL; safe across processes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        enable_wal(self._db.execute)  # sweep workers open one new file together

        def create() -> None:
            self._db.execute("CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY KEY, "
                             "completion TEXT NOT NULL)")
            self._db.commit()

        retry_locked(create)

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT completion FROM completions WHERE key = ?",
                                   (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, completion: dict[str, Any]) -> None:
        text = json.dumps(completion, sort_keys=True)

        def write() -> None:
            self._db.execute("INSERT OR REPLACE INTO completions VALUES (?, ?)", (key, text))
            self._db.commit()

        with self._lock:
            retry_locked(write)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __getstate__(self) -> dict[str, Any]:  # re-opened in a worker process
        return {"path": str(self.path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]


def default_cache_path() -> Path:
    """The completion cache in the user's cache folder (``WHITECELL_LLM_CACHE`` overrides)."""
    import os

    from platformdirs import user_cache_dir

    env = os.environ.get("WHITECELL_LLM_CACHE")
    return Path(env) if env else Path(user_cache_dir("whitecell")) / "llm-completions.sqlite"


# ---------------------------------------------------------------- client
@dataclass
class ClientStats:
    """Calls, cache hits, tokens and wall time of everything a client asked."""

    calls: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_ms: float = 0.0
    transport_retries: int = 0

    def add(self, c: Completion) -> None:
        self.calls += 1
        self.cached += int(c.cached)
        self.prompt_tokens += c.prompt_tokens
        self.completion_tokens += c.completion_tokens
        self.wall_ms += c.wall_ms
        self.transport_retries += c.transport_retries


class _Loop:
    """One asyncio loop on a daemon thread, shared by the clients of a process."""

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def submit(cls, coro: Awaitable[Any]) -> Future[Any]:
        with cls._lock:
            if cls._loop is None or cls._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, daemon=True,
                                 name="whitecell-llm").start()
                cls._loop = loop
        return asyncio.run_coroutine_threadsafe(coro, cls._loop)  # type: ignore[arg-type]

    @classmethod
    def run(cls, coro: Awaitable[Any]) -> Any:
        return cls.submit(coro).result()


@dataclass
class LLMClient:
    """Asks a backend many requests at once, through the cache."""

    backend: Backend
    cache: CompletionCache | None = None
    concurrency: int = 4
    stats: ClientStats = field(default_factory=ClientStats)
    on_call: Callable[[ChatRequest, Completion], None] | None = None

    def complete_all(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Completions for ``requests`` in order (cache first, then the backend)."""
        return self.submit(requests).result()

    def submit(self, requests: Sequence[ChatRequest]) -> Future[list[Completion]]:
        """Start asking ``requests`` now; the future gives the completions in order.

        The cells of a turn submit before any of them waits, so their requests
        are in flight together (bounded by ``concurrency`` per cell).
        """
        if not requests:
            done: Future[list[Completion]] = Future()
            done.set_result([])
            return done
        return _Loop.submit(self._all(list(requests)))

    async def _all(self, requests: list[ChatRequest]) -> list[Completion]:
        sem = asyncio.Semaphore(self.concurrency)

        async def one(req: ChatRequest) -> Completion:
            key = req.key()
            if self.cache is not None:
                hit = self.cache.get(key)
                if hit is not None:
                    return Completion.from_stored(hit)
            async with sem:
                c = await self.backend.send(req)
            if self.cache is not None and not c.cached:
                self.cache.put(key, c.stored())
            return c

        done = await asyncio.gather(*(one(r) for r in requests))
        for req, c in zip(requests, done, strict=True):
            self.stats.add(c)
            if self.on_call is not None:
                self.on_call(req, c)
        return list(done)
