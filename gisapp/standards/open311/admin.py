"""``/admin/open311-keys``: admins create Open311 API keys (shown once) and revoke them."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.pages import form_action
from gisapp.standards.open311.keys import create_key, list_keys, revoke_key

bp = Blueprint("open311_admin", __name__, url_prefix="/admin", template_folder="templates")


def _page(new_key: str | None = None, status: int = 200, error: str | None = None) -> Response:
    resp = make_response(
        render_template(
            "open311/keys.html",
            keys=list_keys(get_session()),
            new_key=new_key,
            error=error,
            endpoint=url_for("open311.services", fmt="json", _external=True).rsplit("/", 1)[0],
        ),
        status,
    )
    # The page may carry a fresh key: keep it out of every cache.
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/open311-keys")
@require_roles()
def keys() -> Response:
    return _page()


@bp.post("/open311-keys")
@require_roles()
def create() -> Response:
    from gisapp.errors import ValidationFailed

    session = get_session()
    try:
        key, _row = create_key(session, request.form.get("name", ""), int(current_user.id))
    except ValidationFailed as exc:
        session.rollback()
        return _page(status=422, error=exc.message)
    session.commit()
    # Rendered, not redirected: this response is the only place the key ever appears.
    return _page(new_key=key, status=201)


@bp.post("/open311-keys/<int:key_id>/revoke")
@require_roles()
def revoke(key_id: int) -> Response:
    return form_action(
        lambda: revoke_key(get_session(), key_id),
        _("The key is revoked; clients using it are refused from now on."),
        url_for("open311_admin.keys"),
    )
