"""Import field mapping and attribute checks: file columns → table columns, one row per feature.

Each target field reads from, in order: ``--map target=COLUMN``, the shortcut options
(``--name-field``, ``--code-field``, ``--level``, ``--parent``), or a column of the target's own
name (case-insensitive). Values are checked as the web forms check them; codes of categories
and facility types may also be given by their Chinese or English names.

Usage::

    fields = resolve_fields("facilities", columns, mapping={"type": "KIND"}, problems=p)
    value = text(row, fields, "code")
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gisapp.dataio.problems import Problems

TARGETS: dict[str, tuple[str, ...]] = {
    "areas": ("code", "name_zh", "name_en", "level", "parent_code", "population", "households"),
    "facilities": (
        "code",
        "type",
        "install_date",
        "responsible_party",
        "condition",
        "maintenance_interval_days",
        "status",
    ),
    "reports": ("category", "description", "status", "created_at", "support_count"),
}
# Residents' contact details never come in through an import (DESIGN: no personal data).
PRIVATE_COLUMNS = ("contact", "phone", "telephone", "mobile", "email", "e-mail", "reporter")
CONDITIONS = ("good", "fair", "poor")
FACILITY_STATUSES = ("active", "removed")


def parse_mapping(pairs: tuple[str, ...] | list[str], kind: str) -> dict[str, str]:
    """``["category=TYPE", ...]`` → ``{"category": "TYPE"}``; ValueError names a bad pair."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        target, sep, column = pair.partition("=")
        target, column = target.strip(), column.strip()
        if not sep or not target or not column:
            raise ValueError(f"--map {pair!r}: write it as FIELD=COLUMN")
        if target not in TARGETS[kind]:
            raise ValueError(
                f"--map {pair!r}: {kind} have no field {target!r} "
                f"(fields: {', '.join(TARGETS[kind])})"
            )
        mapping[target] = column
    return mapping


@dataclass(frozen=True)
class Fields:
    """target field → the file's column that feeds it (absent: not in the file)."""

    columns: dict[str, str]
    ignored_private: tuple[str, ...]

    def get(self, row: Mapping[str, Any], target: str) -> Any:
        column = self.columns.get(target)
        if column is None:
            return None
        value = row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


def resolve_fields(
    kind: str,
    columns: list[str],
    mapping: dict[str, str],
    *,
    name_field: str | None,
    code_field: str | None,
    problems: Problems,
) -> Fields:
    by_lower = {c.lower(): c for c in columns}
    chosen: dict[str, str] = {}
    explicit = dict(mapping)
    if name_field and kind == "areas":
        explicit.setdefault("name_zh", name_field)
    if code_field and "code" in TARGETS[kind]:
        explicit.setdefault("code", code_field)
    for target, column in explicit.items():
        if column not in columns:
            raise problems.fail(
                f"has no column {column!r} for {target} (columns: {', '.join(columns)})"
            )
        chosen[target] = column
    for target in TARGETS[kind]:
        # Shapefiles cut field names to 10 characters (our own exports included).
        for name in (target, target[:10]):
            if target not in chosen and name in by_lower:
                chosen[target] = by_lower[name]
    if kind == "areas" and "name_zh" not in chosen and "name" in by_lower:
        chosen["name_zh"] = by_lower["name"]
    private = tuple(c for c in columns if c.lower() in PRIVATE_COLUMNS)
    return Fields(chosen, private)


def label_of(row: Mapping[str, Any], base: str, key_column: str | None) -> str:
    """``feature 3 (W03)``: the number, and the code or name when the file has one."""
    if key_column:
        value = row.get(key_column)
        if value is not None and str(value).strip() and str(value) != "nan":
            return f"{base} ({str(value).strip()[:40]})"
    return base


class Checker:
    """Parses one feature's values, recording problems under its label."""

    def __init__(self, fields: Fields, problems: Problems, tz: str) -> None:
        self.fields = fields
        self.problems = problems
        self.tz = zoneinfo.ZoneInfo(tz)
        self.ok = True
        self.label = ""

    def start(self, label: str) -> None:
        self.label = label
        self.ok = True

    def bad(self, message: str) -> None:
        self.problems.add(self.label, message)
        self.ok = False

    def text(
        self, row: Mapping[str, Any], target: str, *, required: bool = False, max_len: int = 200
    ) -> str | None:
        value = self.fields.get(row, target)
        if value is None:
            if required:
                where = self.fields.columns.get(target)
                self.bad(f"{target} is missing" + (f" (column {where})" if where else ""))
            return None
        text = str(value)
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))  # a numeric code column read as float
        if len(text) > max_len:
            self.bad(f"{target} is longer than {max_len} characters")
            return None
        return text

    def choice(
        self,
        row: Mapping[str, Any],
        target: str,
        allowed: Mapping[str, str] | tuple[str, ...],
        *,
        default: str | None = None,
        what: str | None = None,
    ) -> str | None:
        value = self.text(row, target, required=default is None)
        if value is None:
            return default
        lookup = allowed if isinstance(allowed, Mapping) else {a: a for a in allowed}
        code = lookup.get(value) or lookup.get(value.lower())
        if code is None:
            self.bad(f"unknown {what or target} {value!r}")
        return code

    def integer(self, row: Mapping[str, Any], target: str, *, minimum: int = 0) -> int | None:
        value = self.fields.get(row, target)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.bad(f"{target} {value!r} is not a whole number")
            return None
        if not number.is_integer() or number < minimum:
            self.bad(f"{target} {value!r} must be a whole number of at least {minimum}")
            return None
        return int(number)

    def date(self, row: Mapping[str, Any], target: str) -> dt.date | None:
        value = self.fields.get(row, target)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            self.bad(f"{target} {value!r} is not a date (YYYY-MM-DD)")
            return None

    def timestamp(self, row: Mapping[str, Any], target: str) -> dt.datetime | None:
        """ISO 8601; without a zone it is the programme's local time (GISAPP_TIMEZONE)."""
        value = self.fields.get(row, target)
        if value is None:
            return None
        raw = str(value).replace("/", "-")
        try:
            stamp = dt.datetime.fromisoformat(raw)
        except ValueError:
            self.bad(f"{target} {value!r} is not a date and time (ISO 8601)")
            return None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=self.tz)
