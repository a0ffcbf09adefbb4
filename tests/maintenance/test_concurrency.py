"""The trigger-kept sums under concurrent writers, and after deletions (committed data, cleaned
up afterwards: these tests need transactions of their own)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

SUMS_MATCH = """
SELECT count(*) FROM (
  SELECT l.level, l.area_id, fm.month, sum(fm.records) AS records, sum(fm.faults_closed) AS closed
    FROM facility_months fm JOIN facility_facts ff USING (facility_id)
   CROSS JOIN LATERAL (VALUES ('district', ff.district_id), ('street', ff.street_id),
                              ('community', ff.community_id), ('grid', ff.grid_id),
                              ('building', ff.building_id)) AS l(level, area_id)
   WHERE l.area_id IS NOT NULL
   GROUP BY 1, 2, 3
) f
FULL JOIN (SELECT * FROM maintenance_area_months WHERE type = '' AND (records <> 0 OR faults_closed <> 0)) a
  ON a.level = f.level AND a.area_id = f.area_id AND a.month = f.month
 WHERE a.records IS DISTINCT FROM f.records OR a.faults_closed IS DISTINCT FROM f.closed
"""


@pytest.fixture
def committed_facility(engine: sa.Engine) -> Iterator[int]:
    with engine.begin() as conn:
        facility_id = conn.execute(
            sa.text(
                """
                INSERT INTO facilities (code, type, geom, install_date)
                SELECT 'CONC-1', 'bench', ST_PointOnSurface(geom), DATE '2020-01-01'
                  FROM areas WHERE level = 'grid' ORDER BY id LIMIT 1
                RETURNING id
                """
            )
        ).scalar_one()
    yield facility_id
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM facilities WHERE id = :id"), {"id": facility_id})


def test_two_writers_of_one_facility_leave_the_right_facts(
    engine: sa.Engine, committed_facility: int
) -> None:
    today = dt.date.today()
    insert = sa.text(
        "INSERT INTO maintenance_records (facility_id, kind, performed_on, result) "
        "VALUES (:f, 'inspection', :d, :r)"
    )
    first = engine.connect()
    second = engine.connect()
    try:
        t1 = first.begin()
        first.execute(
            insert, {"f": committed_facility, "d": today - dt.timedelta(days=9), "r": "ok"}
        )

        def write_second() -> None:
            # Waits for the first writer of the facility, then sees its entry.
            with second.begin():
                second.execute(insert, {"f": committed_facility, "d": today, "r": "fault"})

        thread = threading.Thread(target=write_second)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second writer should wait for the first"
        t1.commit()
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        first.close()
        second.close()
    with engine.connect() as conn:
        facts = conn.execute(
            sa.text("SELECT last_visit_on, last_result FROM facility_facts WHERE facility_id = :f"),
            {"f": committed_facility},
        ).one()
        assert facts == (today, "fault")
        records = conn.execute(
            sa.text("SELECT sum(records) FROM facility_months WHERE facility_id = :f"),
            {"f": committed_facility},
        ).scalar()
        assert records == 2
        assert conn.execute(sa.text(SUMS_MATCH)).scalar() == 0


def test_area_sums_follow_deletions(engine: sa.Engine, committed_facility: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO maintenance_records (facility_id, kind, performed_on, result) "
                "VALUES (:f, 'inspection', CURRENT_DATE - 3, 'fault'), "
                "(:f, 'repair', CURRENT_DATE - 1, 'fixed')"
            ),
            {"f": committed_facility},
        )
    with engine.begin() as conn:
        assert conn.execute(sa.text(SUMS_MATCH)).scalar() == 0
        conn.execute(sa.text("DELETE FROM facilities WHERE id = :f"), {"f": committed_facility})
        assert conn.execute(sa.text(SUMS_MATCH)).scalar() == 0
