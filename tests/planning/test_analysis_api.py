"""The planners' analysis API: demand, hot spots, gaps, site scores, MCLP, project creation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.models import Area, Project, ProjectBudgetLine, ProjectReport, Report
from tests.conftest import AuthActions
from tests.planning.routing import pgrouting_in


@pytest.fixture
def planner(auth: AuthActions) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token('demo-planner')}"}


def _inside(db_session: Session, level: str = "grid", n: int = 0) -> tuple[float, float]:
    pt = sa.func.ST_PointOnSurface(Area.geom)
    x, y = db_session.execute(
        sa.select(sa.func.ST_X(pt), sa.func.ST_Y(pt))
        .where(Area.level == level)
        .order_by(Area.id)
        .offset(n)
        .limit(1)
    ).one()
    return float(x), float(y)


def test_planner_only(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get("/api/v1/analysis/demand").status_code == 401
    resident = {"Authorization": f"Bearer {auth.token('demo-resident')}"}
    assert client.get("/api/v1/analysis/demand", headers=resident).status_code == 403


def test_demand_matches_a_direct_count(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    fc = client.get("/api/v1/analysis/demand?level=community", headers=planner).get_json()
    for feature in fc["features"]:
        props = feature["properties"]
        direct = db_session.scalar(
            sa.select(sa.func.count())
            .select_from(Report)
            .where(
                Report.community_id == feature["id"],
                Report.status.in_(("submitted", "accepted", "in_progress")),
            )
        )
        assert props["reports"] == direct
        if props["population"]:
            assert props["per_1000"] == round(1000 * direct / props["population"], 2)
    waste = client.get("/api/v1/analysis/demand?level=grid&category=waste", headers=planner)
    assert waste.status_code == 200


def test_hotspots_classify_every_grid(client: FlaskClient, planner: dict[str, str]) -> None:
    fc = client.get("/api/v1/analysis/hotspots", headers=planner).get_json()
    assert "Gi*" in fc["method"]
    classes = {f["properties"]["hotspot"] for f in fc["features"]}
    assert classes <= {
        "hot_99",
        "hot_95",
        "hot_90",
        "cold_99",
        "cold_95",
        "cold_90",
        "not_significant",
    }
    again = client.get("/api/v1/analysis/hotspots", headers=planner).get_json()
    assert [f["properties"]["p_value"] for f in again["features"]] == [
        f["properties"]["p_value"] for f in fc["features"]
    ], "fixed seed: same answer"


@pytest.mark.parametrize("distance", ["network", "straight"])
def test_gaps_totals_add_up(
    client: FlaskClient, planner: dict[str, str], distance: str, engine: sa.Engine
) -> None:
    if distance == "network" and not pgrouting_in(engine):
        pytest.skip("the test database has no pgrouting extension (scripts/test creates it)")
    url = f"/api/v1/analysis/gaps?facility_type=playground&distance={distance}"
    fc = client.get(url, headers=planner).get_json()
    assert fc["radius_m"] == 300 and fc["distance"] == distance
    assert fc["totals"]["population"] == sum(f["properties"]["population"] for f in fc["features"])
    wider = client.get(url + "&radius_m=2000", headers=planner).get_json()
    assert wider["totals"]["population"] < fc["totals"]["population"]


def test_site_scores_rank_points(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    points = [list(_inside(db_session, "grid", i)) for i in range(5)]
    resp = client.post(
        "/api/v1/analysis/site-scores",
        headers=planner,
        json={"facility_type": "playground", "radius_m": 300, "candidates": {"points": points}},
    )
    assert resp.status_code == 200, resp.get_json()
    ranked = resp.get_json()["candidates"]
    assert [c["rank"] for c in ranked] == [1, 2, 3, 4, 5]
    scores = [c["score"] for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert set(ranked[0]["factors"]) == {"demand", "new_population", "nearest_existing_m"}


def test_site_scores_on_a_grid_over_an_area(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    community = db_session.scalars(sa.select(Area.code).where(Area.level == "community")).first()
    resp = client.post(
        "/api/v1/analysis/site-scores",
        headers=planner,
        json={
            "facility_type": "fitness",
            "candidates": {"grid": {"area": community, "spacing_m": 100}},
        },
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["radius_m"] == 500  # the type's default walking radius
    assert len(resp.get_json()["candidates"]) > 3


def test_mclp_beats_or_equals_greedy(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    street = db_session.scalars(sa.select(Area.code).where(Area.level == "street")).one()
    resp = client.post(
        "/api/v1/analysis/mclp",
        headers=planner,
        json={
            "facility_type": "playground",
            "k": 3,
            "candidates": {"grid": {"area": street, "spacing_m": 200}},
        },
    )
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert len(data["mclp"]["chosen"]) == 3 and len(data["greedy"]["chosen"]) == 3
    assert data["mclp"]["covered_population"] >= data["greedy"]["covered_population"]
    assert (
        data["mclp"]["already_covered_population"] == data["greedy"]["already_covered_population"]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"facility_type": "playground", "radius_m": 0, "candidates": [[114.31, 30.55]]},
            "radius_m",
        ),
        (
            {"facility_type": "playground", "radius_m": -5, "candidates": [[114.31, 30.55]]},
            "radius_m",
        ),
        (
            {"facility_type": "playground", "radius_m": 10001, "candidates": [[114.31, 30.55]]},
            "radius_m",
        ),
        (
            {"facility_type": "playground", "radius_m": "far", "candidates": [[114.31, 30.55]]},
            "radius_m",
        ),
        ({"facility_type": "spaceport", "candidates": [[114.31, 30.55]]}, "facility_type"),
        ({"facility_type": "playground", "candidates": []}, "candidates"),
        ({"facility_type": "playground"}, "candidates"),
        ({"facility_type": "playground", "candidates": [[116.39, 39.9]]}, "candidates"),
        ({"facility_type": "playground", "candidates": [[30.55, 114.31]]}, "candidates.points"),
        (
            {"facility_type": "playground", "candidates": {"grid": {"area": "nowhere"}}},
            "candidates.grid.area",
        ),
        (
            {
                "facility_type": "playground",
                "candidates": {"grid": {"area": "420106001", "spacing_m": 1}},
            },
            "candidates.grid.spacing_m",
        ),
        (
            {
                "facility_type": "playground",
                "candidates": {
                    "polygons": [
                        {
                            "type": "Polygon",
                            "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                        }
                    ]
                },
            },
            "candidates.polygons",
        ),
        ({"facility_type": "playground", "candidates": [[114.31, 30.55]], "colour": 1}, "colour"),
    ],
)
def test_site_scores_bad_input(client: FlaskClient, planner: dict[str, str], body, field) -> None:
    resp = client.post("/api/v1/analysis/site-scores", headers=planner, json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"]["field"] == field


def test_mclp_k_larger_than_candidates(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    points = [list(_inside(db_session, "grid", i)) for i in range(2)]
    for k, field in ((3, "k"), (0, "k"), ("two", "k")):
        resp = client.post(
            "/api/v1/analysis/mclp",
            headers=planner,
            json={"facility_type": "playground", "k": k, "candidates": points},
        )
        assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field


def _square(lon: float, lat: float, d: float = 0.0001) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
            ]
        ],
    }


def test_create_a_project_from_a_chosen_site(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    lon, lat = _inside(db_session, "community", 2)
    report = db_session.scalars(sa.select(Report.id).order_by(Report.id)).first()
    resp = client.post(
        "/api/v1/projects",
        headers=planner,
        json={
            "title_zh": "口袋公园",
            "title_en": "Pocket park",
            "geometry": _square(lon, lat),
            "facility_type": "playground",
            "report_ids": [report],
            "budget_lines": [
                {"source": "government", "amount_yuan": 100000},
                {"source": "residents_labour", "hours": 200, "note": "周末义务劳动"},
            ],
            "milestones": [{"phase": "co_decide", "title": "居民议事会", "due_on": "2026-12-15"}],
        },
    )
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["areas"]["community"]["id"]
    assert data["budget_yuan"] == 100000 + 200 * 30
    lines = db_session.scalars(
        sa.select(ProjectBudgetLine).where(ProjectBudgetLine.project_id == data["id"])
    ).all()
    labour = next(x for x in lines if x.source == "residents_labour")
    assert float(labour.hours) == 200 and float(labour.amount_yuan) == 6000
    assert db_session.get(ProjectReport, {"project_id": data["id"], "report_id": report})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [114.31, 30.54],
                            [114.32, 30.55],
                            [114.32, 30.54],
                            [114.31, 30.55],
                            [114.31, 30.54],
                        ]
                    ],
                }
            },
            "geometry",
        ),
        ({"geometry": _square(116.39, 39.9)}, "geometry"),
        ({"geometry": _square(0, 0, 5)}, "geometry"),
        ({"geometry": {"type": "Circle"}}, "geometry"),
        ({"title_zh": ""}, "title_zh"),
        (
            {"budget_lines": [{"source": "government", "amount_yuan": -5}]},
            "budget_lines.0.amount_yuan",
        ),
        ({"budget_lines": [{"source": "lottery", "amount_yuan": 5}]}, "budget_lines.0.source"),
        (
            {"budget_lines": [{"source": "residents_labour", "hours": "lots"}]},
            "budget_lines.0.hours",
        ),
        ({"milestones": [{"phase": "co_party", "title": "x"}]}, "milestones.0.phase"),
        (
            {"milestones": [{"phase": "co_build", "title": "x", "due_on": "tomorrow"}]},
            "milestones.0.due_on",
        ),
        ({"report_ids": [999999]}, "report_ids"),
        ({"progress": 101}, "progress"),
        ({"phase": "done"}, "phase"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_bad_projects_write_nothing(
    client: FlaskClient, db_session: Session, planner: dict[str, str], change, field
) -> None:
    lon, lat = _inside(db_session, "community", 2)
    body = {"title_zh": "测试", "geometry": _square(lon, lat)}
    body.update(change)
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Project))
    resp = client.post("/api/v1/projects", headers=planner, json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Project)) == before


def test_footprint_must_stay_in_its_community(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    a = _inside(db_session, "community", 0)
    b = _inside(db_session, "community", 5)
    line = {"type": "LineString", "coordinates": [list(a), list(b)]}
    resp = client.post(
        "/api/v1/projects", headers=planner, json={"title_zh": "跨社区道路", "geometry": line}
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "geometry"
    assert "community" in resp.get_json()["error"]["message"]
