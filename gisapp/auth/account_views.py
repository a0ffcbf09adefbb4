"""``/me/data`` (download everything we hold about you) and ``/me/delete`` (erase the account).

Both need the signed-in session; deletion also asks for the password again, so a borrowed
phone with an open session can't erase someone's account.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from gisapp.auth.models import ROLES as ALL_ROLES
from gisapp.auth.models import User
from gisapp.auth.passwords import verify_password
from gisapp.auth.personal_data import erase_account, export_personal_data
from gisapp.auth.roles import require_roles
from gisapp.db import get_session

bp = Blueprint("account", __name__)


class DeleteAccountForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("I understand that my account and personal data will be erased for good."),
        validators=[DataRequired()],
    )


@bp.get("/me/data")
@require_roles(*ALL_ROLES)
def download() -> Response:
    document = export_personal_data(get_session(), int(current_user.id))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-co-creation-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/me/delete", methods=["GET", "POST"])
@require_roles("resident")
def delete() -> ResponseReturnValue:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        session = get_session()
        user = session.get(User, int(current_user.id))
        if user is None or not verify_password(user.password_hash, form.password.data):
            form.password.errors.append(_("Wrong password."))
            return render_template("auth/delete.html", form=form), 400
        erase_account(session, user.id)
        session.commit()
        logout_user()
        flash(_("Your account and personal data were erased. Your reports stay, anonymously."))
        return redirect(url_for("maps.index"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/delete.html", form=form), status
