"""The facility registry: adding facilities and changing their registry fields (managers).

Usage::

    facility = create_facility(session, parse_new_facility(fields, today=today))
    update_facility(session, facility, parse_facility_changes(fields, today=today), actor, today)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.errors import Conflict, ValidationFailed
from gisapp.maintenance.intake import NewFacility
from gisapp.maintenance.models import Facility, FacilityType, MaintenanceRecord
from gisapp.maintenance.stewards import release_all
from gisapp.reports.actors import Actor
from gisapp.reports.intake import check_location


def check_type(session: Session, code: str) -> FacilityType:
    found = session.get(FacilityType, code)
    if found is None:
        raise ValidationFailed(_("unknown facility type %(code)s", code=code[:40]), field="type")
    return found


def _free_code(session: Session, wanted: str | None, facility_id: int) -> str:
    if wanted is not None:
        if session.scalar(sa.select(Facility.id).where(Facility.code == wanted)):
            raise Conflict(_("facility code %(code)s is taken", code=wanted), field="code")
        return wanted
    code = f"F-{facility_id:04d}"
    suffix = 1
    while session.scalar(sa.select(Facility.id).where(Facility.code == code)):
        code = f"F-{facility_id:04d}-{suffix}"
        suffix += 1
    return code


def create_facility(session: Session, new: NewFacility) -> Facility:
    check_type(session, new.type)
    check_location(session, new.lon, new.lat)
    facility_id = int(session.scalar(sa.select(sa.func.nextval("facilities_id_seq"))) or 0)
    facility = Facility(
        id=facility_id,
        code=_free_code(session, new.code, facility_id),
        type=new.type,
        geom=sa.func.ST_SetSRID(sa.func.ST_MakePoint(new.lon, new.lat), 4326),
        install_date=new.install_date,
        responsible_party=new.responsible_party,
        condition=new.condition,
        maintenance_interval_days=new.maintenance_interval_days,
        status="active",
    )
    session.add(facility)
    session.flush()
    session.refresh(facility)
    return facility


def update_facility(
    session: Session, facility: Facility, changes: dict[str, Any], actor: Actor, today: dt.date
) -> Facility:
    install = changes.get("install_date", facility.install_date)
    if "install_date" in changes and install is not None:
        first = session.scalar(
            sa.select(sa.func.min(MaintenanceRecord.performed_on)).where(
                MaintenanceRecord.facility_id == facility.id
            )
        )
        if first is not None and first < install:
            raise ValidationFailed(
                _(
                    "the log has an entry on %(day)s, before this installation date",
                    day=first.isoformat(),
                ),
                field="install_date",
            )
    status = changes.get("status", facility.status)
    if status == "removed":
        removed_on = changes.get("removed_on") or facility.removed_on or today
        if install is not None and removed_on < install:
            raise ValidationFailed(
                _("removed_on is before the installation date"), field="removed_on"
            )
        changes["removed_on"] = removed_on
        release_all(session, facility, actor)
    elif "status" in changes:
        changes["removed_on"] = None
    for key, value in changes.items():
        setattr(facility, key, value)
    session.flush()
    return facility
