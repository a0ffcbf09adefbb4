"""Building blocks for the OpenAPI document, shared by ``openapi.py`` and the ``*_doc`` modules."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/responses/Error"}


def param(
    name: str, description: str, schema: dict[str, Any], where: str = "query"
) -> dict[str, Any]:
    """A parameter; path parameters are required, the others optional."""
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def ok(description: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    """A success response, with its content when there is one."""
    out: dict[str, Any] = {"description": description}
    if content is not None:
        out["content"] = content
    return out


def json_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A required JSON request body with exactly these properties."""
    return {
        "required": True,
        "content": json_content(
            {
                "type": "object",
                "additionalProperties": False,
                "required": required,
                "properties": properties,
            }
        ),
    }
