"""OGC API - Features at /ogc: landing page, conformance, OpenAPI, collections and items, on the
sample street in the real PostGIS; bad input answers 400/404 in the OGC exception format."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
BOX = "114.31,30.54,114.32,30.55"


def _rels(links: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {f"{link['rel']} {link['type']}": link for link in links}


def _get(client: FlaskClient, url: str, expect: int = 200, **params: object):  # type: ignore[no-untyped-def]
    resp = client.get(url, query_string=params or None)
    assert resp.status_code == expect, resp.get_data(as_text=True)[:500]
    return resp


def _error(client: FlaskClient, url: str, expect: int = 400, **params: object) -> str:
    body = _get(client, url, expect, **params).get_json()
    assert set(body) == {"code", "description"}
    return str(body["description"])


def _path(href: str) -> str:
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}"


def test_landing_page_has_the_links_qgis_needs(client: FlaskClient) -> None:
    doc = _get(client, "/ogc").get_json()
    links = _rels(doc["links"])
    assert links[f"service-desc {OPENAPI}"]["href"].endswith("/ogc/api?f=json")
    assert "service-doc text/html" in links
    assert links["data application/json"]["href"].endswith("/ogc/collections?f=json")
    assert "conformance application/json" in links
    assert "self application/json" in links and "alternate text/html" in links
    assert _get(client, "/ogc/").get_json() == doc


def test_conformance_classes(client: FlaskClient) -> None:
    doc = _get(client, "/ogc/conformance").get_json()
    assert set(doc["conformsTo"]) == {CORE + c for c in ("core", "oas30", "geojson", "html")}


def test_openapi_document_is_generated_from_the_catalog(client: FlaskClient) -> None:
    resp = _get(client, "/ogc/api")
    assert resp.mimetype == "application/vnd.oai.openapi+json"
    assert "version=3.0" in resp.content_type
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.0")
    items = doc["paths"]["/collections/reports/items"]["get"]
    params = {p["name"]: p for p in items["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 10000
    assert params["limit"]["schema"]["default"] == 10
    assert {"bbox", "datetime", "offset", "category", "status"} <= set(params)
    assert "contact" not in params
    # Projects declare no date field, so no datetime parameter either.
    project_params = {
        p["name"] for p in doc["paths"]["/collections/projects/items"]["get"]["parameters"]
    }
    assert "datetime" not in project_params and "phase" in project_params
    assert "/collections/areas/items/{featureId}" in doc["paths"]
    html = _get(client, "/ogc/api", f="html").get_data(as_text=True)
    assert "/collections/reports/items" in html


def test_collections_describe_extent_crs_and_links(client: FlaskClient) -> None:
    doc = _get(client, "/ogc/collections").get_json()
    by_id = {c["id"]: c for c in doc["collections"]}
    assert {"areas", "reports", "projects", "facilities"} <= set(by_id)
    assert not any(cid.startswith("areas-") for cid in by_id)
    for c in by_id.values():
        assert c["itemType"] == "feature"
        assert c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        # Unfiltered collections take PostgreSQL's estimated extent, which may still include
        # rows other tests wrote and removed: it must cover the sample street, not equal it.
        assert minx < maxx and miny < maxy
        assert minx < 114.4 and maxx > 114.2 and miny < 30.7 and maxy > 30.4  # reaches Wuchang
        assert minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
        assert "items application/geo+json" in _rels(c["links"])
    start, end = by_id["reports"]["extent"]["temporal"]["interval"][0]
    assert start < end
    assert by_id["facilities"]["extent"]["temporal"]["interval"][0][0].startswith("2008")
    assert "temporal" not in by_id["areas"]["extent"]
    one = _get(client, "/ogc/collections/reports").get_json()
    assert one["id"] == "reports" and one["title"]


def test_items_page_through_next_links(client: FlaskClient, db_session: Session) -> None:
    total = db_session.execute(sa.text("SELECT count(*) FROM projects")).scalar()
    first = _get(client, "/ogc/collections/projects/items", limit=4)
    assert first.mimetype == "application/geo+json"
    page = first.get_json()
    assert page["numberMatched"] == total
    assert page["numberReturned"] == len(page["features"]) == 4
    assert page["timeStamp"].endswith("Z")
    seen = [f["id"] for f in page["features"]]
    while nxt := _rels(page["links"]).get("next application/geo+json"):
        page = _get(client, _path(nxt["href"])).get_json()
        assert "prev application/geo+json" in _rels(page["links"])
        seen += [f["id"] for f in page["features"]]
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)


def test_default_limit_is_ten(client: FlaskClient) -> None:
    page = _get(client, "/ogc/collections/reports/items").get_json()
    assert page["numberReturned"] == 10 and page["numberMatched"] > 10


def test_bbox_filters_like_postgis(client: FlaskClient, db_session: Session) -> None:
    expected = db_session.execute(
        sa.text(
            "SELECT count(*) FROM facilities WHERE status = 'active' AND "
            "ST_Intersects(geom, ST_MakeEnvelope(114.31, 30.54, 114.32, 30.55, 4326))"
        )
    ).scalar()
    page = _get(client, "/ogc/collections/facilities/items", bbox=BOX, limit=10000).get_json()
    assert page["numberMatched"] == page["numberReturned"] == expected > 0
    for f in page["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 114.31 <= lon <= 114.32 and 30.54 <= lat <= 30.55
    # A 3D box (6 numbers) is flattened; the CRS84 bbox-crs is accepted.
    page3d = _get(
        client,
        "/ogc/collections/facilities/items",
        bbox="114.31,30.54,0,114.32,30.55,100",
        **{"bbox-crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        limit=10000,
    ).get_json()
    assert page3d["numberMatched"] == expected


def test_property_filters(client: FlaskClient, db_session: Session) -> None:
    expected = db_session.execute(
        sa.text("SELECT count(*) FROM reports WHERE category = 'waste' AND status = 'closed'")
    ).scalar()
    page = _get(
        client, "/ogc/collections/reports/items", category="waste", status="closed", limit=1000
    ).get_json()
    assert page["numberMatched"] == expected > 0
    assert {(f["properties"]["category"], f["properties"]["status"]) for f in page["features"]} == {
        ("waste", "closed")
    }
    communities = _get(client, "/ogc/collections/areas/items", level="community", limit=100)
    assert communities.get_json()["numberMatched"] == 10
    big = _get(client, "/ogc/collections/areas/items", level="community", population=0)
    assert big.get_json()["numberMatched"] == 0


def test_area_levels_keep_their_own_fields(client: FlaskClient) -> None:
    building = _get(client, "/ogc/collections/areas/items", level="building", limit=1).get_json()
    props = building["features"][0]["properties"]
    assert props["level"] == "building" and props["name_zh"]
    # The building layer does not publish English names or households.
    assert props["name_en"] is None and props["households"] is None
    community = _get(client, "/ogc/collections/areas/items", level="community", limit=1)
    assert community.get_json()["features"][0]["properties"]["name_en"]


@pytest.mark.parametrize(
    ("value", "count_sql"),
    [
        ("2026-03-01/..", "created_at >= date '2026-03-01'"),
        ("../2026-03-01", "created_at < date '2026-03-02'"),
        (
            "2026-01-01T00:00:00Z/2026-03-01T00:00:00+08:00",
            "created_at BETWEEN '2026-01-01T00:00:00Z' AND '2026-03-01T00:00:00+08:00'",
        ),
        ("2026-03-02", "created_at >= date '2026-03-02' AND created_at < date '2026-03-03'"),
    ],
)
def test_datetime_on_the_time_field(
    client: FlaskClient, db_session: Session, value: str, count_sql: str
) -> None:
    # The app's connections use the configured zone (Asia/Shanghai); so does this check.
    db_session.execute(sa.text("SET LOCAL timezone = 'Asia/Shanghai'"))
    expected = db_session.execute(
        sa.text(f"SELECT count(*) FROM reports WHERE {count_sql}")
    ).scalar()
    page = _get(client, "/ogc/collections/reports/items", datetime=value, limit=1).get_json()
    assert page["numberMatched"] == expected


def test_datetime_on_a_date_field(client: FlaskClient, db_session: Session) -> None:
    expected = db_session.execute(
        sa.text(
            "SELECT count(*) FROM facilities WHERE status = 'active' "
            "AND install_date BETWEEN '2015-01-01' AND '2019-12-31'"
        )
    ).scalar()
    page = _get(
        client, "/ogc/collections/facilities/items", datetime="2015-01-01/2019-12-31", limit=1
    ).get_json()
    assert page["numberMatched"] == expected > 0


def test_single_item_and_missing_ones(client: FlaskClient, db_session: Session) -> None:
    fid = db_session.execute(sa.text("SELECT min(id) FROM projects")).scalar()
    resp = _get(client, f"/ogc/collections/projects/items/{fid}")
    assert resp.mimetype == "application/geo+json"
    feature = resp.get_json()
    assert feature["type"] == "Feature" and feature["id"] == fid
    assert {
        "self application/geo+json",
        "alternate text/html",
        "collection application/json",
    } <= set(_rels(feature["links"]))
    assert _error(client, "/ogc/collections/projects/items/999999999", 404)
    assert _error(client, "/ogc/collections/projects/items/abc", 404)
    removed = db_session.execute(
        sa.text(
            "UPDATE facilities SET status = 'removed', removed_on = current_date "
            "WHERE id = (SELECT min(id) FROM facilities) RETURNING id"
        )
    ).scalar()
    db_session.flush()
    # A removed facility is not in the public layer, so not in the collection either.
    assert _error(client, f"/ogc/collections/facilities/items/{removed}", 404)
    assert "nope" in _error(client, "/ogc/collections/nope/items", 404)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "10001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"bbox": "114.3,30.5,114.4"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "114.4,30.5,114.3,30.6"}, "antimeridian"),
        ({"bbox": "114.3,30.6,114.4,30.5"}, "bbox"),
        ({"bbox": "114,95,115,96"}, "latitude"),
        ({"bbox": BOX, "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "bbox-crs"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"datetime": "2026-01-01T00:00:00"}, "datetime"),
        ({"support_count": "many"}, "support_count"),
        ({"contact": "x"}, "contact"),
        ({"reporter_key": "x"}, "reporter_key"),
        ({"f": "xml"}, "f"),
    ],
)
def test_bad_parameters_are_400_in_ogc_format(
    client: FlaskClient, params: dict[str, str], field: str
) -> None:
    assert field in _error(client, "/ogc/collections/reports/items", 400, **params)


def test_datetime_needs_a_time_field(client: FlaskClient) -> None:
    assert "time field" in _error(client, "/ogc/collections/projects/items", datetime="2026-01-01")


def test_unknown_parameters_elsewhere(client: FlaskClient) -> None:
    for url in ("/ogc", "/ogc/collections", "/ogc/collections/areas", "/ogc/conformance"):
        assert "foo" in _error(client, url, 400, foo="1")


def test_accept_header_negotiation(client: FlaskClient) -> None:
    url = "/ogc/collections/reports/items"
    geo = client.get(url, headers={"Accept": "application/geo+json"})
    assert geo.mimetype == "application/geo+json"
    assert "Accept" in geo.headers["Vary"]
    assert geo.headers["Access-Control-Allow-Origin"] == "*"  # open data for web maps elsewhere
    browser = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    assert client.get(url, headers={"Accept": "*/*"}).mimetype == "application/geo+json"
    assert client.get("/ogc", headers={"Accept": "text/html"}).mimetype == "text/html"
    missing = client.get("/ogc/collections/nope", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def _file_report(client: FlaskClient, category: str, description: str) -> int:
    resp = client.post(
        "/api/v1/reports",
        json={
            "category": category,
            "description": description,
            "lon": 114.31234,
            "lat": 30.54567,
            "contact": "13800138000",
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return int(resp.get_json()["id"])


def test_no_personal_data_and_text_escaped(client: FlaskClient) -> None:
    hostile = "<script>alert('x')</script> & <b>bold</b>"
    fid = _file_report(client, "waste", hostile)
    for url in (
        f"/ogc/collections/reports/items/{fid}",
        "/ogc/collections/reports/items?limit=10000",
        f"/ogc/collections/reports/items/{fid}?f=html",
        "/ogc/collections/reports/items?limit=10000&f=html",
    ):
        text = _get(client, url).get_data(as_text=True)
        assert "13800138000" not in text
        assert "reporter" not in text
        if "f=html" in url:
            assert "<script>alert" not in text and "<b>bold" not in text
            assert "&lt;script&gt;" in text or "\\u003cscript\\u003e" in text
    feature = _get(client, f"/ogc/collections/reports/items/{fid}").get_json()
    assert feature["properties"]["description"] == hostile
    assert set(feature["properties"]) == {
        "category",
        "status",
        "description",
        "support_count",
        "created_at",
    }


def test_sensitive_reports_are_rounded_and_cannot_be_pinned_by_bbox(client: FlaskClient) -> None:
    fid = _file_report(client, "public_safety", "a dark corner at night")
    feature = _get(client, f"/ogc/collections/reports/items/{fid}").get_json()
    lon, lat = feature["geometry"]["coordinates"]
    assert (lon, lat) != (114.31234, 30.54567)
    assert abs(lon - 114.31234) < 0.002 and abs(lat - 30.54567) < 0.002
    # A tiny box around the true spot does not find it (unless the rounded point is inside).
    tiny = "114.31233,30.54566,114.31235,30.54568"
    found = _get(client, "/ogc/collections/reports/items", bbox=tiny, limit=100).get_json()
    assert fid not in [f["id"] for f in found["features"]]
    around = f"{lon - 1e-5},{lat - 1e-5},{lon + 1e-5},{lat + 1e-5}"
    found = _get(client, "/ogc/collections/reports/items", bbox=around, limit=100).get_json()
    assert fid in [f["id"] for f in found["features"]]


def test_html_pages_browse(client: FlaskClient) -> None:
    landing = _get(client, "/ogc", f="html").get_data(as_text=True)
    assert "/ogc/collections/reports?f=html" in landing
    listing = _get(client, "/ogc/collections", f="html").get_data(as_text=True)
    assert "/ogc/collections/areas?f=html" in listing
    one = _get(client, "/ogc/collections/areas", f="html").get_data(as_text=True)
    assert "/ogc/collections/areas/items?f=html" in one
    items = _get(client, "/ogc/collections/areas/items", f="html", limit=5).get_data(as_text=True)
    assert 'rel="next"' in items and "ogc-map" in items and "leaflet.js" in items
    second = _get(client, "/ogc/collections/areas/items", f="html", limit=5, offset=5)
    assert 'rel="prev"' in second.get_data(as_text=True)
    project = _get(client, "/ogc/collections/projects/items/1", f="html").get_data(as_text=True)
    assert "/projects/1" in project
    assert "level" in _get(client, "/ogc/collections/areas/queryables", f="html").get_data(
        as_text=True
    )
    assert "conf/core" in _get(client, "/ogc/conformance", f="html").get_data(as_text=True)


def test_queryables(client: FlaskClient) -> None:
    resp = _get(client, "/ogc/collections/facilities/queryables")
    assert resp.mimetype == "application/schema+json"
    props = resp.get_json()["properties"]
    assert props["install_date"] == {"type": "string", "format": "date"}
    assert "status" not in props  # the layer's own filter column is not published


def test_openapi_document_is_valid_openapi_30(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    validate(_get(client, "/ogc/api").get_json())


def test_items_pages_are_cached_until_the_data_under_the_box_change(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    url = "/ogc/collections/reports/items"
    first = _get(client, url, bbox=BOX, limit=1000).get_json()
    cache = app.extensions["gisapp.tile_cache"]
    assert any(k.startswith("ogc:") for k in cache._items)
    again = _get(client, url, bbox=BOX, limit=1000).get_json()
    assert again["features"] == first["features"]
    assert again["numberMatched"] == first["numberMatched"]

    # A new report in the box changes the version of the tiles under it: a new page.
    db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, status, geom, created_at, updated_at)"
            " VALUES ('waste', 'cache check', 'submitted',"
            " ST_SetSRID(ST_MakePoint(114.315, 30.545), 4326), now(), now())"
        )
    )
    after = _get(client, url, bbox=BOX, limit=1000).get_json()
    assert after["numberMatched"] == first["numberMatched"] + 1
    assert "cache check" in {f["properties"]["description"] for f in after["features"]}
