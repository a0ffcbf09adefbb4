"""A sweep of every public output for the project's hard rules (reviewer's test).

Planted in one rolled-back transaction:

- a report in a *sensitive* category (``public_safety``) with a distinctive contact and a hostile
  description, filed through the JSON API;
- an Open311 request with a distinctive e-mail, names and phone, and a hostile description;
- a report *held* by moderation (its description carries a web address), linked to a project
  whose title and description are hostile too, completed this month (so the outcomes page
  lists it).

Then every public output is fetched (see ``PUBLIC_URLS`` and the tests below: the JSON API,
map layers, report and project pages, the OGC API in JSON and HTML, Open311 in JSON and XML,
vector tiles at cluster and point zooms, the outcomes page, CSV and API, and ``gisapp export``
in CSV, GeoJSON and GeoPackage) and checked: no contact string anywhere, hostile text only
escaped in HTML, the sensitive report only at its rounded place (also through bbox and
distance probes), the held report nowhere.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pyogrio
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session

from gisapp.dataio.exporter import export_layer
from gisapp.dataio.sample import DEMO_OPEN311_KEY
from gisapp.models import Area, Facility, Project, Report
from gisapp.planning.models import ProjectReport
from gisapp.reports.models import ReportEvent, ReportPhoto

CONTACT = "privacy-sweep-13912349876@example.org"
O311_EMAIL = "o311.sweep.person@example.cn"
O311_FIRST, O311_LAST, O311_PHONE = "Sweepfirst", "Sweeplast", "+86 139 5555 0199"
SECRETS = (CONTACT, "13912349876", O311_EMAIL, O311_FIRST, O311_LAST, "5555 0199")
HOSTILE = '<img src=x onerror=alert(1)> sweep-marker "quoted" & <script>alert(2)</script>'
HELD_TEXT = "held-sweep-marker cheap offers at http://spam.example.com/deal"
PROJECT_TITLE = "<script>alert('project')</script> sweep-project"
ROUNDING = 100  # the default GISAPP_SENSITIVE_ROUNDING_M (the test settings keep it)

# Pages and APIs that take no ids (ids are added per test).
PUBLIC_URLS = (
    "/",
    "/api/v1/reports?limit=10000",
    "/api/v1/layers/reports/features",
    "/ogc/collections/reports/items?limit=10000&f=json",
    "/ogc/collections/reports/items?limit=10000&f=html",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/outcomes",
    "/outcomes.csv",
    "/api/v1/outcomes",
    "/api/v1/outcomes?format=geojson",
)


@dataclass
class Planted:
    sensitive: int
    open311: int
    held: int
    project: int
    stored: tuple[float, float]  # the sensitive report's true place
    rounded: tuple[float, float]  # where the public may see it


def _point_in_a_grid(s: Session) -> tuple[float, float]:
    x, y = s.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        )
        .where(Area.level == "grid")
        .order_by(Area.id)
        .limit(1)
    ).one()
    return float(x), float(y)


def _rounded(s: Session, report_id: int) -> tuple[tuple[float, float], tuple[float, float]]:
    row = s.execute(
        sa.text(
            "SELECT ST_X(geom), ST_Y(geom), ST_X(p), ST_Y(p) FROM (SELECT geom, ST_Transform("
            " ST_SnapToGrid(ST_Transform(geom, 3857), :r), 4326) AS p FROM reports WHERE id = :id) s"
        ),
        {"id": report_id, "r": ROUNDING},
    ).one()
    return (row[0], row[1]), (row[2], row[3])


@pytest.fixture
def planted(app: Flask, client: FlaskClient, db_session: Session) -> Planted:
    # Each filing from a fresh anonymous client (a cookie from an earlier one asks for CSRF).
    x0, y0 = _point_in_a_grid(db_session)
    # Off any 100 m grid node, so the rounded place differs from the true one by metres.
    lon, lat = x0 + 0.000137, y0 + 0.000211
    resp = app.test_client().post(
        "/api/v1/reports",
        json={
            "category": "public_safety",
            "description": HOSTILE,
            "lon": lon,
            "lat": lat,
            "contact": CONTACT,
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    sensitive = int(resp.get_json()["id"])
    resp = app.test_client().post(
        "/open311/v2/requests.json",
        data={
            "api_key": DEMO_OPEN311_KEY,
            "service_code": "street_light",
            "lat": str(lat + 0.0003),
            "long": str(lon),
            "description": HOSTILE + " via open311",
            "email": O311_EMAIL,
            "first_name": O311_FIRST,
            "last_name": O311_LAST,
            "phone": O311_PHONE,
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    open311 = int(resp.get_json()[0]["service_request_id"])
    resp = app.test_client().post(
        "/api/v1/reports",
        json={"category": "noise", "description": HELD_TEXT, "lon": lon, "lat": lat - 0.0003},
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    held = int(resp.get_json()["id"])
    db_session.expire_all()
    assert db_session.get(Report, held).moderation == "held"  # type: ignore[union-attr]
    assert db_session.get(Report, sensitive).moderation == "visible"  # type: ignore[union-attr]
    project = Project(
        code="SWEEP-1",
        title_zh=PROJECT_TITLE,
        title_en=PROJECT_TITLE,
        description=HOSTILE,
        phase="co_evaluate",
        progress=100,
        started_on=dt.date.today() - dt.timedelta(days=30),
        completed_on=dt.date.today(),
        geom=f"SRID=4326;POINT({lon} {lat})",
    )
    db_session.add(project)
    db_session.flush()
    db_session.add(ProjectReport(project_id=project.id, report_id=held))
    db_session.add(ProjectReport(project_id=project.id, report_id=sensitive))
    db_session.flush()
    stored, rounded = _rounded(db_session, sensitive)
    # The test means something only if rounding moved the point by metres.
    assert abs(stored[0] - rounded[0]) + abs(stored[1] - rounded[1]) > 2e-5
    return Planted(sensitive, open311, held, project.id, stored, rounded)


def _text(client: FlaskClient, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:300])
    return resp.get_data(as_text=True)


def _no_secrets(url: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {url}"


def _html_escaped(url: str, page: str) -> None:
    assert "<img src=x" not in page, url
    assert "<script>alert(" not in page, url
    assert "onerror=alert(1)>" not in page.replace("&gt;", ""), url


def _near(a: tuple[float, float], b: tuple[float, float], tol: float = 2e-6) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def _geojson_point(feature: dict[str, Any]) -> tuple[float, float]:
    x, y = feature["geometry"]["coordinates"]
    return float(x), float(y)


# --------------------------------------------------------------------------- every output


def test_no_contact_or_held_report_in_any_public_output(
    client: FlaskClient, planted: Planted
) -> None:
    urls = [
        *PUBLIC_URLS,
        f"/api/v1/reports/{planted.sensitive}",
        f"/api/v1/reports/{planted.open311}",
        f"/reports/{planted.sensitive}",
        f"/reports/{planted.open311}",
        f"/projects/{planted.project}",
        f"/ogc/collections/reports/items/{planted.sensitive}?f=json",
        f"/ogc/collections/reports/items/{planted.sensitive}?f=html",
        f"/open311/v2/requests/{planted.sensitive}.json",
        f"/open311/v2/requests/{planted.open311}.xml",
    ]
    for url in urls:
        text = _text(client, url)
        _no_secrets(url, text)
        assert "held-sweep-marker" not in text, f"the held report shows in {url}"
        assert "spam.example.com" not in text, f"the held report shows in {url}"


def test_the_held_report_has_no_public_page_item_or_request(
    client: FlaskClient, planted: Planted
) -> None:
    held = planted.held
    for url in (
        f"/api/v1/reports/{held}",
        f"/reports/{held}",
        f"/ogc/collections/reports/items/{held}?f=json",
        f"/ogc/collections/reports/items/{held}?f=html",
    ):
        assert client.get(url).status_code == 404, url
    for fmt in ("json", "xml"):
        resp = client.get(f"/open311/v2/requests/{held}.{fmt}")
        assert resp.status_code == 404 or "held-sweep-marker" not in resp.get_data(as_text=True)
    near = client.get(
        "/api/v1/reports/nearby",
        query_string={
            "lon": planted.stored[0],
            "lat": planted.stored[1] - 0.0003,
            "category": "noise",
        },
    ).get_json()
    assert held not in [t["id"] for t in near["reports"]]


def test_hostile_text_is_escaped_in_every_html_page(client: FlaskClient, planted: Planted) -> None:
    pages = {
        f"/reports/{planted.sensitive}": HOSTILE,
        f"/reports/{planted.open311}": HOSTILE,
        f"/projects/{planted.project}": PROJECT_TITLE,
        "/ogc/collections/reports/items?limit=10000&f=html": HOSTILE,
        f"/ogc/collections/reports/items/{planted.sensitive}?f=html": HOSTILE,
        "/outcomes": PROJECT_TITLE,
    }
    for url, planted_text in pages.items():
        page = _text(client, url)
        _html_escaped(url, page)
        assert "sweep-" in page, f"the planted text is not on {url} at all"
        # Shown, as text: Jinja's escaping of the whole string.
        assert str(escape(planted_text)) in page, url
    # The project page shows its hostile description escaped as well.
    page = _text(client, f"/projects/{planted.project}")
    assert str(escape(HOSTILE)) in page


def test_json_keeps_the_text_as_text_and_xml_escapes_it(
    client: FlaskClient, planted: Planted
) -> None:
    item = client.get(f"/api/v1/reports/{planted.sensitive}").get_json()
    assert item["properties"]["description"] == HOSTILE
    xml = _text(client, f"/open311/v2/requests/{planted.sensitive}.xml")
    assert "<img src=x" not in xml and "&lt;img src=x" in xml


# --------------------------------------------------------------------------- rounding


def test_json_outputs_put_the_sensitive_report_at_its_rounded_place(
    client: FlaskClient, planted: Planted
) -> None:
    sid = planted.sensitive
    found: dict[str, tuple[float, float]] = {}
    item = client.get(f"/api/v1/reports/{sid}").get_json()
    found["api item"] = _geojson_point(item)
    for url in (
        "/api/v1/reports?limit=10000&category=public_safety",
        "/api/v1/layers/reports/features",
        "/ogc/collections/reports/items?limit=10000&f=json&category=public_safety",
    ):
        [feature] = [f for f in client.get(url).get_json()["features"] if f["id"] == sid]
        found[url] = _geojson_point(feature)
    found["ogc item"] = _geojson_point(
        client.get(f"/ogc/collections/reports/items/{sid}?f=json").get_json()
    )
    [request] = client.get(f"/open311/v2/requests/{sid}.json").get_json()
    found["open311"] = (request["long"], request["lat"])
    for where, point in found.items():
        assert _near(point, planted.rounded), f"{where}: {point} is not the rounded place"
        assert not _near(point, planted.stored, 1e-5), f"{where} gives the true place"


def _probe_box(lon: float, lat: float, half: float = 0.00002) -> str:
    return f"{lon - half},{lat - half},{lon + half},{lat + half}"


def test_a_tiny_bbox_around_the_true_place_finds_nothing(
    client: FlaskClient, planted: Planted
) -> None:
    true_box = _probe_box(*planted.stored)
    public_box = _probe_box(*planted.rounded)
    for base in (
        "/api/v1/reports?limit=10000&bbox=",
        "/api/v1/layers/reports/features?bbox=",
        "/ogc/collections/reports/items?limit=10000&f=json&bbox=",
    ):
        ids = [f["id"] for f in client.get(base + true_box).get_json()["features"]]
        assert planted.sensitive not in ids, f"{base}: a bbox probe finds the true place"
        ids = [f["id"] for f in client.get(base + public_box).get_json()["features"]]
        assert planted.sensitive in ids, f"{base}: the report is not found at its public place"


def test_nearby_twins_measure_from_the_rounded_place(client: FlaskClient, planted: Planted) -> None:
    def distance(lon: float, lat: float) -> float | None:
        twins = client.get(
            "/api/v1/reports/nearby",
            query_string={"lon": lon, "lat": lat, "category": "public_safety"},
        ).get_json()["reports"]
        return next((t["distance_m"] for t in twins if t["id"] == planted.sensitive), None)

    # Asked from the rounded place, the distance is ~0; from the true place, it is not.
    assert distance(*planted.rounded) == pytest.approx(0, abs=0.5)
    at_true = distance(*planted.stored)
    assert at_true is None or at_true > 1


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _tile_features(client: FlaskClient, z: int, x: int, y: int) -> list[dict[str, Any]]:
    resp = client.get(f"/tiles/reports/{z}/{x}/{y}.pbf")
    if resp.status_code == 204:
        return []
    assert resp.status_code == 200, resp.get_data(as_text=True)
    decoded = mapbox_vector_tile.decode(resp.get_data())
    return list(decoded.get("reports", {"features": []})["features"])


def _mvt_xy(s: Session, lon: float, lat: float, z: int, x: int, y: int) -> tuple[int, int]:
    gx, gy = s.execute(
        sa.text(
            "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_AsMVTGeom(ST_Transform("
            " ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 3857), ST_TileEnvelope(:z, :x, :y),"
            " 4096, 256, true) AS g) s"
        ),
        {"lon": lon, "lat": lat, "z": z, "x": x, "y": y},
    ).one()
    return int(gx), int(gy)


@pytest.mark.parametrize("z", [16, 18])
def test_tiles_draw_the_sensitive_report_rounded_and_leave_the_held_one_out(
    client: FlaskClient, db_session: Session, planted: Planted, z: int
) -> None:
    zxy = _tile_of(*planted.rounded, z)
    feats = _tile_features(client, *zxy)
    ids = {f["properties"].get("id") for f in feats}
    assert planted.held not in ids
    [drawn] = [f for f in feats if f["properties"].get("id") == planted.sensitive]
    for f in feats:
        _no_secrets("tile", json.dumps(f["properties"], ensure_ascii=False))
    # mapbox-vector-tile flips y to a y-up grid by default.
    px, py = drawn["geometry"]["coordinates"]
    public = _mvt_xy(db_session, *planted.rounded, *zxy)
    true = _mvt_xy(db_session, *planted.stored, *zxy)
    assert (px, 4096 - py) == public
    assert public != true
    texts = [f["properties"].get("description", "") for f in feats]
    assert HOSTILE in texts  # MVT is data, not HTML: the text is kept as it was written
    assert not any("held-sweep-marker" in t for t in texts)


def test_cluster_tiles_carry_counts_only(client: FlaskClient, planted: Planted) -> None:
    for z in (10, 12):
        for f in _tile_features(client, *_tile_of(*planted.rounded, z)):
            assert set(f["properties"]) <= {"count", "breakdown", "agg", "category"}


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_export_has_no_contact_no_held_report_and_the_rounded_place(
    db_session: Session, planted: Planted, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"reports{suffix}"
    export_layer(db_session, "reports", path, rounding_m=ROUNDING)
    frame = pyogrio.read_dataframe(path) if suffix != ".csv" else None
    raw = path.read_bytes().decode("utf-8", errors="replace") if suffix != ".gpkg" else ""
    for secret in SECRETS:
        assert secret not in raw
    if frame is None:
        import csv

        with path.open(encoding="utf-8") as fh:
            rows = {int(r["id"]): r for r in csv.DictReader(fh)}
        assert planted.held not in rows
        row = rows[planted.sensitive]
        point = (float(row["lon"]), float(row["lat"]))
        assert set(row) >= {"description"} and not set(row) & {"contact", "reporter_key"}
    else:
        ids = [int(i) for i in frame["id"]]
        assert planted.held not in ids
        record = frame[frame["id"] == planted.sensitive].iloc[0]
        point = (record.geometry.x, record.geometry.y)
        assert not {"contact", "reporter_key", "reporter_id"} & set(frame.columns)
        for column in frame.columns:
            if frame[column].dtype == object and column != "geometry":
                joined = " ".join(str(v) for v in frame[column])
                for secret in SECRETS:
                    assert secret not in joined
    assert _near(point, planted.rounded, 1e-6)
    assert not _near(point, planted.stored, 1e-5)


# --------------------------------------------------------------------------- outcomes counts


def test_outcomes_lists_no_report_text(client: FlaskClient, planted: Planted) -> None:
    """The outcomes dashboard publishes counts per area (held reports are counted as received:
    the count says nothing about the report) and no report's text or place."""
    for url in (
        "/outcomes",
        "/outcomes.csv",
        "/api/v1/outcomes",
        "/api/v1/outcomes?format=geojson",
    ):
        text = _text(client, url)
        assert "sweep-marker" not in text, url
        assert "held-sweep-marker" not in text, url


