"""Security headers on every response, and the per-request nonce of the page's inline code.

Folium writes the map as inline ``<script>`` and ``<style>`` blocks. Rather than allow inline
code (``'unsafe-inline'``) the page gets a fresh random nonce per response: ``map_parts`` stamps
it on Folium's blocks and templates write ``<script nonce="{{ csp_nonce() }}">``. Injected markup
cannot know the nonce, so it cannot run.

Usage in a template::

    <script nonce="{{ csp_nonce() }}">{{ map_parts.script|safe }}</script>
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, current_app, g, request

from gisapp.maps.basemaps import csp_img_sources
from gisapp.settings import Settings

# Feature policy: the map's "show my location" asks for the position; nothing else is used.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"

_TAG = re.compile(r"<(script|style)\b(?![^>]*\bnonce=)", re.IGNORECASE)


def csp_nonce() -> str:
    """This response's nonce (made on first use, then the same for the whole request)."""
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        g.csp_nonce = nonce
    return nonce


def add_nonce(html: str) -> str:
    """Stamp this response's nonce on every ``<script>`` and ``<style>`` tag of trusted markup
    (Folium's output); never call it on anything that holds user text."""
    return _TAG.sub(lambda m: f'<{m.group(1)} nonce="{csp_nonce()}"', html)


def content_security_policy(settings: Settings, nonce: str) -> str:
    return _policy_template(settings).replace(_NONCE, nonce)


# Written once per app (its settings do not change), with a placeholder for each response's
# nonce.
_NONCE = "\x00nonce\x00"


def _policy_template(settings: Settings) -> str:
    nonce = _NONCE
    img = " ".join(["'self'", "data:", "blob:", *csp_img_sources(settings)])
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        # Attributes only (style="..."): the templates colour swatches, bars and dots from data
        # (category colours, coverage shares) and Leaflet draws with inline styles. A style
        # attribute cannot run script or select other elements, and any url() in it is still
        # held to img-src, so this opens no path for injected code; <style> blocks need the
        # nonce.
        "style-src-attr": "'unsafe-inline'",
        "img-src": img,
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _policy() -> str:
    template: str | None = current_app.extensions.get("gisapp.csp")
    if template is None:
        template = _policy_template(current_app.extensions["gisapp.settings"])
        current_app.extensions["gisapp.csp"] = template
    return template


def _set_headers(response: Response) -> Response:
    headers = response.headers
    # One pass over the response's headers instead of a setdefault per header: Werkzeug's
    # setdefault raises and catches a KeyError for each missing name, a measurable share of
    # a cached tile's whole request.
    present = {name.lower() for name, _ in headers.items()}
    wanted = [
        ("Content-Security-Policy", None),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Tile servers (OpenStreetMap's usage policy) want to know the site, not the page.
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", "max-age=31536000"))
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value or _policy().replace(_NONCE, csp_nonce()))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
