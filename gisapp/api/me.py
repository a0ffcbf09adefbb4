"""``GET /api/v1/me``: who the caller is (session cookie or bearer token)."""

from __future__ import annotations

from flask import Response, jsonify
from flask_login import current_user

from gisapp.api import bp
from gisapp.auth.roles import role_of
from gisapp.errors import Unauthorized


@bp.get("/me")
def me() -> Response:
    if not current_user.is_authenticated:
        raise Unauthorized("sign in or send a bearer token")
    return jsonify(
        {
            "id": current_user.id,
            "username": current_user.username,
            "display_name": current_user.display_name,
            "role": role_of(current_user),
            "areas": [a.area_id for a in current_user.areas],
        }
    )
