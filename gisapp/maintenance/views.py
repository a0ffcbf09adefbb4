"""Facility pages: what a resident sees after tapping a facility on the map or scanning its label.

- ``/facilities/<id>`` and ``/f/<code>`` (the QR label's address): status, log, photos, and the
  forms open to the visitor: report a fault (anyone), adopt or withdraw (residents), log a check
  (the facility's steward, staff)
- ``/me/facilities``: the facilities I look after

The forms post here, are CSRF-protected, carry an idempotency key (a double tap files once) and
call the same code as the API.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from gisapp.api.facilities import submit_log
from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import ApiError, NotFound, ValidationFailed
from gisapp.geo.queries import areas_of
from gisapp.i18n import current_locale
from gisapp.idempotency import check_key, fingerprint
from gisapp.maintenance.detail import facts_of, open_reports, photos_of, recent_log
from gisapp.maintenance.labels import qr_svg
from gisapp.maintenance.logbook import get_facility, steward_of
from gisapp.maintenance.mapping import STATUS_COLORS, status_names
from gisapp.maintenance.models import Facility, FacilityType
from gisapp.maintenance.once import run_once
from gisapp.maintenance.status import days_overdue_of, local_today, status_of
from gisapp.maintenance.stewards import (
    MAX_ADOPTIONS,
    adopt,
    adoptions_of,
    check_adoption,
    withdraw,
)
from gisapp.notify.outbox import notify_new_report
from gisapp.pages import form_action, geometry_of, small_map
from gisapp.reports.actors import current_actor
from gisapp.reports.intake import file_report, parse_report
from gisapp.reports.models import Category
from gisapp.reports.photos import photo_path as report_photo_path
from gisapp.settings import Settings

bp = Blueprint("facilities", __name__)

# The report category a fault on each facility type is filed under (the resident may change it).
FAULT_CATEGORY = {
    "street_light": "street_light",
    "drainage_grate": "drainage",
    "waste_point": "waste",
}
DEFAULT_FAULT_CATEGORY = "facility_damage"
STAFF_LOGGERS = ("manager", "admin", "grid_worker")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def _one_value_fields(form: MultiDict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in names:
        values = form.getlist(name)
        if len(values) > 1:
            raise ValidationFailed(_("%(name)s was sent twice", name=name), field=name)
        if values:
            fields[name] = values[0]
    return fields


def _photos() -> list[bytes]:
    limit = _settings().photo_max_bytes
    out = []
    for upload in request.files.getlist("photos"):
        data = upload.stream.read(limit + 1)
        if data or upload.filename:
            out.append(data)
    return out


def _page(
    facility: Facility,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
    scanned: bool = False,
) -> ResponseReturnValue:
    session = get_session()
    today = local_today(_settings())
    facts = facts_of(session, facility.id)
    ftype = session.get(FacilityType, facility.type)
    actor = current_actor()
    steward = steward_of(session, facility.id)
    mine = steward is not None and steward.user_id == actor.user_id
    staff = actor.role in (*STAFF_LOGGERS, "planner")
    can_log = facility.status == "active" and (
        mine
        or actor.role in ("manager", "admin")
        or (
            actor.role == "grid_worker" and bool(actor.area_ids & set(facility.area_ids().values()))
        )
    )
    categories = list(
        session.scalars(
            sa.select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)
        )
    )
    # A resident who may not adopt this facility is told why instead of offered a button.
    adopt_problem = None
    if actor.role == "resident" and steward is None and facility.status == "active":
        try:
            check_adoption(session, facility, actor)
        except ApiError as exc:
            adopt_problem = exc.message
    label_url = url_for("facilities.by_code", code=facility.code, _external=True)
    color = ftype.color if ftype else "#1b998b"
    page = render_template(
        "facilities/detail.html",
        facility=facility,
        type_name=ftype.name(current_locale()) if ftype else facility.type,
        facts=facts,
        status=status_of(facts, today),
        days_overdue=days_overdue_of(facts, today),
        status_names=status_names(),
        status_colors=STATUS_COLORS,
        areas=areas_of(session, facility),
        log=recent_log(session, facility.id, 10),
        photos=photos_of(session, facility.id),
        reports=open_reports(session, facility.id),
        steward=steward,
        mine=mine,
        staff=staff,
        can_log=can_log,
        log_as_staff=can_log and not mine,
        can_adopt=actor.role == "resident" and steward is None and facility.status == "active",
        adopt_problem=adopt_problem,
        categories=categories,
        fault_category=FAULT_CATEGORY.get(facility.type, DEFAULT_FAULT_CATEGORY),
        today=today,
        errors=errors or {},
        form=form or {},
        scanned=scanned,
        key=uuid.uuid4().hex,
        qr=qr_svg(label_url) if actor.role in ("manager", "admin") else None,
        label_url=label_url,
        max_photos=_settings().photos_per_report,
        map_parts=small_map(geometry_of(session, Facility.geom, Facility.id == facility.id), color),
    )
    return page, status


@bp.get("/facilities/<int:facility_id>")
def detail(facility_id: int) -> ResponseReturnValue:
    return _page(get_facility(get_session(), facility_id))


@bp.get("/f/<code>")
def by_code(code: str) -> ResponseReturnValue:
    """The address printed in the facility's QR label."""
    facility = get_session().scalars(sa.select(Facility).where(Facility.code == code[:32])).first()
    if facility is None:
        raise NotFound(_("There is no facility with this label."))
    return _page(facility, scanned=True)