def test_open311_links_no_photo_a_moderator_hid(
    client: FlaskClient, db_session: Session, planted: Planted
) -> None:
    hidden = ReportPhoto(
        report_id=planted.sensitive,
        filename="sweep-hidden.jpg",
        content_type="image/jpeg",
        width=64,
        height=48,
        size_bytes=100,
        hidden_reason="a face in the picture",
    )
    db_session.add(hidden)
    db_session.flush()
    for url in (f"/open311/v2/requests/{planted.sensitive}.json", "/open311/v2/requests.json"):
        [request] = [
            r for r in client.get(url).get_json() if r["service_request_id"] == planted.sensitive
        ]
        assert request["media_url"] is None or f"/photos/{hidden.id}" not in request["media_url"]
    item = client.get(f"/api/v1/reports/{planted.sensitive}").get_json()
    assert not any(f"/photos/{hidden.id}" in p for p in item["properties"]["photos"])


def test_category_names_edited_by_admins_are_escaped(
    client: FlaskClient, db_session: Session, planted: Planted
) -> None:
    hostile_name = "<img src=x onerror=alert(1)> sweep-category"
    db_session.execute(
        sa.text("UPDATE categories SET name_zh = :n, name_en = :n WHERE code = 'public_safety'"),
        {"n": hostile_name},
    )
    db_session.flush()
    for url in (
        "/",
        f"/reports/{planted.sensitive}",
        f"/projects/{planted.project}",
        "/outcomes",
        "/ogc/collections/reports/items?limit=10&f=html",
        "/open311/v2/services.xml",
    ):
        _html_escaped(url, _text(client, url))
    services = client.get("/open311/v2/services.json").get_json()
    assert hostile_name in [s["service_name"] for s in services]  # JSON: text stays text


