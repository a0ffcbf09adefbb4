"""Content negotiation and links for the OGC API.

``?f=json|html`` wins; otherwise the ``Accept`` header, JSON when it does not care (``*/*``),
HTML when a browser asks for it. Every response varies on ``Accept``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from gisapp.errors import BadRequest

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

FORMATS = {"json": "json", "geojson": "json", "html": "html"}


def wants_html() -> bool:
    f = request.args.get("f")
    if f is not None:
        return FORMATS.get(f) == "html"
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, OPENAPI, HTML], default=JSON)
    return best == HTML


def output_format() -> str:
    """``"json"`` or ``"html"``; a 400 for any other ``f``."""
    f = request.args.get("f")
    if f is not None and f not in FORMATS:
        raise BadRequest(f"f must be one of {', '.join(sorted(FORMATS))}", field="f")
    return "html" if wants_html() else "json"


def link(
    endpoint: str,
    rel: str,
    media: str,
    values: dict[str, Any] | None = None,
    title: str | None = None,
) -> dict[str, str]:
    """A link object; ``values`` fill the route and the query string (a dict, not keywords,
    so a property called ``title`` or ``rel`` cannot collide with the arguments)."""
    out = {"href": url_for(endpoint, _external=True, **(values or {})), "rel": rel, "type": media}
    if title:
        out["title"] = title
    return out


def self_links(
    endpoint: str, values: dict[str, Any] | None = None, media: str = JSON
) -> list[dict[str, str]]:
    """``self`` (JSON, or ``media``) and ``alternate`` (HTML) links of a JSON answer."""
    values = values or {}
    return [
        link(endpoint, "self", media, {**values, "f": "json"}),
        link(endpoint, "alternate", HTML, {**values, "f": "html"}),
    ]


def vary(resp: Response) -> Response:
    resp.headers["Vary"] = "Accept"
    return resp
