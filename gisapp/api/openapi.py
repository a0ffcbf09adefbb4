"""``GET /api/v1/openapi.json``: the OpenAPI 3.0 description of the JSON API.

A test walks the app's ``/api/v1`` routes and fails when one is missing here.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from gisapp.api import bp
from gisapp.api.maintenance_doc import PATHS as MAINTENANCE_PATHS
from gisapp.api.oas import ERROR
from gisapp.api.oas import json_content as _json
from gisapp.api.oas import ok as _ok
from gisapp.api.oas import param as _param
from gisapp.api.outcomes_doc import PATHS as OUTCOMES_PATHS
from gisapp.api.participation_doc import PATHS as PARTICIPATION_PATHS

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


REPORT_ID = _param("report_id", "Report id", {"type": "integer"}, "path")
GEOJSON_ONE = {"application/geo+json": {"schema": {"type": "object"}}}
NEW_REPORT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["category", "description"],
    "description": "lon and lat are required unless facility_id is given (the report is then "
    "placed at the facility)",
    "properties": {
        "category": {"type": "string"},
        "description": {"type": "string", "minLength": 1, "maxLength": 2000},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "contact": {"type": "string", "maxLength": 200, "description": "Private: never published"},
        "facility_id": {"type": "integer", "description": "A fault report on this facility"},
    },
}
DISTANCE_MODES = {
    "type": "string",
    "enum": ["network", "straight"],
    "description": "network: walking distance along the street network (pgRouting), the "
    "default when a network is loaded; straight: straight-line distance. Responses say which "
    "was used in `distance`.",
}
DISTANCE = _param("distance", "Distance measure", DISTANCE_MODES)
SITE_REQUEST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["facility_type", "candidates"],
    "properties": {
        "facility_type": {"type": "string"},
        "radius_m": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10000},
        "candidates": {
            "description": "{points: [[lon, lat], ...]} | {grid: {area, spacing_m}} | {polygons: [GeoJSON, ...]}",
            "oneOf": [{"type": "object"}, {"type": "array"}],
        },
        "area": {"type": "string"},
        "distance": DISTANCE_MODES,
    },
}
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
                },
                "post": {
                    "summary": "File a report (anonymous or signed in); multipart/form-data "
                    "with up to 3 `photos` is accepted too",
                    "parameters": [
                        _param(
                            "Idempotency-Key",
                            "Retries with the same key file the report once",
                            {"type": "string", "maxLength": 200},
                            "header",
                        )
                    ],
                    "requestBody": {"required": True, "content": _json(NEW_REPORT)},
                    "responses": {
                        "201": _ok("Filed: id, status, areas", _json({"type": "object"})),
                        "400": ERROR,
                        "409": ERROR,
                        "422": ERROR,
                    },
                },
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
            "/reports/nearby": {
                "get": {
                    "summary": "Open reports of a category within 100 m of a point (before filing a twin)",
                    "parameters": [
                        _param(
                            "lon", "Longitude", {"type": "number", "minimum": -180, "maximum": 180}
                        ),
                        _param(
                            "lat", "Latitude", {"type": "number", "minimum": -90, "maximum": 90}
                        ),
                        _param("category", "Category code", {"type": "string"}),
                    ],
                    "responses": {
                        "200": _ok("Nearby open reports", _json({"type": "object"})),
                        "422": ERROR,
                    },
                }
            },
            "/reports/{report_id}/supports": {
                "post": {
                    "summary": "Support (附议) a report; one per resident",
                    "parameters": [REPORT_ID],
                    "responses": {
                        "201": _ok("Supported", _json({"type": "object"})),
                        "404": ERROR,
                        "409": ERROR,
                    },
                }
            },
            "/reports/{report_id}/status": {
                "post": {
                    "summary": "Grid worker: change the status (rejected needs a note; duplicate needs duplicate_of)",
                    "security": [{"bearer": []}],
                    "parameters": [REPORT_ID],
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["status"],
                                "properties": {
                                    "status": {
                                        "type": "string",
                                        "enum": [
                                            "accepted",
                                            "in_progress",
                                            "resolved",
                                            "closed",
                                            "duplicate",
                                            "rejected",
                                        ],
                                    },
                                    "note": {"type": "string", "maxLength": 2000},
                                    "duplicate_of": {"type": "integer"},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "200": _ok("The report", GEOJSON_ONE),
                        "401": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/reports/{report_id}/updates": {
                "post": {
                    "summary": "Grid worker: a public progress update",
                    "security": [{"bearer": []}],
                    "parameters": [REPORT_ID],
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["note"],
                                "properties": {
                                    "note": {"type": "string", "minLength": 1, "maxLength": 2000}
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": _ok("The report", GEOJSON_ONE),
                        "401": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/reports/{report_id}/ratings": {
                "post": {
                    "summary": "Reporter or supporter: rate the fix (满意度 1-5)",
                    "parameters": [REPORT_ID],
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["score"],
                                "properties": {
                                    "score": {"type": "integer", "minimum": 1, "maximum": 5},
                                    "comment": {"type": "string", "maxLength": 2000},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": _ok("Rated", _json({"type": "object"})),
                        "403": ERROR,
                        "404": ERROR,
                        "409": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/reports/{report_id}/reopen": {
                "post": {
                    "summary": "Reporter or supporter: reopen a resolved report within 14 days",
                    "parameters": [REPORT_ID],
                    "requestBody": {
                        "required": False,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"reason": {"type": "string", "maxLength": 2000}},
                            }
                        ),
                    },
                    "responses": {
                        "200": _ok("The report", GEOJSON_ONE),
                        "403": ERROR,
                        "404": ERROR,
                        "409": ERROR,
                    },
                }
            },
            "/reports/{report_id}/photos/{photo_id}": {
                "get": {
                    "summary": "A report photo (metadata stripped)",
                    "parameters": [
                        REPORT_ID,
                        _param("photo_id", "Photo id", {"type": "integer"}, "path"),
                    ],
                    "responses": {
                        "200": _ok("Image", {"image/jpeg": {}, "image/png": {}}),
                        "404": ERROR,
                    },
                }
            },
            "/follows": {
                "post": {
                    "summary": "Follow a report or an area",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "report_id": {"type": "integer"},
                                    "area": {"type": "string"},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": _ok("Following", _json({"type": "object"})),
                        "401": ERROR,
                        "404": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/follows/{follow_id}": {
                "delete": {
                    "summary": "Stop following",
                    "security": [{"bearer": []}],
                    "parameters": [_param("follow_id", "Follow id", {"type": "integer"}, "path")],
                    "responses": {"204": _ok("Stopped"), "401": ERROR, "404": ERROR},
                }
            },
            "/me/reports": {
                "get": {
                    "summary": "Reports I filed, support or follow",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _ok(
                            "Reports", _json({"type": "array", "items": {"type": "object"}})
                        ),
                        "401": ERROR,
                    },
                }
            },
            "/me/notifications": {
                "get": {
                    "summary": "My notifications (the outbox)",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _ok(
                            "Notifications", _json({"type": "array", "items": {"type": "object"}})
                        ),
                        "401": ERROR,
                    },
                }
            },
            "/me/notifications/read": {
                "post": {
                    "summary": "Mark my notifications read",
                    "security": [{"bearer": []}],
                    "responses": {"200": _ok("Marked", _json({"type": "object"})), "401": ERROR},
                }
            },
            "/queue": {
                "get": {
                    "summary": "Grid worker: my areas' reports and the time-limit figures",
                    "security": [{"bearer": []}],
                    "parameters": [
                        _param(
                            "status", "Comma-separated statuses (default: open)", {"type": "string"}
                        ),
                        _param("category", "Category code", {"type": "string"}),
                        _param(
                            "min_age_days",
                            "Filed at least this many days ago",
                            {"type": "integer", "minimum": 0},
                        ),
                        _param(
                            "min_supports",
                            "At least this many supports",
                            {"type": "integer", "minimum": 0},
                        ),
                        _param("overdue", "Only cases past their time limit", {"type": "boolean"}),
                    ],
                    "responses": {
                        "200": _ok("Queue", _json({"type": "object"})),
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/analysis/demand": {
                "get": {
                    "summary": "Planner: open reports per 1,000 residents by area (GeoJSON)",
                    "security": [{"bearer": []}],
                    "parameters": [
                        _param("level", "street, community, grid or building", {"type": "string"}),
                        _param("category", "Category code", {"type": "string"}),
                    ],
                    "responses": {
                        "200": _ok("Areas with demand", GEOJSON),
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/analysis/heat": {
                "get": {
                    "summary": "Planner: open reports as [lat, lon, weight] for a heatmap",
                    "security": [{"bearer": []}],
                    "parameters": [_param("category", "Category code", {"type": "string"})],
                    "responses": {
                        "200": _ok("Points", _json({"type": "object"})),
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/analysis/hotspots": {
                "get": {
                    "summary": "Planner: Getis-Ord Gi* hot spots of demand by grid",
                    "security": [{"bearer": []}],
                    "parameters": [_param("category", "Category code", {"type": "string"})],
                    "responses": {
                        "200": _ok("Grids with gi_z, p_value, hotspot", GEOJSON),
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/analysis/gaps": {
                "get": {
                    "summary": "Planner: buildings and population no facility of a type reaches",
                    "security": [{"bearer": []}],
                    "parameters": [
                        _param("facility_type", "Facility type code", {"type": "string"}),
                        _param(
                            "radius_m",
                            "Walking radius (default per type)",
                            {
                                "type": "number",
                                "minimum": 0,
                                "exclusiveMinimum": True,
                                "maximum": 10000,
                            },
                        ),
                        _param("area", "Area code or id", {"type": "string"}),
                        DISTANCE,
                    ],
                    "responses": {
                        "200": _ok(
                            "Unreached buildings with totals; `distance` says which measure was "
                            "used, and in network mode `reach` is the reached streets "
                            "(MultiLineString)",
                            GEOJSON,
                        ),
                        "401": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/analysis/site-scores": {
                "post": {
                    "summary": "Planner: rank candidate sites with their factors",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": True, "content": _json(SITE_REQUEST)},
                    "responses": {
                        "200": _ok("Ranked candidates", _json({"type": "object"})),
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/analysis/mclp": {
                "post": {
                    "summary": "Planner: choose k sites by the Maximal Coverage Location Problem (spopt), beside the greedy ranking",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                **SITE_REQUEST,
                                "required": ["facility_type", "candidates", "k"],
                                "properties": {
                                    **SITE_REQUEST["properties"],
                                    "k": {"type": "integer", "minimum": 1},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "200": _ok("Chosen sites and coverage", _json({"type": "object"})),
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/projects": {
                "post": {
                    "summary": "Planner: create a project (footprint inside one community, budget lines, milestones, linked reports)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["title_zh", "geometry"],
                                "properties": {
                                    "title_zh": {"type": "string", "maxLength": 200},
                                    "title_en": {"type": "string", "maxLength": 200},
                                    "description": {"type": "string", "maxLength": 4000},
                                    "geometry": {"type": "object"},
                                    "phase": {"type": "string"},
                                    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                                    "facility_type": {"type": "string"},
                                    "started_on": {"type": "string", "format": "date"},
                                    "budget_lines": {"type": "array", "items": {"type": "object"}},
                                    "milestones": {"type": "array", "items": {"type": "object"}},
                                    "report_ids": {"type": "array", "items": {"type": "integer"}},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": _ok("Created", _json({"type": "object"})),
                        "400": ERROR,
                        "401": ERROR,
                        "403": ERROR,
                        "422": ERROR,
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
            **PARTICIPATION_PATHS,
            **MAINTENANCE_PATHS,
            **OUTCOMES_PATHS,
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
