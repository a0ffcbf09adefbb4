"""The OpenAPI paths of facilities, the maintenance log, stewards and coverage (merged into
``openapi.document``)."""

from __future__ import annotations

from typing import Any

from gisapp.api.oas import ERROR
from gisapp.api.oas import json_body as _body
from gisapp.api.oas import json_content as _json
from gisapp.api.oas import ok as _ok
from gisapp.api.oas import param as _param

GEOJSON = {"application/geo+json": {"schema": {"type": "object"}}}
STATUS_ENUM = ["ok", "due", "overdue", "out_of_service", "removed"]


FACILITY_ID = _param("facility_id", "Facility id", {"type": "integer"}, "path")
AREA = _param("area", "Area code or id (any level)", {"type": "string"})
TYPE = _param("type", "Comma-separated facility type codes", {"type": "string"})
DATE = {"type": "string", "format": "date"}
COVERAGE_ROW = {
    "type": "object",
    "required": ["id", "name", "facilities", "ok", "due", "overdue", "out_of_service"],
    "properties": {
        "id": {"type": "integer", "nullable": True, "description": "null: in no area of the level"},
        "code": {"type": "string", "nullable": True},
        "name": {"type": "string"},
        "name_zh": {"type": "string", "nullable": True},
        "name_en": {"type": "string", "nullable": True},
        "level": {"type": "string"},
        "parent_id": {"type": "integer", "nullable": True},
        "facilities": {"type": "integer", "description": "Active facilities"},
        "ok": {"type": "integer", "description": "Next visit due in more than 14 days"},
        "due": {"type": "integer", "description": "Next visit due within 14 days"},
        "overdue": {"type": "integer", "description": "Past the inspection interval"},
        "out_of_service": {"type": "integer", "description": "An open fault"},
        "covered": {"type": "integer", "description": "Visited within the interval"},
        "coverage": {"type": "number", "nullable": True, "description": "covered / facilities"},
        "median_days_overdue": {"type": "number", "nullable": True},
        "open_faults": {"type": "integer"},
        "faults_closed": {"type": "integer", "description": "In the last 12 months"},
        "mean_days_to_close": {"type": "number", "nullable": True},
        "records": {"type": "integer", "description": "Log entries, last 12 months"},
        "volunteer_records": {"type": "integer"},
        "volunteer_share": {"type": "number", "nullable": True},
        "hours": {"type": "number"},
        "volunteer_hours": {"type": "number"},
    },
}
LOG_ENTRY = {
    "kind": {"type": "string", "enum": ["inspection", "repair"]},
    "date": {**DATE, "description": "Local date; not in the future, not before installation"},
    "result": {
        "type": "string",
        "enum": ["ok", "fault", "fixed"],
        "description": "inspection: ok|fault; repair: fixed|fault",
    },
    "performed_by": {"type": "string", "maxLength": 200, "description": "Staff only"},
    "volunteer": {"type": "boolean", "description": "Staff only; stewards' checks always are"},
    "minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
    "notes": {"type": "string", "maxLength": 2000},
}

