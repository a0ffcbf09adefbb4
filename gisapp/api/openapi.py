"""``GET /api/v1/openapi.json``: the OpenAPI 3.0 description of the JSON API.

A test walks the app's ``/api/v1`` routes and fails when one is missing here.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from gisapp.api import bp

ERROR = {"$ref": "#/components/responses/Error"}


def _param(
    name: str, description: str, schema: dict[str, Any], where: str = "query"
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


BBOX = _param(
    "bbox",
    "minlon,minlat,maxlon,maxlat (WGS 84)",
    {"type": "string", "pattern": r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$"},
)
LIMIT = _param(
    "limit",
    "Features per response",
    {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000},
)
AREA = _param("area", "Area code or id (any level)", {"type": "string"})
GEOJSON = {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}


def _ok(description: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if content:
        out["content"] = content
    return out


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


CODE_LIST = _json(
    {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "name_zh", "name_en"],
            "properties": {
                "code": {"type": "string"},
                "name_zh": {"type": "string"},
                "name_en": {"type": "string"},
            },
        },
    }
)


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Co-creation map API (共同缔造地图)",
            "version": "1",
            "description": "Residents' reports, areas, facilities and projects of the co-creation "
            "map. Errors are JSON objects {error: {code, message, field}}. Authenticate with "
            "POST /api/v1/tokens and `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string", "nullable": True},
                            },
                        }
                    },
                },
                "FeatureCollection": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array", "items": {"type": "object"}},
                        "numberReturned": {"type": "integer"},
                    },
                },
            },
            "responses": {
                "Error": {
                    "description": "Error",
                    "content": _json({"$ref": "#/components/schemas/Error"}),
                }
            },
        },
        "paths": {
            "/tokens": {
                "post": {
                    "summary": "Exchange username and password for a bearer token",
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["username", "password"],
                                "properties": {
                                    "username": {"type": "string", "maxLength": 200},
                                    "password": {"type": "string", "maxLength": 200},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": _ok(
                            "Token issued",
                            _json(
                                {
                                    "type": "object",
                                    "required": ["token"],
                                    "properties": {
                                        "token": {"type": "string"},
                                        "token_type": {"type": "string"},
                                        "expires_at": {"type": "string", "format": "date-time"},
                                        "role": {"type": "string"},
                                    },
                                }
                            ),
                        ),
                        "400": ERROR,
                        "401": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/me": {
                "get": {
                    "summary": "The signed-in account",
                    "security": [{"bearer": []}],
                    "responses": {"200": _ok("Account", _json({"type": "object"})), "401": ERROR},
                }
            },
            "/categories": {
                "get": {
                    "summary": "Report categories",
                    "responses": {"200": _ok("Categories", CODE_LIST)},
                }
            },
            "/facility-types": {
                "get": {
                    "summary": "Facility types with inspection intervals",
                    "responses": {"200": _ok("Facility types", CODE_LIST)},
                }
            },
            "/areas": {
                "get": {
                    "summary": "Areas of one level as GeoJSON",
                    "parameters": [
                        _param(
                            "level",
                            "district, street, community, grid or building",
                            {
                                "type": "string",
                                "enum": ["district", "street", "community", "grid", "building"],
                            },
                        ),
                        _param("parent", "Parent area code or id", {"type": "string"}),
                        BBOX,
                        LIMIT,
                    ],
                    "responses": {"200": _ok("Areas", GEOJSON), "404": ERROR, "422": ERROR},
                }
            },
            "/reports": {
                "get": {
                    "summary": "Residents' reports as GeoJSON (public fields only)",
                    "parameters": [
                        _param("status", "Comma-separated statuses", {"type": "string"}),
                        _param("category", "Comma-separated category codes", {"type": "string"}),
                        BBOX,
                        AREA,
                        LIMIT,
                    ],
                    "responses": {"200": _ok("Reports", GEOJSON), "404": ERROR, "422": ERROR},
                }
            },
            "/reports/{report_id}": {
                "get": {
                    "summary": "One report with its areas and support count",
                    "parameters": [_param("report_id", "Report id", {"type": "integer"}, "path")],
                    "responses": {
                        "200": _ok(
                            "Report", {"application/geo+json": {"schema": {"type": "object"}}}
                        ),
                        "404": ERROR,
                    },
                }
            },
            "/layers": {
                "get": {
                    "summary": "Map layers the caller may see",
                    "responses": {
                        "200": _ok("Layers", _json({"type": "array", "items": {"type": "object"}}))
                    },
                }
            },
            "/layers/{layer_id}/features": {
                "get": {
                    "summary": "A map layer's features in a bounding box",
                    "parameters": [
                        _param("layer_id", "Layer id", {"type": "string"}, "path"),
                        BBOX,
                    ],
                    "responses": {"200": _ok("Features", GEOJSON), "404": ERROR, "422": ERROR},
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": _ok("OpenAPI 3.0", _json({"type": "object"}))},
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
