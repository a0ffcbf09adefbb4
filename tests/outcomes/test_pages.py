"""The /outcomes page and CSV: what the public sees, drill-down links, bad parameters, and
that no resident is ever named or contactable there."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maps.assets import external_urls
from gisapp.models import User
from gisapp.reports.models import ReportContact
from tests.outcomes.conftest import CONTACT, PERIOD, Place


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    return resp.get_data(as_text=True)


def test_page_is_public_with_map_charts_table_and_downloads(
    client: FlaskClient, place: Place
) -> None:
    html = page(client, f"/outcomes?area={place.street.code}&to=2026-03&months=3&lang=en")
    assert "Outcomes · Test TS1" in html
    for text in ("Reports received", "Median days to resolve", "Projects completed", "Volunteers"):
        assert text in html
    assert 'id="chart-reports"' in html and 'id="chart-satisfaction"' in html
    assert 'id="outcome-table"' in html and "Test TC1" in html and "Test TC2" in html
    assert (
        'data-figure="received">6<' in html and 'data-figure="median_days_to_resolve">5.0<' in html
    )
    # Rows and crumbs drill down; the period is kept.
    assert f'href="/outcomes?area={place.c1.id}&amp;to=2026-03&amp;months=3"' in html
    assert f'href="/outcomes?area={place.district.id}&amp;to=2026-03&amp;months=3"' in html
    # The choropleth reads the API by bounding box; the page embeds no data.
    assert "CoMap.outcomesLayer" in html and "/api/v1/outcomes?" in html
    assert "format=geojson" in html
    assert "Test pocket park" in html and "/projects/" in html
    assert "/outcomes.csv?level=community" in html
    assert external_urls(html) == []


def test_page_in_chinese_and_drill_to_grids(client: FlaskClient, place: Place) -> None:
    html = page(client, f"/outcomes?area={place.c1.code}&to=2026-03&months=3")
    assert "测试TG0" in html and "测试TG1" not in html
    # Two districts now (the sample's and this one): the dashboard starts at districts.
    html = page(client, "/outcomes")
    assert f'data-area-id="{place.district.id}"' in html
    assert f'data-area-id="{place.c1.id}"' not in html


def test_bad_parameters_are_refused(client: FlaskClient, place: Place) -> None:
    for query, status in (
        ("level=building", 422),
        (f"area={place.c1.code}&level=street", 422),  # not below the area
        (f"area={place.grids[0].code}", 422),  # nothing below a grid here
        ("area=NO-SUCH-AREA", 404),
        ("months=25", 422),
        ("months=-1", 422),
        ("to=2026-3", 422),
        ("to=2999-01", 422),
    ):
        page(client, f"/outcomes?{query}", status)
        resp = client.get(f"/api/v1/outcomes?{query}")
        assert resp.status_code == status, query
        assert set(resp.get_json()["error"]) == {"code", "message", "field"}
    assert client.get("/outcomes.csv?months=0").status_code == 422
    assert client.get("/api/v1/outcomes?format=geojson&bbox=1,2").status_code == 422
    hostile = client.get("/outcomes?area=<script>alert(1)</script>")
    assert hostile.status_code == 404 and "<script>alert" not in hostile.get_data(as_text=True)
    api = client.get("/api/v1/outcomes?area=<script>alert(1)</script>")
    assert api.status_code == 404 and api.mimetype == "application/json"


def test_csv_download(client: FlaskClient, place: Place) -> None:
    resp = client.get("/outcomes.csv", query_string={**PERIOD, "area": place.street.code})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert (
        'filename="outcomes-community-TS1-2026-01-2026-03.csv"'
        in resp.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["code"] for r in rows] == ["TC1", "TC2"]
    assert rows[0]["received"] == "5" and rows[0]["median_days_to_resolve"] == "3.0"
    assert rows[1]["satisfaction"] == "4.0" and rows[0]["from_month"] == "2026-01"
    api = client.get(
        "/api/v1/outcomes", query_string={**PERIOD, "area": place.street.code, "format": "csv"}
    )
    assert api.get_data() == resp.get_data()


def test_geojson_for_the_map(client: FlaskClient, place: Place) -> None:
    resp = client.get(
        "/api/v1/outcomes",
        query_string={
            **PERIOD,
            "area": place.street.code,
            "format": "geojson",
            "bbox": "116.0,32.0,116.009,32.01",
        },
    )
    assert resp.mimetype == "application/geo+json"
    data = resp.get_json()
    # The bbox touches C1 (and C2 along their shared edge).
    codes = {f["properties"]["code"] for f in data["features"]}
    assert "TC1" in codes
    feature = next(f for f in data["features"] if f["properties"]["code"] == "TC1")
    assert feature["id"] == place.c1.id and feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["received"] == 5


def test_no_resident_is_named_or_contactable(
    client: FlaskClient, db_session: Session, place: Place
) -> None:
    users = db_session.execute(
        sa.select(User.username, User.display_name, User.email, User.phone)
    ).all()
    secrets = {v for row in users for v in row if v and len(v) > 3}
    secrets |= set(db_session.scalars(sa.select(ReportContact.contact)))
    secrets |= {CONTACT, "u:901", "a:902"}
    outputs = [
        page(client, f"/outcomes?area={place.street.code}&to=2026-03&months=3"),
        page(client, f"/outcomes?area={place.street.code}&to=2026-03&months=3&lang=en"),
        page(client, "/outcomes"),
        client.get(f"/outcomes.csv?area={place.street.code}&to=2026-03&months=3").get_data(
            as_text=True
        ),
        client.get(f"/api/v1/outcomes?area={place.street.code}&to=2026-03&months=3").get_data(
            as_text=True
        ),
        client.get("/api/v1/outcomes?format=geojson").get_data(as_text=True),
    ]
    for text in outputs:
        # The demo accounts' names are in the page header only for a signed-in user.
        leaked = [s for s in secrets if s in text]
        assert leaked == [], leaked


def test_openapi_documents_the_route(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    get = doc["paths"]["/outcomes"]["get"]
    assert {p["name"] for p in get["parameters"]} == {
        "level",
        "area",
        "to",
        "months",
        "format",
        "bbox",
    }
