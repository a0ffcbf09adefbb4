"""Idempotency keys: a retried POST with the same ``Idempotency-Key`` gets the first answer.

The key row is written in the same transaction as the work it guards, so a crash between the
two cannot leave a report without its key (or a key without its report).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from gisapp.db import Base, affected
from gisapp.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int] = mapped_column()
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


def check_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise ValidationFailed("Idempotency-Key must be 1-200 printable characters", field=HEADER)
    return key


def fingerprint(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def replay(
    session: Session, scope: str, key: str, request_hash: str
) -> tuple[int, dict[str, Any]] | None:
    """The stored answer for this key, or None; a different request under the key is a 409."""
    row = session.get(IdempotencyKey, (scope, key))
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise Conflict("this Idempotency-Key was used for a different request", field=HEADER)
    return row.status, row.response


def remember(
    session: Session, scope: str, key: str, request_hash: str, status: int, response: dict[str, Any]
) -> bool:
    """Store the answer; False when a concurrent request with the same key got there first."""
    stmt = (
        insert(IdempotencyKey)
        .values(scope=scope, key=key, request_hash=request_hash, status=status, response=response)
        .on_conflict_do_nothing()
    )
    return affected(session, stmt) > 0
