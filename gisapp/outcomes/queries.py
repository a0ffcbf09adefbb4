"""The outcome figures, per area of a level, per month and for the whole scope.

Nothing here joins geometries or scans reports: report figures come from the facts the
triggers keep (``outcome_area_months``: one row per area and month, districts to grids),
projects and pledges are grouped by the projects' stored area links (a few thousand rows even
for a province).

Usage::

    scope = Scope(area=None)                        # or Scope(area=<an Area>)
    rows = by_area(session, "community", scope, period, tz="Asia/Shanghai")
    series = by_month(session, scope, period, tz=...)
    total = totals(session, scope, period, tz=...)

Each figure set: ``received``, ``resolved``, ``median_days_to_resolve`` (the median whole days
of the reports resolved in the period, read from a histogram: exact up to a week, estimated
inside the wider buckets beyond), ``mean_days_to_resolve``, ``ratings`` and
``satisfaction`` (mean 1-5 of residents' ratings of fixes given in the period),
``projects_completed``, ``project_ratings`` and ``project_satisfaction`` (ratings of those
projects), ``money_yuan``, ``labour_hours`` and ``volunteers`` (residents' pledges made in the
period, withdrawn ones left out).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from gisapp.geo.models import Area
from gisapp.outcomes.models import DAY_BUCKETS, FACTS_WITH_CHANGES
from gisapp.outcomes.period import PAGE_LEVELS, Period
from gisapp.planning.models import Project
from gisapp.planning.participation import Pledge, ProjectRating

FACTS = FACTS_WITH_CHANGES
PROJECTS = Project.__table__
PLEDGES = Pledge.__table__
RATINGS = ProjectRating.__table__

FIGURES = (
    "received",
    "resolved",
    "median_days_to_resolve",
    "mean_days_to_resolve",
    "ratings",
    "satisfaction",
    "projects_completed",
    "project_ratings",
    "project_satisfaction",
    "money_yuan",
    "labour_hours",
    "volunteers",
)


@dataclass(frozen=True)
class Scope:
    """The areas counted: inside ``area`` (any level of the dashboard), or all of them."""

    area: Area | None = None

    @property
    def level(self) -> str:
        # Without an area the scope is every district together.
        return self.area.level if self.area is not None else "district"


def empty() -> dict[str, Any]:
    return {
        "received": 0,
        "resolved": 0,
        "median_days_to_resolve": None,
        "mean_days_to_resolve": None,
        "ratings": 0,
        "satisfaction": None,
        "projects_completed": 0,
        "project_ratings": 0,
        "project_satisfaction": None,
        "money_yuan": 0.0,
        "labour_hours": 0.0,
        "volunteers": 0,
    }


def areas_in(level: str, scope: Scope) -> Any:
    """Areas of ``level`` inside the scope (a walk down the parent links, never geometry)."""
    stmt: Any = sa.select(
        Area.id, Area.code, Area.name_zh, Area.name_en, Area.parent_id, Area.population
    ).where(Area.level == level)
    if scope.area is None:
        return stmt
    tree = sa.select(Area.id, Area.level).where(Area.parent_id == scope.area.id).cte(recursive=True)
    tree = tree.union_all(
        sa.select(Area.id, Area.level)
        .join(tree, Area.parent_id == tree.c.id)
        .where(tree.c.level != level)
    )
    return stmt.where(Area.id.in_(sa.select(tree.c.id).where(tree.c.level == level)))


# ----------------------------------------------------------------------------- report facts
RAW = ("received", "resolved", "resolve_days", "ratings", "rating_sum")


def _report_raw(
    session: Session, group: str, level: str, ids: Any, period: Period
) -> dict[Hashable, list[float]]:
    """Sums per area of ``level`` (``group="area"``) or per month (``"month"``) over the areas of
    ``level`` in ``ids`` (all when None): the :data:`RAW` columns, then the histogram (additive,
    so months and areas can be summed further in Python).

    The facts have rows for every level but buildings (migration 0015), so a district's year
    is twelve rows whatever the number of its communities."""
    f = FACTS
    source: Any = f
    area_key: Any = f.c.area_id
    fact_level = level
    key = area_key if group == "area" else f.c.month
    where = [f.c.level == fact_level, f.c.month >= period.first, f.c.month <= period.last]
    if ids is not None:
        where.append(area_key.in_(ids))
    stmt = (
        sa.select(
            key.label("k"),
            *(sa.func.sum(f.c[name]) for name in RAW),
            *(sa.func.sum(f.c[name]) for name, _first, _last in DAY_BUCKETS),
        )
        .select_from(source)
        .where(*where)
        .group_by(key)
    )
    return {k: [float(v or 0) for v in values] for k, *values in session.execute(stmt)}


def _report_figures(raw: list[float]) -> dict[str, Any]:
    received, resolved, days, ratings, rating_sum = raw[: len(RAW)]
    return {
        "received": int(received),
        "resolved": int(resolved),
        "median_days_to_resolve": median_days([int(n) for n in raw[len(RAW) :]]),
        "mean_days_to_resolve": round(days / resolved, 1) if resolved else None,
        "ratings": int(ratings),
        "satisfaction": round(rating_sum / ratings, 2) if ratings else None,
    }


def _report_sums(
    session: Session, group: str, level: str, ids: Any, period: Period
) -> dict[Hashable, dict[str, Any]]:
    raw = _report_raw(session, group, level, ids, period)
    return {k: _report_figures(v) for k, v in raw.items()}


def median_days(counts: list[int]) -> float | None:
    """The median of the values counted in the :data:`DAY_BUCKETS` histogram: the mean of the
    two middle values (the same one when the count is odd). Exact in the one-day buckets;
    inside a wider bucket its values are taken as evenly spread over its days."""
    n = sum(counts)
    if n == 0:
        return None

    def value(k: int) -> float:
        seen = 0
        for (_name, first, last), f in zip(DAY_BUCKETS, counts, strict=True):
            if f and seen + f >= k:
                return float(first) + (k - seen - 0.5) / f * (last - first)
            seen += f
        raise AssertionError("k is within the counts")  # pragma: no cover

    return round((value((n + 1) // 2) + value(n // 2 + 1)) / 2, 1)


# ----------------------------------------------------------------------------- projects
def month_bounds(period: Period, tz: str) -> list[dt.datetime]:
    """The instants the period's local months begin, and the instant after its last month."""
    zone = zoneinfo.ZoneInfo(tz)
    return [dt.datetime.combine(m, dt.time(), zone) for m in [*period.months, period.end]]


