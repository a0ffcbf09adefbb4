"""A hand-built district far from the sample street, whose outcome figures are worked out by
hand in the tests: two communities, seven reports, four ratings, two projects with pledges.

Times are Beijing time (UTC+8): a report filed at 00:30 on 1 March there is a March report
even though it is still February in UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.models import Area, Pledge, Project, ProjectRating, Report, ReportRating, User
from gisapp.reports.models import ReportContact

CST = dt.timezone(dt.timedelta(hours=8))
WEST, SOUTH = 116.0, 32.0  # far from the sample (Wuchang) and from demo data (Wuhan)
CONTACT = "13912345678 hand-built@example.org"


def box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"SRID=4326;MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=CST)


@dataclass
class Place:
    district: Area
    street: Area
    c1: Area
    c2: Area
    grids: list[Area]
    reports: dict[str, Report]
    p1: Project
    p2: Project

    def point(self, area: Area, dx: float = 0.0) -> str:
        x0 = WEST + (0.0 if area is self.c1 else 0.01)
        return f"SRID=4326;POINT({x0 + 0.0025 + dx} {SOUTH + 0.0025})"


def _area(s: Session, level: str, code: str, parent: Area | None, geom: str) -> Area:
    area = Area(
        level=level,
        code=code,
        name_zh=f"测试{code}",
        name_en=f"Test {code}",
        parent_id=parent.id if parent else None,
        population=1000,
        geom=geom,
    )
    s.add(area)
    s.flush()
    return area


def _report(s: Session, place: str, created: dt.datetime, status: str, resolved=None) -> Report:  # type: ignore[no-untyped-def]
    report = Report(
        category=s.scalars(sa.text("SELECT code FROM categories ORDER BY code LIMIT 1")).one(),
        description="手工测试诉求",
        status=status,
        geom=place,
        created_at=created,
        updated_at=resolved or created,
        resolved_at=resolved,
    )
    s.add(report)
    s.flush()
    return report


@pytest.fixture
def place(db_session: Session) -> Place:
    s = db_session
    d = _area(s, "district", "TD1", None, box(WEST, SOUTH, WEST + 0.02, SOUTH + 0.01))
    st = _area(s, "street", "TS1", d, box(WEST, SOUTH, WEST + 0.02, SOUTH + 0.01))
    c1 = _area(s, "community", "TC1", st, box(WEST, SOUTH, WEST + 0.01, SOUTH + 0.01))
    c2 = _area(s, "community", "TC2", st, box(WEST + 0.01, SOUTH, WEST + 0.02, SOUTH + 0.01))
    grids = [
        _area(s, "grid", f"TG{i}", c, box(x, SOUTH, x + 0.01, SOUTH + 0.01))
        for i, (c, x) in enumerate(((c1, WEST), (c2, WEST + 0.01)))
    ]
    place = Place(d, st, c1, c2, grids, {}, None, None)  # type: ignore[arg-type]
    p1, p2 = place.point(c1), place.point(c2)
    r = place.reports
    r["r1"] = _report(s, p1, at(2026, 1, 10), "resolved", at(2026, 1, 11, 12))  # 1 day
    r["r2"] = _report(s, p1, at(2026, 1, 20), "closed", at(2026, 2, 2, 11))  # 13 days
    r["r3"] = _report(s, p1, at(2026, 2, 5), "resolved", at(2026, 2, 8, 12))  # 3 days
    r["r4"] = _report(s, p1, at(2026, 2, 28, 23, 30), "submitted")
    r["r5"] = _report(s, p1, at(2026, 3, 1, 0, 30), "in_progress")  # March, local time
    r["r6"] = _report(s, p2, at(2026, 3, 3), "resolved", at(2026, 3, 8, 10))  # 5 days
    r["r7"] = _report(s, p2, at(2025, 12, 15), "resolved", at(2026, 1, 5, 10))  # 21 days
    s.add(ReportContact(report_id=r["r1"].id, contact=CONTACT))
    for report, rater, score, when in (
        (r["r1"], "u:901", 5, at(2026, 1, 12)),
        (r["r1"], "a:902", 4, at(2026, 1, 13)),
        (r["r3"], "u:903", 2, at(2026, 2, 10)),
        (r["r6"], "u:904", 4, at(2026, 3, 9)),
    ):
        s.add(ReportRating(report_id=report.id, rater=rater, score=score, created_at=when))
    users = list(s.scalars(sa.select(User).where(User.username.like("sample-resident-%")).limit(3)))
    place.p1 = Project(
        code="TP1",
        title_zh="测试口袋公园",
        title_en="Test pocket park",
        phase="co_share",
        progress=100,
        completed_on=dt.date(2026, 2, 15),
        geom=p1,
    )
    place.p2 = Project(
        code="TP2",
        title_zh="测试路灯",
        title_en="Test lights",
        phase="co_share",
        progress=100,
        completed_on=dt.date(2025, 12, 20),
        geom=p2,
    )
    s.add_all([place.p1, place.p2])
    s.flush()
    for user, kind, money, hours, when, withdrawn in (
        (users[0], "money", Decimal("500"), None, at(2026, 1, 5), None),
        (users[1], "labour", None, Decimal("10"), at(2026, 2, 1), None),
        (users[2], "volunteer", None, None, at(2026, 2, 1), None),
        (users[0], "money", Decimal("1000"), None, at(2026, 1, 6), at(2026, 1, 7)),
        (users[1], "money", Decimal("300"), None, at(2025, 11, 1), None),
    ):
        s.add(
            Pledge(
                project_id=place.p1.id,
                user_id=user.id,
                kind=kind,
                amount_yuan=money,
                hours=hours,
                created_at=when,
                withdrawn_at=withdrawn,
            )
        )
    s.add(
        Pledge(
            project_id=place.p2.id,
            user_id=users[0].id,
            kind="money",
            amount_yuan=Decimal("77"),
            created_at=at(2026, 1, 9),
        )
    )
    for user, score in ((users[0], 5), (users[1], 3)):
        s.add(ProjectRating(project_id=place.p1.id, user_id=user.id, score=score))
    s.flush()
    return place


PERIOD = {"to": "2026-03", "months": "3"}
