"""Volunteer stewards (认领): adopting, the rule's limits, checking from a phone, withdrawing."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.models import FacilitySteward, MaintenanceRecord
from gisapp.maintenance.stewards import MAX_ADOPTIONS
from gisapp.models import Area
from tests.maintenance.conftest import bearer, count, grids, jpeg


def _adopt(client: FlaskClient, headers: dict[str, str], facility_id: int):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/facilities/{facility_id}/adoption", headers=headers)


@pytest.fixture
def steward(db_session: Session, make_user) -> dict[str, str]:
    make_user("steward-wang", "resident", display_name="王阿姨")
    return bearer(db_session, "steward-wang")


def test_a_resident_adopts_checks_with_a_photo_and_shows_in_the_volunteer_table(
    client: FlaskClient, db_session: Session, make_facility, steward, today
) -> None:
    grid = grids(db_session)[0]
    facility = make_facility(grid=grid, visits=((100, "ok"),), interval=30)
    resp = _adopt(client, steward, facility.id)
    assert resp.status_code == 201, resp.get_json()
    assert client.get(f"/api/v1/facilities/{facility.id}").get_json()["properties"]["adopted"]
    mine = client.get("/api/v1/me/adoptions", headers=steward).get_json()
    assert [m["facility_id"] for m in mine] == [facility.id]

    check = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance",
        data={
            "kind": "inspection",
            "date": today.isoformat(),
            "result": "ok",
            "minutes": "20",
            "notes": "擦干净了",
            "photos": [(io.BytesIO(jpeg()), "bench.jpg")],
        },
        content_type="multipart/form-data",
        headers=steward,
    )
    assert check.status_code == 201, check.get_json()
    assert check.get_json()["status"] == "ok"
    record = db_session.get(MaintenanceRecord, check.get_json()["id"])
    assert record.volunteer is True and record.performed_by == "王阿姨"

    table = client.get(
        f"/api/v1/coverage/volunteers?area={grid.parent_id}",
        headers=bearer(db_session, "demo-manager"),
    ).get_json()
    me = next(v for v in table if v["name"] == "王阿姨")
    assert me["steward"] and me["adopted"] == 1 and me["checks"] == 1
    # The public sees that a volunteer did it, not who.
    public = client.get(f"/api/v1/facilities/{facility.id}").get_json()["properties"]["log"][0]
    assert public["volunteer"] is True and public["performed_by"] is None


def test_a_steward_cannot_claim_staff_work(
    client: FlaskClient, db_session: Session, make_facility, steward, today
) -> None:
    facility = make_facility()
    assert _adopt(client, steward, facility.id).status_code == 201
    for extra, field in (
        ({"volunteer": False}, "volunteer"),
        ({"performed_by": "城管"}, "performed_by"),
    ):
        resp = client.post(
            f"/api/v1/facilities/{facility.id}/maintenance",
            json={"kind": "inspection", "date": today.isoformat(), "result": "ok", **extra},
            headers=steward,
        )
        assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field


def test_logging_on_a_facility_not_adopted_is_refused(
    client: FlaskClient, db_session: Session, make_facility, steward, today
) -> None:
    facility = make_facility()
    before = count(db_session, MaintenanceRecord)
    resp = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance",
        json={"kind": "inspection", "date": today.isoformat(), "result": "ok"},
        headers=steward,
    )
    assert resp.status_code == 403
    assert resp.get_json()["error"]["field"] == "id"
    assert count(db_session, MaintenanceRecord) == before


def test_one_steward_per_facility(
    client: FlaskClient, db_session: Session, make_facility, make_user, steward
) -> None:
    facility = make_facility()
    assert _adopt(client, steward, facility.id).status_code == 201
    again = _adopt(client, steward, facility.id)
    assert again.status_code == 409 and again.get_json()["error"]["field"] == "id"
    make_user("steward-li")
    other = _adopt(client, bearer(db_session, "steward-li"), facility.id)
    assert other.status_code == 409
    assert count(db_session, FacilitySteward) == 1 + 2  # the sample's demo steward has two


def test_at_most_ten_at_once(
    client: FlaskClient, db_session: Session, make_facility, steward
) -> None:
    grid = grids(db_session)[0]
    for _ in range(MAX_ADOPTIONS):
        assert _adopt(client, steward, make_facility(grid=grid).id).status_code == 201
    resp = _adopt(client, steward, make_facility(grid=grid).id)
    assert resp.status_code == 409
    assert str(MAX_ADOPTIONS) in resp.get_json()["error"]["message"]


def test_stewards_look_after_one_community(
    client: FlaskClient, db_session: Session, make_facility, steward
) -> None:
    communities = db_session.scalars(
        sa.select(Area).where(Area.level == "community").order_by(Area.id)
    ).all()
    here = next(g for g in grids(db_session) if g.parent_id == communities[0].id)
    there = next(g for g in grids(db_session) if g.parent_id == communities[1].id)
    first = make_facility(grid=here)
    assert _adopt(client, steward, first.id).status_code == 201
    far = make_facility(grid=there)
    refused = _adopt(client, steward, far.id)
    assert refused.status_code == 409
    assert communities[0].name_zh in refused.get_json()["error"]["message"]
    # After withdrawing from the first community, the steward may start in another.
    assert (
        client.delete(f"/api/v1/facilities/{first.id}/adoption", headers=steward).status_code == 200
    )
    assert _adopt(client, steward, far.id).status_code == 201


def test_only_residents_adopt_and_only_facilities_in_use(
    client: FlaskClient, db_session: Session, make_facility, steward
) -> None:
    facility = make_facility()
    assert client.post(f"/api/v1/facilities/{facility.id}/adoption").status_code == 401
    manager = _adopt(client, bearer(db_session, "demo-manager"), facility.id)
    assert manager.status_code == 403
    facility.status = "removed"
    db_session.flush()
    assert _adopt(client, steward, facility.id).status_code == 409
    assert _adopt(client, steward, 999999).status_code == 404


def test_withdrawing_ends_the_right_to_log(
    client: FlaskClient, db_session: Session, make_facility, steward, today
) -> None:
    facility = make_facility()
    assert _adopt(client, steward, facility.id).status_code == 201
    assert (
        client.delete(f"/api/v1/facilities/{facility.id}/adoption", headers=steward).status_code
        == 200
    )
    assert (
        client.delete(f"/api/v1/facilities/{facility.id}/adoption", headers=steward).status_code
        == 409
    )
    resp = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance",
        json={"kind": "inspection", "date": today.isoformat(), "result": "ok"},
        headers=steward,
    )
    assert resp.status_code == 403
    assert not client.get(f"/api/v1/facilities/{facility.id}").get_json()["properties"]["adopted"]


def test_a_manager_may_end_someone_elses_adoption_but_another_resident_may_not(
    client: FlaskClient, db_session: Session, make_facility, make_user, steward
) -> None:
    facility = make_facility()
    assert _adopt(client, steward, facility.id).status_code == 201
    make_user("neighbour")
    url = f"/api/v1/facilities/{facility.id}/adoption"
    assert client.delete(url, headers=bearer(db_session, "neighbour")).status_code == 403
    assert client.delete(url, headers=bearer(db_session, "demo-manager")).status_code == 200


def test_taking_a_facility_out_of_use_releases_its_steward(
    client: FlaskClient, db_session: Session, make_facility, steward
) -> None:
    facility = make_facility()
    assert _adopt(client, steward, facility.id).status_code == 201
    resp = client.patch(
        f"/api/v1/facilities/{facility.id}",
        json={"status": "removed"},
        headers=bearer(db_session, "demo-manager"),
    )
    assert resp.status_code == 200, resp.get_json()
    assert client.get("/api/v1/me/adoptions", headers=steward).get_json() == []
