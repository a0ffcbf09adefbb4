"""Read-side queries for reports: public location, nearby twins, timeline, grid-worker queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy.orm import Session

from gisapp.reports.actors import Actor
from gisapp.reports.models import OPEN_STATUSES, Category, Report, ReportEvent, ReportPhoto


def public_geom(geom: Any, category: Any, rounding_m: float) -> sa.ColumnElement[Any]:
    """The location the public sees: snapped to a grid of ``rounding_m`` (Web Mercator metres,
    ~15% finer than ground metres at Wuhan's latitude) for sensitive categories."""
    sensitive = sa.select(Category.code).where(Category.sensitive.is_(True)).scalar_subquery()
    snapped = sa.func.ST_Transform(
        sa.func.ST_SnapToGrid(sa.func.ST_Transform(geom, 3857), rounding_m), 4326
    )
    return sa.case((category.in_(sensitive), snapped), else_=geom)


def public_bbox_filter(
    geom: Any, category: Any, rounding_m: float, bbox: tuple[float, float, float, float]
) -> sa.ColumnElement[bool]:
    """Rows whose *public* location lies in ``bbox``. Testing the stored point would let a tiny
    bbox reveal where a sensitive report really is; the index still prefilters on the stored
    point, widened by the snap distance (a Web Mercator metre is at most ~9e-6 degrees)."""
    envelope = sa.func.ST_MakeEnvelope(*bbox, 4326)
    wide = sa.func.ST_Expand(envelope, rounding_m * 1e-5)
    public = public_geom(geom, category, rounding_m)
    return sa.and_(geom.op("&&")(wide), sa.func.ST_Intersects(public, envelope))


def nearby_twins(
    session: Session,
    category: str,
    lon: float,
    lat: float,
    radius_m: float,
    limit: int = 5,
    *,
    rounding_m: float | None = None,
) -> list[dict[str, Any]]:
    """Open reports of the same category within ``radius_m`` metres (geography distance).

    With ``rounding_m``, sensitive reports are measured from their public (rounded) location:
    a distance to the stored point, to 0.1 m, would let three queries pin it down."""
    point = sa.func.ST_SetSRID(sa.func.ST_MakePoint(lon, lat), 4326)
    here = sa.cast(point, Geography(srid=4326))
    there = sa.cast(Report.geom, Geography(srid=4326))
    near: sa.ColumnElement[bool] = sa.func.ST_DWithin(there, here, radius_m)
    if rounding_m is not None:
        public = sa.cast(
            public_geom(Report.geom, Report.category, rounding_m), Geography(srid=4326)
        )
        # The stored point is within rounding_m (times sqrt 2, Mercator metres >= ground
        # metres) of the public one: a wider index probe, then the exact public test.
        near = sa.and_(
            sa.func.ST_DWithin(there, here, radius_m + 1.5 * rounding_m),
            sa.func.ST_DWithin(public, here, radius_m),
        )
        there = public
    distance = sa.func.ST_Distance(there, here)
    rows = session.execute(
        sa.select(
            Report.id,
            Report.description,
            Report.status,
            Report.support_count,
            Report.created_at,
            distance.label("distance_m"),
        )
        .where(
            Report.category == category,
            Report.status.in_(OPEN_STATUSES),
            Report.moderation == "visible",
            near,
        )
        .order_by(distance)
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "description": r.description,
            "status": r.status,
            "support_count": r.support_count,
            "created_at": r.created_at.isoformat(),
            "distance_m": round(float(r.distance_m), 1),
        }
        for r in rows
    ]


def timeline(session: Session, report_id: int, *, hidden: bool = False) -> list[ReportEvent]:
    """The public events; ``hidden`` adds those moderators hid (for moderators' eyes)."""
    where = [ReportEvent.report_id == report_id, ReportEvent.public.is_(True)]
    if not hidden:
        where.append(ReportEvent.hidden_reason.is_(None))
    return list(
        session.scalars(
            sa.select(ReportEvent).where(*where).order_by(ReportEvent.created_at, ReportEvent.id)
        )
    )


def event_json(event: ReportEvent) -> dict[str, Any]:
    """A public timeline entry: what happened and the actor's role, never who."""
    return {
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "by_role": event.actor_role,
        "related_report_id": event.related_report_id,
        "at": event.created_at.isoformat(),
    }


def photos_of(session: Session, report_id: int, *, hidden: bool = False) -> list[ReportPhoto]:
    where = [ReportPhoto.report_id == report_id]
    if not hidden:
        where.append(ReportPhoto.hidden_reason.is_(None))
    return list(session.scalars(sa.select(ReportPhoto).where(*where).order_by(ReportPhoto.id)))


@dataclass(frozen=True)
class QueueFilter:
    status: tuple[str, ...] = OPEN_STATUSES
    category: str | None = None
    min_age_days: int | None = None
    min_supports: int | None = None
    overdue_only: bool = False
    limit: int = 200


def _scope(actor: Actor) -> sa.ColumnElement[bool]:
    if actor.role == "admin":
        return sa.true()
    ids = list(actor.area_ids) or [-1]
    return sa.or_(
        Report.district_id.in_(ids),
        Report.street_id.in_(ids),
        Report.community_id.in_(ids),
        Report.grid_id.in_(ids),
    )


def queue(session: Session, actor: Actor, flt: QueueFilter) -> list[Report]:
    now = dt.datetime.now(dt.UTC)
    where: list[sa.ColumnElement[bool]] = [_scope(actor), Report.status.in_(flt.status)]
    if flt.category:
        where.append(Report.category == flt.category)
    if flt.min_age_days is not None:
        where.append(Report.created_at <= now - dt.timedelta(days=flt.min_age_days))
    if flt.min_supports is not None:
        where.append(Report.support_count >= flt.min_supports)
    if flt.overdue_only:
        where.append(Report.due_at < now)
    return list(
        session.scalars(
            sa.select(Report)
            .where(*where)
            .order_by(Report.due_at.asc().nulls_last(), Report.support_count.desc())
            .limit(flt.limit)
        )
    )


def time_limit_stats(session: Session, actor: Actor) -> dict[str, Any]:
    """The 12345 office figures for the actor's areas: on-time closure rate and overdue cases."""
    now = dt.datetime.now(dt.UTC)
    done = Report.status.in_(("resolved", "closed"))
    on_time = sa.and_(done, Report.resolved_at.is_not(None), Report.resolved_at <= Report.due_at)
    row = session.execute(
        sa.select(
            sa.func.count().filter(done).label("closed"),
            sa.func.count().filter(on_time).label("on_time"),
            sa.func.count().filter(Report.status.in_(OPEN_STATUSES)).label("open"),
            sa.func.count()
            .filter(Report.status.in_(OPEN_STATUSES), Report.due_at < now)
            .label("overdue"),
        ).where(_scope(actor))
    ).one()
    rate = round(row.on_time / row.closed, 3) if row.closed else None
    return {
        "closed": row.closed,
        "closed_on_time": row.on_time,
        "on_time_rate": rate,
        "open": row.open,
        "overdue": row.overdue,
    }