def _project_scope(scope: Scope) -> list[Any]:
    if scope.area is None:
        return []
    return [PROJECTS.c[f"{scope.area.level}_id"] == scope.area.id]


def _completed(period: Period) -> list[Any]:
    p = PROJECTS
    return [p.c.completed_on >= period.first, p.c.completed_on < period.end]


def _project_sums(
    session: Session, key: Any, scope: Scope, period: Period, tz: str
) -> dict[Hashable, dict[str, Any]]:
    """Projects completed (and their ratings) and pledges made in the period, by ``key`` — a
    projects column (an area link) or ``None`` (one total), or ``"month"``."""
    p, g, r = PROJECTS, PLEDGES, RATINGS
    by_month = isinstance(key, str)
    done_key = sa.cast(sa.func.date_trunc("month", p.c.completed_on), sa.Date) if by_month else key
    out: dict[Hashable, dict[str, Any]] = {}

    def slot(k: Hashable) -> dict[str, Any]:
        return out.setdefault(k, {})

    cols = [done_key.label("k")] if done_key is not None else [sa.null().label("k")]
    stmt: Any = sa.select(*cols, sa.func.count()).where(*_completed(period), *_project_scope(scope))
    if done_key is not None:
        stmt = stmt.group_by(done_key)
    for k, n in session.execute(stmt):
        slot(k)["projects_completed"] = int(n)

    # Ratings of the projects completed in the period (given whenever), by where and when the
    # project was completed.
    stmt = (
        sa.select(*cols, sa.func.count(), sa.func.sum(r.c.score))
        .select_from(r.join(p, p.c.id == r.c.project_id))
        .where(*_completed(period), *_project_scope(scope))
    )
    if done_key is not None:
        stmt = stmt.group_by(done_key)
    for k, n, total in session.execute(stmt):
        if n:
            slot(k)["project_ratings"] = int(n)
            slot(k)["project_score"] = int(total)
            slot(k)["project_satisfaction"] = round(float(total) / int(n), 2)

    # Local month boundaries as instants, computed here: comparing timestamps is much cheaper
    # than converting every pledge's time to local time in SQL.
    bounds = month_bounds(period, tz)
    pledge_key = (
        sa.func.width_bucket(
            g.c.created_at,
            sa.bindparam("bounds", bounds, type_=postgresql.ARRAY(sa.DateTime(timezone=True))),
        )
        if by_month
        else key
    )
    pcols = [pledge_key.label("k")] if pledge_key is not None else [sa.null().label("k")]
    stmt = (
        sa.select(
            *pcols,
            sa.func.coalesce(sa.func.sum(g.c.amount_yuan).filter(g.c.kind == "money"), 0),
            sa.func.coalesce(sa.func.sum(g.c.hours).filter(g.c.kind == "labour"), 0),
            sa.func.count().filter(g.c.kind == "volunteer"),
        )
        .select_from(g.join(p, p.c.id == g.c.project_id))
        .where(
            g.c.withdrawn_at.is_(None),
            g.c.created_at >= bounds[0],
            g.c.created_at < bounds[-1],
            *_project_scope(scope),
        )
    )
    if pledge_key is not None:
        stmt = stmt.group_by(pledge_key)
    for k, money, hours, volunteers in session.execute(stmt):
        if by_month:
            k = period.months[k - 1]  # width_bucket counts from 1
        slot(k).update(
            money_yuan=float(money), labour_hours=float(hours), volunteers=int(volunteers)
        )
    return out


