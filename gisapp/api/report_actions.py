"""Acting on a report: support, staff status changes and updates, ratings, reopening, photos.

- ``POST /api/v1/reports/{id}/supports``      附议, one per resident
- ``POST /api/v1/reports/{id}/status``        grid worker: ``{status, note, duplicate_of}``
- ``POST /api/v1/reports/{id}/updates``       grid worker: a public progress note
- ``POST /api/v1/reports/{id}/ratings``       reporter/supporters: ``{score, comment}``
- ``POST /api/v1/reports/{id}/reopen``        reporter/supporters, within 14 days
- ``GET  /api/v1/reports/{id}/photos/{pid}``  a photo (EXIF already stripped)
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, send_file

from gisapp.api import bp
from gisapp.api.reports import report_feature
from gisapp.api.util import json_body
from gisapp.db import get_session
from gisapp.errors import NotFound
from gisapp.reports import moderation, workflow
from gisapp.reports.actors import current_actor
from gisapp.reports.models import ReportPhoto
from gisapp.reports.photos import photo_path


def _done(report_id: int, status: int = 200) -> tuple[Response, int]:
    session = get_session()
    session.commit()
    return jsonify(report_feature(workflow.get_report(session, report_id))), status


@bp.post("/reports/<int:report_id>/supports")
def support_report(report_id: int) -> tuple[Response, int]:
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    count = workflow.support(session, report, current_actor(create_anonymous=True))
    session.commit()
    return jsonify({"id": report_id, "support_count": count}), 201


@bp.post("/reports/<int:report_id>/status")
def change_report_status(report_id: int) -> tuple[Response, int]:
    data = json_body({"status", "note", "duplicate_of"}, {"status"})
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    workflow.change_status(
        session, report, current_actor(), data["status"], data.get("note"), data.get("duplicate_of")
    )
    return _done(report_id)


@bp.post("/reports/<int:report_id>/updates")
def add_report_update(report_id: int) -> tuple[Response, int]:
    data = json_body({"note"}, {"note"})
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    workflow.add_update(session, report, current_actor(), data["note"])
    return _done(report_id, 201)


@bp.post("/reports/<int:report_id>/ratings")
def rate_report(report_id: int) -> tuple[Response, int]:
    data = json_body({"score", "comment"}, {"score"})
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    rating = workflow.rate(session, report, current_actor(), data["score"], data.get("comment"))
    session.commit()
    return jsonify({"id": report_id, "score": rating.score, "comment": rating.comment}), 201


@bp.post("/reports/<int:report_id>/reopen")
def reopen_report(report_id: int) -> tuple[Response, int]:
    data = json_body({"reason"}, set())
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    days = current_app.extensions["gisapp.settings"].reopen_days
    workflow.reopen(session, report, current_actor(), data.get("reason"), days)
    return _done(report_id)


@bp.get("/reports/<int:report_id>/photos/<int:photo_id>")
def report_photo(report_id: int, photo_id: int) -> Response:
    photo = get_session().get(ReportPhoto, photo_id)
    if photo is None or photo.report_id != report_id:
        raise NotFound("no such photo", field="photo_id")
    actor = current_actor()
    report = photo.report
    if not moderation.may_see(actor, report) or (
        photo.hidden_reason is not None
        and not (actor.signed_in and moderation.can_moderate(actor, report))
    ):
        raise NotFound("no such photo", field="photo_id")
    path = photo_path(current_app.extensions["gisapp.settings"].upload_dir, photo.filename)
    if not path.is_file():
        raise NotFound("the photo file is missing", field="photo_id")
    resp = send_file(path, mimetype=photo.content_type, max_age=86400)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
