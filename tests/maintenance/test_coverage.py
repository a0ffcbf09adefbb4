"""Coverage by area: the API's figures equal a direct count on the raw tables, add up from
community to street to district, and follow filters, levels and formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.models import FacilityType
from gisapp.maintenance.status import window_start
from gisapp.models import Area, Report
from tests.maintenance.conftest import bearer, grids

COUNTS = ("facilities", "ok", "due", "overdue", "out_of_service", "covered", "open_faults")
HISTORY = ("records", "volunteer_records", "faults_closed")

# Recomputes every figure from facilities, the log and reports, without the facts tables.
DIRECT = """
WITH f AS (
  SELECT f.id, f.{level}_id AS area_id, f.type,
         coalesce(f.maintenance_interval_days, t.interval_days) AS iv,
         coalesce(f.install_date, f.created_at::date) AS start_on,
         (SELECT max(performed_on) FROM maintenance_records m WHERE m.facility_id = f.id) AS last_on,
         (SELECT result FROM maintenance_records m WHERE m.facility_id = f.id
           ORDER BY performed_on DESC, id DESC LIMIT 1) AS last_result,
         (SELECT count(*) FROM reports r WHERE r.facility_id = f.id
             AND r.status IN ('submitted', 'accepted', 'in_progress')) AS open_reports
    FROM facilities f JOIN facility_types t ON t.code = f.type
   WHERE f.status = 'active' AND (CAST(:type AS text) IS NULL OR f.type = :type)
), s AS (
  SELECT *, (open_reports > 0 OR coalesce(last_result = 'fault', false)) AS oos,
         coalesce(last_on, start_on) + iv AS due_on FROM f
)
SELECT area_id, count(*) AS facilities,
       count(*) FILTER (WHERE NOT oos AND due_on > CAST(:today AS date) + 14) AS ok,
       count(*) FILTER (WHERE NOT oos AND due_on BETWEEN :today AND CAST(:today AS date) + 14) AS due,
       count(*) FILTER (WHERE NOT oos AND due_on < :today) AS overdue,
       count(*) FILTER (WHERE oos) AS out_of_service,
       count(*) FILTER (WHERE due_on >= :today) AS covered,
       sum(open_reports + CASE WHEN last_result = 'fault' THEN 1 ELSE 0 END) AS open_faults,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(:today AS date) - due_on)
         FILTER (WHERE NOT oos AND due_on < :today) AS median_days_overdue
  FROM s GROUP BY area_id
"""
DIRECT_HISTORY = """
SELECT f.{level}_id AS area_id, count(*) AS records,
       count(*) FILTER (WHERE m.volunteer) AS volunteer_records
  FROM maintenance_records m JOIN facilities f ON f.id = m.facility_id
 WHERE m.performed_on >= :since AND m.performed_on <= :today
   AND (CAST(:type AS text) IS NULL OR f.type = :type)
 GROUP BY 1
"""

# A fault is closed by the first log entry after it that is not a fault, or (a resident's
# report) when it is resolved.
DIRECT_CLOSED = """
WITH log AS (
  SELECT facility_id, performed_on, result,
         lag(result) OVER (PARTITION BY facility_id ORDER BY performed_on, id) AS previous
    FROM maintenance_records
), closings AS (
  SELECT facility_id, performed_on AS closed_on FROM log
   WHERE result <> 'fault' AND previous = 'fault'
  UNION ALL
  SELECT facility_id, resolved_at::date FROM reports
   WHERE facility_id IS NOT NULL AND status IN ('resolved', 'closed') AND resolved_at IS NOT NULL
)
SELECT f.{level}_id AS area_id, count(*) AS faults_closed
  FROM closings c JOIN facilities f ON f.id = c.facility_id
 WHERE c.closed_on >= :since AND c.closed_on <= :today
   AND (CAST(:type AS text) IS NULL OR f.type = :type)
 GROUP BY 1
