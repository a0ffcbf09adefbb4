"""The managers' page and the facility pages, through the test client (forms, escaping, roles)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.models import FacilitySteward, MaintenanceRecord
from gisapp.models import Area, Report
from tests.conftest import csrf_from
from tests.maintenance.conftest import count, grids, jpeg

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_the_managers_page_is_for_managers(client: FlaskClient, auth) -> None:
    resp = client.get("/manager")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    auth.login("demo-resident")
    assert client.get("/manager").status_code == 403


def test_the_managers_page_shows_the_table_chart_and_map(
    client: FlaskClient, db_session: Session, auth
) -> None:
    auth.login("demo-manager")
    resp = client.get("/manager")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    communities = db_session.scalars(sa.select(Area).where(Area.level == "community")).all()
    for community in communities:
        assert community.name_zh in html
    assert 'class="coverage-chart"' in html and "<polyline" in html
    assert "CoMap.coverageLayer" in html and "/api/v1/coverage?" in html
    assert "format=geojson" in html and "level=community" in html
    # The map fetches its data: the page does not embed features.
    assert '"FeatureCollection"' not in html
    assert "cdn" not in html.lower() and "unpkg" not in html


def test_drilling_down_to_a_grid_lists_its_facilities(
    client: FlaskClient, db_session: Session, auth
) -> None:
    auth.login("demo-manager")
    community = db_session.scalars(
        sa.select(Area).where(Area.level == "community").order_by(Area.id)
    ).first()
    html = client.get(f"/manager?area={community.id}").get_data(as_text=True)
    for grid in (g for g in grids(db_session) if g.parent_id == community.id):
        assert f'href="/manager?area={grid.id}"' in html
    grid = next(g for g in grids(db_session) if g.parent_id == community.id)
    html = client.get(f"/manager?area={grid.id}").get_data(as_text=True)
    codes = client.get(f"/api/v1/facilities?area={grid.id}").get_json()["features"]
    for feature in codes:
        assert f'/facilities/{feature["id"]}"' in html
    assert "CoMap.coverageLayer" not in html  # no level below a grid on this page
    bad = client.get(f"/manager?area={grid.id}&level=district")
    assert bad.status_code == 422
    assert client.get("/manager?type=ufo").status_code == 422


def test_the_type_filter_and_the_sort(client: FlaskClient, auth) -> None:
    auth.login("demo-manager")
    html = client.get("/manager?type=street_light&sort=overdue").get_data(as_text=True)
    assert "type=street_light" in html
    assert client.get("/manager?sort=whatever").status_code == 200


def test_user_text_is_escaped_on_the_facility_and_managers_pages(
    client: FlaskClient, db_session: Session, make_facility, auth
) -> None:
    facility = make_facility(visits=((300, "ok"),))
    facility.responsible_party = HOSTILE
    db_session.add(
        MaintenanceRecord(
            facility_id=facility.id,
            kind="inspection",
            performed_on=facility.install_date,
            result="ok",
            performed_by=HOSTILE,
            notes=HOSTILE,
        )
    )
    db_session.flush()
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert HOSTILE not in html and "&lt;script&gt;" in html
    auth.login("demo-manager")
    html = client.get(f"/manager?area={facility.grid_id}").get_data(as_text=True)
    assert "<script>alert" not in html


def test_a_scanned_label_opens_the_fault_form_and_a_report_links_to_the_facility(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility(visits=((3, "ok"),), type="street_light")
    page = client.get(f"/f/{facility.code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="/facilities/{facility.id}/report"' in html
    assert 'value="street_light" selected' in html  # the category follows the type
    key = re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)
    data = {
        "csrf_token": csrf_from(html),
        "key": key,
        "category": "street_light",
        "description": "路灯不亮",
        "photos": [(io.BytesIO(jpeg()), "lamp.jpg")],
    }
    before = count(db_session, Report)
    resp = client.post(
        f"/facilities/{facility.id}/report", data=data, content_type="multipart/form-data"
    )
    assert resp.status_code == 303
    report_id = int(resp.headers["Location"].rsplit("/", 1)[-1])
    report = db_session.get(Report, report_id)
    assert report.facility_id == facility.id and len(report.photos) == 1
    # A double tap sends the same form again: still one report.
    data["photos"] = [(io.BytesIO(jpeg()), "lamp.jpg")]
    again = client.post(
        f"/facilities/{facility.id}/report", data=data, content_type="multipart/form-data"
    )
    assert again.headers["Location"] == resp.headers["Location"]
    assert count(db_session, Report) == before + 1
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert 'data-status="out_of_service"' in html


def test_a_bad_fault_form_shows_the_error_and_keeps_the_text(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility()
    html = client.get(f"/f/{facility.code}").get_data(as_text=True)
    before = count(db_session, Report)
    resp = client.post(
        f"/facilities/{facility.id}/report",
        data={"csrf_token": csrf_from(html), "category": "ufo", "description": "灯<b>坏</b>了"},
    )
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "unknown category" in page
    assert "灯&lt;b&gt;坏&lt;/b&gt;了" in page
    assert count(db_session, Report) == before


def test_a_removed_facilitys_label_says_so_instead_of_taking_reports(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility()
    facility.status = "removed"
    db_session.flush()
    html = client.get(f"/f/{facility.code}").get_data(as_text=True)
    assert "removed" in html.lower() or "拆除" in html
    assert f'action="/facilities/{facility.id}/report"' not in html
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    resp = client.post(
        f"/facilities/{facility.id}/report",
        data={"csrf_token": token, "category": "street_light", "description": "x"},
    )
    assert resp.status_code == 422
    assert client.get("/f/NO-SUCH-LABEL").status_code == 404


def test_a_steward_scans_and_checks_in_from_the_label(
    client: FlaskClient, db_session: Session, make_facility, auth, today
) -> None:
    auth.login("demo-resident")
    mine = db_session.scalars(
        sa.select(FacilitySteward)
        .where(FacilitySteward.ended_at.is_(None))
        .order_by(FacilitySteward.id)
    ).first()
    html = client.get(f"/f/{_code(db_session, mine.facility_id)}").get_data(as_text=True)
    check_at = html.index(f'action="/facilities/{mine.facility_id}/check"')
    assert check_at < html.index(f'action="/facilities/{mine.facility_id}/report"')
    assert 'name="performed_by"' not in html  # a steward logs in their own name
    resp = client.post(
        f"/facilities/{mine.facility_id}/check",
        data={
            "csrf_token": csrf_from(html),
            "key": re.search(r'name="key" value="([0-9a-f]+)"', html).group(1),
            "kind": "inspection",
            "result": "ok",
            "date": today.isoformat(),
            "minutes": "10",
            "notes": "检查完毕",
            "photos": [(io.BytesIO(jpeg()), "x.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    record = db_session.scalars(
        sa.select(MaintenanceRecord)
        .where(MaintenanceRecord.facility_id == mine.facility_id)
        .order_by(MaintenanceRecord.id.desc())
    ).first()
    assert record.volunteer and record.notes == "检查完毕" and record.performed_on == today
    listing = client.get("/me/facilities").get_data(as_text=True)
    assert _code(db_session, mine.facility_id) in listing


def test_adopting_and_withdrawing_from_the_page(
    client: FlaskClient, db_session: Session, make_facility, make_user, auth
) -> None:
    make_user("page-steward")
    auth.login("page-steward")
    facility = make_facility()
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert f'action="/facilities/{facility.id}/adopt"' in html
    client.post(f"/facilities/{facility.id}/adopt", data={"csrf_token": csrf_from(html)})
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert f'action="/facilities/{facility.id}/withdraw"' in html
    assert f'action="/facilities/{facility.id}/check"' in html
    client.post(f"/facilities/{facility.id}/withdraw", data={"csrf_token": csrf_from(html)})
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert f'action="/facilities/{facility.id}/check"' not in html


def test_a_managers_facility_page_offers_the_label(
    client: FlaskClient, db_session: Session, make_facility, auth
) -> None:
    facility = make_facility()
    assert "<svg" not in client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    auth.login("demo-manager")
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert f"/f/{facility.code}" in html and "<svg" in html
    assert f"/facilities/{facility.id}/label.pdf" in html
    assert 'name="performed_by"' in html  # staff say who did the work


def _code(session: Session, facility_id: int) -> str:
    from gisapp.maintenance.models import Facility

    return session.get(Facility, facility_id).code


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools) to read printed labels",
)
def test_printed_labels_scan_to_the_facility_page(
    client: FlaskClient, db_session: Session, auth, tmp_path: Path
) -> None:
    auth.login("demo-manager")
    grid = grids(db_session)[0]
    with client.get(f"/manager/labels.pdf?area={grid.id}") as resp:
        (tmp_path / "labels.pdf").write_bytes(resp.data)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "labels.pdf"), str(tmp_path / "p")],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "-q", *map(str, sorted(tmp_path.glob("p*.png")))],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    urls = sorted(line.removeprefix("QR-Code:") for line in found)
    features = client.get(f"/api/v1/facilities?area={grid.id}").get_json()["features"]
    assert urls == sorted(f"http://localhost/f/{f['properties']['code']}" for f in features)
    for url in urls:
        assert client.get(url.removeprefix("http://localhost")).status_code == 200


def test_a_steward_is_told_why_a_facility_elsewhere_cannot_be_adopted(
    client: FlaskClient, db_session: Session, make_facility, auth
) -> None:
    auth.login("demo-resident")  # the sample makes them steward of two facilities
    home = db_session.scalars(
        sa.select(FacilitySteward.community_id).where(FacilitySteward.ended_at.is_(None))
    ).first()
    elsewhere = next(g for g in grids(db_session) if g.parent_id != home)
    facility = make_facility(grid=elsewhere)
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert f'action="/facilities/{facility.id}/adopt"' not in html
    assert 'class="hint adopt-problem"' in html
    near = make_facility(grid=next(g for g in grids(db_session) if g.parent_id == home))
    html = client.get(f"/facilities/{near.id}").get_data(as_text=True)
    assert f'action="/facilities/{near.id}/adopt"' in html
