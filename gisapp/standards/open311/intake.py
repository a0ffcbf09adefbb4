"""``POST requests``: a GeoReport v2 form becomes a report, through the web form's own checks.

Usage::

    row = check_key(session, form.get("api_key"))
    report = submit(session, form, api_key=row, settings=settings)   # the caller commits

The spec's fields map onto ``gisapp.reports.intake`` (same rules, same limits): ``service_code``
→ category, ``lat``/``long`` → the point, ``description`` (required, as on the web form), the
``facility_code`` attribute → the facility. ``email``, ``first_name``, ``last_name`` and
``phone`` go to the private contact table and are never shown. ``address_string`` and
``address_id`` alone cannot be placed (no geocoder on an intranet): 400. ``device_id`` and
``account_id`` are accepted and not kept.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.auth.models import ApiKey
from gisapp.errors import ValidationFailed
from gisapp.maintenance.models import Facility
from gisapp.notify.outbox import notify_new_report
from gisapp.reports.actors import Actor
from gisapp.reports.intake import file_report, parse_report
from gisapp.reports.models import Category, Report
from gisapp.settings import Settings
from gisapp.standards.open311.errors import Open311Error
from gisapp.standards.open311.models import Open311Request
from gisapp.standards.open311.services import FACILITY_ATTRIBUTE, attributes, get_category

FIELDS = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
    }
)
ATTRIBUTE = re.compile(r"^attribute\[([a-z][a-z0-9_]{0,39})\]$")
# Our names → the spec's, so a message names the field the client sent.
SPEC_NAMES = {
    "lon": "long",
    "category": "service_code",
    "contact": "email",
    "facility_id": f"attribute[{FACILITY_ATTRIBUTE}]",
}
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[^@\s<>]{1,63}$")
PHONE = re.compile(r"^\+?[0-9 ()\-]{3,31}$")


def _single(form: Mapping[str, list[str]]) -> dict[str, str]:
    """Every field once; empty values count as missing ("optional means optional")."""
    fields: dict[str, str] = {}
    for key, values in form.items():
        if key not in FIELDS and not ATTRIBUTE.match(key):
            raise Open311Error(400, _("Unknown field %(name)s.", name=repr(key[:40])))
        if len(values) > 1:
            raise Open311Error(400, _("%(name)s was sent more than once.", name=key[:40]))
        if values[0].strip():
            fields[key] = values[0]
    return fields


def _bounded(fields: dict[str, str], name: str, limit: int) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit or any(ord(c) < 32 for c in value):
        raise Open311Error(
            400, _("%(name)s must be at most %(n)d characters of text.", name=name, n=limit)
        )
    return value


def _contact(fields: dict[str, str]) -> str | None:
    """Name, e-mail and phone as one private contact line (the web form's contact field)."""
    first = _bounded(fields, "first_name", 50)
    last = _bounded(fields, "last_name", 50)
    email = _bounded(fields, "email", 120)
    phone = _bounded(fields, "phone", 32)
    if email and not EMAIL.match(email):
        raise Open311Error(400, _("email is not an e-mail address."), field="email")
    if phone and not PHONE.match(phone):
        raise Open311Error(400, _("phone is not a phone number."), field="phone")
    name = " ".join(p for p in (first, last) if p)
    parts = [name, f"<{email}>" if email else "", phone or ""]
    return " ".join(p for p in parts if p) or None


def _media_url(fields: dict[str, str]) -> str | None:
    url = _bounded(fields, "media_url", 500)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise Open311Error(400, _("media_url must be an http or https URL."), field="media_url")
    return url


def _facility_id(session: Session, category: Category, fields: dict[str, str]) -> int | None:
    code = fields.get(f"attribute[{FACILITY_ATTRIBUTE}]")
    if code is None:
        return None
    facility_id = session.scalar(sa.select(Facility.id).where(Facility.code == code.strip()[:32]))
    if facility_id is None:
        raise Open311Error(
            400, _("There is no facility %(code)s.", code=code.strip()[:32]), field="attribute"
        )
    return int(facility_id)


def _check_attributes(category: Category, fields: dict[str, str], rounding_m: float) -> None:
    known = {a["code"] for a in attributes(category, rounding_m) if a["variable"]}
    for key in fields:
        if (match := ATTRIBUTE.match(key)) and match.group(1) not in known:
            raise Open311Error(
                400,
                _(
                    "Service %(service)s has no attribute %(name)s.",
                    service=category.code,
                    name=match.group(1),
                ),
            )


def report_fields(session: Session, fields: dict[str, str], settings: Settings) -> dict[str, Any]:
    """The web form's fields for this Open311 submission (raises Open311Error)."""
    if "service_code" not in fields:
        raise Open311Error(400, _("service_code is required."), field="service_code")
    category = get_category(session, fields["service_code"].strip())
    _check_attributes(category, fields, settings.sensitive_rounding_m)
    out: dict[str, Any] = {"category": category.code, "description": fields.get("description")}
    facility_id = _facility_id(session, category, fields)
    if facility_id is not None:
        out["facility_id"] = facility_id
    if "lat" in fields or "long" in fields:
        out["lat"] = fields.get("lat")
        out["lon"] = fields.get("long")
    elif facility_id is None:
        if "address_string" in fields or "address_id" in fields:
            raise Open311Error(
                400, _("This service needs a point: send lat and long (WGS 84)."), field="lat"
            )
        raise Open311Error(400, _("lat and long are required."), field="lat")
    if contact := _contact(fields):
        out["contact"] = contact
    return out


def submit(
    session: Session, form: Mapping[str, list[str]], api_key: ApiKey, settings: Settings
) -> tuple[Report, str]:
    """File the report (the caller commits); returns it and its token."""
    fields = _single(form)
    media_url = _media_url(fields)
    values = report_fields(session, fields, settings)
    try:
        draft = parse_report(values, [], settings)
        report = file_report(session, draft, Actor(None, None, "anonymous"), settings)
    except ValidationFailed as exc:
        name = SPEC_NAMES.get(exc.field or "", exc.field)
        message = exc.message
        if exc.field and message.startswith(exc.field + " ") and name:
            message = name + message[len(exc.field) :]
        raise Open311Error(400, message, field=name) from exc
    token = secrets.token_urlsafe(24)
    session.add(
        Open311Request(report_id=report.id, api_key_id=api_key.id, token=token, media_url=media_url)
    )
    notify_new_report(session, report)
    session.flush()
    return report, token
