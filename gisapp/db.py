"""The database spine: one engine per app, one session per request.

Usage::

    from gisapp.db import session
    with session() as s: ...            # outside a request (CLI), a new session per block
    get_session()                        # inside a request: the request's session

Tests re-bind the session factory to a connection held in an outer transaction
(``join_transaction_mode="create_savepoint"``) so every test rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

if TYPE_CHECKING:
    from gisapp.settings import Settings

# Naming convention so Alembic migrations name constraints the same way on every machine.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


def make_engine(settings: Settings) -> sa.Engine:
    """Create the app's engine.

    JIT and parallel query make the small web queries 2-7x slower on a 2-core server
    (shared/reference/anchor-bench.md §E), so every connection switches them off.
    """
    options = (
        "-c jit=off -c max_parallel_workers_per_gather=0 "
        f"-c statement_timeout={settings.db_statement_timeout_ms} "
        # Timestamps in JSON built by PostgreSQL then carry the local offset (+08:00).
        f"-c timezone={settings.timezone}"
    )
    return sa.create_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        pool_pre_ping=True,  # a restarted PostgreSQL must not cost the next request a 500
        pool_recycle=1800,
        connect_args={"options": options, "connect_timeout": 5, "application_name": "gisapp"},
    )


@dataclass
class Database:
    engine: sa.Engine
    factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)


def init_app(app: Flask, settings: Settings) -> Database:
    db = Database(make_engine(settings))
    app.extensions["gisapp.db"] = db
    app.teardown_appcontext(_close_session)
    return db


def get_db(app: Flask | None = None) -> Database:
    db: Database = (app or current_app).extensions["gisapp.db"]
    return db


def get_session() -> Session:
    """The session of the current request (or app context), created on first use."""
    if "db_session" not in g:
        g.db_session = get_db().factory()
    s: Session = g.db_session
    return s


def _close_session(_exc: BaseException | None) -> None:
    s: Session | None = g.pop("db_session", None)
    if s is not None:
        s.close()


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """A session that commits at the end of the block or rolls back on error (CLI, jobs)."""
    s = get_db(app).factory()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def affected(session: Session, statement: sa.Executable) -> int:
    """Run an INSERT/UPDATE/DELETE on the session's connection; return the rows it touched.

    Through ``Session.execute`` an ORM-enabled INSERT answers without a row count, and
    ``ON CONFLICT DO NOTHING`` is only useful with one.
    """
    session.flush()
    result: sa.CursorResult[Any] = session.connection().execute(
        statement, execution_options={"preserve_rowcount": True}
    )
    return int(result.rowcount)
