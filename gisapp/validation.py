"""Checks shared by the write paths: each raises ValidationFailed naming the field.

Usage::

    note = text_field(body.get("note"), "note", 2000)                 # "" when absent
    title = text_field(body.get("title"), "title", 200, required=True)
"""

from __future__ import annotations

from typing import Any

from gisapp.errors import ValidationFailed


def text_field(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    """Stripped text of at most ``limit`` characters; absent or blank is "" unless required."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be text", field=field)
    text = value.strip()
    if required and not text:
        raise ValidationFailed(f"{field} is required", field=field)
    if len(text) > limit:
        raise ValidationFailed(f"{field} must be at most {limit} characters", field=field)
    return text


def nul_field(value: Any, field: str = "") -> str | None:
    """The name of the first field (or key) in ``value`` whose text holds U+0000, else None.

    PostgreSQL text cannot store NUL, so such a value would fail deep in a query as a 500;
    no field of ours can mean it, so callers refuse the request up front::

        if (name := nul_field(request.get_json(silent=True))) is not None: ...
    """
    if isinstance(value, str):
        return field if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = ((field, item) for item in value)
    else:
        return None
    for key, item in items:
        name = str(key)
        if "\x00" in name:
            return name.replace("\x00", "")[:64]
        if (found := nul_field(item, name)) is not None:
            return found[:64]
    return None
