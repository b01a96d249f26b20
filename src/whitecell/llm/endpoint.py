"""Where a language-model cell is asked: an OpenAI-compatible endpoint.

An endpoint is the server's base URL, the model name it serves, how the
server takes a constrained reply (``mode``) and the name of the environment
variable that holds the API key. The key itself is read when a request is
sent and is never stored, logged or recorded.

Endpoints come from the command line (``--llm-url``, ``--llm-model``) or from
a named profile in a YAML file (``--llm-profile NAME``; the file is
``--llm-config FILE`` or ``llm.yaml`` in the user's config folder)::

    profiles:
      local:
        url: http://127.0.0.1:8088/v1
        model: gemma3-270m
        mode: json_object
      hosted:
        url: https://api.openai.com/v1
        model: gpt-4o-mini
        api_key_env: OPENAI_API_KEY
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

#: How the server is told to keep to the reply schema.
#: ``json_schema``: OpenAI's structured outputs (OpenAI, vLLM, llama.cpp's server);
#: ``json_object``: ``{"type": "json_object", "schema": ...}`` (llama-cpp-python's
#: server, which compiles the schema to a grammar); ``none``: the schema is only
#: in the prompt and the reply is validated afterwards.
Mode = Literal["json_schema", "json_object", "none"]
MODES: tuple[str, ...] = ("json_schema", "json_object", "none")

DEFAULT_KEY_ENV = "WHITECELL_LLM_API_KEY"


class EndpointError(ValueError):
    """An endpoint or profile the user gave is unusable (the message says why)."""


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible chat endpoint and how to ask it."""

    url: str
    model: str
    mode: Mode = "json_schema"
    api_key_env: str = DEFAULT_KEY_ENV
    timeout: float = 120.0  # seconds per request
    concurrency: int = 4  # requests in flight at once
    transport_retries: int = 4  # re-sends after 429, 5xx, timeouts (with back-off)
    model_file: str | None = None  # a local model file, whose sha256 is recorded
    model_sha256: str | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise EndpointError(f"--llm-url {self.url!r}: expected an http:// or https:// URL "
                                "(e.g. http://127.0.0.1:8088/v1)")
        if not self.model:
            raise EndpointError("--llm-model: expected the model name the server serves")
        if self.mode not in MODES:
            raise EndpointError(f"llm mode {self.mode!r}: expected one of {', '.join(MODES)}")
        if not 1 <= self.concurrency <= 256:
            raise EndpointError(f"llm concurrency {self.concurrency}: expected 1 to 256")
        if self.timeout <= 0:
            raise EndpointError(f"llm timeout {self.timeout}: expected seconds > 0")

    def api_key(self) -> str:
        """The key from the environment (a placeholder for servers that need none)."""
        return os.environ.get(self.api_key_env) or "no-key"

    def identity(self) -> dict[str, Any]:
        """What the run record keeps of the endpoint (never the key)."""
        d = {k: v for k, v in asdict(self).items() if v is not None}
        d.pop("timeout", None)
        d.pop("concurrency", None)
        d.pop("transport_retries", None)
        return d

    def model_identity(self) -> dict[str, Any]:
        """What decides the completions: model, its file digest, the mode (not the URL)."""
        d: dict[str, Any] = {"model": self.model, "mode": self.mode}
        if self.model_sha256:
            d["model_sha256"] = self.model_sha256
        return d


def file_sha256(path: str | Path) -> str:
    """sha256 of a (model) file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_config_path() -> Path:
    """``llm.yaml`` in the user's config folder."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("whitecell")) / "llm.yaml"


def load_endpoint(*, url: str | None = None, model: str | None = None,
                  profile: str | None = None, config: str | Path | None = None,
                  mode: str | None = None, concurrency: int | None = None,
                  timeout: float | None = None) -> Endpoint:
    """An endpoint from a profile and/or explicit settings (explicit ones win)."""
    fields: dict[str, Any] = {}
    if profile:
        path = Path(config) if config else default_config_path()
        if not path.exists():
            raise EndpointError(f"--llm-profile {profile}: no profile file {path} "
                                "(write one, or pass --llm-config FILE)")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise EndpointError(f"{path}: not valid YAML ({e})") from None
        profiles = data.get("profiles") if isinstance(data, dict) else None
        if not isinstance(profiles, dict):
            raise EndpointError(f"{path}: expected a top-level 'profiles:' mapping")
        if profile not in profiles:
            raise EndpointError(f"{path}: no profile {profile!r} (profiles: "
                                f"{', '.join(map(str, profiles)) or 'none'})")
        prof = profiles[profile]
        if not isinstance(prof, dict):
            raise EndpointError(f"{path}: profiles.{profile}: expected a mapping")
        known = {"url", "model", "mode", "api_key_env", "timeout", "concurrency",
                 "transport_retries", "model_file"}
        bad = sorted(set(prof) - known)
        if bad:
            raise EndpointError(f"{path}: profiles.{profile}.{bad[0]}: unknown field "
                                f"(expected {', '.join(sorted(known))})")
        if "api_key" in prof:
            raise EndpointError(f"{path}: profiles.{profile}: put the key in an environment "
                                "variable and name it with api_key_env")
        fields.update(prof)
    for k, v in (("url", url), ("model", model), ("mode", mode), ("concurrency", concurrency),
                 ("timeout", timeout)):
        if v is not None:
            fields[k] = v
    if "url" not in fields:
        raise EndpointError("a language-model cell needs --llm-url URL (an OpenAI-compatible "
                            "server, e.g. `whitecell llm local`) or --llm-profile NAME")
    if "model" not in fields:
        raise EndpointError("a language-model cell needs --llm-model NAME")
    mf = fields.get("model_file")
    if mf:
        if not Path(mf).exists():
            raise EndpointError(f"model_file {mf}: no such file")
        fields["model_sha256"] = file_sha256(mf)
    try:
        return Endpoint(**fields)
    except TypeError as e:
        raise EndpointError(f"llm endpoint: {e}") from None
