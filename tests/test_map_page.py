"""The resident map page: offline assets, no embedded data, two languages, escaped text."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maps.assets import external_urls
from gisapp.models import Report


def test_map_page_renders(client: FlaskClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'lang="zh-Hans"' in html
    assert "CoMap.catalogLayer" in html
    assert "L.control.locate" in html or "locate" in html.lower()


def test_map_page_loads_nothing_from_outside(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert external_urls(html) == []
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis", "bootstrapcdn"):
        assert cdn not in html


def test_map_page_does_not_grow_with_the_data(client: FlaskClient, db_session: Session) -> None:
    before = len(client.get("/").get_data())
    point = sa.func.ST_SetSRID(sa.func.ST_MakePoint(114.318, 30.548), 4326)
    db_session.add_all(
        Report(category="waste", description=f"extra {i}", geom=point) for i in range(300)
    )
    db_session.flush()
    after = len(client.get("/").get_data())
    assert abs(after - before) < 200  # only the random element ids differ


def test_english_by_query_and_by_browser(client: FlaskClient) -> None:
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Communities" in html
    fresh = client.application.test_client()
    html = fresh.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in html
    html = fresh.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-Hans"' in html
    assert "社区" in html


def test_page_never_contains_private_or_hostile_text(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "13800" not in html


def test_login_page_is_offline_too(client: FlaskClient) -> None:
    assert external_urls(client.get("/login").get_data(as_text=True)) == []
