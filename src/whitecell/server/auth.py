"""Who is asking: a bearer token (API) or the exercise's page cookie (browser).

Tokens travel in the ``Authorization: Bearer`` header or in an HttpOnly,
SameSite=Strict cookie set by ``/join``; never in a URL the server logs. Form
posts from pages carry a CSRF token bound to the caller's token (an HMAC
with a per-process secret), checked in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from whitecell.exercise import ExerciseError, Exercises, Role

#: Name of the cookie holding the token for exercise pages (one per exercise).
COOKIE = "wc_token"
#: The console's cookie (the server's own token).
CONSOLE_COOKIE = "wc_console"

def bearer(request: Request) -> str | None:
    """The token of the request: the Authorization header, else the page cookie."""
    h = request.headers.get("authorization")
    if h:
        scheme, _, value = h.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise ExerciseError("Authorization must be 'Bearer TOKEN'", 401)
    xid = request.path_params.get("xid")
    if xid:
        c = request.cookies.get(f"{COOKIE}_{xid}")
        if c:
            return c
    return request.cookies.get(CONSOLE_COOKIE)


def role_of(exercises: Exercises, request: Request, xid: str) -> Role:
    """The caller's role in exercise ``xid`` (401/403/404 as ExerciseError)."""
    return exercises.authenticate(xid, bearer(request))


def csrf_token(secret: bytes, token: str) -> str:
    """The CSRF token of a page served to the holder of ``token``.

    ``secret`` is the database's server secret, so pages stay valid across a
    restart of the server.
    """
    return hmac.new(secret, token.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def check_csrf(request: Request, secret: bytes, token: str | None, sent: str | None) -> None:
    """403 unless ``sent`` (form field or X-CSRF-Token header) matches the caller's token."""
    sent = sent or request.headers.get("x-csrf-token")
    if not token or not sent or not hmac.compare_digest(csrf_token(secret, token), sent):
        raise ExerciseError("missing or wrong CSRF token: reload the page", 403)
