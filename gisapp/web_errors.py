"""Error handlers: views raise, these answer.

API paths (``/api/``) get the JSON error format; pages get a friendly page. A lost database
becomes 503 with ``Retry-After`` so clients and load balancers back off instead of seeing 500.
"""

from __future__ import annotations

import logging

import sqlalchemy.exc
from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from gisapp.errors import DatabaseNotReady, GisAppError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/readyz", "/healthz")) or (
        request.accept_mimetypes.best == "application/json"
    )


def _answer(status: int, code: str, message: str, field: str | None = None) -> Response:
    if _wants_json():
        resp = jsonify({"error": {"code": code, "message": message, "field": field}})
    else:
        resp = current_app.make_response(
            render_template("error.html", status=status, message=message)
        )
    resp.status_code = status
    if status == 503:
        settings = current_app.extensions["gisapp.settings"]
        resp.headers["Retry-After"] = str(settings.retry_after_seconds)
    return resp


def handle_app_error(exc: GisAppError) -> Response:
    return _answer(exc.status, exc.code, exc.message, exc.field)


def handle_db_unavailable(exc: Exception) -> Response:
    log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else exc)
    err = DatabaseNotReady(_("The database is unavailable; please retry shortly."))
    return _answer(err.status, err.code, err.message)


def handle_http(exc: HTTPException) -> Response:
    code = (exc.name or "error").lower().replace(" ", "_")
    return _answer(exc.code or 500, code, exc.description or exc.name)


def handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return _answer(500, "internal_error", _("Something went wrong on our side."))


def init_app(app: Flask) -> None:
    app.register_error_handler(GisAppError, handle_app_error)
    app.register_error_handler(sqlalchemy.exc.OperationalError, handle_db_unavailable)
    app.register_error_handler(sqlalchemy.exc.InterfaceError, handle_db_unavailable)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
