"""Small helpers shared by the API views."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from gisapp.errors import BadRequest, ValidationFailed

GEOJSON = "application/geo+json"


def geojson_response(body: str) -> Response:
    return Response(body, mimetype=GEOJSON)


def json_body(allowed: set[str], required: set[str]) -> dict[str, Any]:
    """The request's JSON object; unknown or missing fields are rejected by name."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", field=None)
    for key in data:
        if key not in allowed:
            raise ValidationFailed(f"unknown field {key!r}", field=str(key)[:64])
    for key in sorted(required):
        if key not in data:
            raise ValidationFailed(f"{key} is required", field=key)
    return data


def unknown_params(allowed: set[str]) -> None:
    for key in request.args:
        if key not in allowed:
            raise ValidationFailed(f"unknown query parameter {key!r}", field=key[:64])
