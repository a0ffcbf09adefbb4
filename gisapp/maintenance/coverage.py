"""Coverage by area: the figures of ``GET /api/v1/coverage`` and of the managers' page.

One statement does it all in PostgreSQL and hands back JSON text: the areas of the level, one
scan of ``facility_facts`` grouped by the stored area link (``GROUPING SETS`` adds the scope's
total in the same scan), one index range of ``maintenance_area_months`` (a row per area and
month), and the few facilities that lie in no area of the level. Building the JSON in the
database keeps a level of 4,000 grids from costing more in Python than in SQL.

Usage::

    text, total = coverage_json(session, "community", scope, today, locale="en")
    rows, total = coverage(session, "community", scope, today)   # the same, as Python objects

Figures per area (and for the whole scope): ``facilities`` in use; ``ok``, ``due``,
``overdue``, ``out_of_service`` (these four add up to ``facilities``); ``covered`` and
``coverage`` (visited within the interval); ``median_days_overdue``; ``open_faults`` (open linked
reports plus latest-entry faults); and over the window of ``WINDOW_MONTHS`` months:
``faults_closed``, ``mean_days_to_close``, ``records``, ``volunteer_records``,
``volunteer_share``, ``hours``, ``volunteer_hours``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from gisapp.errors import ValidationFailed
from gisapp.geo.models import LEVELS, Area
from gisapp.maintenance.models import AreaMonth, FacilityFacts, FacilityMonth
from gisapp.maintenance.queries import Scope
from gisapp.maintenance.status import DUE_SOON_DAYS, window_start

FACTS = FacilityFacts.__table__
MONTHS = FacilityMonth.__table__
AREA_MONTHS = AreaMonth.__table__
SUMS = (
    "records",
    "volunteer_records",
    "minutes",
    "volunteer_minutes",
    "faults_closed",
    "fault_close_days",
)


AreaRow = sa.Select[int, str, str, str, str, int | None]


def _areas(level: str, within: Area | None) -> AreaRow:
    """Areas of ``level``, inside ``within`` (any level above) when given."""
    stmt = sa.select(
        Area.id, Area.code, Area.level, Area.name_zh, Area.name_en, Area.parent_id
    ).where(Area.level == level)
    if within is None:
        return stmt
    if LEVELS.index(level) <= LEVELS.index(within.level):
        raise ValidationFailed(
            f"level must be below the area's level ({within.level})", field="level"
        )
    tree = sa.select(Area.id, Area.level).where(Area.parent_id == within.id).cte(recursive=True)
    tree = tree.union_all(
        sa.select(Area.id, Area.level)
        .join(tree, Area.parent_id == tree.c.id)
        .where(tree.c.level != level)
    )
    return stmt.where(Area.id.in_(sa.select(tree.c.id).where(tree.c.level == level)))


def _state(level: str, scope: Scope, today: dt.date) -> sa.CTE:
    """Status counts per area of the level, plus the scope's total (``is_total`` 1)."""
    col = FACTS.c[f"{level}_id"]
    oos = FACTS.c.out_of_service
    due_by = today + dt.timedelta(days=DUE_SOON_DAYS)
    overdue = sa.and_(~oos, FACTS.c.next_due_on < today)
    days = sa.literal(today, sa.Date) - FACTS.c.next_due_on
    return (
        sa.select(
            col.label("area_id"),
            sa.func.grouping(col).label("is_total"),
            sa.func.count().label("facilities"),
            sa.func.count().filter(~oos, FACTS.c.next_due_on > due_by).label("ok"),
            sa.func.count()
            .filter(~oos, FACTS.c.next_due_on >= today, FACTS.c.next_due_on <= due_by)
            .label("due"),
            sa.func.count().filter(overdue).label("overdue"),
            sa.func.count().filter(oos).label("out_of_service"),
            sa.func.count().filter(FACTS.c.next_due_on >= today).label("covered"),
            sa.func.percentile_cont(0.5)
            .within_group(days)
            .filter(overdue)
            .label("median_days_overdue"),
            sa.func.sum(
                FACTS.c.open_reports + sa.case((FACTS.c.last_result == "fault", 1), else_=0)
            ).label("open_faults"),
        )
        .where(FACTS.c.active.is_(True), *scope.where())
        .group_by(sa.func.grouping_sets(sa.tuple_(col), sa.tuple_()))
        .cte("st")
    )


