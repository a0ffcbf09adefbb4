"""Who is acting on a report: a signed-in account or an anonymous browser.

Anonymous residents may file and support reports; a random id kept in their (signed) session
cookie stands for them, so "one support per resident" and "the reporter may rate the fix" hold
without an account. Only a hash of that id is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import session as cookie_session
from flask_login import current_user

from gisapp.auth.roles import role_of


@dataclass(frozen=True)
class Actor:
    key: str | None
    user_id: int | None
    role: str
    area_ids: frozenset[int] = frozenset()

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


def anonymous_key(create: bool) -> str | None:
    token = cookie_session.get("anon_id")
    if token is None and create:
        token = secrets.token_urlsafe(24)
        cookie_session["anon_id"] = token
        cookie_session.permanent = True
    if token is None:
        return None
    return "a:" + hashlib.sha256(str(token).encode()).hexdigest()[:40]


def current_actor(create_anonymous: bool = False) -> Actor:
    """The request's actor; ``create_anonymous`` gives a cookie-less visitor an id."""
    if current_user.is_authenticated:
        return Actor(
            key=f"u:{current_user.id}",
            user_id=int(current_user.id),
            role=role_of(current_user),
            area_ids=frozenset(a.area_id for a in current_user.areas),
        )
    return Actor(key=anonymous_key(create_anonymous), user_id=None, role="anonymous")
