"""Command-line options shared by several commands (the language-model endpoint)."""

from typing import Annotated

import typer

LLMUrlOpt = Annotated[str | None, typer.Option(
    "--llm-url", help="OpenAI-compatible endpoint of llm cells, e.g. http://127.0.0.1:8088/v1.")]
LLMModelOpt = Annotated[str | None, typer.Option(
    "--llm-model", help="Model name the endpoint serves.")]
LLMProfileOpt = Annotated[str | None, typer.Option(
    "--llm-profile", help="Named endpoint from the llm.yaml profile file.")]
LLMConfigOpt = Annotated[str | None, typer.Option(
    "--llm-config", help="Profile file (default: llm.yaml in the user config folder).")]
LLMModeOpt = Annotated[str | None, typer.Option(
    "--llm-mode", help="How the server keeps to the reply schema: json_schema (OpenAI, vLLM), "
                       "json_object (llama-cpp-python) or none.")]
LLMConcurrencyOpt = Annotated[int | None, typer.Option(
    "--llm-concurrency", help="Requests in flight at once (default 4).")]
LLMCacheOpt = Annotated[str | None, typer.Option(
    "--llm-cache", help="Completion cache file, or 'off' (default: the user cache folder; "
                        "$WHITECELL_LLM_CACHE).")]
