"""Open311 GeoReport v2, reading: discovery, services, definitions and requests, JSON and XML."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp import create_app
from gisapp.models import Category, Report, ReportContact, ReportPhoto
from gisapp.reports.models import OPEN_STATUSES
from tests.conftest import make_settings

BASE = "/open311/v2"


def _xml(resp) -> ET.Element:  # type: ignore[no-untyped-def]
    assert resp.mimetype == "text/xml"
    assert "charset=utf-8" in resp.content_type
    return ET.fromstring(resp.get_data())


def _recent_ids(db_session: Session, n: int = 5, **where: object) -> list[int]:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=90)
    stmt = sa.select(Report.id).where(Report.created_at >= since).order_by(Report.id).limit(n)
    for name, value in where.items():
        stmt = stmt.where(getattr(Report, name) == value)
    return list(db_session.scalars(stmt))


def test_discovery_names_the_endpoint_in_both_formats(client: FlaskClient) -> None:
    data = client.get(f"{BASE}/discovery.json").get_json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]


def test_services_are_the_categories(client: FlaskClient, db_session: Session) -> None:
    resp = client.get(f"{BASE}/services.json")
    assert resp.status_code == 200
    assert resp.content_type == "application/json; charset=utf-8"
    services = resp.get_json()
    codes = [s["service_code"] for s in services]
    active = db_session.scalars(
        sa.select(Category.code).where(Category.active.is_(True)).order_by(Category.sort_order)
    )
    assert codes == list(active)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["street_light"]["service_name"] == "路灯故障"  # zh_Hans by default
    assert by_code["street_light"]["metadata"] is True  # facility_code attribute
    assert by_code["public_safety"]["metadata"] is True  # rounded location notice
    assert by_code["noise"]["metadata"] is False
    assert all(s["type"] == "realtime" for s in services)


@pytest.mark.parametrize(
    ("how", "name"),
    [
        ({"query_string": {"lang": "en"}}, "Street light out"),
        ({"headers": {"Accept-Language": "en-GB,en;q=0.8"}}, "Street light out"),
        ({"headers": {"Accept-Language": "zh-CN"}}, "路灯故障"),
    ],
)
def test_service_names_follow_the_locale(client: FlaskClient, how, name) -> None:  # type: ignore[no-untyped-def]
    services = client.get(f"{BASE}/services.json", **how).get_json()
    assert {s["service_code"]: s["service_name"] for s in services}["street_light"] == name


def test_services_xml_has_the_spec_elements(client: FlaskClient) -> None:
    root = _xml(client.get(f"{BASE}/services.xml", query_string={"lang": "en"}))
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert [c.tag for c in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    metadata = {s.findtext("service_code"): s.findtext("metadata") for s in root}
    assert metadata["noise"] == "false" and metadata["street_light"] == "true"


def test_service_definition_lists_attributes(client: FlaskClient) -> None:
    data = client.get(f"{BASE}/services/street_light.json").get_json()
    assert data["service_code"] == "street_light"
    (attr,) = data["attributes"]
    assert attr["code"] == "facility_code"
    assert attr["variable"] is True and attr["required"] is False
    assert attr["datatype"] == "string" and attr["order"] == 1
    safety = client.get(f"{BASE}/services/public_safety.json").get_json()
    assert [(a["code"], a["variable"]) for a in safety["attributes"]] == [
        ("public_location", False)
    ]
    root = _xml(client.get(f"{BASE}/services/street_light.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/code").text == "facility_code"  # type: ignore[union-attr]
    assert client.get(f"{BASE}/services/noise.json").get_json()["attributes"] == []


def test_unknown_service_is_404_in_the_spec_format(client: FlaskClient) -> None:
    resp = client.get(f"{BASE}/services/no_such.json")
    assert resp.status_code == 404
    [error] = resp.get_json()
    assert error["code"] == 404 and "no_such" in error["description"]
    resp = client.get(f"{BASE}/services/no_such.xml")
    root = _xml(resp)
    assert resp.status_code == 404
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_unknown_path_and_format_answer_in_the_spec_format(client: FlaskClient) -> None:
    resp = client.get(f"{BASE}/nothing.json")
    assert resp.status_code == 404 and resp.get_json()[0]["code"] == 404
    resp = client.get(f"{BASE}/services.html")
    assert resp.status_code == 404
    assert _xml(resp).tag == "errors"


def test_requests_default_to_the_last_90_days(client: FlaskClient, db_session: Session) -> None:
    data = client.get(f"{BASE}/requests.json").get_json()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=90)
    expected = db_session.scalar(
        sa.select(sa.func.count()).select_from(Report).where(Report.created_at >= since)
    )
    assert 0 < len(data) == min(expected, 1000)
    times = [dt.datetime.fromisoformat(r["requested_datetime"]) for r in data]
    assert times == sorted(times, reverse=True)
    assert all(t >= since for t in times)
    # ISO 8601 with the service's offset (Asia/Shanghai)
    assert data[0]["requested_datetime"].endswith("+08:00")


def test_request_fields_and_status_mapping(client: FlaskClient, db_session: Session) -> None:
    data = client.get(f"{BASE}/requests.json").get_json()
    fields = list(data[0])
    assert fields[:4] == ["service_request_id", "status", "status_notes", "service_name"]
    for name in ("lat", "long", "agency_responsible", "updated_datetime", "address", "media_url"):
        assert name in fields
    reports = {
        r.id: r
        for r in db_session.scalars(
            sa.select(Report).where(Report.id.in_([d["service_request_id"] for d in data]))
        )
    }
    for item in data:
        report = reports[item["service_request_id"]]
        assert item["status"] == ("open" if report.status in OPEN_STATUSES else "closed")
        assert item["service_code"] == report.category
        assert item["description"] == report.description
        assert item["agency_responsible"]  # the community's name
        assert (item["expected_datetime"] is not None) == (report.status in OPEN_STATUSES)


def test_status_filter(client: FlaskClient) -> None:
    open_ = client.get(f"{BASE}/requests.json", query_string={"status": "open"}).get_json()
    closed = client.get(f"{BASE}/requests.json", query_string={"status": "closed"}).get_json()
    both = client.get(f"{BASE}/requests.json", query_string={"status": "open,closed"}).get_json()
    assert open_ and closed
    assert {r["status"] for r in open_} == {"open"}
    assert {r["status"] for r in closed} == {"closed"}
    assert len(both) == len(open_) + len(closed)


def test_service_code_filter_takes_a_comma_list(client: FlaskClient) -> None:
    data = client.get(
        f"{BASE}/requests.json", query_string={"service_code": "waste,noise"}
    ).get_json()
    assert data and {r["service_code"] for r in data} <= {"waste", "noise"}


def test_ids_override_every_other_filter(client: FlaskClient, db_session: Session) -> None:
    old = db_session.scalars(sa.select(Report.id).order_by(Report.created_at).limit(2)).all()
    ids = ",".join(str(i) for i in old)
    data = client.get(
        f"{BASE}/requests.json",
        query_string={"service_request_id": ids, "status": "open", "service_code": "noise"},
    ).get_json()
    assert sorted(r["service_request_id"] for r in data) == sorted(old)


def test_date_window(client: FlaskClient, db_session: Session) -> None:
    newest = db_session.scalar(sa.select(sa.func.max(Report.created_at)))
    start = (newest - dt.timedelta(days=30)).isoformat()
    end = newest.isoformat()
    data = client.get(
        f"{BASE}/requests.json", query_string={"start_date": start, "end_date": end}
    ).get_json()
    assert data
    for item in data:
        when = dt.datetime.fromisoformat(item["requested_datetime"])
        assert newest - dt.timedelta(days=30, seconds=1) <= when <= newest
    # start only: 90 days from it; date-only values are local days
    day = (newest - dt.timedelta(days=10)).date().isoformat()
    later = client.get(f"{BASE}/requests.json", query_string={"start_date": day}).get_json()
    assert later and all(r["requested_datetime"][:10] >= day for r in later)
    # "Z" is accepted
    z = client.get(
        f"{BASE}/requests.json", query_string={"end_date": "2000-01-01T00:00:00Z"}
    ).get_json()
    assert z == []


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-40"}, "end_date"),
        ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, "after"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 days"),
        ({"start_date": "9999-12-31"}, "out of range"),
        ({"end_date": "0001-01-01T00:00:00Z"}, "out of range"),
        ({"status": "pending"}, "open or closed"),
        ({"service_request_id": "1,abc"}, "abc"),
    ],
)
def test_bad_filters_are_400(client: FlaskClient, params, says) -> None:  # type: ignore[no-untyped-def]
    params = {**params, "lang": "en"}  # the messages are checked in English
    resp = client.get(f"{BASE}/requests.json", query_string=params)
    assert resp.status_code == 400
    [error] = resp.get_json()
    assert error["code"] == 400 and says in error["description"]
    xml = client.get(f"{BASE}/requests.xml", query_string=params)
    assert xml.status_code == 400 and _xml(xml).findtext("error/code") == "400"


def test_unknown_service_code_filter_is_404(client: FlaskClient) -> None:
    resp = client.get(f"{BASE}/requests.json", query_string={"service_code": "nope"})
    assert resp.status_code == 404


def test_one_request_in_both_formats(client: FlaskClient, db_session: Session) -> None:
    report_id = _recent_ids(db_session, 1)[0]
    data = client.get(f"{BASE}/requests/{report_id}.json").get_json()
    assert [r["service_request_id"] for r in data] == [report_id]
    root = _xml(client.get(f"{BASE}/requests/{report_id}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == str(report_id)
    assert root.findtext("request/long") == str(data[0]["long"])
    for bad in ("999999999", "abc", "1" * 12):
        resp = client.get(f"{BASE}/requests/{bad}.json")
        assert resp.status_code == 404 and resp.get_json()[0]["code"] == 404


def test_sensitive_locations_are_rounded_and_contacts_never_shown(
    client: FlaskClient, db_session: Session
) -> None:
    report = db_session.scalars(
        sa.select(Report).where(Report.category == "public_safety").limit(1)
    ).first()
    assert report is not None, "the sample has safety reports"
    x, y = db_session.execute(
        sa.select(sa.func.ST_X(Report.geom), sa.func.ST_Y(Report.geom)).where(
            Report.id == report.id
        )
    ).one()
    db_session.merge(ReportContact(report_id=report.id, contact="张三 <zs@example.cn> 13800001111"))
    db_session.flush()
    for fmt in ("json", "xml"):
        text = client.get(f"{BASE}/requests/{report.id}.{fmt}").get_data(as_text=True)
        assert "13800001111" not in text and "zs@example.cn" not in text
    [item] = client.get(f"{BASE}/requests/{report.id}.json").get_json()
    assert (round(x, 6), round(y, 6)) != (item["long"], item["lat"])
    # snapped to the rounding grid: within the grid's half-diagonal of the true point
    assert abs(item["long"] - x) < 0.002 and abs(item["lat"] - y) < 0.002


def test_duplicates_say_so_and_photos_give_the_media_url(
    client: FlaskClient, db_session: Session
) -> None:
    first, second = _recent_ids(db_session, 2)
    twin = db_session.get(Report, second)
    twin.status, twin.duplicate_of_id = "duplicate", first
    db_session.add(
        ReportPhoto(
            report_id=first,
            filename="open311-test.jpg",
            content_type="image/jpeg",
            width=4,
            height=3,
            size_bytes=10,
        )
    )
    db_session.flush()
    data = client.get(
        f"{BASE}/requests.json",
        query_string={"service_request_id": f"{first},{second}", "lang": "en"},
    ).get_json()
    by_id = {r["service_request_id"]: r for r in data}
    assert by_id[second]["status"] == "closed"
    assert by_id[second]["status_notes"] == f"Duplicate of request {first}."
    assert by_id[first]["media_url"].startswith("http://localhost/api/v1/reports/")


def test_the_database_gone_is_503_in_the_spec_format() -> None:
    app = create_app(make_settings(database_url="postgresql://gisapp:x@127.0.0.1:1/none"))
    resp = app.test_client().get(f"{BASE}/services.xml")
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert _xml(resp).findtext("error/code") == "503"


def test_an_oversized_body_is_400_in_the_spec_format(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    resp = client.post(f"{BASE}/requests.json", data={"description": "x" * 200})
    assert resp.status_code == 400 and resp.get_json()[0]["code"] == 400