PATHS: dict[str, Any] = {
    "/facilities": {
        "get": {
            "summary": "Facilities with their maintenance status (GeoJSON; CSV or GeoPackage crew lists)",
            "parameters": [
                _param("status", "Comma-separated: " + ", ".join(STATUS_ENUM), {"type": "string"}),
                TYPE,
                AREA,
                _param("bbox", "minlon,minlat,maxlon,maxlat (GeoJSON only)", {"type": "string"}),
                _param("limit", "Features per response", {"type": "integer", "minimum": 1}),
                _param(
                    "format",
                    "geojson (default), csv or gpkg",
                    {"type": "string", "enum": ["geojson", "csv", "gpkg"]},
                ),
            ],
            "responses": {
                "200": _ok(
                    "Facilities",
                    {**GEOJSON, "text/csv": {}, "application/geopackage+sqlite3": {}},
                ),
                "404": ERROR,
                "422": ERROR,
            },
        },
        "post": {
            "summary": "Manager: register a facility",
            "security": [{"bearer": []}],
            "requestBody": _body(
                {
                    "type": {"type": "string"},
                    "lon": {"type": "number"},
                    "lat": {"type": "number"},
                    "code": {"type": "string", "maxLength": 32},
                    "install_date": DATE,
                    "responsible_party": {"type": "string", "maxLength": 200},
                    "condition": {"type": "string", "enum": ["good", "fair", "poor"]},
                    "maintenance_interval_days": {"type": "integer", "minimum": 1},
                },
                ["type", "lon", "lat"],
            ),
            "responses": {
                "201": _ok("The facility", GEOJSON),
                "401": ERROR,
                "403": ERROR,
                "409": ERROR,
                "422": ERROR,
            },
        },
    },
    "/facilities/{facility_id}": {
        "get": {
            "summary": "One facility: status, recent log, photos, open fault reports",
            "parameters": [FACILITY_ID],
            "responses": {"200": _ok("The facility", GEOJSON), "404": ERROR},
        },
        "patch": {
            "summary": "Manager: change registry fields or take the facility out of use",
            "security": [{"bearer": []}],
            "parameters": [FACILITY_ID],
            "requestBody": _body(
                {
                    "condition": {"type": "string", "enum": ["good", "fair", "poor"]},
                    "responsible_party": {"type": "string", "maxLength": 200},
                    "maintenance_interval_days": {
                        "type": "integer",
                        "minimum": 1,
                        "nullable": True,
                    },
                    "install_date": DATE,
                    "status": {"type": "string", "enum": ["active", "removed"]},
                    "removed_on": DATE,
                },
                [],
            ),
            "responses": {
                "200": _ok("The facility", GEOJSON),
                "401": ERROR,
                "403": ERROR,
                "404": ERROR,
                "422": ERROR,
            },
        },
    },
    "/facilities/{facility_id}/maintenance": {
        "get": {
            "summary": "The facility's log, newest first",
            "parameters": [
                FACILITY_ID,
                _param("limit", "Entries", {"type": "integer", "minimum": 1, "maximum": 1000}),
            ],
            "responses": {
                "200": _ok("Log", _json({"type": "array", "items": {"type": "object"}})),
                "404": ERROR,
            },
        },
        "post": {
            "summary": "Log an inspection or repair (staff, or the facility's steward); "
            "JSON or multipart with up to 3 photos; Idempotency-Key",
            "security": [{"bearer": []}],
            "parameters": [
                FACILITY_ID,
                _param("Idempotency-Key", "Retry-safe key", {"type": "string"}, "header"),
            ],
            "requestBody": _body(LOG_ENTRY, ["kind", "date", "result"]),
            "responses": {
                "201": _ok("Logged", _json({"type": "object"})),
                "401": ERROR,
                "403": ERROR,
                "404": ERROR,
                "409": ERROR,
                "422": ERROR,
            },
        },
    },
    "/facilities/{facility_id}/adoption": {
        "post": {
            "summary": "Resident: adopt the facility (认领); at most 10, all in one community",
            "security": [{"bearer": []}],
            "parameters": [FACILITY_ID],
            "responses": {
                "201": _ok("Adopted", _json({"type": "object"})),
                "401": ERROR,
                "403": ERROR,
                "404": ERROR,
                "409": ERROR,
            },
        },
        "delete": {
            "summary": "The steward (or a manager) ends the adoption",
            "security": [{"bearer": []}],
            "parameters": [FACILITY_ID],
            "responses": {
                "200": _ok("Withdrawn", _json({"type": "object"})),
                "401": ERROR,
                "403": ERROR,
                "404": ERROR,
                "409": ERROR,
            },
        },
    },
    "/facilities/{facility_id}/photos/{photo_id}": {
        "get": {
            "summary": "A facility photo (metadata stripped)",
            "parameters": [
                FACILITY_ID,
                _param("photo_id", "Photo id", {"type": "integer"}, "path"),
            ],
            "responses": {"200": _ok("Image", {"image/jpeg": {}, "image/png": {}}), "404": ERROR},
        }
    },
    "/me/adoptions": {
        "get": {
            "summary": "Resident: the facilities I look after",
            "security": [{"bearer": []}],
            "responses": {
                "200": _ok("Adoptions", _json({"type": "array", "items": {"type": "object"}})),
                "401": ERROR,
                "403": ERROR,
            },
        }
    },
    "/coverage": {
        "get": {
            "summary": "Maintenance coverage per area of a level (inside an area, of some types)",
            "parameters": [
                _param(
                    "level",
                    "district (default), street, community, grid or building",
                    {
                        "type": "string",
                        "enum": ["district", "street", "community", "grid", "building"],
                    },
                ),
                _param("area", "Only areas inside this one (code or id)", {"type": "string"}),
                _param("parent", "Same as area", {"type": "string"}),
                TYPE,
                _param(
                    "format",
                    "json (default), csv or geojson",
                    {"type": "string", "enum": ["json", "csv", "geojson"]},
                ),
                _param("bbox", "minlon,minlat,maxlon,maxlat (geojson only)", {"type": "string"}),
            ],
            "responses": {
                "200": _ok(
                    "Per-area rows",
                    {
                        **_json({"type": "array", "items": COVERAGE_ROW}),
                        "text/csv": {},
                        **GEOJSON,
                    },
                ),
                "404": ERROR,
                "422": ERROR,
            },
        }
    },
    "/coverage/monthly": {
        "get": {
            "summary": "Coverage at the end of each of the last 12 months",
            "parameters": [AREA, TYPE],
            "responses": {
                "200": _ok("Months", _json({"type": "array", "items": {"type": "object"}})),
                "404": ERROR,
                "422": ERROR,
            },
        }
    },
    "/coverage/volunteers": {
        "get": {
            "summary": "Manager: the area's stewards and volunteer work (last 12 months)",
            "security": [{"bearer": []}],
            "parameters": [AREA, TYPE],
            "responses": {
                "200": _ok("Volunteers", _json({"type": "array", "items": {"type": "object"}})),
                "401": ERROR,
                "403": ERROR,
                "404": ERROR,
            },
        }
    },
}