# ----------------------------------------------------------------------------- public
def by_area(
    session: Session, level: str, scope: Scope, period: Period, *, tz: str, locale: str = "zh_Hans"
) -> list[dict[str, Any]]:
    """One row per area of ``level`` in the scope (by code), every figure present."""
    if level not in PAGE_LEVELS:
        raise ValueError(level)
    areas = session.execute(areas_in(level, scope).order_by(Area.code)).all()
    # A whole level reads one range of the facts' key; a scope, its own areas' rows.
    ids = None if scope.area is None else areas_in(level, scope).with_only_columns(Area.id)
    sums = _report_sums(session, "area", level, ids, period)
    projects = _project_sums(session, PROJECTS.c[f"{level}_id"], scope, period, tz)
    rows = []
    for a in areas:
        row: dict[str, Any] = {
            "id": a.id,
            "code": a.code,
            "name": a.name_en if locale == "en" else a.name_zh,
            "name_zh": a.name_zh,
            "name_en": a.name_en,
            "parent_id": a.parent_id,
            "population": a.population,
            **empty(),
        }
        row.update(sums.get(a.id, {}))
        row.update({k: v for k, v in projects.get(a.id, {}).items() if k != "project_score"})
        rows.append(row)
    return rows


def _scope_ids(scope: Scope) -> Any:
    return None if scope.area is None else sa.select(sa.literal(scope.area.id))


