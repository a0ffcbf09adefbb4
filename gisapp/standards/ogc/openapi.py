"""``/ogc/api``: the OpenAPI 3.0 document of the OGC API, generated from the collections.

Each collection gets its own items path with one query parameter per queryable property, so
clients (GDAL's OAPIF driver reads ``limit``'s maximum from here) see exactly what is accepted.
Parameters are written inline rather than as ``$ref`` so the simplest readers understand them.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from gisapp.api.oas import param
from gisapp.i18n import current_locale
from gisapp.standards.ogc.collections import Collection
from gisapp.standards.ogc.params import DEFAULT_LIMIT, MAX_LIMIT

F = param(
    "f",
    "Response format (default: by the Accept header, else JSON)",
    {"type": "string", "enum": ["json", "html"]},
)
LIMIT = param(
    "limit",
    "Features per page",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
)
OFFSET = param(
    "offset",
    "Features to skip (the next link sets it)",
    {"type": "integer", "minimum": 0, "default": 0},
)
BBOX = {
    **param(
        "bbox",
        "minlon,minlat,maxlon,maxlat in CRS84",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    ),
    "style": "form",
    "explode": False,
}
BBOX_CRS = param(
    "bbox-crs",
    "CRS of bbox: only CRS84",
    {"type": "string", "format": "uri", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]},
)
DATETIME = param(
    "datetime",
    "An instant or an interval (start/end, .. for an open end) on the collection's time field",
    {"type": "string"},
)
EXCEPTION = {
    "description": "An OGC exception",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
            }
        }
    },
}
JSON_OBJECT = {
    "application/json": {"schema": {"type": "object"}},
    "text/html": {"schema": {"type": "string"}},
}
GEOJSON_OBJECT = {
    "application/geo+json": {"schema": {"type": "object"}},
    "text/html": {"schema": {"type": "string"}},
}


def _get(
    summary: str, op_id: str, params: list[dict[str, Any]], content: dict[str, Any], tag: str
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": op_id,
            "tags": [tag],
            "parameters": params,
            "responses": {
                "200": {"description": summary, "content": content},
                "400": EXCEPTION,
                "404": EXCEPTION,
            },
        }
    }


def _collection_paths(c: Collection) -> dict[str, Any]:
    title = c.title.get(current_locale())
    props = [
        param(name, f"Only features whose {name} equals this", q.schema)
        for name, q in c.queryables.items()
    ]
    params = [F, LIMIT, OFFSET, BBOX, BBOX_CRS]
    if c.time_field:
        params.append(DATETIME)
    op = c.id.replace("-", "_")
    fid = param("featureId", "Feature id", {"type": "integer"}, "path")
    return {
        f"/collections/{c.id}": _get(
            f"{title}: description", f"describe_{op}", [F], JSON_OBJECT, c.id
        ),
        f"/collections/{c.id}/queryables": _get(
            f"{title}: queryable properties",
            f"queryables_{op}",
            [F],
            {"application/schema+json": {"schema": {"type": "object"}}},
            c.id,
        ),
        f"/collections/{c.id}/items": _get(
            f"{title}: features", f"items_{op}", params + props, GEOJSON_OBJECT, c.id
        ),
        f"/collections/{c.id}/items/{{featureId}}": _get(
            f"{title}: one feature", f"item_{op}", [fid, F], GEOJSON_OBJECT, c.id
        ),
    }


def openapi_document(collections: dict[str, Collection]) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/": _get("Landing page", "landing", [F], JSON_OBJECT, "server"),
        "/conformance": _get("Conformance classes", "conformance", [F], JSON_OBJECT, "server"),
        "/api": _get(
            "This document",
            "api",
            [F],
            {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}},
            "server",
        ),
        "/collections": _get("Collections", "collections", [F], JSON_OBJECT, "server"),
    }
    for c in collections.values():
        paths.update(_collection_paths(c))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Co-creation map · OGC API - Features",
            "version": "1.0.0",
            "description": "Public open data (areas, residents' reports, projects, facilities) "
            "as OGC API - Features Part 1: Core. No personal data is published.",
            "license": {"name": "Public open data"},
        },
        "servers": [{"url": url_for("ogc.landing", _external=True).rstrip("/")}],
        "tags": [{"name": "server"}, *({"name": c.id} for c in collections.values())],
        "paths": paths,
    }
