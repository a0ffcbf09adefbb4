"""Checking what people submit about facilities, before anything is written.

Usage::

    entry = parse_log_entry(fields, photos, settings, today=today, staff=True)  # ValidationFailed
    new = parse_new_facility(fields, today=today)
    changes = parse_facility_changes(fields, today=today)

These functions look at the submitted values only; rules that need the database (the
installation date, who may log, the served area) live in ``logbook`` and ``registry``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from gisapp.errors import ValidationFailed
from gisapp.maintenance.models import CONDITIONS, KINDS, RESULTS, RESULTS_BY_KIND
from gisapp.reports.photos import CleanPhoto, clean_photo
from gisapp.settings import Settings

LOG_FIELDS = {"kind", "date", "result", "performed_by", "volunteer", "minutes", "notes"}
STAFF_ONLY = {"performed_by", "volunteer"}
NEW_FIELDS = {
    "type",
    "lon",
    "lat",
    "code",
    "install_date",
    "responsible_party",
    "condition",
    "maintenance_interval_days",
}
CHANGE_FIELDS = {
    "condition",
    "responsible_party",
    "maintenance_interval_days",
    "install_date",
    "status",
    "removed_on",
}
MAX_NOTES = 2000
MAX_MINUTES = 24 * 60
PHOTOS_PER_ENTRY = 3
EARLIEST = dt.date(1950, 1, 1)  # older dates are typing mistakes (0202-05-01), not history


@dataclass
class LogEntry:
    kind: str
    performed_on: dt.date
    result: str
    performed_by: str
    volunteer: bool
    minutes: int | None
    notes: str
    photos: list[CleanPhoto] = field(default_factory=list)


def unknown_fields(fields: Mapping[str, Any], allowed: set[str]) -> None:
    for key in fields:
        if key not in allowed:
            raise ValidationFailed(
                _("unknown field %(name)s", name=str(key)[:40]), field=str(key)[:64]
            )


def text(value: Any, name: str, *, limit: int, required: bool = False) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed(_("%(name)s is required", name=name), field=name)
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(_("%(name)s must be text", name=name), field=name)
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise ValidationFailed(
            _("%(name)s must be at most %(n)d characters", name=name, n=limit), field=name
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in cleaned):
        raise ValidationFailed(_("%(name)s contains control characters", name=name), field=name)
    return cleaned


def choice(value: Any, name: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValidationFailed(
            _("%(name)s must be one of %(options)s", name=name, options=", ".join(options)),
            field=name,
        )
    return value


def date(value: Any, name: str, *, today: dt.date, required: bool = False) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) that is not in the future."""
    if value is None or value == "":
        if required:
            raise ValidationFailed(_("%(name)s is required", name=name), field=name)
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("%(name)s must be a date like 2026-05-01", name=name), field=name)
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            _("%(name)s must be a date like 2026-05-01", name=name), field=name
        ) from None
    if day > today:
        raise ValidationFailed(_("%(name)s is in the future", name=name), field=name)
    if day < EARLIEST:
        raise ValidationFailed(_("%(name)s is implausibly early", name=name), field=name)
    return day


