"""Property tests (hypothesis) for every way a geometry enters the app: a report's lon/lat, a
``bbox`` string, a project's GeoJSON footprint and site-score candidate polygons.

The property is the API contract: a 2xx, or a 4xx in the JSON error format that names no stack
trace and writes nothing; never a 5xx. Strategies mix plausible geometry (inside the sample
street) with the hostile kind: NaN, infinities, huge numbers, strings, swapped or out-of-range
coordinates, self-intersecting rings, empty and 3D coordinates, huge coordinate lists and
nested garbage. Runs are derandomized, so CI sees the same cases every time.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gisapp.errors import ValidationFailed
from gisapp.geo.features import parse_bbox
from gisapp.models import Area
from tests.conftest import AuthActions
from tests.security.test_fuzz_api import writes_so_far

# Function-scoped fixtures (one rolled-back transaction, a token) serve every example of a
# test: that is intended, the examples only add rows that the rollback removes.
PROPERTY = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The sample street lies around 114.31 E, 30.55 N (Wuhan).
NEAR_LON = st.floats(114.25, 114.40)
NEAR_LAT = st.floats(30.50, 30.60)
HOSTILE_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, -0.0, 180.0000001, -90.0000001]),
)
GARBAGE = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8) | HOSTILE_NUMBER,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
COORDINATE = st.one_of(
    NEAR_LON.flatmap(lambda x: NEAR_LAT.map(lambda y: [x, y])),
    st.lists(HOSTILE_NUMBER, min_size=0, max_size=4),  # wrong length, 3D, 4D, NaN
    st.tuples(NEAR_LON, NEAR_LAT, st.floats(-100, 100)).map(list),  # 3D inside the street
    GARBAGE,
)


def assert_contract(resp: TestResponse, before: dict[str, Any], session: Session) -> None:
    """2xx, or a 4xx JSON error that wrote nothing; never a 5xx or a stack trace."""
    body = resp.get_data()
    assert b"Traceback" not in body
    assert resp.status_code < 500, body[:500]
    if resp.status_code >= 400:
        error = json.loads(body)["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), error
        assert writes_so_far(session) == before, "a refused request wrote rows"
    else:
        assert 200 <= resp.status_code < 300, resp.status_code


def post_raw(client: FlaskClient, url: str, payload: Any, headers: dict[str, str]) -> TestResponse:
    # json.dumps writes NaN and Infinity as bare words, which Python's JSON reader (Flask's)
    # accepts: exactly what a hostile client can send.
    data = json.dumps(payload, allow_nan=True)
    return client.post(url, data=data, content_type="application/json", headers=headers)


@pytest.fixture
def planner(auth: AuthActions) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token('demo-planner')}"}


@pytest.fixture
def community_centre(db_session: Session) -> tuple[float, float]:
    pt = sa.func.ST_PointOnSurface(Area.geom)
    x, y = db_session.execute(
        sa.select(sa.func.ST_X(pt), sa.func.ST_Y(pt))
        .where(Area.level == "community")
        .order_by(Area.id)
        .limit(1)
    ).one()
    return float(x), float(y)


# --- a report's lon/lat -------------------------------------------------------------------


@PROPERTY
@given(
    lon=st.one_of(NEAR_LON, HOSTILE_NUMBER, GARBAGE),
    lat=st.one_of(NEAR_LAT, HOSTILE_NUMBER, GARBAGE),
)
def test_report_lon_lat(app: Flask, db_session: Session, lon: Any, lat: Any) -> None:
    before = writes_so_far(db_session)
    payload = {"category": "waste", "description": "fuzzed place", "lon": lon, "lat": lat}
    # A new visitor each time: a filed report gives its visitor a cookie, and a cookie's
    # writes need the CSRF token, which is not what this test is about.
    resp = post_raw(app.test_client(), "/api/v1/reports", payload, {})
    assert_contract(resp, before, db_session)
    if resp.status_code == 201:
        assert isinstance(lon, int | float) and isinstance(lat, int | float)
        assert math.isfinite(lon) and math.isfinite(lat)
    else:
        assert resp.get_json()["error"]["field"] in {"lon", "lat"}, (lon, lat, resp.get_json())


@PROPERTY
@given(lon=st.text(max_size=30), lat=st.text(max_size=30))
def test_nearby_lon_lat_strings(
    client: FlaskClient, db_session: Session, lon: str, lat: str
) -> None:
    before = writes_so_far(db_session)
    resp = client.get(
        "/api/v1/reports/nearby", query_string={"lon": lon, "lat": lat, "category": "waste"}
    )
    assert_contract(resp, before, db_session)


# --- bbox strings -------------------------------------------------------------------------

BBOX_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(HOSTILE_NUMBER.map(str), st.text(max_size=6)), max_size=6).map(",".join),
    st.tuples(NEAR_LON, NEAR_LAT, NEAR_LON, NEAR_LAT).map(lambda t: ",".join(map(str, t))),
)


@settings(max_examples=300, derandomize=True, database=None)
@given(raw=BBOX_TEXT)
def test_parse_bbox_is_a_box_or_a_named_422(raw: str) -> None:
    try:
        box = parse_bbox(raw)
    except ValidationFailed as exc:
        assert exc.field == "bbox" and exc.status == 422
        return
    if box is None:
        assert raw == ""
        return
    minx, miny, maxx, maxy = box
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


@PROPERTY
@given(raw=BBOX_TEXT, path=st.sampled_from(["/reports", "/areas", "/facilities"]))
def test_bbox_on_the_api(client: FlaskClient, db_session: Session, raw: str, path: str) -> None:
    before = writes_so_far(db_session)
    resp = client.get(f"/api/v1{path}", query_string={"bbox": raw, "limit": 5})
    assert_contract(resp, before, db_session)


# --- GeoJSON footprints of projects ---------------------------------------------------------


def _ring(points: list[list[float]]) -> list[list[float]]:
    return [*points, points[0]] if points else points


def footprints(centre: tuple[float, float]) -> st.SearchStrategy[Any]:
    lon, lat = centre
    d = 0.0004
    square = _ring([[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]])
    bowtie = _ring([[lon - d, lat - d], [lon + d, lat + d], [lon + d, lat - d], [lon - d, lat + d]])
    many = st.integers(4, 5000).map(
        lambda n: _ring(
            [
                [lon + d * math.cos(2 * math.pi * i / n), lat + d * math.sin(2 * math.pi * i / n)]
                for i in range(n)
            ]
        )
    )
    types = st.sampled_from(
        [
            "Polygon",
            "MultiPolygon",
            "Point",
            "LineString",
            "MultiPoint",
            "GeometryCollection",
            "Feature",
            "polygon",
            "",
        ]
    )
    return st.one_of(
        st.just({"type": "Polygon", "coordinates": [square]}),  # valid: must be accepted
        st.just({"type": "Polygon", "coordinates": [bowtie]}),  # self-intersecting
        st.just({"type": "Polygon", "coordinates": []}),  # empty
        st.just({"type": "Polygon", "coordinates": [[]]}),
        st.just({"type": "MultiPolygon", "coordinates": [[]]}),
        st.just({"type": "Point", "coordinates": [lat, lon]}),  # swapped
        st.just({"type": "GeometryCollection", "geometries": []}),
        many.map(lambda ring: {"type": "Polygon", "coordinates": [ring]}),  # huge lists
        st.lists(COORDINATE, max_size=6).map(
            lambda ring: {"type": "Polygon", "coordinates": [ring]}
        ),
        st.lists(COORDINATE, max_size=4).map(
            lambda pts: {"type": "LineString", "coordinates": pts}
        ),
        COORDINATE.map(lambda pt: {"type": "Point", "coordinates": pt}),  # 3D, NaN, garbage
        st.fixed_dictionaries({"type": types, "coordinates": GARBAGE}),
        GARBAGE,  # not even an object
    )


@settings(PROPERTY, max_examples=50)
@given(data=st.data())
def test_project_footprints(
    client: FlaskClient,
    db_session: Session,
    planner: dict[str, str],
    community_centre: tuple[float, float],
    data: st.DataObject,
) -> None:
    geometry = data.draw(footprints(community_centre), label="geometry")
    before = writes_so_far(db_session)
    payload = {"title_zh": "模糊测试", "geometry": geometry}
    resp = post_raw(client, "/api/v1/projects", payload, planner)
    assert_contract(resp, before, db_session)
    if resp.status_code >= 400:
        assert resp.get_json()["error"]["field"] == "geometry"


def test_a_valid_square_footprint_is_accepted(
    client: FlaskClient, planner: dict[str, str], community_centre: tuple[float, float]
) -> None:
    """The strategy's one valid shape really is valid: the property is not vacuous."""
    lon, lat = community_centre
    d = 0.0004
    ring = _ring([[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]])
    resp = client.post(
        "/api/v1/projects",
        headers=planner,
        json={"title_zh": "模糊测试", "geometry": {"type": "Polygon", "coordinates": [ring]}},
    )
    assert resp.status_code == 201, resp.get_json()


