"""/reports/<id> and /projects/<id>: what a popup's "details" link opens."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maps.assets import external_urls
from gisapp.models import Project, Report, ReportContact


def test_report_page_shows_the_report_and_its_areas(
    client: FlaskClient, db_session: Session
) -> None:
    report = db_session.scalars(sa.select(Report).order_by(Report.id)).first()
    html = client.get(f"/reports/{report.id}?lang=zh_Hans").get_data(as_text=True)
    assert report.description in html
    assert "社区" in html and "网格" in html
    assert external_urls(html) == []


def test_report_page_shows_local_time(client: FlaskClient, db_session: Session) -> None:
    report = db_session.scalars(sa.select(Report).order_by(Report.id)).first()
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    local = report.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in html


def test_report_page_escapes_hostile_text_and_hides_contact(
    client: FlaskClient, db_session: Session
) -> None:
    hostile = db_session.scalars(
        sa.select(Report).where(Report.description.contains("<script>"))
    ).first()
    assert hostile is not None
    html = client.get(f"/reports/{hostile.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    with_contact = db_session.scalars(sa.select(ReportContact)).first()
    html = client.get(f"/reports/{with_contact.report_id}").get_data(as_text=True)
    assert with_contact.contact not in html


def test_project_page(client: FlaskClient, db_session: Session) -> None:
    project = db_session.scalars(sa.select(Project).order_by(Project.id)).first()
    html = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert project.title_en in html
    assert 'aria-current="step"' in html
    assert external_urls(html) == []


def test_missing_pages_are_friendly_404s(client: FlaskClient) -> None:
    for url in ("/reports/999999", "/projects/999999", "/nowhere"):
        resp = client.get(url)
        assert resp.status_code == 404
        assert "<html" in resp.get_data(as_text=True)
