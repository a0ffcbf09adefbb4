"""Status from the history: ok, due, overdue, out of service, days overdue; the facts the
database triggers keep, whoever writes."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.models import FacilityType, MaintenanceRecord
from gisapp.maintenance.status import status_of
from gisapp.models import Area, Report
from tests.maintenance.conftest import facts, grids


@pytest.mark.parametrize(
    ("visits", "interval", "status", "days_overdue"),
    [
        (((10, "ok"),), 180, "ok", 0),  # due in 170 days
        (((170, "ok"),), 180, "due", 0),  # due in 10 days
        (((180, "ok"),), 180, "due", 0),  # due today
        (((181, "ok"),), 180, "overdue", 1),
        (((250, "ok"),), 180, "overdue", 70),
        (((5, "fault"),), 180, "out_of_service", 0),
        (((300, "fault"),), 180, "out_of_service", 120),  # still faulty, and overdue too
        (((9, "fault"), (3, "fixed")), 180, "ok", 0),
        (((20, "ok"), (8, "fault")), 30, "out_of_service", 0),
        ((), 180, "overdue", 400 - 180),  # never inspected since installation
    ],
)
def test_status_from_the_history(
    make_facility, db_session: Session, today, visits, interval, status, days_overdue
) -> None:
    facility = make_facility(visits=visits, interval=interval)
    row = facts(db_session, facility.id)
    assert status_of(row, today) == status
    assert max(0, (today - row.next_due_on).days) == days_overdue


def test_a_new_facility_is_covered_until_its_first_inspection_is_due(
    make_facility, db_session: Session, today
) -> None:
    facility = make_facility(installed_days_ago=3, interval=30)
    row = facts(db_session, facility.id)
    assert status_of(row, today) == "ok"
    assert row.next_due_on == today + dt.timedelta(days=27)


def test_the_type_interval_applies_unless_the_facility_has_its_own(
    make_facility, db_session: Session
) -> None:
    own = make_facility(type="bench", interval=12, visits=((1, "ok"),))
    default = make_facility(type="bench", visits=((1, "ok"),))
    assert facts(db_session, own.id).interval_days == 12
    assert facts(db_session, default.id).interval_days == 180
    # A new default interval in configuration reaches the facilities that use it.
    db_session.execute(
        sa.update(FacilityType).where(FacilityType.code == "bench").values(interval_days=60)
    )
    assert facts(db_session, default.id).interval_days == 60
    assert facts(db_session, own.id).interval_days == 12


def test_an_open_report_on_the_facility_is_an_open_fault_until_resolved(
    make_facility, db_session: Session, today
) -> None:
    facility = make_facility(visits=((2, "ok"),))
    report = Report(
        category="facility_damage",
        description="座椅断了",
        geom=facility.geom,
        facility_id=facility.id,
    )
    db_session.add(report)
    db_session.flush()
    assert facts(db_session, facility.id).open_reports == 1
    assert status_of(facts(db_session, facility.id), today) == "out_of_service"
    report.status = "resolved"
    report.resolved_at = sa.func.now()
    db_session.flush()
    assert facts(db_session, facility.id).open_reports == 0
    assert status_of(facts(db_session, facility.id), today) == "ok"


def test_moving_a_facility_or_editing_a_boundary_moves_its_facts(
    make_facility, db_session: Session
) -> None:
    first, second = grids(db_session)[0], grids(db_session)[-1]
    facility = make_facility(grid=first)
    assert facts(db_session, facility.id).grid_id == first.id
    facility.geom = (
        sa.select(sa.func.ST_PointOnSurface(Area.geom))
        .where(Area.id == second.id)
        .scalar_subquery()
    )
    db_session.flush()
    assert facts(db_session, facility.id).grid_id == second.id
    assert facts(db_session, facility.id).community_id == second.parent_id


def test_deleting_a_log_entry_recomputes(make_facility, db_session: Session, today) -> None:
    facility = make_facility(visits=((200, "ok"), (5, "fault")))
    assert status_of(facts(db_session, facility.id), today) == "out_of_service"
    db_session.execute(
        sa.delete(MaintenanceRecord).where(
            MaintenanceRecord.facility_id == facility.id, MaintenanceRecord.result == "fault"
        )
    )
    assert status_of(facts(db_session, facility.id), today) == "overdue"


def test_facts_agree_with_the_history_for_every_facility(
    db_session: Session, client: FlaskClient
) -> None:
    """The trigger-kept facts equal a recomputation from the raw tables."""
    mismatches = db_session.execute(
        sa.text(
            """
            SELECT f.id FROM facilities f
              JOIN facility_types t ON t.code = f.type
              JOIN facility_facts ff ON ff.facility_id = f.id
             WHERE ff.interval_days <> coalesce(f.maintenance_interval_days, t.interval_days)
                OR ff.last_visit_on IS DISTINCT FROM
                   (SELECT max(performed_on) FROM maintenance_records m WHERE m.facility_id = f.id)
                OR ff.open_reports <> (SELECT count(*) FROM reports r WHERE r.facility_id = f.id
                                         AND r.status IN ('submitted', 'accepted', 'in_progress'))
                OR ff.community_id IS DISTINCT FROM f.community_id
                OR ff.active <> (f.status = 'active')
            """
        )
    ).all()
    assert mismatches == []
    missing = db_session.scalar(
        sa.text(
            "SELECT count(*) FROM facilities f WHERE NOT EXISTS "
            "(SELECT 1 FROM facility_facts ff WHERE ff.facility_id = f.id)"
        )
    )
    assert missing == 0
