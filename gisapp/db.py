"""The database spine: one engine per app, one session per request.

Usage::

    from gisapp.db import session
    with session() as s: ...            # outside a request (CLI), a new session per block
    get_session()                        # inside a request: the request's session

    read_session()                       # inside a request: for reads that may lag (replica)

Tests re-bind the session factory to a connection held in an outer transaction
(``join_transaction_mode="create_savepoint"``) so every test rolls back.

Read replicas (``GISAPP_READ_DATABASE_URLS``): :func:`read_session` hands public reads that may
lag a moment behind the primary (maps, layers, tiles, OGC API, dashboards) to a streaming
replica, round robin, and falls back to the primary when none is configured or reachable.
A client that has just written (any successful POST/PUT/PATCH/DELETE) gets a short-lived
cookie and reads from the primary until it expires, so it sees its own writes.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from werkzeug.routing import IntegerConverter

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


log = logging.getLogger(__name__)

# Set after a successful write; while present, this client's reads go to the primary.
PRIMARY_COOKIE = "gisapp_primary"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def make_engine(settings: Settings, url: str | None = None, *, readonly: bool = False) -> sa.Engine:
    """Create the app's engine (or, with ``url`` and ``readonly``, a replica's).

    JIT and parallel query make the small web queries 2-7x slower on a 2-core server
    (shared/reference/anchor-bench.md §E), so every connection switches them off. Statements
    are planned for their values every time: psycopg prepares a statement run five times, and
    PostgreSQL's generic plan for the bbox queries guesses badly (an items page over a whole
    city took 1.7 s prepared against 0.11 s planned for its box).
    """
    options = (
        "-c jit=off -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_custom_plan "
        f"-c statement_timeout={settings.db_statement_timeout_ms} "
        # Timestamps in JSON built by PostgreSQL then carry the local offset (+08:00).
        f"-c timezone={settings.timezone}"
    )
    if readonly:
        # A write sent to a replica by mistake fails loudly, even on a promoted replica.
        options += " -c default_transaction_read_only=on"
    return sa.create_engine(
        url or settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        pool_pre_ping=True,  # a restarted PostgreSQL must not cost the next request a 500
        pool_recycle=1800,
        connect_args={
            "options": options,
            # A replica that does not answer soon is skipped for the primary.
            "connect_timeout": 2 if readonly else 5,
            "application_name": "gisapp-read" if readonly else "gisapp",
        },
    )


@dataclass
class Replica:
    engine: sa.Engine
    down_until: float = 0.0  # time.monotonic() before which it is not tried again


@dataclass
class Database:
    engine: sa.Engine
    replicas: list[Replica] = field(default_factory=list)
    retry_seconds: float = 30.0
    factory: sessionmaker[Session] = field(init=False)
    read_factory: sessionmaker[Session] = field(init=False)
    _turn: itertools.count[int] = field(init=False, default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.read_factory = sessionmaker(expire_on_commit=False)

    def replica_connection(self) -> sa.Connection | None:
        """A connection to the next reachable replica (round robin), or None for the primary.

        Connecting up front, rather than on the first query, lets an unreachable replica be
        skipped before anything was read from it; it is left alone for ``retry_seconds``.
        """
        n = len(self.replicas)
        start = next(self._turn)
        for i in range(n):
            replica = self.replicas[(start + i) % n]
            if replica.down_until > time.monotonic():
                continue
            try:
                return replica.engine.connect()
            except sa.exc.DBAPIError as exc:
                replica.down_until = time.monotonic() + self.retry_seconds
                log.warning(
                    "read replica %s unreachable, skipped for %.0f s: %s",
                    replica.engine.url.render_as_string(hide_password=True),
                    self.retry_seconds,
                    str(exc.orig).strip().splitlines()[0] if exc.orig else exc,
                )
        return None

    def dispose(self) -> None:
        self.engine.dispose()
        for replica in self.replicas:
            replica.engine.dispose()


# Row ids are PostgreSQL ``integer`` (int4). A larger number in a URL can name no row, and
# binding it makes PostgreSQL refuse the whole query ("integer out of range", a 500), so the
# ``<int:...>`` routes simply do not match it: a 404 like any other missing id.
INT4_MAX = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:...>`` limited to the int4 range of our primary keys."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT4_MAX)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask, settings: Settings) -> Database:
    # Before any blueprint adds its rules: converters are bound when a rule is added.
    app.url_map.converters["int"] = RowIdConverter
    db = Database(
        make_engine(settings),
        replicas=[
            Replica(make_engine(settings, url, readonly=True))
            for url in settings.read_sqlalchemy_urls
        ],
        retry_seconds=settings.replica_retry_seconds,
    )
    app.extensions["gisapp.db"] = db
    app.teardown_appcontext(_close_session)
    if db.replicas:
        ttl = settings.read_your_writes_seconds

        @app.after_request
        def _remember_write(response: Response) -> Response:
            if request.method in WRITE_METHODS and response.status_code < 400 and ttl:
                response.set_cookie(PRIMARY_COOKIE, "1", max_age=ttl, httponly=True, samesite="Lax")
            return response

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


def read_session() -> Session:
    """The request's session for reads that may lag a moment behind the primary.

    A replica's when ``GISAPP_READ_DATABASE_URLS`` names one that answers; the primary's
    (:func:`get_session`) for writes, for a client that wrote in the last
    ``GISAPP_READ_YOUR_WRITES_SECONDS`` and when no replica is configured or reachable.
    Use it only for public reads whose staleness does no harm (maps, layers, tiles, OGC API,
    dashboards), never to read something and then write based on it.
    """
    if "db_read_session" in g:
        s: Session = g.db_read_session
        return s
    db = get_db()
    connection = None
    if db.replicas and not _wants_primary():
        connection = db.replica_connection()
    if connection is None:
        s = get_session()
    else:
        g.db_read_connection = connection
        s = db.read_factory(bind=connection)
    g.db_read_session = s
    return s


def _wants_primary() -> bool:
    if not has_request_context():
        return False
    return request.method in WRITE_METHODS or PRIMARY_COOKIE in request.cookies


def _close_session(_exc: BaseException | None) -> None:
    read: Session | None = g.pop("db_read_session", None)
    s: Session | None = g.pop("db_session", None)
    if s is not None:
        s.close()
    if read is not None and read is not s:
        read.close()
    connection: sa.Connection | None = g.pop("db_read_connection", None)
    if connection is not None:
        connection.close()


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
