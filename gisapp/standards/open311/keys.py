"""Open311 API keys: created and revoked by admins (page and CLI), checked on every POST.

Usage::

    key, row = create_key(session, "city 12345 hotline", created_by=admin.id)  # show key once
    row = check_key(session, form.get("api_key"))      # raises Open311Error 403 when bad
    revoke_key(session, row.id)

Only the SHA-256 of a key is stored (as for API tokens), with its first characters so admins
can tell keys apart. Keys are never logged: callers print the key once and nothing else does.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.audit import record
from gisapp.auth.models import ApiKey, User
from gisapp.auth.tokens import digest
from gisapp.errors import ValidationFailed
from gisapp.standards.open311.errors import Open311Error

PREFIX_LENGTH = 8
MAX_KEY_LENGTH = 200


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Name the key's client in 1 to 100 characters."), field="name")
    if any(ord(c) < 32 for c in name):
        raise ValidationFailed(_("The name contains control characters."), field="name")
    return name


def create_key(
    session: Session, name: str, created_by: int | None = None, key: str | None = None
) -> tuple[str, ApiKey]:
    """A new key for a client; returns the key (shown once) and its row. ``key`` is for the
    published demo key only; real keys are random (256 bits)."""
    key = key or "o311-" + secrets.token_urlsafe(32)
    row = ApiKey(
        name=_clean_name(name),
        key_hash=digest(key),
        key_prefix=key[:PREFIX_LENGTH],
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    record(
        session,
        "open311_key.create",
        "open311_key",
        row.id,
        actor_id=created_by,
        name=row.name,
        prefix=row.key_prefix,
    )
    return key, row


def list_keys(session: Session) -> list[tuple[ApiKey, str | None]]:
    """Every key, newest first, with the creator's username."""
    rows = session.execute(
        sa.select(ApiKey, User.username)
        .outerjoin(User, User.id == ApiKey.created_by)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    ).all()
    return [(key, username) for key, username in rows]


def revoke_key(session: Session, key_id: int) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise ValidationFailed(_("There is no key %(id)s.", id=key_id), field="id")
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        record(session, "open311_key.revoke", "open311_key", row.id, name=row.name)
    return row


def check_key(session: Session, key: str | None) -> ApiKey:
    """The active key row for ``key``, marked as used; 403 (the spec's answer) otherwise."""
    if not key:
        raise Open311Error(403, _("api_key is required to submit a request."))
    if len(key) > MAX_KEY_LENGTH:
        raise Open311Error(403, _("api_key is not valid."))
    row = session.scalars(
        sa.select(ApiKey).where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        raise Open311Error(403, _("api_key is not valid."))
    row.last_used_at = dt.datetime.now(dt.UTC)
    return row