def _failed(
    facility: Facility, exc: ApiError, form: dict[str, Any], which: str
) -> ResponseReturnValue:
    get_session().rollback()
    errors = {which: exc.message}
    if exc.field:
        errors[exc.field] = exc.message
    return _page(facility, errors=errors, status=exc.status, form={**form, "which": which})


@bp.post("/facilities/<int:facility_id>/report")
def report_fault(facility_id: int) -> ResponseReturnValue:
    """A resident's fault report on this facility, placed at it and linked to it."""
    session = get_session()
    facility = get_facility(session, facility_id)
    settings = _settings()
    form: dict[str, Any] = {}
    stored: list[str] = []
    try:
        form = _one_value_fields(request.form, ("category", "description", "contact"))
        key = check_key(request.form.get("key") or None)
        photos = _photos()
        fields = {**form, "facility_id": facility.id}
        request_hash = fingerprint([json.dumps(fields, sort_keys=True).encode(), *photos])

        def work() -> tuple[int, dict[str, Any]]:
            draft = parse_report(fields, photos, settings)
            report = file_report(session, draft, current_actor(create_anonymous=True), settings)
            stored.extend(p.filename for p in report.photos)
            notify_new_report(session, report)
            return 201, {"id": report.id, "status": report.status, "url": f"/reports/{report.id}"}

        def cleanup() -> None:
            for filename in stored:
                report_photo_path(settings.upload_dir, filename).unlink(missing_ok=True)

        _status, body = run_once(session, "reports", key, request_hash, work, cleanup)
    except ApiError as exc:
        return _failed(facility, exc, form, "report")
    flash(_("Thank you! Your report was filed."), "success")
    return redirect(url_for("reports.detail", report_id=body["id"]), 303)


@bp.post("/facilities/<int:facility_id>/check")
def log_check(facility_id: int) -> ResponseReturnValue:
    """A steward's check-in from a phone (or a staff log entry), with photos."""
    facility = get_facility(get_session(), facility_id)
    names = ("kind", "date", "result", "minutes", "notes", "performed_by", "volunteer")
    form: dict[str, Any] = {}
    try:
        form = _one_value_fields(request.form, names)
        fields = {k: v for k, v in form.items() if v != "" or k in ("kind", "date", "result")}
        if current_actor().role not in STAFF_LOGGERS:
            fields.pop("performed_by", None)
            fields.pop("volunteer", None)
        key = check_key(request.form.get("key") or None)
        photos = _photos()
        parts = [json.dumps(fields, sort_keys=True).encode(), *photos]
        submit_log(facility.id, fields, photos, parts, key)
    except ApiError as exc:
        return _failed(facility, exc, form, "check")
    flash(_("Your check was logged. Thank you!"), "success")
    return redirect(url_for("facilities.detail", facility_id=facility.id), 303)


@bp.post("/facilities/<int:facility_id>/adopt")
@require_roles("resident")
def adopt_page(facility_id: int) -> ResponseReturnValue:
    session = get_session()
    facility = get_facility(session, facility_id, lock=True)
    return form_action(
        lambda: adopt(session, facility, current_actor()),
        _("You look after this facility now. Thank you!"),
        url_for("facilities.detail", facility_id=facility_id),
    )


@bp.post("/facilities/<int:facility_id>/withdraw")
@require_roles("resident", "manager")
def withdraw_page(facility_id: int) -> ResponseReturnValue:
    session = get_session()
    facility = get_facility(session, facility_id, lock=True)
    return form_action(
        lambda: withdraw(session, facility, current_actor()),
        _("The adoption has ended."),
        url_for("facilities.detail", facility_id=facility_id),
    )


@bp.get("/me/facilities")
@require_roles("resident")
def mine() -> str:
    session = get_session()
    actor = current_actor()
    assert actor.user_id is not None
    today = local_today(_settings())
    rows = []
    for adoption in adoptions_of(session, actor.user_id):
        facility = get_facility(session, adoption.facility_id)
        facts = facts_of(session, facility.id)
        ftype = session.get(FacilityType, facility.type)
        rows.append(
            {
                "facility": facility,
                "type_name": ftype.name(current_locale()) if ftype else facility.type,
                "status": status_of(facts, today),
                "next_due_on": facts.next_due_on,
                "since": adoption.started_at,
            }
        )
    return render_template(
        "facilities/mine.html",
        rows=rows,
        status_names=status_names(),
        max_adoptions=MAX_ADOPTIONS,
    )
