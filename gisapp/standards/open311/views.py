"""The GeoReport v2 endpoints under ``/open311/v2/`` (each as ``.json`` and ``.xml``).

- ``GET discovery``, ``GET services``, ``GET services/{code}``
- ``GET requests`` (``service_request_id``, ``service_code``, ``start_date``, ``end_date``,
  ``status``; the last 90 days and at most 1000 by default) and ``POST requests`` (``api_key``)
- ``GET requests/{id}``, ``GET tokens/{token}``

Unknown query parameters (``jurisdiction_id``, paging extensions) are ignored: one endpoint
serves one jurisdiction, and optional means optional.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, current_app, request, url_for
from flask_babel import gettext as _

from gisapp.db import get_session
from gisapp.i18n import current_locale
from gisapp.settings import Settings
from gisapp.standards.open311 import bp
from gisapp.standards.open311.errors import Open311Error
from gisapp.standards.open311.formats import respond
from gisapp.standards.open311.intake import submit
from gisapp.standards.open311.keys import check_key
from gisapp.standards.open311.models import Open311Request
from gisapp.standards.open311.queries import (
    MAX_REQUESTS,
    SPEC_STATUSES,
    WINDOW,
    RequestFilter,
    find_requests,
    request_json,
)
from gisapp.standards.open311.services import (
    get_category,
    service_definition,
    service_list,
    service_name,
)

FMT = "<any(json,xml):fmt>"


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def _zone() -> ZoneInfo:
    return ZoneInfo(_settings().timezone)


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    base = url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0] + "/"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": "2026-11-26T00:00:00+08:00",
            "contact": _("Ask the platform's administrators for an API key."),
            "key_service": url_for("open311_admin.keys", _external=True),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-26T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@bp.get(f"/services.{FMT}")
def services(fmt: str) -> Response:
    return respond(fmt, "services", service_list(get_session(), _settings().sensitive_rounding_m))


@bp.get(f"/services/<code>.{FMT}")
def service(code: str, fmt: str) -> Response:
    body = service_definition(get_session(), code, _settings().sensitive_rounding_m)
    return respond(fmt, "service_definition", body)


def _date(name: str) -> dt.datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(
            400,
            _("%(name)s must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00+08:00.", name=name),
        ) from None
    if not 1900 <= value.year <= 2999:
        # Keeps the 90-day window arithmetic away from datetime's limits (year 1 and 9999).
        raise Open311Error(400, _("%(name)s is out of range.", name=name))
    # A date-time without an offset is local time where the service runs.
    return value if value.tzinfo else value.replace(tzinfo=_zone())


def _list(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in request.args.get(name, "").split(",") if v.strip())


def _filter() -> RequestFilter:
    ids = _list("service_request_id")
    if bad := [i for i in ids if not i.isdecimal() or len(i) > 9]:
        raise Open311Error(400, _("service_request_id %(id)s is not a request id.", id=bad[0][:20]))
    if ids:
        return RequestFilter(ids=tuple(int(i) for i in ids[:MAX_REQUESTS]))
    session = get_session()
    codes = _list("service_code")
    for code in codes:
        get_category(session, code)
    statuses = _list("status")
    if bad := [s for s in statuses if s not in SPEC_STATUSES]:
        raise Open311Error(400, _("status must be open or closed, not %(s)s.", s=bad[0][:20]))
    start, end = _date("start_date"), _date("end_date")
    if start and end:
        if start > end:
            raise Open311Error(400, _("start_date is after end_date."))
        if end - start > WINDOW:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return RequestFilter(codes=codes, start=start, end=end, statuses=statuses)


def _requests_body(flt: RequestFilter) -> list[dict[str, object]]:
    rows = find_requests(
        get_session(), flt, _settings().sensitive_rounding_m, dt.datetime.now(dt.UTC)
    )
    locale, zone, root = current_locale(), _zone(), request.url_root
    return [request_json(row, locale, zone, root) for row in rows]


@bp.get(f"/requests.{FMT}")
def requests_list(fmt: str) -> Response:
    return respond(fmt, "service_requests", _requests_body(_filter()))


@bp.post(f"/requests.{FMT}")
def requests_create(fmt: str) -> Response:
    if request.files:
        raise Open311Error(400, _("Send media as media_url; uploads are not accepted."))
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(400, _("Send the request as application/x-www-form-urlencoded."))
    session = get_session()
    # The key in the URL would end up in access logs: only the form body counts.
    key = check_key(session, request.form.get("api_key"))
    report, _token = submit(session, request.form.to_dict(flat=False), key, _settings())
    category = get_category(session, report.category)
    notice = _(
        "%(service)s: we aim to resolve it within %(days)d days.",
        service=service_name(category),
        days=category.time_limit_days,
    )
    body = [{"service_request_id": report.id, "service_notice": notice, "account_id": None}]
    session.commit()
    return respond(fmt, "service_requests", body, status=201)


@bp.get(f"/requests/<request_id>.{FMT}")
def request_one(request_id: str, fmt: str) -> Response:
    if not request_id.isdecimal() or len(request_id) > 9:
        raise Open311Error(404, _("There is no request %(id)s.", id=request_id[:20]))
    body = _requests_body(RequestFilter(ids=(int(request_id),)))
    if not body:
        raise Open311Error(404, _("There is no request %(id)s.", id=request_id))
    return respond(fmt, "service_requests", body)


@bp.get(f"/tokens/<token>.{FMT}")
def token(token: str, fmt: str) -> Response:
    found = get_session().scalar(
        sa.select(Open311Request.report_id).where(Open311Request.token == token[:64])
    )
    if found is None:
        raise Open311Error(404, _("There is no token %(token)s.", token=token[:64]))
    return respond(fmt, "service_requests", [{"service_request_id": found, "token": token}])


@bp.route("/<path:anything>", methods=["GET", "POST"])
def unknown(anything: str) -> Response:
    raise Open311Error(404, _("There is no resource %(path)s.", path=anything[:80]))
