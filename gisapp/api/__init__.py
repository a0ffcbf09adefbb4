"""The JSON API under ``/api/v1``, documented by ``/api/v1/openapi.json``.

Errors are ``{"error": {"code", "message", "field"}}`` with a 4xx status (see gisapp.errors).
Bearer tokens authenticate other apps; browsers use the session cookie and then must send the
CSRF token (``X-CSRFToken``) on writes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request

from gisapp.auth import csrf
from gisapp.db import PRIMARY_COOKIE
from gisapp.errors import ValidationFailed
from gisapp.validation import nul_field

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _refuse_nul() -> None:
    # Query values, form fields and JSON strings all end up as PostgreSQL text, which cannot
    # hold U+0000: refuse them here, by name, rather than as a database error in some view.
    sources: list[Any] = [request.args.to_dict(flat=False), request.form.to_dict(flat=False)]
    if request.is_json:
        sources.append(request.get_json(silent=True))
    for source in sources:
        if (field := nul_field(source)) is not None:
            raise ValidationFailed(
                f"{field or 'a value'} must not contain NUL characters", field=field or None
            )


@bp.before_request
def _csrf_for_cookie_sessions() -> None:
    # A bearer token is not sent automatically by browsers, so it cannot be forged cross-site;
    # a session cookie can, so cookie-authenticated writes need the CSRF token.
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    # The read-your-writes marker (gisapp.db.PRIMARY_COOKIE) authorises nothing.
    if set(request.cookies) - {PRIMARY_COOKIE}:
        csrf.protect()


def init_app(app: Flask) -> None:
    from gisapp.api import (  # noqa: F401
        areas,
        coverage,
        facilities,
        following,
        layers,
        me,
        openapi,
        outcomes,
        participation,
        planning,
        reference,
        report_actions,
        reports,
        tokens,
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
