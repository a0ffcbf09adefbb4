"""Accounts, roles, sessions and API tokens (the spine every co- stands on)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from gisapp.auth.models import User
from gisapp.auth.tokens import user_for_token
from gisapp.db import get_session

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    from gisapp.auth.views import bp

    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load_user(user_id: str) -> User | None:
        if not user_id.isdecimal():
            return None
        return (
            get_session()
            .scalars(sa.select(User).where(User.id == int(user_id), User.active.is_(True)))
            .first()
        )

    @manager.request_loader
    def _load_from_bearer(req: object) -> User | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return user_for_token(get_session(), token.strip())

    manager.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(bp)
    from gisapp.auth.account_views import bp as account_bp

    app.register_blueprint(account_bp)  # /me/data and /me/delete
