"""The OpenAPI paths of votes, pledges, ratings and rewards (merged into ``openapi.document``)."""

from __future__ import annotations

from typing import Any

from gisapp.api.oas import ERROR, ok
from gisapp.api.oas import json_body as _body
from gisapp.api.oas import json_content as _json
from gisapp.api.oas import param as _param


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return ok(description, None if schema is None else _json(schema))


OBJECT = {"type": "object"}
VOTE_ID = _param("vote_id", "Vote round id", {"type": "integer"}, "path")
PROJECT_ID = _param("project_id", "Project id", {"type": "integer"}, "path")
STREET = _param("street", "Street code or id", {"type": "string"})
YEAR = _param("year", "Calendar year (local time); default this year", {"type": "integer"})

VOTE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "community": {"type": "object"},
        "opens_at": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["upcoming", "open", "closed"]},
        "ballots": {"type": "integer"},
        "candidates": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "project_id": {"type": "integer"},
                    "votes": {"type": "integer"},
                    "percent": {"type": "number"},
                    "rank": {"type": "integer"},
                    "geometry": {"type": "object", "description": "GeoJSON footprint"},
                },
            },
        },
        "my_ballot": {"type": "object", "nullable": True},
    },
}

PLEDGES = {
    "type": "object",
    "description": "Standing pledges against the plan's residents' budget lines; no names. "
    "`mine` lists the caller's own pledges when signed in.",
    "properties": {
        "money": {"type": "object"},
        "labour": {"type": "object"},
        "volunteers": {"type": "integer"},
        "households": {"type": "integer"},
        "mine": {"type": "array", "items": OBJECT},
    },
}

REWARDS_DESCRIPTION = (
    "以奖代补: the street's pool for the year shared by the rules in gisapp/config/rewards.yaml. "
    "Each project's breakdown lists, per factor (residents_money, residents_labour, households, "
    "votes, co_management), its value, the street total, its share, the weight and the points; "
    "then the pool share, the uncapped reward, the cap (a share of the budget) and the reward in "
    "whole yuan."
)

