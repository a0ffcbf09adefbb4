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
