"""Whether the test database has pgRouting (scripts/test creates it; a helper's or an external
database may not, and then the walking-distance tests skip while the rest still run)."""

from __future__ import annotations

import sqlalchemy as sa


def pgrouting_in(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'pgrouting'"))
        )
