"""Facilities (建设共管): the registry, maintenance log, stewards and crew lists.

- ``GET  /api/v1/facilities``          GeoJSON, or ``format=csv|gpkg`` (crew lists with coordinates);
                                       filters ``status``, ``type``, ``area``, ``bbox``, ``limit``
- ``POST /api/v1/facilities``          managers: register a facility
- ``GET  /api/v1/facilities/{id}``     one facility: status, log, photos, open reports
- ``PATCH /api/v1/facilities/{id}``    managers: condition, responsible party, interval, removal
- ``GET|POST /api/v1/facilities/{id}/maintenance``  the log; a POST takes ``Idempotency-Key``
- ``POST|DELETE /api/v1/facilities/{id}/adoption``  a resident adopts / withdraws (认领)
- ``GET  /api/v1/facilities/{id}/photos/{pid}``     a photo (metadata stripped)
- ``GET  /api/v1/me/adoptions``        the facilities I look after
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request, send_file
from flask_babel import gettext as _

from gisapp.api import bp
from gisapp.api.util import geojson_response, json_body, unknown_params
from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import BadRequest, NotFound, ValidationFailed
from gisapp.geo.features import bbox_filter, feature_collection, parse_bbox, parse_limit
from gisapp.geo.models import LEVELS
from gisapp.i18n import current_locale
from gisapp.idempotency import HEADER, check_key, fingerprint
from gisapp.maintenance import exports
from gisapp.maintenance.detail import facility_json, recent_log, record_json
from gisapp.maintenance.intake import (
    CHANGE_FIELDS,
    NEW_FIELDS,
    parse_facility_changes,
    parse_log_entry,
    parse_new_facility,
)
from gisapp.maintenance.logbook import get_facility, log_work, photo_path, who_logs
from gisapp.maintenance.models import Facility, FacilityPhoto, FacilityType
from gisapp.maintenance.once import run_once
from gisapp.maintenance.queries import (
    area_names,
    check_types,
    facility_listing,
    facility_rows,
    find_area,
    listing_filters,
)
from gisapp.maintenance.registry import create_facility, update_facility
from gisapp.maintenance.status import LISTABLE, local_today
from gisapp.maintenance.stewards import adopt, adoptions_of, withdraw
from gisapp.reports.actors import current_actor
from gisapp.settings import Settings

LIST_PROPERTIES = (
    "code",
    "type",
    "condition",
    "responsible_party",
    "install_date",
    "status",
    "days_overdue",
    "last_visit_on",
    "next_due_on",
    "open_faults",
    "adopted",
    "community_id",
    "grid_id",
)
STAFF = ("manager", "grid_worker", "planner")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def parse_statuses(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    wanted = tuple(dict.fromkeys(s.strip() for s in raw.split(",") if s.strip()))
    for value in wanted:
        if value not in LISTABLE:
            raise ValidationFailed(
                _("status must be among %(options)s", options=", ".join(LISTABLE)), field="status"
            )
    return wanted


def type_names() -> dict[str, str]:
    en = current_locale() == "en"
    return {
        t.code: (t.name_en if en else t.name_zh)
        for t in get_session().scalars(sa.select(FacilityType))
    }


def crew_records(
    statuses: tuple[str, ...], types: tuple[str, ...], area_raw: str | None, limit: int
) -> list[dict[str, Any]]:
    session = get_session()
    area = find_area(session, area_raw) if area_raw else None
    rows = facility_rows(
        session, local_today(_settings()), statuses=statuses, types=types, area=area, limit=limit
    )
    ids = {getattr(r, f"{level}_id") for r in rows for level in LEVELS[:4]}
    names = area_names(session, {i for i in ids if i}, current_locale())
    return exports.facility_records(rows, type_names(), names)


def export_name(statuses: tuple[str, ...], area_raw: str | None) -> str:
    parts = ["facilities", *statuses]
    if area_raw:
        parts.append("".join(c for c in area_raw if c.isalnum() or c in "-_")[:32])
    return "-".join(parts)


@bp.get("/facilities")
def list_facilities() -> Response:
    unknown_params({"status", "type", "area", "bbox", "limit", "format"})
    fmt = request.args.get("format", "geojson")
    if fmt not in ("geojson", "csv", "gpkg"):
        raise ValidationFailed(_("format must be geojson, csv or gpkg"), field="format")
    session = get_session()
    statuses = parse_statuses(request.args.get("status"))
    types = check_types(session, request.args.get("type"))
    area_raw = request.args.get("area")
    if fmt in ("csv", "gpkg"):
        if request.args.get("bbox"):
            raise ValidationFailed(_("bbox filters the map, not exports"), field="bbox")
        limit = parse_limit(request.args.get("limit"), 50_000, 50_000)
        records = crew_records(statuses, types, area_raw, limit)
        name = export_name(statuses, area_raw)
        if fmt == "csv":
            resp = Response(exports.facility_csv(records), mimetype="text/csv")
            resp.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return resp
        data = exports.facility_gpkg(records, layer=name.replace("-", "_"))
        resp = Response(data, mimetype="application/geopackage+sqlite3")
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}.gpkg"'
        return resp
    listing = facility_listing(local_today(_settings()))
    area = find_area(session, area_raw) if area_raw else None
    where = listing_filters(listing, statuses=statuses, types=types, area=area)
    if bbox := parse_bbox(request.args.get("bbox")):
        where.append(bbox_filter(listing.c.geom, bbox))
    limit = parse_limit(request.args.get("limit"), 1000, 10_000)
    body, _n, more = feature_collection(
        session,
        listing,  # type: ignore[arg-type]  # a subquery has the columns a table has
        LIST_PROPERTIES,
        where,
        limit=limit,
    )
    resp = geojson_response(body)
    resp.headers["X-Truncated"] = "true" if more else "false"
    return resp


@bp.post("/facilities")
@require_roles("manager")
def register_facility() -> tuple[Response, int]:
    session = get_session()
    new = parse_new_facility(json_body(NEW_FIELDS, set()), today=local_today(_settings()))
    facility = create_facility(session, new)
    session.commit()
    return _facility_response(facility), 201


def _facility_response(facility: Facility) -> Response:
    actor = current_actor()
    staff = actor.role in (*STAFF, "admin")
    body = facility_json(get_session(), facility, local_today(_settings()), staff=staff)
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")


@bp.get("/facilities/<int:facility_id>")
def get_facility_api(facility_id: int) -> Response:
    return _facility_response(get_facility(get_session(), facility_id))


@bp.patch("/facilities/<int:facility_id>")
@require_roles("manager")
def change_facility(facility_id: int) -> Response:
    session = get_session()
    facility = get_facility(session, facility_id, lock=True)
    today = local_today(_settings())
    changes = parse_facility_changes(json_body(CHANGE_FIELDS, set()), today=today)
    update_facility(session, facility, changes, current_actor(), today)
    session.commit()
    return _facility_response(facility)


def _log_submission() -> tuple[dict[str, Any], list[bytes], list[bytes]]:
    """Fields, photo bytes, and the parts of the request that identify a retry."""
    if request.mimetype == "application/json":
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest(_("the body must be a JSON object"))
        if "photos" in data:
            raise ValidationFailed(_("send photos as multipart/form-data files"), field="photos")
        return data, [], [request.get_data()]
    if request.mimetype == "multipart/form-data":
        fields: dict[str, Any] = {}
        for key in request.form:
            values = request.form.getlist(key)
            if len(values) > 1:
                raise ValidationFailed(_("%(name)s was sent twice", name=key[:40]), field=key[:64])
            fields[key] = values[0]
        for key in request.files:
            if key != "photos":
                raise ValidationFailed(
                    _("unknown file field %(name)s", name=key[:40]), field=key[:64]
                )
        limit = _settings().photo_max_bytes
        photos = [
            data
            for upload in request.files.getlist("photos")
            if (data := upload.stream.read(limit + 1)) or upload.filename
        ]
        return fields, photos, [json.dumps(fields, sort_keys=True).encode(), *photos]
    raise BadRequest(_("send application/json or multipart/form-data"))


def submit_log(
    facility_id: int,
    fields: dict[str, Any],
    photos: list[bytes],
    parts: list[bytes],
    key: str | None,
) -> tuple[int, dict[str, Any]]:
    """Validate and write one log entry, once per idempotency key (API and page forms)."""
    session = get_session()
    settings = _settings()
    actor = current_actor()
    request_hash = fingerprint([str(facility_id).encode(), *parts])
    stored: list[str] = []

    def work() -> tuple[int, dict[str, Any]]:
        facility = get_facility(session, facility_id, lock=True)
        as_staff = who_logs(session, facility, actor)
        today = local_today(settings)
        entry = parse_log_entry(fields, photos, settings, today=today, staff=as_staff)
        record = log_work(session, facility, entry, actor, settings, as_staff=as_staff)
        stored.extend(
            session.scalars(
                sa.select(FacilityPhoto.filename).where(FacilityPhoto.record_id == record.id)
            )
        )
        data = facility_json(session, facility, today, staff=True)["properties"]
        return 201, {
            "id": record.id,
            "facility_id": facility.id,
            "record": record_json(record, staff=True),
            "status": data["status"],
            "next_due_on": data["next_due_on"],
            "photos": len(stored),
        }

    def cleanup() -> None:
        for filename in stored:
            photo_path(settings.upload_dir, filename).unlink(missing_ok=True)

    return run_once(session, "maintenance", key, request_hash, work, cleanup)


@bp.post("/facilities/<int:facility_id>/maintenance")
def add_maintenance(facility_id: int) -> tuple[Response, int]:
    key = check_key(request.headers.get(HEADER))
    fields, photos, parts = _log_submission()
    status, body = submit_log(facility_id, fields, photos, parts, key)
    return jsonify(body), status


@bp.get("/facilities/<int:facility_id>/maintenance")
def list_maintenance(facility_id: int) -> Response:
    unknown_params({"limit"})
    session = get_session()
    facility = get_facility(session, facility_id)
    limit = parse_limit(request.args.get("limit"), 100, 1000)
    staff = current_actor().role in (*STAFF, "admin")
    return jsonify([record_json(r, staff=staff) for r in recent_log(session, facility.id, limit)])


@bp.post("/facilities/<int:facility_id>/adoption")
def adopt_facility(facility_id: int) -> tuple[Response, int]:
    session = get_session()
    facility = get_facility(session, facility_id, lock=True)
    adoption = adopt(session, facility, current_actor())
    session.commit()
    return jsonify(
        {"facility_id": facility.id, "since": adoption.started_at.isoformat(), "adopted": True}
    ), 201


@bp.delete("/facilities/<int:facility_id>/adoption")
def withdraw_adoption(facility_id: int) -> Response:
    session = get_session()
    facility = get_facility(session, facility_id, lock=True)
    ended = withdraw(session, facility, current_actor())
    session.commit()
    assert ended.ended_at is not None
    return jsonify({"facility_id": facility.id, "until": ended.ended_at.isoformat()})


@bp.get("/facilities/<int:facility_id>/photos/<int:photo_id>")
def facility_photo(facility_id: int, photo_id: int) -> Response:
    photo = get_session().get(FacilityPhoto, photo_id)
    if photo is None or photo.facility_id != facility_id:
        raise NotFound(_("no such photo"), field="photo_id")
    path = photo_path(_settings().upload_dir, photo.filename)
    if not path.is_file():
        raise NotFound(_("no such photo"), field="photo_id")
    return send_file(path, mimetype=photo.content_type, max_age=86400)


@bp.get("/me/adoptions")
@require_roles("resident")
def my_adoptions() -> Response:
    session = get_session()
    actor = current_actor()
    assert actor.user_id is not None
    today = local_today(_settings())
    out = []
    for adoption in adoptions_of(session, actor.user_id):
        facility = get_facility(session, adoption.facility_id)
        props = facility_json(session, facility, today, staff=True)["properties"]
        out.append(
            {
                "facility_id": facility.id,
                "code": facility.code,
                "type": facility.type,
                "status": props["status"],
                "next_due_on": props["next_due_on"],
                "since": adoption.started_at.isoformat(),
            }
        )
    return jsonify(out)
