"""Bearer tokens for the JSON API: ``POST /api/v1/tokens`` issues one, ``Authorization:
Bearer <token>`` uses it. Only a SHA-256 of each token is stored, so a database dump does not
hand out sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.auth.models import ApiToken, User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, ttl_hours: int) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl_hours)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), expires_at=expires))
    return token, expires


def user_for_token(session: Session, token: str) -> User | None:
    stmt = (
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == digest(token),
            ApiToken.revoked.is_(False),
            ApiToken.expires_at > sa.func.now(),
            User.active.is_(True),
        )
    )
    return session.scalars(stmt).first()