def _sums(table: Any) -> list[Any]:
    return [sa.func.sum(table.c[name]).label(name) for name in SUMS]


def _history(
    level: str, scope: Scope, today: dt.date, areas: sa.CTE
) -> tuple[sa.CTE, sa.CTE, sa.CTE]:
    """Work and closed faults in the window: per area, for facilities in no area of the level,
    and for the whole scope."""
    since = window_start(today)
    am = AREA_MONTHS
    kinds = am.c.type.in_(scope.types) if scope.types else am.c.type == ""
    window = [am.c.month >= since, am.c.month <= today, kinds]
    stmt = sa.select(am.c.area_id, *_sums(am)).where(am.c.level == level, *window)
    if scope.area is not None:
        # A few areas: their own rows (by area); a whole level: one range of the key.
        stmt = stmt.where(am.c.area_id.in_(sa.select(areas.c.id)))
    per_area = stmt.group_by(am.c.area_id).cte("hi")
    col = FACTS.c[f"{level}_id"]
    nowhere = (
        sa.select(*_sums(MONTHS))
        .select_from(MONTHS.join(FACTS, FACTS.c.facility_id == MONTHS.c.facility_id))
        .where(col.is_(None), MONTHS.c.month >= since, MONTHS.c.month <= today, *scope.where())
        .cte("hn")
    )
    if scope.area is not None:
        total = (
            sa.select(*_sums(am))
            .where(am.c.level == scope.area.level, am.c.area_id == scope.area.id, *window)
            .cte("ht")
        )
    else:
        both = sa.union_all(
            sa.select(*(per_area.c[n] for n in SUMS)), sa.select(*(nowhere.c[n] for n in SUMS))
        ).subquery()
        total = sa.select(*_sums(both)).cte("ht")
    return per_area, nowhere, total


def _num(expr: Any) -> Any:
    return sa.func.coalesce(expr, 0)


def _columns(head: list[tuple[str, Any]], st: Any, hi: Any) -> list[Any]:
    """One row's output columns: identity, then the figures from a state and a history row."""
    n = _num(st.c.facilities)
    covered = _num(st.c.covered)
    records = _num(hi.c.records)
    closed = _num(hi.c.faults_closed)
    ratio = sa.Numeric
    pairs: list[tuple[str, Any]] = [
        *head,
        ("facilities", n),
        ("ok", _num(st.c.ok)),
        ("due", _num(st.c.due)),
        ("overdue", _num(st.c.overdue)),
        ("out_of_service", _num(st.c.out_of_service)),
        ("covered", covered),
        ("coverage", sa.func.round(sa.cast(covered, ratio) / sa.func.nullif(n, 0), 4)),
        ("median_days_overdue", st.c.median_days_overdue),
        ("open_faults", _num(st.c.open_faults)),
        ("faults_closed", closed),
        (
            "mean_days_to_close",
            sa.func.round(sa.cast(hi.c.fault_close_days, ratio) / sa.func.nullif(closed, 0), 1),
        ),
        ("records", records),
        ("volunteer_records", _num(hi.c.volunteer_records)),
        (
            "volunteer_share",
            sa.func.round(
                sa.cast(_num(hi.c.volunteer_records), ratio) / sa.func.nullif(records, 0), 4
            ),
        ),
        ("hours", sa.func.round(sa.cast(_num(hi.c.minutes), ratio) / 60, 1)),
        ("volunteer_hours", sa.func.round(sa.cast(_num(hi.c.volunteer_minutes), ratio) / 60, 1)),
    ]
    return [value.label(key) for key, value in pairs]


