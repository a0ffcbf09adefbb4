"""One facility as the public sees it: registry fields, status, log, photos, open reports.

Volunteers' names are shown to staff only; the public sees "volunteer". Residents' contact
details and reporters are never part of it.

Usage::

    data = facility_json(session, facility, today, staff=False)
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.geo.queries import areas_json
from gisapp.maintenance.logbook import steward_of
from gisapp.maintenance.models import (
    Facility,
    FacilityFacts,
    FacilityPhoto,
    FacilityType,
    MaintenanceRecord,
)
from gisapp.maintenance.status import days_overdue_of, status_of
from gisapp.reports.models import OPEN_STATUSES, Report


def facts_of(session: Session, facility_id: int) -> FacilityFacts:
    facts = session.get(FacilityFacts, facility_id, populate_existing=True)
    assert facts is not None, "facility_facts is kept by a trigger for every facility"
    return facts


def recent_log(session: Session, facility_id: int, limit: int = 20) -> list[MaintenanceRecord]:
    return list(
        session.scalars(
            sa.select(MaintenanceRecord)
            .where(MaintenanceRecord.facility_id == facility_id)
            .order_by(MaintenanceRecord.performed_on.desc(), MaintenanceRecord.id.desc())
            .limit(limit)
        )
    )


def photos_of(session: Session, facility_id: int, limit: int = 12) -> list[FacilityPhoto]:
    return list(
        session.scalars(
            sa.select(FacilityPhoto)
            .where(FacilityPhoto.facility_id == facility_id)
            .order_by(FacilityPhoto.id.desc())
            .limit(limit)
        )
    )


def open_reports(session: Session, facility_id: int) -> list[Report]:
    return list(
        session.scalars(
            sa.select(Report)
            .where(Report.facility_id == facility_id, Report.status.in_(OPEN_STATUSES))
            .order_by(Report.created_at.desc())
        )
    )


def record_json(record: MaintenanceRecord, *, staff: bool) -> dict[str, Any]:
    by = record.performed_by if staff or not record.volunteer else None
    return {
        "id": record.id,
        "kind": record.kind,
        "date": record.performed_on.isoformat(),
        "result": record.result,
        "volunteer": record.volunteer,
        "performed_by": by,
        "minutes": record.minutes,
        "notes": record.notes,
    }


def facility_json(
    session: Session, facility: Facility, today: dt.date, *, staff: bool
) -> dict[str, Any]:
    facts = facts_of(session, facility.id)
    ftype = session.get(FacilityType, facility.type)
    geometry = session.scalar(
        sa.select(sa.func.ST_AsGeoJSON(Facility.geom, 6)).where(Facility.id == facility.id)
    )
    steward = steward_of(session, facility.id)
    props: dict[str, Any] = {
        "code": facility.code,
        "type": facility.type,
        "type_name_zh": ftype.name_zh if ftype else facility.type,
        "type_name_en": ftype.name_en if ftype else facility.type,
        "condition": facility.condition,
        "responsible_party": facility.responsible_party,
        "install_date": facility.install_date.isoformat() if facility.install_date else None,
        "interval_days": facts.interval_days,
        "status": status_of(facts, today),
        "days_overdue": days_overdue_of(facts, today),
        "last_visit_on": facts.last_visit_on.isoformat() if facts.last_visit_on else None,
        "next_due_on": facts.next_due_on.isoformat(),
        "removed_on": facility.removed_on.isoformat() if facility.removed_on else None,
        "adopted": steward is not None,
        "open_reports": [
            {"id": r.id, "status": r.status, "created_at": r.created_at.isoformat()}
            for r in open_reports(session, facility.id)
        ],
        "areas": areas_json(session, facility),
        "log": [record_json(r, staff=staff) for r in recent_log(session, facility.id)],
        "photos": [
            f"/api/v1/facilities/{facility.id}/photos/{p.id}"
            for p in photos_of(session, facility.id)
        ],
        "url": f"/facilities/{facility.id}",
        "label_url": f"/f/{facility.code}",
    }
    return {
        "type": "Feature",
        "id": facility.id,
        "geometry": json.loads(geometry or "null"),
        "properties": props,
    }
