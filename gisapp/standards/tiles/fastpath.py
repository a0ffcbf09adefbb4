"""Cached public tiles answered in front of Flask.

A map moving over a neighbourhood asks for the same tiles again and again, and each answer from
the tile cache is a dictionary lookup; Flask's request machinery around it (context, session,
user, permission gate, hooks, response object) costs several times that. This WSGI layer
answers a tile that the tile view has just answered the same way, for as long as the view's own
answer would stay the same: until the tile version it was read under expires from the per-process
memo (``GISAPP_TILE_VERSION_SECONDS``), and only while the rendered tile is still in the cache.

Only requests that would get exactly that answer are taken: GET, no cookie (no session, no
read-your-own-writes), no Authorization header, no ``If-None-Match`` and no request to
revalidate. Everything else, and every first request, goes through Flask, which decides what
may be remembered (an anonymous request for a layer anyone may see, with the anonymous fields).
The headers are the view's own, security headers included; the CSP nonce is renewed each time.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gisapp.standards.tiles.cache import TileCache

# What the tile view leaves in the WSGI environ for an answer this layer may repeat:
# (monotonic time until which its version holds, tile cache key).
ENVIRON_KEY = "gisapp.fast_tile"
MAX_ENTRIES = 50_000

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _Answer:
    until: float
    key: str
    status: str
    headers: list[tuple[str, str]]  # without Content-Length; the CSP with its old nonce
    nonce: str


def _nonce_of(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-security-policy" and "'nonce-" in value:
            return value.split("'nonce-", 1)[1].split("'", 1)[0]
    return ""


class FastTiles:
    def __init__(self, app: WsgiApp, extensions: dict[str, Any]) -> None:
        self.app = app
        # The Flask app's extensions: the tile cache is looked up there each time (it may be
        # replaced, as the tests do).
        self.extensions = extensions
        self.answers: dict[tuple[str, str], _Answer] = {}
        self.served = 0  # answered here (the tests read it)
        self._lock = threading.Lock()

    @staticmethod
    def _eligible(environ: dict[str, Any]) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and environ.get("PATH_INFO", "").startswith("/tiles/")
            and "HTTP_COOKIE" not in environ
            and "HTTP_AUTHORIZATION" not in environ
            and "HTTP_IF_NONE_MATCH" not in environ
            and "no-cache" not in environ.get("HTTP_CACHE_CONTROL", "")
            and "max-age=0" not in environ.get("HTTP_CACHE_CONTROL", "").replace(" ", "")
            and "no-cache" not in environ.get("HTTP_PRAGMA", "")
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self._eligible(environ):
            return self.app(environ, start_response)
        where = (environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
        answer = self.answers.get(where)
        if answer is not None and answer.until > time.monotonic():
            cache: TileCache = self.extensions["gisapp.tile_cache"]
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
            if any(n.lower() == "set-cookie" for n, _ in headers):
                return body  # an answer meant for one client only
            kept = [(n, v) for n, v in headers if n.lower() != "content-length"]
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
        start_response(answer.status, [*headers, ("Content-Length", str(len(body)))])
        self.served += 1
        return [body]