def _as_json(rows: sa.Select[Any], *, many: bool, order: str = "") -> sa.ScalarSelect[Any]:
    """The rows as a JSON array (ordered by ``order``) or as one JSON object (or NULL).

    Serialising a row value is much cheaper in PostgreSQL than a json_build_object() of two
    dozen arguments per row.
    """
    r = rows.subquery("r")
    row = sa.literal_column("r", type_=sa.JSON)
    value: sa.ColumnElement[Any]
    if many:
        value = sa.func.coalesce(
            sa.func.json_agg(aggregate_order_by(row, r.c[order])), sa.text("'[]'::json")
        )
    else:
        value = sa.func.row_to_json(row)
    return sa.select(value).select_from(r).scalar_subquery()


def coverage_json(
    session: Session,
    level: str,
    scope: Scope,
    today: dt.date,
    *,
    locale: str = "zh_Hans",
    unassigned: str = "",
) -> tuple[str, dict[str, Any]]:
    """The per-area rows as JSON array text (areas by code, then the row of facilities in no
    area of the level, with ``id`` null, when there are any) and the scope's total figures."""
    if level not in LEVELS:
        raise ValidationFailed(f"level must be one of {', '.join(LEVELS)}", field="level")
    areas = _areas(level, scope.area).cte("ar")
    st = _state(level, scope, today)
    per_area, nowhere, total = _history(level, scope, today, areas)
    area_state = sa.select(st).where(st.c.is_total == 0, st.c.area_id.is_not(None)).subquery()
    name = areas.c.name_en if locale == "en" else areas.c.name_zh
    head = [
        ("id", areas.c.id),
        ("code", areas.c.code),
        ("level", areas.c.level),
        ("name", name),
        ("name_zh", areas.c.name_zh),
        ("name_en", areas.c.name_en),
        ("parent_id", areas.c.parent_id),
    ]
    rows = _as_json(
        sa.select(*_columns(head, area_state, per_area)).select_from(
            areas.outerjoin(area_state, area_state.c.area_id == areas.c.id).outerjoin(
                per_area, per_area.c.area_id == areas.c.id
            )
        ),
        many=True,
        order="code",
    )
    none_state = sa.select(st).where(st.c.is_total == 0, st.c.area_id.is_(None)).subquery()
    none_head = [
        ("id", sa.null()),
        ("code", sa.null()),
        ("level", sa.literal(level)),
        ("name", sa.literal(unassigned)),
        ("name_zh", sa.null()),
        ("name_en", sa.null()),
        ("parent_id", sa.literal(scope.area.id if scope.area else None, sa.Integer)),
    ]
    none_row = _as_json(
        sa.select(*_columns(none_head, none_state, nowhere))
        .select_from(nowhere.outerjoin(none_state, sa.true()))
        .where(sa.or_(_num(none_state.c.facilities) > 0, _num(nowhere.c.records) > 0)),
        many=False,
    )
    total_state = sa.select(st).where(st.c.is_total == 1).subquery()
    total_row = _as_json(
        sa.select(*_columns([], total_state, total)).select_from(
            total.outerjoin(total_state, sa.true())
        ),
        many=False,
    )
    # The median sorts a province's overdue facilities: in memory, not in temporary files.
    session.execute(sa.text("SET LOCAL work_mem = '32MB'"))
    rows_text, none_text, total_text = session.execute(
        sa.select(sa.cast(rows, sa.Text), sa.cast(none_row, sa.Text), sa.cast(total_row, sa.Text))
    ).one()
    if none_text:
        rows_text = (rows_text[:-1] + "," if rows_text != "[]" else "[") + none_text + "]"
    return rows_text, json.loads(total_text)


def coverage(
    session: Session,
    level: str,
    scope: Scope,
    today: dt.date,
    *,
    locale: str = "zh_Hans",
    unassigned: str = "",
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """:func:`coverage_json` as Python objects."""
    text, total = coverage_json(session, level, scope, today, locale=locale, unassigned=unassigned)
    rows: list[dict[str, Any]] = json.loads(text)
    return rows, total