"""


def direct(db_session: Session, level: str, today: dt.date, type_: str | None = None) -> dict:
    params = {"today": today, "type": type_, "since": window_start(today)}
    state = {
        r.area_id: r._asdict()
        for r in db_session.execute(sa.text(DIRECT.format(level=level)), params)
    }
    for sql in (DIRECT_HISTORY, DIRECT_CLOSED):
        for r in db_session.execute(sa.text(sql.format(level=level)), params):
            state.setdefault(r.area_id, {}).update(r._asdict())
    return state


def rows_of(client: FlaskClient, query: str) -> list[dict]:
    resp = client.get("/api/v1/coverage?" + query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _add_activity(db_session: Session, make_facility) -> None:
    """Writes through every path the triggers watch, so the comparison covers them."""
    g = grids(db_session)
    make_facility(grid=g[0], visits=((400, "ok"),))
    make_facility(grid=g[1], visits=((30, "fault"), (10, "fixed")), volunteer=True)
    f = make_facility(grid=g[2], visits=((3, "ok"),))
    db_session.add(
        Report(category="facility_damage", description="坏了", geom=f.geom, facility_id=f.id)
    )
    db_session.flush()


@pytest.mark.parametrize("level", ["district", "street", "community", "grid", "building"])
def test_figures_agree_with_a_direct_count(
    client: FlaskClient, db_session: Session, make_facility, today, level: str
) -> None:
    _add_activity(db_session, make_facility)
    expected = direct(db_session, level, today)
    rows = rows_of(client, f"level={level}")
    assert rows
    for row in rows:
        want = expected.get(row["id"], {})
        for key in COUNTS + HISTORY:
            assert row[key] == (want.get(key) or 0), (level, row["name"], key)
        median = want.get("median_days_overdue")
        assert row["median_days_overdue"] == (float(median) if median is not None else None)
        if row["facilities"]:
            assert row["coverage"] == round(row["covered"] / row["facilities"], 4)
        assert row["ok"] + row["due"] + row["overdue"] + row["out_of_service"] == row["facilities"]
    # Every area of the level has a row (the choropleth colours empty ones grey).
    level_ids = set(db_session.scalars(sa.select(Area.id).where(Area.level == level)))
    assert level_ids <= {r["id"] for r in rows}


def test_figures_agree_for_one_facility_type(
    client: FlaskClient, db_session: Session, today
) -> None:
    expected = direct(db_session, "community", today, "street_light")
    for row in rows_of(client, "level=community&type=street_light"):
        for key in COUNTS + HISTORY:
            assert row[key] == (expected.get(row["id"], {}).get(key) or 0), key


def _sum(rows: list[dict], keys: tuple[str, ...]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows) for k in keys}


def test_figures_add_up_across_levels(client: FlaskClient, db_session: Session) -> None:
    keys = COUNTS + HISTORY
    for street in rows_of(client, "level=street"):
        children = rows_of(client, f"level=community&area={street['id']}")
        # Rows for facilities in no community of the street (if any) keep the sum whole.
        assert _sum(children, keys) == {k: street[k] for k in keys}
        for community in children:
            if community["id"] is None:
                continue
            grid_rows = rows_of(client, f"level=grid&area={community['id']}")
            assert _sum(grid_rows, keys) == {k: community[k] for k in keys}
    district = rows_of(client, "level=district")
    streets = rows_of(client, "level=street")
    assert _sum(district, keys) == _sum(streets, keys)


def test_area_may_be_any_level_above_and_given_by_code(client: FlaskClient) -> None:
    district = rows_of(client, "level=district")[0]
    by_code = rows_of(client, f"level=grid&area={district['code']}")
    everything = rows_of(client, "level=grid")
    assert _sum(by_code, COUNTS) == _sum(everything, COUNTS)
    assert {r["id"] for r in by_code} == {r["id"] for r in everything}


def test_rows_carry_names_and_the_contract_fields(client: FlaskClient) -> None:
    row = rows_of(client, "level=community")[0]
    for key in ("id", "name", "facilities", "ok", "due", "overdue", "out_of_service"):
        assert key in row
    for key in ("median_days_overdue", "open_faults", "mean_days_to_close", "volunteer_share"):
        assert key in row
    assert row["name"] == row["name_zh"]
    english = client.get(
        "/api/v1/coverage?level=community", headers={"Accept-Language": "en"}
    ).get_json()[0]
    assert english["name"] == english["name_en"]


def test_mean_days_to_close_and_volunteer_share_on_known_data(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    # A type of our own isolates these facilities from the sample's.
    db_session.add(FacilityType(code="kiosk", name_zh="报刊亭", name_en="Kiosk", interval_days=30))
    grid = grids(db_session)[0]
    make_facility(grid=grid, type="kiosk", visits=((20, "fault"), (14, "fixed")), minutes=60)
    make_facility(
        grid=grid, type="kiosk", visits=((9, "fault"), (7, "ok")), volunteer=True, minutes=30
    )
    make_facility(grid=grid, type="kiosk", visits=((40, "ok"),))  # 10 days overdue
    make_facility(grid=grid, type="kiosk", visits=((60, "ok"),))  # 30 days overdue
    make_facility(grid=grid, type="kiosk", visits=((35, "ok"),))  # 5 days overdue
    rows = rows_of(client, f"level=grid&area={grid.parent_id}&type=kiosk")
    row = {r["id"]: r for r in rows}[grid.id]
    assert row["facilities"] == 5 and row["overdue"] == 3 and row["ok"] == 2
    assert row["median_days_overdue"] == 10.0
    assert row["faults_closed"] == 2
    assert row["mean_days_to_close"] == 4.0  # (6 + 2) / 2
    assert row["records"] == 7 and row["volunteer_records"] == 2
    assert row["volunteer_share"] == round(2 / 7, 4)
    assert row["hours"] == 4.5 and row["volunteer_hours"] == 1.0
    assert row["coverage"] == 0.4
    others = [r for r in rows if r["id"] != grid.id]
    assert all(r["facilities"] == 0 and r["coverage"] is None for r in others)


def test_bad_parameters_are_refused_by_name(client: FlaskClient) -> None:
    for query, status, field in (
        ("level=province", 422, "level"),
        ("level=community&type=ufo", 422, "type"),
        ("level=community&area=nowhere", 404, "area"),
        ("level=community&format=xlsx", 422, "format"),
        ("level=community&bbox=1,2,3,4", 422, "bbox"),
        ("level=community&colour=red", 422, "colour"),
        ("level=district&area=420106001", 422, "level"),
    ):
        resp = client.get("/api/v1/coverage?" + query)
        assert resp.status_code == status, query
        assert resp.get_json()["error"]["field"] == field, query


def test_csv_is_the_area_table(client: FlaskClient) -> None:
    rows = rows_of(client, "level=community")
    resp = client.get("/api/v1/coverage?level=community&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [int(r["facilities"]) for r in table] == [r["facilities"] for r in rows]
    assert table[0]["name"] == rows[0]["name_zh"]


def test_geojson_for_the_choropleth_filters_by_bbox(
    client: FlaskClient, db_session: Session
) -> None:
    full = client.get("/api/v1/coverage?level=grid&format=geojson").get_json()
    assert full["type"] == "FeatureCollection"
    assert len(full["features"]) == db_session.scalar(
        sa.select(sa.func.count()).select_from(Area).where(Area.level == "grid")
    )
    feature = full["features"][0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert {"coverage", "facilities", "name"} <= set(feature["properties"])
    x, y = feature["geometry"]["coordinates"][0][0][0]
    small = client.get(
        f"/api/v1/coverage?level=grid&format=geojson&bbox={x - 1e-4},{y - 1e-4},{x + 1e-4},{y + 1e-4}"
    ).get_json()
    assert 0 < len(small["features"]) < len(full["features"])


def test_monthly_series_ends_with_todays_coverage(client: FlaskClient) -> None:
    series = client.get("/api/v1/coverage/monthly").get_json()
    assert len(series) == 12
    months = [p["month"] for p in series]
    assert months == sorted(months)
    total = rows_of(client, "level=district")
    covered = sum(r["covered"] for r in total)
    facilities = sum(r["facilities"] for r in total)
    assert series[-1]["facilities"] == facilities
    assert series[-1]["covered"] == covered
    one = client.get(f"/api/v1/coverage/monthly?area={total[0]['id']}&type=bench").get_json()
    assert len(one) == 12
    assert client.get("/api/v1/coverage/monthly?type=ufo").status_code == 422


def test_monthly_series_counts_a_facility_from_its_installation(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    grid = grids(db_session)[0]
    before = client.get(f"/api/v1/coverage/monthly?area={grid.id}&type=playground").get_json()
    make_facility(grid=grid, type="playground", installed_days_ago=20, interval=30)
    after = client.get(f"/api/v1/coverage/monthly?area={grid.id}&type=playground").get_json()
    assert after[-1]["facilities"] == before[-1]["facilities"] + 1
    assert after[-1]["covered"] == before[-1]["covered"] + 1
    assert after[0]["facilities"] == before[0]["facilities"]  # it did not exist a year ago


def test_volunteer_table_is_for_managers(client: FlaskClient, db_session: Session) -> None:
    assert client.get("/api/v1/coverage/volunteers").status_code == 401
    resp = client.get("/api/v1/coverage/volunteers", headers=bearer(db_session, "demo-resident"))
    assert resp.status_code == 403
    resp = client.get("/api/v1/coverage/volunteers", headers=bearer(db_session, "demo-manager"))
    assert resp.status_code == 200
    names = {v["name"] for v in resp.get_json()}
    assert any(name.startswith("志愿者") for name in names)
    text = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "@" not in text and "138" not in text


def _month_ends(today: dt.date, months: int = 12) -> list[dt.date]:
    ends = []
    first = window_start(today, months)
    for i in range(months):
        index = first.year * 12 + first.month - 1 + i
        nxt = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
        ends.append(min(nxt - dt.timedelta(days=1), today))
    return ends


def test_monthly_series_agrees_with_a_brute_force_count(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    """Month by month, facility by facility, from the raw log (no facts, no SQL tricks)."""
    g = grids(db_session)
    make_facility(grid=g[0], visits=((300, "ok"), (200, "ok"), (20, "fault")), interval=30)
    make_facility(grid=g[1], installed_days_ago=100, interval=60)
    gone = make_facility(grid=g[2], visits=((250, "ok"),), interval=90)
    gone.status, gone.removed_on = "removed", today - dt.timedelta(days=60)
    db_session.flush()
    facilities = db_session.execute(
        sa.text(
            "SELECT f.id, f.status, f.removed_on, coalesce(f.install_date, f.created_at::date) AS s,"
            " coalesce(f.maintenance_interval_days, t.interval_days) AS iv"
            " FROM facilities f JOIN facility_types t ON t.code = f.type"
        )
    ).all()
    visits: dict[int, list[dt.date]] = {}
    for fid, day in db_session.execute(
        sa.text("SELECT facility_id, performed_on FROM maintenance_records")
    ):
        visits.setdefault(fid, []).append(day)
    expected = []
    for end in _month_ends(today):
        n = covered = 0
        for f in facilities:
            if f.s > end or (
                f.status != "active" and (f.removed_on is None or f.removed_on <= end)
            ):
                continue
            n += 1
            last = max((d for d in visits.get(f.id, []) if d <= end), default=f.s)
            covered += last + dt.timedelta(days=f.iv) >= end
        expected.append((n, covered))
    series = client.get("/api/v1/coverage/monthly").get_json()
    assert [(p["facilities"], p["covered"]) for p in series] == expected


def test_big_scopes_keep_past_months_but_the_current_month_is_live(
    db_session: Session, make_facility, today, monkeypatch
) -> None:
    from gisapp.maintenance import series as series_module
    from gisapp.maintenance.queries import Scope

    monkeypatch.setattr(series_module, "CACHE_ABOVE", 0)
    cache = series_module.SeriesCache()
    first = series_module.coverage_series(db_session, Scope(), today, cache=cache)
    make_facility(installed_days_ago=5, interval=30)  # exists in the current month only
    second = series_module.coverage_series(db_session, Scope(), today, cache=cache)
    assert second[:-1] == first[:-1]
    assert second[-1]["facilities"] == first[-1]["facilities"] + 1
    assert second[-1]["covered"] == first[-1]["covered"] + 1
