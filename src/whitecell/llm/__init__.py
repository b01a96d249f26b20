"""Language-model cells: the client, the prompts and the move schema.

A language-model cell is a player like any other (``policies/llm.py``): it is
shown its own picture through the fog, the injects it received, the public
history and the menu of legal moves, and answers with a JSON object that a
schema constrains to that menu. This package holds what the player needs and
the engine does not: the endpoint (any OpenAI-compatible server), the
versioned prompt templates, the reply schema and its validation, and the
completion cache that makes a language-model game replayable without the
model.
"""

from whitecell.llm.client import (
    ChatRequest,
    Completion,
    CompletionCache,
    LLMClient,
    LLMError,
    RecordedBackend,
)
from whitecell.llm.endpoint import Endpoint, EndpointError, load_endpoint

__all__ = ["ChatRequest", "Completion", "CompletionCache", "Endpoint", "EndpointError",
           "LLMClient", "LLMError", "RecordedBackend", "load_endpoint"]