def test_html_pages_do_not_carry_the_true_coordinates(
    client: FlaskClient, planted: Planted
) -> None:
    lon, lat = (f"{v:.5f}" for v in planted.stored)
    for url in (
        f"/reports/{planted.sensitive}",
        f"/ogc/collections/reports/items/{planted.sensitive}?f=html",
        f"/open311/v2/requests/{planted.sensitive}.xml",
    ):
        # Pages of one report only: a list's other reports (the Open311 one shares the
        # longitude) could match by chance.
        text = _text(client, url)
        assert not (lon in text and lat in text), f"{url} carries the true place"


def test_update_notes_and_facility_text_are_escaped(
    client: FlaskClient, db_session: Session, planted: Planted
) -> None:
    note = "<img src=x onerror=alert(1)> sweep-note"
    db_session.add(
        ReportEvent(report_id=planted.sensitive, kind="update", note=note, actor_role="grid_worker")
    )
    facility_id = db_session.scalar(sa.select(Facility.id).order_by(Facility.id).limit(1))
    db_session.execute(
        sa.update(Facility)
        .where(Facility.id == facility_id)
        .values(responsible_party="<script>alert('f')</script> sweep-party")
    )
    db_session.execute(
        sa.text(
            "UPDATE facility_types SET name_zh = :n, name_en = :n"
            " WHERE code = (SELECT type FROM facilities WHERE id = :id)"
        ),
        {"n": "<img src=x onerror=alert(1)> sweep-type", "id": facility_id},
    )
    db_session.flush()
    pages = (
        f"/reports/{planted.sensitive}",
        f"/facilities/{facility_id}",
        f"/ogc/collections/facilities/items/{facility_id}?f=html",
        "/ogc/collections/facilities/items?limit=10000&f=html",
        "/",
    )
    for url in pages:
        _html_escaped(url, _text(client, url))
    assert str(escape(note)) in _text(client, f"/reports/{planted.sensitive}")
    xml = _text(client, f"/open311/v2/requests/{planted.sensitive}.xml")
    assert "<img src=x" not in xml and "sweep-note" in xml


def test_a_report_hidden_after_its_tile_was_cached_leaves_the_tile(
    client: FlaskClient, db_session: Session, planted: Planted
) -> None:
    zxy = _tile_of(*planted.rounded, 16)
    cluster = _tile_of(*planted.rounded, 13)

    def clustered() -> int:
        return sum(int(f["properties"]["count"]) for f in _tile_features(client, *cluster))

    first = {f["properties"].get("id") for f in _tile_features(client, *zxy)}
    assert planted.sensitive in first
    counted = clustered()
    db_session.execute(
        sa.update(Report)
        .where(Report.id == planted.sensitive)
        .values(moderation="hidden", moderation_reason="sweep")
    )
    db_session.flush()
    # The same tile cache: the hidden report's tiles must be drawn anew, without it.
    again = {f["properties"].get("id") for f in _tile_features(client, *zxy)}
    assert planted.sensitive not in again
    assert clustered() == counted - 1
    assert client.get(f"/ogc/collections/reports/items/{planted.sensitive}").status_code == 404