PATHS: dict[str, Any] = {
    "/votes": {
        "get": {
            "summary": "Vote rounds (newest first), optionally of one community",
            "parameters": [
                _param("community", "Community code or id", {"type": "string"}),
                _param(
                    "limit",
                    "Rounds per response",
                    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                ),
            ],
            "responses": {
                "200": _ok("Vote rounds", {"type": "array", "items": VOTE}),
                "404": ERROR,
                "422": ERROR,
            },
        },
        "post": {
            "summary": "Planner: open a vote among a community's candidate projects (co-decide)",
            "security": [{"bearer": []}],
            "requestBody": _body(
                {
                    "community": {"type": "string", "description": "Community code or id"},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 2000},
                    "opens_at": {
                        "type": "string",
                        "description": "ISO 8601 date-time; without an offset it is local time",
                    },
                    "closes_at": {"type": "string", "description": "After opens_at, in the future"},
                    "project_ids": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "minItems": 2,
                        "maxItems": 20,
                    },
                },
                ["community", "title", "opens_at", "closes_at", "project_ids"],
            ),
            "responses": {
                "201": _ok("The new vote", VOTE),
                "400": ERROR,
                "401": ERROR,
                "403": ERROR,
                "409": ERROR,
                "422": ERROR,
            },
        },
    },
    "/votes/{vote_id}": {
        "get": {
            "summary": "A vote with its results (votes per candidate) and the caller's ballot",
            "parameters": [VOTE_ID],
            "responses": {"200": _ok("The vote", VOTE), "404": ERROR},
        }
    },
    "/votes/{vote_id}/ballots": {
        "post": {
            "summary": "Cast my ballot: one per account, while the vote is open; final",
            "security": [{"bearer": []}],
            "parameters": [VOTE_ID],
            "requestBody": _body({"project_id": {"type": "integer"}}, ["project_id"]),
            "responses": {
                "201": _ok("Counted; the vote with its results", VOTE),
                "401": ERROR,
                "404": ERROR,
                "409": ERROR,
                "422": ERROR,
            },
        }
    },
    "/projects/{project_id}/pledges": {
        "get": {
            "summary": "Pledge progress against the plan (anonymous totals)",
            "parameters": [PROJECT_ID],
            "responses": {"200": _ok("Pledges", PLEDGES), "404": ERROR},
        },
        "post": {
            "summary": "Pledge money or labour hours, or sign up as a volunteer",
            "security": [{"bearer": []}],
            "parameters": [PROJECT_ID],
            "requestBody": _body(
                {
                    "kind": {"type": "string", "enum": ["money", "labour", "volunteer"]},
                    "amount_yuan": {
                        "type": "number",
                        "exclusiveMinimum": True,
                        "minimum": 0,
                        "maximum": 1000000,
                        "description": "money only; at most 2 decimals",
                    },
                    "hours": {
                        "type": "number",
                        "exclusiveMinimum": True,
                        "minimum": 0,
                        "maximum": 1000,
                        "description": "labour only; at most 1 decimal",
                    },
                    "note": {"type": "string", "maxLength": 500},
                },
                ["kind"],
            ),
            "responses": {
                "201": _ok("Pledged", PLEDGES),
                "401": ERROR,
                "404": ERROR,
                "409": ERROR,
                "422": ERROR,
            },
        },
    },
    "/projects/{project_id}/pledges/{pledge_id}": {
        "delete": {
            "summary": "Withdraw my pledge (while the project still takes that kind)",
            "security": [{"bearer": []}],
            "parameters": [
                PROJECT_ID,
                _param("pledge_id", "Pledge id", {"type": "integer"}, "path"),
            ],
            "responses": {
                "200": _ok("Withdrawn", PLEDGES),
                "401": ERROR,
                "403": ERROR,
                "404": ERROR,
                "409": ERROR,
            },
        }
    },
    "/projects/{project_id}/ratings": {
        "get": {
            "summary": "效果共评: residents' ratings of a finished project (anonymous)",
            "parameters": [PROJECT_ID],
            "responses": {"200": _ok("Ratings", OBJECT), "404": ERROR},
        },
        "post": {
            "summary": "Rate a finished project 1-5; rating again replaces my rating",
            "security": [{"bearer": []}],
            "parameters": [PROJECT_ID],
            "requestBody": _body(
                {
                    "score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "comment": {"type": "string", "maxLength": 2000},
                },
                ["score"],
            ),
            "responses": {
                "201": _ok("Rated", OBJECT),
                "401": ERROR,
                "404": ERROR,
                "409": ERROR,
                "422": ERROR,
            },
        },
    },
    "/projects/{project_id}/related-reports": {
        "get": {
            "summary": "Reports within the configured radius (default 300 m) of a finished "
            "project, by month, 6 months before and after its completion",
            "parameters": [PROJECT_ID],
            "responses": {"200": _ok("Counts", OBJECT), "404": ERROR},
        }
    },
    "/rewards": {
        "get": {
            "summary": "以奖代补 rewards of a street's projects, ranked, each with its breakdown",
            "description": REWARDS_DESCRIPTION,
            "parameters": [
                STREET,
                YEAR,
                _param(
                    "format", "json (default) or csv", {"type": "string", "enum": ["json", "csv"]}
                ),
            ],
            "responses": {
                "200": {
                    "description": "Rewards",
                    "content": {"application/json": {"schema": OBJECT}, "text/csv": {}},
                },
                "404": ERROR,
                "422": ERROR,
            },
        }
    },
    "/rewards.csv": {
        "get": {
            "summary": "The ranked reward table of a street as CSV (UTF-8 with BOM)",
            "parameters": [STREET, YEAR],
            "responses": {
                "200": {"description": "CSV", "content": {"text/csv": {}}},
                "404": ERROR,
                "422": ERROR,
            },
        }
    },
}
