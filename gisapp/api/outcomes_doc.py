"""The OpenAPI path of the outcomes figures (merged into ``openapi.document``)."""

from __future__ import annotations

from typing import Any

from gisapp.api.oas import ERROR
from gisapp.api.oas import json_content as _json
from gisapp.api.oas import ok as _ok
from gisapp.api.oas import param as _param

NUMBER = {"type": "number", "nullable": True}
FIGURES: dict[str, Any] = {
    "received": {"type": "integer", "description": "Reports filed in the period"},
    "resolved": {"type": "integer", "description": "Reports resolved (or closed) in the period"},
    "median_days_to_resolve": {
        **NUMBER,
        "description": "Median whole days from filing to resolution, of the reports resolved "
        "in the period",
    },
    "mean_days_to_resolve": NUMBER,
    "ratings": {"type": "integer", "description": "Residents' ratings of fixes given"},
    "satisfaction": {**NUMBER, "description": "Mean of those ratings, 1-5"},
    "projects_completed": {"type": "integer"},
    "project_ratings": {"type": "integer", "description": "Ratings of the completed projects"},
    "project_satisfaction": {**NUMBER, "description": "Their mean, 1-5"},
    "money_yuan": {"type": "number", "description": "Residents' money pledged in the period"},
    "labour_hours": {"type": "number", "description": "Residents' labour hours pledged"},
    "volunteers": {"type": "integer", "description": "Volunteer sign-ups in the period"},
}
AREA_ROW = {
    "type": "object",
    "required": ["id", "code", "name", *FIGURES],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "name_zh": {"type": "string"},
        "name_en": {"type": "string"},
        "parent_id": {"type": "integer", "nullable": True},
        "population": {"type": "integer", "nullable": True},
        **FIGURES,
    },
}
MONTH_ROW = {
    "type": "object",
    "required": ["month", *FIGURES],
    "properties": {"month": {"type": "string", "example": "2026-11"}, **FIGURES},
}
PROJECT_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "completed_on": {"type": "string", "format": "date"},
        "community": {"type": "string"},
        "budget_yuan": NUMBER,
        "money_yuan": {"type": "number"},
        "labour_hours": {"type": "number"},
        "volunteers": {"type": "integer"},
        "ratings": {"type": "integer"},
        "satisfaction": NUMBER,
        "photos": {
            "type": "object",
            "properties": {
                "before": {"type": "array", "items": {"type": "string"}},
                "after": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}

PATHS: dict[str, Any] = {
    "/outcomes": {
        "get": {
            "summary": "Public outcomes (成果共享) per area of a level and per month: reports "
            "received and resolved, median days to resolve, satisfaction, projects completed, "
            "residents' contributions. Aggregates only: nobody is named.",
            "parameters": [
                _param(
                    "level",
                    "Areas to list (default: the level below area, or the highest level with "
                    "more than one area)",
                    {"type": "string", "enum": ["district", "street", "community", "grid"]},
                ),
                _param("area", "Look inside this area (code or id)", {"type": "string"}),
                _param(
                    "to",
                    "Last month of the period, YYYY-MM (default: this month)",
                    {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                ),
                _param(
                    "months",
                    "Months in the period",
                    {"type": "integer", "minimum": 1, "maximum": 24, "default": 12},
                ),
                _param(
                    "format",
                    "json; csv (the area table); geojson (areas with their figures, for maps)",
                    {"type": "string", "enum": ["json", "csv", "geojson"], "default": "json"},
                ),
                _param(
                    "bbox",
                    "With format=geojson: minlon,minlat,maxlon,maxlat (WGS 84)",
                    {"type": "string"},
                ),
            ],
            "responses": {
                "200": _ok(
                    "Figures",
                    {
                        **_json(
                            {
                                "type": "object",
                                "required": ["level", "from", "to", "total", "months", "areas"],
                                "properties": {
                                    "level": {"type": "string"},
                                    "area": {"type": "object", "nullable": True},
                                    "from": {"type": "string"},
                                    "to": {"type": "string"},
                                    "total": {"type": "object", "properties": FIGURES},
                                    "months": {"type": "array", "items": MONTH_ROW},
                                    "areas": {"type": "array", "items": AREA_ROW},
                                    "projects": {"type": "array", "items": PROJECT_ROW},
                                },
                            }
                        ),
                        "text/csv": {"schema": {"type": "string"}},
                        "application/geo+json": {"schema": {"type": "object"}},
                    },
                ),
                "404": ERROR,
                "422": ERROR,
            },
        }
    },
}
