"""Run a write once per ``Idempotency-Key``: a retried submission gets the first answer.

The key is stored in the same transaction as the work, so a crash cannot leave one without
the other. Used by the API and by the page forms (which carry a key in a hidden field, so a
double tap on a phone files one entry, not two).

Usage::

    status, body = run_once(session, "maintenance", key, request_hash, work, cleanup)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from gisapp.idempotency import remember, replay


def run_once(
    session: Session,
    scope: str,
    key: str | None,
    request_hash: str,
    work: Callable[[], tuple[int, dict[str, Any]]],
    cleanup: Callable[[], None] = lambda: None,
) -> tuple[int, dict[str, Any]]:
    """``work`` writes (without committing) and returns (status, body); this commits.

    ``cleanup`` undoes what the work did outside the database (photos on disk) when the
    transaction does not commit.
    """
    if key and (previous := replay(session, scope, key, request_hash)):
        return previous
    try:
        status, body = work()
        if key and not remember(session, scope, key, request_hash, status, body):
            # A concurrent retry with the same key won the race: answer with its result.
            session.rollback()
            cleanup()
            stored = replay(session, scope, key, request_hash)
            assert stored is not None
            return stored
        session.commit()
    except BaseException:
        session.rollback()
        cleanup()
        raise
    return status, body
