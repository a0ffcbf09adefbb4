"""An outside Open311 client against the running app.

``georeport`` (PyPI, a maintained GeoReport v2 client; it parses XML with xmltodict) reads
services, definitions and requests in both formats. It cannot file requests (none of the
Python clients on PyPI that can - ``three``, ``open311`` - runs on Python 3), so the POST is
sent with ``requests`` exactly as the spec describes it: form-encoded, with ``api_key``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa
from georeport import GeoReport

from gisapp.dataio.sample import DEMO_OPEN311_KEY


@pytest.fixture(params=["json", "xml"])
def client(request: pytest.FixtureRequest, live_server: str) -> GeoReport:
    return GeoReport(f"{live_server}/open311/v2/", output_format=request.param)


def test_client_reads_services_and_definitions(client: GeoReport) -> None:
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert "street_light" in codes and "public_safety" in codes
    light = next(s for s in services if s["service_code"] == "street_light")
    assert str(light["metadata"]).lower() == "true"
    definition = client.get_service_definition("street_light")
    attributes = definition["attributes"]
    if client.output_format == "xml":  # xmltodict: <attributes><attribute>...
        attributes = attributes["attribute"]
        attributes = attributes if isinstance(attributes, list) else [attributes]
    assert attributes[0]["code"] == "facility_code"


def test_client_reads_requests_with_filters(client: GeoReport) -> None:
    everything = client.get_service_requests()
    assert len(everything) > 1
    closed = client.get_service_requests(status="closed")
    assert closed and all(r["status"] == "closed" for r in closed)
    some = client.get_service_requests(service_code="waste,noise")
    assert all(r["service_code"] in ("waste", "noise") for r in some)
    first = everything[0]
    one = client.get_service_request(str(first["service_request_id"]))
    assert str(one["service_request_id"]) == str(first["service_request_id"])
    assert one["description"] == first["description"]


def test_client_gets_spec_errors_as_http_errors(client: GeoReport) -> None:
    with pytest.raises(requests.HTTPError) as err:
        client.get_service_definition("no_such_service")
    assert err.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as err:
        client.get_service_requests(start_date="not a date")
    assert err.value.response.status_code == 400


@pytest.fixture
def cleanup(engine: sa.Engine) -> Iterator[list[int]]:
    """The live server commits: take filed reports out again afterwards."""
    filed: list[int] = []
    yield filed
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE id = ANY(:ids)"), {"ids": filed})
        conn.execute(sa.text("UPDATE api_keys SET last_used_at = NULL"))


def test_post_as_the_spec_describes_then_read_it_back(
    live_server: str, engine: sa.Engine, cleanup: list[int]
) -> None:
    with engine.connect() as conn:
        lon, lat = conn.execute(
            sa.text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas "
                "WHERE level = 'grid' ORDER BY id LIMIT 1) s"
            )
        ).one()
    form = {
        "api_key": DEMO_OPEN311_KEY,
        "service_code": "drainage",
        "lat": f"{lat:.6f}",
        "long": f"{lon:.6f}",
        "description": "雨后积水，行人难以通过",
        "email": "resident@example.cn",
    }
    resp = requests.post(f"{live_server}/open311/v2/requests.json", data=form, timeout=10)
    assert resp.status_code == 201, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    report_id = resp.json()[0]["service_request_id"]
    cleanup.append(report_id)
    reader = GeoReport(f"{live_server}/open311/v2", output_format="xml")
    item = reader.get_service_request(str(report_id))
    assert item["status"] == "open" and item["service_code"] == "drainage"
    assert (
        "resident@example.cn"
        not in requests.get(f"{live_server}/open311/v2/requests/{report_id}.xml", timeout=10).text
    )
    bad = requests.post(
        f"{live_server}/open311/v2/requests.xml", data={**form, "api_key": "nope"}, timeout=10
    )
    assert bad.status_code == 403 and "<errors><error><code>403</code>" in bad.text
