"""Open311 GeoReport v2, filing: POST requests with an api_key, the web form's rules, and every
bad input answered in the spec's error format with nothing written."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from gisapp.auth.models import ApiKey
from gisapp.auth.tokens import digest
from gisapp.dataio.sample import DEMO_OPEN311_KEY
from gisapp.models import Facility, Open311Request, Report, ReportContact, ReportEvent
from tests.reports import conftest as reports_fixtures

BASE = "/open311/v2"
# Messages are checked in English (the default language is Chinese).
ENGLISH = {"Accept-Language": "en"}
inside = reports_fixtures.inside  # a point inside the sample (fixture)


def _form(inside: tuple[float, float], **changes: object) -> dict[str, str]:
    form: dict[str, object] = {
        "api_key": DEMO_OPEN311_KEY,
        "service_code": "street_light",
        "lat": inside[1],
        "long": inside[0],
        "description": "路灯不亮，晚上很黑",
    }
    form.update(changes)
    return {k: str(v) for k, v in form.items() if v is not None}


def _counts(s: Session) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        int(s.scalar(sa.select(sa.func.count()).select_from(m)) or 0)
        for m in (Report, ReportContact, ReportEvent, Open311Request)
    )


def test_post_files_a_report_with_private_contact(
    client: FlaskClient, db_session: Session, inside
) -> None:
    resp = client.post(
        f"{BASE}/requests.json",
        data=_form(
            inside,
            email="zhang.san@example.cn",
            first_name="三",
            last_name="张",
            phone="+86 138 0000 1111",
            device_id="phone-1",
            account_id="acct-9",
            jurisdiction_id="",
        ),
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    [answer] = resp.get_json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    report = db_session.get(Report, answer["service_request_id"])
    assert report.status == "submitted" and report.category == "street_light"
    assert report.community_id is not None
    contact = db_session.get(ReportContact, report.id).contact
    assert "zhang.san@example.cn" in contact and "138 0000 1111" in contact and "张" in contact
    events = db_session.scalars(sa.select(ReportEvent).where(ReportEvent.report_id == report.id))
    assert [e.kind for e in events] == ["filed"]
    key = db_session.scalars(sa.select(ApiKey).where(ApiKey.key_hash == digest(DEMO_OPEN311_KEY)))
    assert key.one().last_used_at is not None
    # The request reads back as open, without the contact, in both formats
    for fmt in ("json", "xml"):
        text = client.get(f"{BASE}/requests/{report.id}.{fmt}").get_data(as_text=True)
        assert "zhang.san" not in text and "1111" not in text and "张" not in text
    [item] = client.get(f"{BASE}/requests/{report.id}.json").get_json()
    assert item["status"] == "open" and item["service_code"] == "street_light"
    assert item["description"] == "路灯不亮，晚上很黑"
    assert abs(item["lat"] - inside[1]) < 1e-6 and abs(item["long"] - inside[0]) < 1e-6
    # and on the JSON API and the report page
    for url in (f"/api/v1/reports/{report.id}", f"/reports/{report.id}"):
        assert "zhang.san" not in client.get(url).get_data(as_text=True)


def test_post_xml_and_token(client: FlaskClient, db_session: Session, inside) -> None:
    resp = client.post(f"{BASE}/requests.xml", data=_form(inside, media_url="https://e.cn/a.jpg"))
    assert resp.status_code == 201
    root = ET.fromstring(resp.get_data())
    assert root.tag == "service_requests"
    report_id = int(root.findtext("request/service_request_id") or 0)
    assert root.findtext("request/service_notice")
    row = db_session.get(Open311Request, report_id)
    assert row.media_url == "https://e.cn/a.jpg"
    [item] = client.get(f"{BASE}/requests/{report_id}.json").get_json()
    assert item["media_url"] == "https://e.cn/a.jpg"
    # tokens/{token} resolves to the request, in both formats
    [found] = client.get(f"{BASE}/tokens/{row.token}.json").get_json()
    assert found == {"service_request_id": report_id, "token": row.token}
    tok = ET.fromstring(client.get(f"{BASE}/tokens/{row.token}.xml").get_data())
    assert tok.findtext("request/service_request_id") == str(report_id)
    resp = client.get(f"{BASE}/tokens/not-a-token.json")
    assert resp.status_code == 404 and resp.get_json()[0]["code"] == 404


def test_post_placed_at_a_facility_by_its_code(client: FlaskClient, db_session: Session) -> None:
    facility = db_session.scalars(
        sa.select(Facility).where(Facility.status == "active").order_by(Facility.id).limit(1)
    ).one()
    resp = client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": DEMO_OPEN311_KEY,
            "service_code": "facility_damage",
            "description": "座椅断了",
            "attribute[facility_code]": facility.code,
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    report = db_session.get(Report, resp.get_json()[0]["service_request_id"])
    assert report.facility_id == facility.id
    facility_geom = sa.select(Facility.geom).where(Facility.id == facility.id).scalar_subquery()
    same = db_session.scalar(
        sa.select(sa.func.ST_Equals(Report.geom, facility_geom)).where(Report.id == report.id)
    )
    assert same


def test_a_removed_facility_is_named_by_the_attribute(
    client: FlaskClient, db_session: Session
) -> None:
    facility = db_session.scalars(
        sa.select(Facility).where(Facility.status == "active").order_by(Facility.id).limit(1)
    ).one()
    facility.status = "removed"
    db_session.flush()
    resp = client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": DEMO_OPEN311_KEY,
            "service_code": "facility_damage",
            "description": "座椅断了",
            "attribute[facility_code]": facility.code,
        },
    )
    assert resp.status_code == 400
    assert resp.get_json()[0]["description"].startswith("attribute[facility_code]: ")


def test_html_in_the_description_is_kept_as_text_and_escaped(
    client: FlaskClient, db_session: Session, inside
) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> & </description>'
    resp = client.post(f"{BASE}/requests.json", data=_form(inside, description=hostile))
    assert resp.status_code == 201
    report_id = resp.get_json()[0]["service_request_id"]
    [item] = client.get(f"{BASE}/requests/{report_id}.json").get_json()
    assert item["description"] == hostile
    xml = client.get(f"{BASE}/requests/{report_id}.xml").get_data(as_text=True)
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert ET.fromstring(xml).findtext("request/description") == hostile
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong-key"}, 403, "api_key"),
        ({"api_key": "x" * 500}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "no_such"}, 404, "no_such"),
        ({"lat": None, "long": None}, 400, "lat and long"),
        ({"lat": None, "long": None, "address_string": "中山路1号"}, 400, "lat and long"),
        ({"lat": "north"}, 400, "lat must be a number"),
        ({"long": "NaN"}, 400, "long must be a finite number"),
        ({"lat": "95"}, 400, "lat must be between"),
        ({"lat": "39.9", "long": "116.4"}, 400, "outside"),
        ({"description": None}, 400, "description is required"),
        ({"description": "x" * 2001}, 400, "at most 2000"),
        ({"description": "bad\x00text"}, 400, "control characters"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"phone": "call me maybe"}, 400, "phone"),
        ({"first_name": "x" * 80}, 400, "first_name"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"media_url": "ftp://example.cn/a.jpg"}, 400, "media_url"),
        ({"colour": "red"}, 400, "Unknown field"),
        ({"attribute[size]": "big"}, 400, "no attribute size"),
        ({"attribute[facility_code]": "NOPE-1"}, 400, "NOPE-1"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    client: FlaskClient, db_session: Session, inside, changes, status, says
) -> None:
    before = _counts(db_session)
    form = _form(inside, **changes)
    for fmt in ("json", "xml"):
        resp = client.post(f"{BASE}/requests.{fmt}", data=form, headers=ENGLISH)
        assert resp.status_code == status, resp.get_data(as_text=True)
        if fmt == "json":
            [error] = resp.get_json()
            assert error["code"] == status
            assert says in error["description"]
        else:
            root = ET.fromstring(resp.get_data())
            assert root.tag == "errors" and root.findtext("error/code") == str(status)
    assert _counts(db_session) == before


def test_revoked_key_and_key_in_the_url_are_refused(
    client: FlaskClient, db_session: Session, inside
) -> None:
    form = _form(inside)
    key = form.pop("api_key")
    resp = client.post(f"{BASE}/requests.json?api_key={key}", data=form)
    assert resp.status_code == 403
    row = db_session.scalars(sa.select(ApiKey).where(ApiKey.key_hash == digest(key))).one()
    row.revoked_at = dt.datetime.now(dt.UTC)
    db_session.flush()
    resp = client.post(f"{BASE}/requests.json", data=_form(inside))
    assert resp.status_code == 403 and "api_key" in resp.get_json()[0]["description"]


def test_repeated_fields_json_bodies_and_uploads_are_400(
    client: FlaskClient, db_session: Session, inside
) -> None:
    before = _counts(db_session)
    form = _form(inside)
    resp = client.post(
        f"{BASE}/requests.json",
        data=MultiDict([*form.items(), ("description", "again")]),
        headers=ENGLISH,
    )
    assert resp.status_code == 400 and "more than once" in resp.get_json()[0]["description"]
    resp = client.post(f"{BASE}/requests.json", json=form, headers=ENGLISH)
    assert resp.status_code == 400 and "x-www-form-urlencoded" in resp.get_json()[0]["description"]
    resp = client.post(
        f"{BASE}/requests.json",
        data={**form, "media": (io.BytesIO(b"GIF89a"), "a.gif")},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )
    assert resp.status_code == 400 and "media_url" in resp.get_json()[0]["description"]
    resp = client.put(f"{BASE}/requests.json", data=form)
    assert resp.status_code in (400, 405)
    assert _counts(db_session) == before


def test_a_rate_limit_answers_429_in_the_spec_format(engine: sa.Engine) -> None:
    from gisapp import create_app
    from gisapp.db import get_db
    from gisapp.settings import Settings
    from tests.conftest import make_settings

    if "limit_open311" not in Settings.model_fields:
        pytest.skip("no rate limits in this build")
    app = create_app(make_settings(rate_limits_enabled=True, limit_open311="1/minute"))
    web = app.test_client()
    first = web.post(f"{BASE}/requests.xml", data={"api_key": "nope"})
    assert first.status_code == 403
    second = web.post(f"{BASE}/requests.xml", data={"api_key": "nope"})
    assert second.status_code == 429 and int(second.headers["Retry-After"]) >= 1
    assert ET.fromstring(second.get_data()).findtext("error/code") == "429"
    get_db(app).engine.dispose()
