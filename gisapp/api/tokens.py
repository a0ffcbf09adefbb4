"""``POST /api/v1/tokens``: exchange a username and password for a bearer token."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from gisapp.api import bp
from gisapp.api.util import json_body
from gisapp.auth.tokens import issue_token
from gisapp.auth.views import authenticate
from gisapp.db import get_session
from gisapp.errors import Unauthorized, ValidationFailed


@bp.post("/tokens")
def create_token() -> tuple[Response, int]:
    data = json_body({"username", "password"}, {"username", "password"})
    username, password = data["username"], data["password"]
    for field, value in (("username", username), ("password", password)):
        if not isinstance(value, str) or not value or len(value) > 200:
            raise ValidationFailed(f"{field} must be a non-empty string", field=field)
    user = authenticate(username, password)
    if user is None:
        raise Unauthorized("wrong username or password")
    settings = current_app.extensions["gisapp.settings"]
    session = get_session()
    token, expires = issue_token(session, user, settings.token_ttl_hours)
    session.commit()
    return jsonify(
        {
            "token": token,
            "token_type": "Bearer",
            "expires_at": expires.isoformat(),
            "role": user.role,
        }
    ), 201
