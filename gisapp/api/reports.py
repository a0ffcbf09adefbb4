"""Reports: list, read, file, and find twins.

- ``GET /api/v1/reports`` (GeoJSON, public fields) and ``GET /api/v1/reports/{id}``
- ``POST /api/v1/reports`` (JSON, or multipart with up to 3 ``photos``; ``Idempotency-Key``);
  with ``facility_id`` a fault report on that facility, placed at it unless lon/lat are sent
- ``GET /api/v1/reports/nearby?lon=&lat=&category=`` (open twins within 100 m)

Public views never join the contact table; sensitive categories show a rounded location.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request

from gisapp.api import bp
from gisapp.api.areas import area_filter
from gisapp.api.util import geojson_response, unknown_params
from gisapp.db import get_session
from gisapp.errors import BadRequest, NotFound, ValidationFailed
from gisapp.geo.features import PRECISION, feature_collection, parse_bbox, parse_limit
from gisapp.geo.queries import areas_json
from gisapp.idempotency import HEADER, check_key, fingerprint, remember, replay
from gisapp.models import Base
from gisapp.notify.outbox import notify_new_report
from gisapp.reports.actors import current_actor
from gisapp.reports.intake import check_category, file_report, parse_report
from gisapp.reports.models import STATUSES, Report
from gisapp.reports.moderation import may_see
from gisapp.reports.queries import (
    event_json,
    nearby_twins,
    photos_of,
    public_bbox_filter,
    public_geom,
    timeline,
)
from gisapp.settings import Settings

PUBLIC_FIELDS = (
    "category",
    "description",
    "status",
    "support_count",
    "created_at",
    "updated_at",
    "resolved_at",
    "duplicate_of_id",
    "facility_id",
    "district_id",
    "street_id",
    "community_id",
    "grid_id",
)


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def public_report_geom(table: sa.Table) -> sa.ColumnElement[Any]:
    return public_geom(table.c.geom, table.c.category, _settings().sensitive_rounding_m)


def public_report_bbox(
    table: sa.Table, bbox: tuple[float, float, float, float]
) -> sa.ColumnElement[bool]:
    """Reports whose public location is in ``bbox`` (a tiny bbox must not find a sensitive
    report at its true place)."""
    rounding = _settings().sensitive_rounding_m
    return public_bbox_filter(table.c.geom, table.c.category, rounding, bbox)


@bp.get("/reports")
def list_reports() -> Response:
    unknown_params({"status", "category", "bbox", "area", "limit"})
    table = Base.metadata.tables["reports"]
    where: list[sa.ColumnElement[bool]] = [table.c.moderation == "visible"]
    if raw := request.args.get("status"):
        wanted = raw.split(",")
        if bad := [s for s in wanted if s not in STATUSES]:
            raise ValidationFailed(f"unknown status {bad[0][:32]!r}", field="status")
        where.append(table.c.status.in_(wanted))
    if raw := request.args.get("category"):
        where.append(table.c.category.in_(raw.split(",")))
    if bbox := parse_bbox(request.args.get("bbox")):
        where.append(public_report_bbox(table, bbox))
    if raw := request.args.get("area"):
        where.append(area_filter(raw, table))
    limit = parse_limit(request.args.get("limit"), 1000, 10_000)
    body, _n, _more = feature_collection(
        get_session(),
        table,
        PUBLIC_FIELDS,
        where,
        limit=limit,
        geometry=public_report_geom(table),
    )
    return geojson_response(body)


def report_feature(report: Report) -> dict[str, Any]:
    """The public view of one report, with its areas, photos and timeline."""
    session = get_session()
    table = Base.metadata.tables["reports"]
    geometry = session.scalar(
        sa.select(sa.func.ST_AsGeoJSON(public_report_geom(table), PRECISION)).where(
            table.c.id == report.id
        )
    )
    props: dict[str, Any] = {
        "category": report.category,
        "description": report.description,
        "status": report.status,
        "support_count": report.support_count,
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "resolved_at": report.resolved_at.isoformat() if report.resolved_at else None,
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "duplicate_of_id": report.duplicate_of_id,
        "facility_id": report.facility_id,
        "areas": areas_json(session, report),
        "photos": [
            f"/api/v1/reports/{report.id}/photos/{p.id}" for p in photos_of(session, report.id)
        ],
        "timeline": [event_json(e) for e in timeline(session, report.id)],
        "url": f"/reports/{report.id}",
    }
    return {
        "type": "Feature",
        "id": report.id,
        "geometry": json.loads(geometry or "null"),
        "properties": props,
    }


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int) -> Response:
    report = get_session().get(Report, report_id)
    if report is None or not may_see(current_actor(), report):
        raise NotFound(f"no report {report_id}", field="id")
    return Response(
        json.dumps(report_feature(report), ensure_ascii=False), mimetype="application/geo+json"
    )


def _submission() -> tuple[dict[str, Any], list[bytes], str]:
    """The submitted fields, photo bytes and a fingerprint of the whole request."""
    if request.mimetype == "application/json":
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        if "photos" in data:
            raise ValidationFailed("send photos as multipart/form-data files", field="photos")
        return data, [], fingerprint([request.get_data()])
    if request.mimetype == "multipart/form-data":
        fields: dict[str, Any] = {}
        for key in request.form:
            values = request.form.getlist(key)
            if len(values) > 1:
                raise ValidationFailed(f"{key} was sent more than once", field=key[:64])
            fields[key] = values[0]
        for key in request.files:
            if key != "photos":
                raise ValidationFailed(f"unknown file field {key[:40]!r}", field=key[:64])
        limit = _settings().photo_max_bytes
        photos = []
        for upload in request.files.getlist("photos"):
            data = upload.stream.read(limit + 1)
            if not upload.filename and not data:
                continue  # an empty file input
            photos.append(data)
        parts = [json.dumps(fields, sort_keys=True).encode(), *photos]
        return fields, photos, fingerprint(parts)
    raise BadRequest("send application/json or multipart/form-data")


@bp.post("/reports")
def create_report() -> tuple[Response, int]:
    key = check_key(request.headers.get(HEADER))
    fields, photos, request_hash = _submission()
    session = get_session()
    if key and (previous := replay(session, "reports", key, request_hash)):
        return jsonify(previous[1]), previous[0]
    draft = parse_report(fields, photos, _settings())
    actor = current_actor(create_anonymous=True)
    report = file_report(session, draft, actor, _settings())
    filenames = [photo.filename for photo in report.photos]
    notify_new_report(session, report)
    body = {
        "id": report.id,
        "status": report.status,
        "facility_id": report.facility_id,
        "areas": areas_json(session, report),
        "url": f"/reports/{report.id}",
        # "held": a spam signal fired; a moderator looks before the report goes public.
        "moderation": report.moderation,
    }
    if key and not remember(session, "reports", key, request_hash, 201, body):
        # A concurrent retry with the same key won the race: answer with its report.
        session.rollback()
        for filename in filenames:
            _remove_photo(filename)
        stored = replay(session, "reports", key, request_hash)
        assert stored is not None
        return jsonify(stored[1]), stored[0]
    try:
        session.commit()
    except BaseException:
        session.rollback()
        for filename in filenames:
            _remove_photo(filename)
        raise
    return jsonify(body), 201


def _remove_photo(filename: str) -> None:
    from gisapp.reports.photos import photo_path

    photo_path(_settings().upload_dir, filename).unlink(missing_ok=True)


@bp.get("/reports/nearby")
def nearby() -> Response:
    """Open reports of a category near a point, to offer "me too" before filing a twin."""
    unknown_params({"lon", "lat", "category", "radius"})
    values = {}
    for name in ("lon", "lat"):
        try:
            values[name] = float(request.args.get(name, ""))
        except ValueError:
            raise ValidationFailed(f"{name} must be a number", field=name) from None
    if not (-180 <= values["lon"] <= 180):
        raise ValidationFailed("lon must be between -180 and 180", field="lon")
    if not (-90 <= values["lat"] <= 90):
        raise ValidationFailed("lat must be between -90 and 90", field="lat")
    category = request.args.get("category", "")
    session = get_session()
    check_category(session, category)
    radius = _settings().twin_radius_m
    twins = nearby_twins(
        session,
        category,
        values["lon"],
        values["lat"],
        radius,
        rounding_m=_settings().sensitive_rounding_m,
    )
    return jsonify({"radius_m": radius, "reports": twins})
