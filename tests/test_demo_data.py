"""gisapp demo-data: a synthetic province whose precomputed area links are right."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.dataio.demo import Plan, generate


def test_demo_data_links_agree_with_the_geometry(db_session: Session) -> None:
    db_session.execute(sa.text("TRUNCATE areas, reports, facilities, projects CASCADE"))
    counts = generate(db_session, Plan(communities=23, reports=2000, facilities=300, seed=7))
    assert counts["reports"] == 2000
    wrong = db_session.execute(
        sa.text("""
        SELECT count(*) FROM reports r
        JOIN areas g ON g.id = r.grid_id JOIN areas c ON c.id = r.community_id
        WHERE NOT ST_Intersects(g.geom, r.geom) OR g.parent_id <> c.id
           OR r.street_id <> c.parent_id
    """)
    ).scalar()
    assert wrong == 0
    unlinked = db_session.execute(
        sa.text("SELECT count(*) FROM facilities WHERE grid_id IS NULL OR district_id IS NULL")
    ).scalar()
    assert unlinked == 0
    # The triggers are back on: a new report gets its links the usual way.
    rid = db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, geom) SELECT 'waste', 'x', "
            "ST_PointOnSurface(geom) FROM areas WHERE level = 'grid' LIMIT 1 RETURNING id"
        )
    ).scalar()
    assert (
        db_session.execute(
            sa.text("SELECT grid_id FROM reports WHERE id = :i"), {"i": rid}
        ).scalar()
        is not None
    )


def test_demo_data_refuses_a_database_with_areas(db_session: Session) -> None:
    with pytest.raises(ValueError, match="empty database"):
        generate(db_session, Plan(communities=2, reports=1, facilities=1))
