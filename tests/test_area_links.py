"""Every report, facility and project knows its area at each level, and stays correct when it
moves or when a boundary is edited (kept by triggers: gisapp/migrations/sql/0001_area_links.sql).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.models import Area, Facility, Project, Report


def _grid(s: Session, n: int = 0) -> Area:
    return s.scalars(
        sa.select(Area).where(Area.level == "grid").order_by(Area.id).offset(n)
    ).first()


def _inside(s: Session, area: Area) -> tuple[float, float]:
    x, y = s.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        ).where(Area.id == area.id)
    ).one()
    return x, y


def _point(x: float, y: float) -> sa.ColumnElement[object]:
    return sa.func.ST_SetSRID(sa.func.ST_MakePoint(x, y), 4326)


def test_sample_reports_are_linked_at_every_level(db_session: Session) -> None:
    missing = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(Report)
        .where(
            sa.or_(
                Report.district_id.is_(None),
                Report.street_id.is_(None),
                Report.community_id.is_(None),
                Report.grid_id.is_(None),
            )
        )
    )
    assert missing == 0


def test_links_agree_with_a_spatial_join(db_session: Session) -> None:
    wrong = db_session.execute(
        sa.text("""
        SELECT count(*) FROM reports r JOIN areas a ON a.id = r.grid_id
        WHERE NOT ST_Intersects(a.geom, r.geom)
    """)
    ).scalar()
    assert wrong == 0


def test_links_are_set_on_insert_and_follow_a_move(db_session: Session) -> None:
    g1, g2 = _grid(db_session, 0), _grid(db_session, 5)
    report = Report(category="waste", description="test", geom=_point(*_inside(db_session, g1)))
    db_session.add(report)
    db_session.flush()
    db_session.refresh(report)
    assert report.grid_id == g1.id
    assert report.community_id == g1.parent_id

    report.geom = _point(*_inside(db_session, g2))
    db_session.flush()
    db_session.refresh(report)
    assert report.grid_id == g2.id
    assert report.community_id == g2.parent_id


def test_a_feature_outside_every_area_has_no_links(db_session: Session) -> None:
    facility = Facility(code="T-OUT", type="bench", geom=_point(100.0, 10.0))
    db_session.add(facility)
    db_session.flush()
    db_session.refresh(facility)
    assert facility.area_ids() == {k: None for k in facility.area_ids()}


def test_polygon_project_is_placed_by_a_point_on_its_surface(db_session: Session) -> None:
    grid = _grid(db_session, 3)
    x, y = _inside(db_session, grid)
    square = sa.func.ST_Buffer(_point(x, y), 0.00005, "quad_segs=1")
    project = Project(code="T-P", title_zh="测试", title_en="Test", geom=square)
    db_session.add(project)
    db_session.flush()
    db_session.refresh(project)
    assert project.grid_id == grid.id


def test_boundary_edit_relinks_what_lies_under_it(db_session: Session) -> None:
    g1, g2 = _grid(db_session, 0), _grid(db_session, 1)
    moved = db_session.scalars(sa.select(Report).where(Report.grid_id == g1.id)).all()
    assert moved, "the sample should have reports in the first grid"
    # Grid 2 swallows grid 1's outline (a boundary edit); grid 1 shrinks to nothing useful.
    db_session.execute(
        sa.update(Area)
        .where(Area.id == g2.id)
        .values(
            geom=sa.func.ST_Multi(
                sa.func.ST_Union(
                    Area.geom, sa.select(Area.geom).where(Area.id == g1.id).scalar_subquery()
                )
            )
        )
    )
    db_session.execute(
        sa.update(Area)
        .where(Area.id == g1.id)
        .values(
            geom=sa.func.ST_Multi(
                sa.func.ST_Buffer(sa.func.ST_PointOnSurface(Area.geom), 0.000001, "quad_segs=1")
            )
        )
    )
    db_session.expire_all()
    for report in moved:
        db_session.refresh(report)
        assert report.grid_id in (g2.id, g1.id)
    still_in_old = sum(1 for r in moved if r.grid_id == g1.id)
    assert still_in_old <= 1  # at most a report sitting exactly on the shrunken speck


def test_deleting_an_area_unlinks_its_features(db_session: Session) -> None:
    building = db_session.scalars(
        sa.select(Area).where(Area.level == "building").order_by(Area.id)
    ).first()
    x, y = _inside(db_session, building)
    report = Report(category="noise", description="test", geom=_point(x, y))
    db_session.add(report)
    db_session.flush()
    db_session.refresh(report)
    assert report.building_id == building.id
    db_session.delete(building)
    db_session.flush()
    db_session.refresh(report)
    assert report.building_id is None
    assert report.grid_id is not None
