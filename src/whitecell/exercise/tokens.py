"""Access tokens: who is asking (white cell, one cell, observer) and proof of it.

A token is 32 random bytes in URL-safe base64. Only its SHA-256 is stored,
so a copy of the database grants nobody access; comparisons go through
:func:`hmac.compare_digest` (constant time), and every candidate of an
exercise is compared so the time taken does not tell which role matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

FACILITATOR = "facilitator"
OBSERVER = "observer"
CELL = "cell"
#: The server's own token (``whitecell serve``): creates exercises, acts as white cell in all.
CONSOLE = "console"
#: The turn clock acting at its deadline (no token: only the server holds this role).
CLOCK = "clock"


def new_token() -> str:
    """A fresh secret token."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison of two token hashes."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


@dataclass(frozen=True)
class Role:
    """Who holds a token: ``kind`` is facilitator, cell (with ``actor``) or observer."""

    kind: str
    actor: str | None = None

    @property
    def is_white(self) -> bool:
        return self.kind in (FACILITATOR, CONSOLE, CLOCK)

    @property
    def label(self) -> str:
        """How the audit log and messages name this role (never the token)."""
        if self.kind == CELL:
            return str(self.actor)
        if self.kind == CLOCK:
            return "clock"
        return "white" if self.is_white else self.kind

    def audience(self) -> str:
        """The event-stream audience key of this role."""
        return f"cell:{self.actor}" if self.kind == CELL else (
            "white" if self.is_white else "observer")


WHITE = Role(FACILITATOR)