def whole(value: Any, name: str, *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValidationFailed(_("%(name)s must be a whole number", name=name), field=name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("%(name)s must be a whole number", name=name), field=name
        ) from None
    if not low <= number <= high:
        raise ValidationFailed(
            _("%(name)s must be between %(low)d and %(high)d", name=name, low=low, high=high),
            field=name,
        )
    return number


def flag(value: Any, name: str) -> bool:
    """JSON true/false, or a form's "true"/"false"/"on"/"1"/"0"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "on", "1", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "off", "0", "no", ""):
        return False
    raise ValidationFailed(_("%(name)s must be true or false", name=name), field=name)


def number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool):
        raise ValidationFailed(_("%(name)s must be a number", name=name), field=name)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("%(name)s must be a number", name=name), field=name) from None
    if not math.isfinite(out) or not low <= out <= high:
        raise ValidationFailed(
            _("%(name)s must be between %(low)s and %(high)s", name=name, low=low, high=high),
            field=name,
        )
    return out


def parse_log_entry(
    fields: Mapping[str, Any],
    photos: list[bytes],
    settings: Settings,
    *,
    today: dt.date,
    staff: bool,
) -> LogEntry:
    """A maintenance log entry. Stewards (``staff=False``) log volunteer work in their own name,
    so they may not set ``performed_by`` or ``volunteer``."""
    unknown_fields(fields, LOG_FIELDS)
    if not staff:
        for key in sorted(STAFF_ONLY & set(fields)):
            if key == "volunteer" and fields[key] in (True, "true", "on", "1"):
                continue
            raise ValidationFailed(
                _("a steward's check is always volunteer work in their own name"), field=key
            )
    for key in ("kind", "date", "result"):
        if key not in fields:
            raise ValidationFailed(_("%(name)s is required", name=key), field=key)
    kind = choice(fields["kind"], "kind", KINDS)
    performed_on = date(fields["date"], "date", today=today, required=True)
    result = choice(fields["result"], "result", RESULTS)
    if result not in RESULTS_BY_KIND[kind]:
        raise ValidationFailed(
            _(
                "%(kind)s entries record %(results)s",
                kind=kind,
                results=" / ".join(RESULTS_BY_KIND[kind]),
            ),
            field="result",
        )
    if len(photos) > PHOTOS_PER_ENTRY:
        raise ValidationFailed(
            _("at most %(n)d photos per entry", n=PHOTOS_PER_ENTRY), field="photos"
        )
    assert performed_on is not None
    return LogEntry(
        kind=kind,
        performed_on=performed_on,
        result=result,
        performed_by=text(fields.get("performed_by"), "performed_by", limit=200),
        volunteer=flag(fields.get("volunteer", False), "volunteer") if staff else True,
        minutes=whole(fields.get("minutes"), "minutes", low=0, high=MAX_MINUTES),
        notes=text(fields.get("notes"), "notes", limit=MAX_NOTES),
        photos=[clean_photo(raw, settings) for raw in photos],
    )


@dataclass
class NewFacility:
    type: str
    lon: float
    lat: float
    code: str | None
    install_date: dt.date | None
    responsible_party: str
    condition: str
    maintenance_interval_days: int | None


def parse_new_facility(fields: Mapping[str, Any], *, today: dt.date) -> NewFacility:
    unknown_fields(fields, NEW_FIELDS)
    for key in ("type", "lon", "lat"):
        if key not in fields:
            raise ValidationFailed(_("%(name)s is required", name=key), field=key)
    lat = number(fields["lat"], "lat", -90, 90)
    lon = number(fields["lon"], "lon", -180, 180)
    code = text(fields.get("code"), "code", limit=32) or None
    if code is not None and not all(c.isalnum() or c in "-_." for c in code):
        raise ValidationFailed(
            _("code may hold letters, digits, '-', '_' and '.' only"), field="code"
        )
    return NewFacility(
        type=text(fields["type"], "type", limit=40, required=True),
        lon=lon,
        lat=lat,
        code=code,
        install_date=date(fields.get("install_date"), "install_date", today=today),
        responsible_party=text(fields.get("responsible_party"), "responsible_party", limit=200),
        condition=choice(fields.get("condition", "good"), "condition", CONDITIONS),
        maintenance_interval_days=whole(
            fields.get("maintenance_interval_days"), "maintenance_interval_days", low=1, high=3650
        ),
    )


def parse_facility_changes(fields: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The registry fields to change (only those sent)."""
    unknown_fields(fields, CHANGE_FIELDS)
    if not fields:
        raise ValidationFailed(_("send at least one field to change"), field=None)
    out: dict[str, Any] = {}
    if "condition" in fields:
        out["condition"] = choice(fields["condition"], "condition", CONDITIONS)
    if "responsible_party" in fields:
        out["responsible_party"] = text(fields["responsible_party"], "responsible_party", limit=200)
    if "maintenance_interval_days" in fields:
        out["maintenance_interval_days"] = whole(
            fields["maintenance_interval_days"], "maintenance_interval_days", low=1, high=3650
        )
    if "install_date" in fields:
        out["install_date"] = date(fields["install_date"], "install_date", today=today)
    if "status" in fields:
        out["status"] = choice(fields["status"], "status", ("active", "removed"))
    if "removed_on" in fields:
        if out.get("status") != "removed":
            raise ValidationFailed(_("removed_on goes with status removed"), field="removed_on")
        out["removed_on"] = date(fields["removed_on"], "removed_on", today=today)
    return out
