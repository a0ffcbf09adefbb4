"""Cached public tiles answered in front of Flask.

A map moving over a neighbourhood asks for the same tiles again and again, and each answer from
the tile cache is a dictionary lookup; Flask's request machinery around it (context, session,
user, permission gate, hooks, response object) costs several times that. This WSGI layer
answers a tile that the tile view has just answered the same way, for as long as the view's own
answer would stay the same: until the tile version it was read under expires from the per-process
memo (``GISAPP_TILE_VERSION_SECONDS``), and only while the rendered tile is still in the cache.

Only requests that would get exactly that answer are taken: GET, no Authorization header, no
``If-None-Match``, no request to revalidate, and no cookie but the session of a visitor who is
not signed in (the map page gives every visitor one; its signature is checked once per cookie
value). A signed-in visitor, a remember-me or read-your-own-writes cookie, anything else: through
Flask. Every first request goes through Flask too, which decides what may be remembered (an
anonymous request for a layer anyone may see, with the anonymous fields). Cookies the view set
for the client it answered (a session refresh) are not repeated: Flask refreshes them on the
next page, and that is all that differs from the view's answer.
The headers are the view's own, security headers included; the CSP nonce is renewed each time.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from itsdangerous import BadSignature
from werkzeug.datastructures import RequestCacheControl
from werkzeug.http import parse_cache_control_header, parse_cookie

from gisapp.standards.tiles.cache import TileCache

# What the tile view leaves in the WSGI environ for an answer this layer may repeat:
# (monotonic time until which its version holds, tile cache key).
ENVIRON_KEY = "gisapp.fast_tile"
# Answers (about 1 KB of headers each) and session verdicts kept per worker, at most.
MAX_ENTRIES = 10_000

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _Answer:
    until: float
    key: str
    status: str
    headers: list[tuple[str, str]]  # without Content-Length; the CSP with its old nonce
    nonce: str


def revalidates(environ: dict[str, Any]) -> bool:
    """The client asks for the latest, not a remembered version (the map does after a write):
    ``Cache-Control: no-cache`` or ``max-age=0``, or HTTP/1.0's ``Pragma: no-cache``. The tile
    view and this layer ask the same question here."""
    control = parse_cache_control_header(environ.get("HTTP_CACHE_CONTROL"), cls=RequestCacheControl)
    return (
        bool(control.no_cache)
        or control.max_age == 0
        or "no-cache" in environ.get("HTTP_PRAGMA", "")
    )


def _nonce_of(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-security-policy" and "'nonce-" in value:
            return value.split("'nonce-", 1)[1].split("'", 1)[0]
    return ""


class FastTiles:
    def __init__(self, app: WsgiApp, flask: Flask) -> None:
        self.app = app
        # The tile cache is looked up in the Flask app each time (it may be replaced, as the
        # tests do).
        self.flask = flask
        self.answers: dict[tuple[str, str], _Answer] = {}
        self.sessions: dict[str, bool] = {}  # session cookie value -> not signed in
        self.served = 0  # answered here (the tests read it)
        self._lock = threading.Lock()

    def _eligible(self, environ: dict[str, Any]) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and environ.get("PATH_INFO", "").startswith("/tiles/")
            and "HTTP_AUTHORIZATION" not in environ
            and "HTTP_IF_NONE_MATCH" not in environ
            and not revalidates(environ)
            and self._anonymous(environ.get("HTTP_COOKIE", ""))
        )

    def _anonymous(self, raw: str) -> bool:
        """No cookie, or only the session cookie of a visitor who has not signed in."""
        if not raw:
            return True
        cookies = parse_cookie(raw)
        name = self.flask.config["SESSION_COOKIE_NAME"]
        if any(key != name for key in cookies):
            return False
        value = cookies.get(name, "")
        known = self.sessions.get(value)
        if known is None:
            known = self._unsigned_in(value)
            with self._lock:
                if len(self.sessions) >= MAX_ENTRIES:
                    self.sessions.clear()
                self.sessions[value] = known
        return known

    def _unsigned_in(self, value: str) -> bool:
        serializer = self.flask.session_interface.get_signing_serializer(self.flask)  # type: ignore[attr-defined]
        if serializer is None:
            return False
        try:
            data = serializer.loads(value)
        except BadSignature:
            return False  # Flask answers with an empty session; let it
        # Flask-Login keeps the signed-in user's id here.
        return isinstance(data, dict) and "_user_id" not in data

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self._eligible(environ):
            return self.app(environ, start_response)
        where = (environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
        answer = self.answers.get(where)
        if answer is not None and answer.until > time.monotonic():
            cache: TileCache = self.flask.extensions["gisapp.tile_cache"]
            entry = cache.get(answer.key)
            if entry is not None:
                return self._repeat(answer, entry[1:], start_response)
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        note = environ.get(ENVIRON_KEY)
        if note is not None and captured and captured[0][:3] in ("200", "204"):
            status, headers = captured
            # Cookies the view set were that client's (a session refresh): not repeated.
            kept = [(n, v) for n, v in headers if n.lower() not in ("content-length", "set-cookie")]
            with self._lock:
                if len(self.answers) >= MAX_ENTRIES:
                    self.answers.clear()
                self.answers[where] = _Answer(note[0], note[1], status, kept, _nonce_of(kept))
        return body

    def _repeat(
        self, answer: _Answer, body: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        headers = answer.headers
        if answer.nonce:
            fresh = secrets.token_urlsafe(18)
            headers = [
                (n, v.replace(answer.nonce, fresh) if n.lower() == "content-security-policy" else v)
                for n, v in headers
            ]
        if body:  # an empty tile is a 204, which carries no length
            headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(answer.status, headers)
        self.served += 1
        return [body]
