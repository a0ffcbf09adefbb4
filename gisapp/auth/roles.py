"""Who may do what: the role ladder and the decorators that enforce it on views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gisapp.errors import Forbidden, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")


def role_of(user: object) -> str:
    """The role name of a Flask-Login user, ``anonymous`` when not signed in."""
    if getattr(user, "is_authenticated", False):
        return str(getattr(user, "role", "resident"))
    return "anonymous"


def require_roles(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow only the given roles (admin always); pages redirect anonymous users to /login."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            role = role_of(current_user)
            if role == "anonymous":
                if request.path.startswith("/api/"):
                    raise Unauthorized(_("Sign in or send a bearer token."))
                return redirect(url_for("auth.login", next=request.full_path))  # type: ignore[return-value]
            if role != "admin" and role not in roles:
                raise Forbidden(_("Your role may not do this."))
            return view(*args, **kwargs)

        return wrapped

    return decorate