# --- site-score candidate polygons ----------------------------------------------------------


@settings(PROPERTY, max_examples=30)
@given(data=st.data())
def test_site_score_candidate_polygons(
    client: FlaskClient,
    db_session: Session,
    planner: dict[str, str],
    community_centre: tuple[float, float],
    data: st.DataObject,
) -> None:
    polygons = data.draw(
        st.one_of(
            st.lists(footprints(community_centre), min_size=0, max_size=3),
            footprints(community_centre),  # not a list
            st.fixed_dictionaries({"features": st.lists(GARBAGE, max_size=3)}),
        ),
        label="polygons",
    )
    before = writes_so_far(db_session)
    payload = {
        "facility_type": "playground",
        "radius_m": 300,
        "distance": "straight",
        "candidates": {"polygons": polygons},
    }
    resp = post_raw(client, "/api/v1/analysis/site-scores", payload, planner)
    assert_contract(resp, before, db_session)
    if resp.status_code >= 400:
        assert resp.get_json()["error"]["field"].startswith("candidates")


def test_shapes_that_geos_refuses_are_a_named_422(
    client: FlaskClient, planner: dict[str, str], community_centre: tuple[float, float]
) -> None:
    """A one-point line made shapely raise GEOSException, which was a 500 (found by the above)."""
    line = {"type": "LineString", "coordinates": [list(community_centre)]}
    resp = client.post(
        "/api/v1/projects", headers=planner, json={"title_zh": "一点线", "geometry": line}
    )
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "geometry"
    resp = client.post(
        "/api/v1/analysis/site-scores",
        headers=planner,
        json={"facility_type": "playground", "candidates": {"polygons": [line]}},
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "candidates.polygons"
