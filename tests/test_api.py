"""The foundation's JSON API: reference lists, areas, reports, layers, errors, OpenAPI."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

PRIVATE = ("contact", "email", "phone", "password", "13800")


def test_categories_and_facility_types(client: FlaskClient) -> None:
    cats = client.get("/api/v1/categories").get_json()
    assert {"code", "name_zh", "name_en"} <= set(cats[0])
    assert "road_damage" in {c["code"] for c in cats}
    types = client.get("/api/v1/facility-types").get_json()
    assert {"code", "name_zh", "name_en", "interval_days"} <= set(types[0])


@pytest.mark.parametrize("level", ["district", "street", "community", "grid", "building"])
def test_areas_by_level(client: FlaskClient, level: str) -> None:
    resp = client.get(f"/api/v1/areas?level={level}")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    fc = resp.get_json()
    assert fc["features"]
    assert all(f["properties"]["level"] == level for f in fc["features"])


def test_reports_geojson_and_filters(client: FlaskClient) -> None:
    fc = client.get("/api/v1/reports?limit=10000").get_json()
    total = len(fc["features"])
    assert total >= 200
    resolved = client.get("/api/v1/reports?status=resolved&limit=10000").get_json()["features"]
    assert resolved and all(f["properties"]["status"] == "resolved" for f in resolved)
    waste = client.get("/api/v1/reports?category=waste&limit=10000").get_json()["features"]
    assert waste and all(f["properties"]["category"] == "waste" for f in waste)
    some = client.get("/api/v1/reports?limit=5").get_json()
    assert some["numberReturned"] == 5


def test_reports_by_area_use_the_area_links(client: FlaskClient) -> None:
    community = client.get("/api/v1/areas?level=community").get_json()["features"][0]
    code = community["properties"]["code"]
    inside = client.get(f"/api/v1/reports?area={code}&limit=10000").get_json()["features"]
    assert inside
    assert all(f["properties"]["community_id"] == community["id"] for f in inside)


def test_reports_by_bbox(client: FlaskClient) -> None:
    everything = client.get("/api/v1/reports?limit=10000").get_json()["features"]
    lon, lat = everything[0]["geometry"]["coordinates"]
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    near = client.get(f"/api/v1/reports?bbox={box}&limit=10000").get_json()["features"]
    assert 0 < len(near) < len(everything)
    for f in near:
        x, y = f["geometry"]["coordinates"]
        assert lon - 0.001 <= x <= lon + 0.001 and lat - 0.001 <= y <= lat + 0.001


def test_report_detail_has_areas_and_no_contact(client: FlaskClient) -> None:
    first = client.get("/api/v1/reports?limit=1").get_json()["features"][0]
    resp = client.get(f"/api/v1/reports/{first['id']}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["properties"]["support_count"] >= 0
    assert body["properties"]["areas"]["community"]["name_zh"]
    assert body["properties"]["areas"]["grid"]["code"]


def test_public_reports_never_carry_contact_details(client: FlaskClient) -> None:
    for url in ("/api/v1/reports?limit=10000", "/api/v1/layers/reports/features"):
        text = client.get(url).get_data(as_text=True)
        for word in PRIVATE:
            assert word not in text, (url, word)


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/reports?bbox=1,2,3", 422, "bbox"),
        ("/api/v1/reports?bbox=a,b,c,d", 422, "bbox"),
        ("/api/v1/reports?bbox=30.5,114.3,30.6,114.4", 422, "bbox"),  # lat,lon swapped → lat > 90
        ("/api/v1/reports?bbox=114.4,30.5,114.3,30.6", 422, "bbox"),
        ("/api/v1/reports?limit=0", 422, "limit"),
        ("/api/v1/reports?limit=10001", 422, "limit"),
        ("/api/v1/reports?limit=ten", 422, "limit"),
        ("/api/v1/reports?status=bogus", 422, "status"),
        ("/api/v1/reports?area=nowhere", 404, "area"),
        ("/api/v1/reports?colour=red", 422, "colour"),
        ("/api/v1/areas?level=planet", 422, "level"),
        ("/api/v1/reports/999999999", 404, "id"),
        ("/api/v1/layers/nope/features", 404, "layer"),
    ],
)
def test_bad_queries_get_json_errors(
    client: FlaskClient, url: str, status: int, field: str
) -> None:
    resp = client.get(url)
    assert resp.status_code == status
    err = resp.get_json()["error"]
    assert err["field"] == field
    assert err["message"] and err["code"]


def test_unknown_api_path_is_json_404(client: FlaskClient) -> None:
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_layer_features_limit_fields_to_the_layer_file(client: FlaskClient) -> None:
    fc = client.get("/api/v1/layers/reports/features").get_json()
    props = fc["features"][0]["properties"]
    assert set(props) == {"category", "status", "description", "support_count", "created_at"}


def test_layer_list(client: FlaskClient) -> None:
    ids = [layer["id"] for layer in client.get("/api/v1/layers").get_json()]
    assert "reports" in ids and "areas-community" in ids


def test_hostile_text_is_data_not_markup(client: FlaskClient) -> None:
    text = client.get("/api/v1/layers/reports/features").get_data(as_text=True)
    # It is in the JSON as text; the page escapes it (browser tests prove no script runs).
    descriptions = [f["properties"]["description"] for f in json.loads(text)["features"]]
    assert any("<script>" in d for d in descriptions)


def test_openapi_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.0")
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = (
            rule.rule.removeprefix("/api/v1")
            .replace("<int:", "{")
            .replace("<", "{")
            .replace(">", "}")
        )
        assert path in documented, f"{rule.rule} is not in the OpenAPI document"


# Regressions found by the fuzzers (tests/security/test_fuzz_api.py).


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/2147483648",
        "/api/v1/reports/36028797018963969/reopen",
        "/api/v1/facilities/1/photos/82256309299504168960",
    ],
)
def test_an_id_beyond_the_int4_range_is_a_404(client: FlaskClient, url: str) -> None:
    """PostgreSQL refused such ids inside the query (a 500); no row can have one."""
    resp = client.post(url, json={}) if url.endswith("reopen") else client.get(url)
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_nul_characters_are_refused_by_name(client: FlaskClient) -> None:
    """PostgreSQL text cannot hold U+0000: a named 422, not a database error."""
    resp = client.get("/api/v1/rewards.csv", query_string={"street": "a\x00b"})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "street"
    resp = client.post(
        "/api/v1/reports",
        json={"category": "waste", "description": "x\x00", "lon": 114.3, "lat": 30.5},
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "description"


def test_exclusive_bounds_are_openapi_3_0(client: FlaskClient) -> None:
    """OpenAPI 3.0 spells an exclusive bound as a boolean beside minimum/maximum."""

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
                if key in node:
                    assert isinstance(node[key], bool) and bound in node, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(client.get("/api/v1/openapi.json").get_json())


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/votes?community=4%C2%B3",
        "/api/v1/reports?area=%C2%B2",
        "/api/v1/areas?parent=1%C2%B9",
    ],
)
def test_superscript_digits_are_not_ids(client: FlaskClient, url: str) -> None:
    """'4³'.isdigit() is true but int('4³') fails: ids are checked with isdecimal()."""
    resp = client.get(url)
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
