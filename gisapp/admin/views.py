"""``/admin``: users, roles and grid workers' areas; categories and facility types; the audit
log. Admin only (the permission table says so, and ``require_roles()`` admits admins alone).
Open311 API keys have their own page, ``/admin/open311-keys`` (gisapp.standards.open311.admin).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from gisapp.admin import accounts, vocabulary
from gisapp.audit import AuditEntry
from gisapp.auth.models import ROLES
from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import NotFound
from gisapp.maintenance.models import FacilityType
from gisapp.pages import form_action
from gisapp.reports.models import Category

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _me() -> int:
    return int(current_user.id)


@bp.get("/")
@require_roles()
def index() -> str:
    entries = get_session().scalars(
        sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(100)
    )
    return render_template("admin/index.html", entries=list(entries))


@bp.get("/users")
@require_roles()
def users() -> str:
    query = request.args.get("q", "")[:64]
    role = request.args.get("role", "")
    role = role if role in ROLES else ""
    found = accounts.list_users(get_session(), query=query, role=role)
    return render_template("admin/users.html", users=found, q=query, role=role, roles=ROLES)


@bp.post("/users")
@require_roles()
def create_user() -> ResponseReturnValue:
    form = request.form
    return form_action(
        lambda: accounts.create_user(
            get_session(),
            _me(),
            username=form.get("username", ""),
            password=form.get("password", ""),
            role=form.get("role", ""),
            display_name=form.get("display_name", ""),
        ),
        _("The account is created."),
        url_for("admin.users"),
    )


@bp.get("/users/<int:user_id>")
@require_roles()
def user(user_id: int) -> str:
    session = get_session()
    account = accounts.get_user(session, user_id)
    return render_template(
        "admin/user.html",
        user=account,
        roles=ROLES,
        area_codes=accounts.area_codes(session, account),
        entries=session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.target_type == "user", AuditEntry.target_id == str(user_id))
            .order_by(AuditEntry.at.desc())
            .limit(50)
        ).all(),
    )


@bp.post("/users/<int:user_id>")
@require_roles()
def update_user(user_id: int) -> ResponseReturnValue:
    session = get_session()
    account = accounts.get_user(session, user_id)
    return form_action(
        lambda: accounts.update_user(
            session,
            _me(),
            account,
            role=request.form.get("role", ""),
            active=request.form.get("active") == "y",
        ),
        _("The account is updated."),
        url_for("admin.user", user_id=user_id),
    )


@bp.post("/users/<int:user_id>/password")
@require_roles()
def reset_password(user_id: int) -> ResponseReturnValue:
    session = get_session()
    account = accounts.get_user(session, user_id)
    return form_action(
        lambda: accounts.reset_password(session, _me(), account, request.form.get("password", "")),
        _("The password is reset."),
        url_for("admin.user", user_id=user_id),
    )


@bp.post("/users/<int:user_id>/areas")
@require_roles()
def set_areas(user_id: int) -> ResponseReturnValue:
    session = get_session()
    account = accounts.get_user(session, user_id)
    return form_action(
        lambda: accounts.set_areas(session, _me(), account, request.form.get("areas", "")[:10_000]),
        _("The areas are saved."),
        url_for("admin.user", user_id=user_id),
    )


_VOCABULARY: dict[str, tuple[str, type[Category] | type[FacilityType]]] = {
    "categories": ("category", Category),
    "facility-types": ("facility_type", FacilityType),
}


def _vocabulary(which: str) -> tuple[str, type[Category] | type[FacilityType]]:
    if which not in _VOCABULARY:
        raise NotFound(_("There is no list %(name)s.", name=which[:40]))
    return _VOCABULARY[which]


@bp.get("/<any(categories, 'facility-types'):which>")
@require_roles()
def vocabulary_list(which: str) -> str:
    kind, model = _vocabulary(which)
    rows = get_session().scalars(sa.select(model).order_by(model.sort_order, model.code)).all()
    return render_template("admin/vocabulary.html", which=which, kind=kind, rows=rows)


@bp.post("/<any(categories, 'facility-types'):which>")
@require_roles()
def vocabulary_create(which: str) -> ResponseReturnValue:
    kind, _model = _vocabulary(which)
    return form_action(
        lambda: vocabulary.create(get_session(), _me(), kind, request.form),
        _("Added."),
        url_for("admin.vocabulary_list", which=which),
    )


@bp.post("/<any(categories, 'facility-types'):which>/<code>")
@require_roles()
def vocabulary_update(which: str, code: str) -> ResponseReturnValue:
    kind, _model = _vocabulary(which)
    return form_action(
        lambda: vocabulary.update(get_session(), _me(), kind, code, request.form),
        _("Saved."),
        url_for("admin.vocabulary_list", which=which),
    )