def series_and_total(
    session: Session, scope: Scope, period: Period, *, tz: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per month of the period (oldest first) for the whole scope, and the scope's
    figures over the whole period (summed from the months: the facts are additive)."""
    raw = _report_raw(session, "month", scope.level, _scope_ids(scope), period)
    projects = _project_sums(session, "month", scope, period, tz)
    rows = []
    width = len(RAW) + len(DAY_BUCKETS)
    whole = [0.0] * width
    whole_projects: dict[str, float] = {}
    for month, label in zip(period.months, period.labels, strict=True):
        row: dict[str, Any] = {"month": label, **empty()}
        if month in raw:
            row.update(_report_figures(raw[month]))
            whole = [a + b for a, b in zip(whole, raw[month], strict=True)]
        extra = projects.get(month, {})
        for name, value in extra.items():
            if name != "project_satisfaction":
                whole_projects[name] = whole_projects.get(name, 0) + value
        row.update({k: v for k, v in extra.items() if k != "project_score"})
        rows.append(row)
    total = {**empty(), **_report_figures(whole)}
    for name in ("projects_completed", "project_ratings", "volunteers"):
        total[name] = int(whole_projects.get(name, 0))
    for name in ("money_yuan", "labour_hours"):
        total[name] = float(whole_projects.get(name, 0.0))
    if total["project_ratings"]:
        total["project_satisfaction"] = round(
            whole_projects["project_score"] / total["project_ratings"], 2
        )
    return rows, total


def by_month(session: Session, scope: Scope, period: Period, *, tz: str) -> list[dict[str, Any]]:
    """One row per month of the period (oldest first) for the whole scope."""
    return series_and_total(session, scope, period, tz=tz)[0]


def totals(session: Session, scope: Scope, period: Period, *, tz: str) -> dict[str, Any]:
    """The figures of the whole scope over the whole period."""
    return series_and_total(session, scope, period, tz=tz)[1]


def completed_projects(
    session: Session, scope: Scope, period: Period, *, tz: str, locale: str, limit: int = 60
) -> list[dict[str, Any]]:
    """Projects completed in the period inside the scope, latest first, with their residents'
    contributions, ratings and before/after photo URLs (never who pledged, rated or uploaded)."""
    from gisapp.outcomes.models import ProjectPhoto

    p, g, r = PROJECTS, PLEDGES, RATINGS
    # Only the projects listed: their pledges and ratings, not every project's.
    chosen = sa.select(p.c.id).where(*_completed(period), *_project_scope(scope))
    pledged = (
        sa.select(
            g.c.project_id,
            sa.func.coalesce(sa.func.sum(g.c.amount_yuan).filter(g.c.kind == "money"), 0).label(
                "money"
            ),
            sa.func.coalesce(sa.func.sum(g.c.hours).filter(g.c.kind == "labour"), 0).label("hours"),
            sa.func.count().filter(g.c.kind == "volunteer").label("volunteers"),
        )
        .where(g.c.withdrawn_at.is_(None), g.c.project_id.in_(chosen))
        .group_by(g.c.project_id)
        .subquery()
    )
    rated = (
        sa.select(r.c.project_id, sa.func.count().label("n"), sa.func.avg(r.c.score).label("mean"))
        .where(r.c.project_id.in_(chosen))
        .group_by(r.c.project_id)
        .subquery()
    )
    community = aliased(Area)
    stmt = (
        sa.select(
            p.c.id,
            p.c.code,
            p.c.title_zh,
            p.c.title_en,
            p.c.completed_on,
            p.c.budget_yuan,
            community.name_zh.label("community_zh"),
            community.name_en.label("community_en"),
            pledged.c.money,
            pledged.c.hours,
            pledged.c.volunteers,
            rated.c.n,
            rated.c.mean,
        )
        .select_from(
            p.outerjoin(pledged, pledged.c.project_id == p.c.id)
            .outerjoin(rated, rated.c.project_id == p.c.id)
            .outerjoin(community, community.id == p.c.community_id)
        )
        .where(*_completed(period), *_project_scope(scope))
        .order_by(p.c.completed_on.desc(), p.c.id.desc())
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    photos: dict[int, dict[str, list[str]]] = {row.id: {"before": [], "after": []} for row in rows}
    if photos:
        for pid, stage, photo_id in session.execute(
            sa.select(ProjectPhoto.project_id, ProjectPhoto.stage, ProjectPhoto.id)
            .where(ProjectPhoto.project_id.in_(list(photos)))
            .order_by(ProjectPhoto.id)
        ):
            photos[pid][stage].append(f"/projects/{pid}/photos/{photo_id}")
    en = locale == "en"
    return [
        {
            "id": row.id,
            "code": row.code,
            "title": (row.title_en or row.title_zh) if en else row.title_zh,
            "completed_on": row.completed_on.isoformat(),
            "community": (row.community_en if en else row.community_zh) or "",
            "budget_yuan": float(row.budget_yuan) if row.budget_yuan is not None else None,
            "money_yuan": float(row.money or 0),
            "labour_hours": float(row.hours or 0),
            "volunteers": int(row.volunteers or 0),
            "ratings": int(row.n or 0),
            "satisfaction": round(float(row.mean), 2) if row.mean is not None else None,
            "photos": photos[row.id],
        }
        for row in rows
    ]


def period_bounds(period: Period) -> tuple[dt.date, dt.date]:
    """The first and the last day of the period."""
    return period.first, period.end - dt.timedelta(days=1)
