"""Walking reach along the street network (pgRouting) on a network small enough to check by
hand, the API in both distance modes, and loading a network from a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient, FlaskCliRunner
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely import LineString, MultiPolygon, Point, Polygon, box
from sqlalchemy.orm import Session

from gisapp.models import Area, Facility, Street
from gisapp.planning import network, network_cli, queries
from tests.conftest import AuthActions
from tests.planning.routing import pgrouting_in

GEOD = Geod(ellps="WGS84")

# A made-up corner on the equator, far from the sample, so nothing else is within reach:
#
#        E (100.001, 0.001)
#        |
#   A ---B--- C --- D          A = (100.000, 0), then every 0.001° of longitude (~111.3 m)
#   ^ facility                 radius 250 m
A, B, C, D, E = (100.0, 0.0), (100.001, 0.0), (100.002, 0.0), (100.003, 0.0), (100.001, 0.001)
# Buildings (population): P near D, Q between A and E (close to A as the crow flies, but the
# street to it goes round by B and E), R between B and C.
P, Q, R = (100.003, 0.0002), (100.0005, 0.0009), (100.0012, 0.0001)
RADIUS = 250.0
BOX = (99.99, -0.01, 100.01, 0.01)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


AB, BC, CD, BE = metres(A, B), metres(B, C), metres(C, D), metres(B, E)


def _multi(poly: Polygon) -> MultiPolygon:
    return MultiPolygon([poly])


@pytest.fixture
def pgrouting(engine: sa.Engine) -> None:
    """Skip where the test database has no pgRouting (scripts/test always creates it)."""
    if not pgrouting_in(engine):
        pytest.skip("the test database has no pgrouting extension (scripts/test creates it)")


@pytest.fixture
def corner(db_session: Session) -> dict[str, int]:
    """The small network, one fitness facility at A, and three buildings in a district."""
    for a, b in ((A, B), (B, C), (C, D), (B, E)):
        db_session.add(Street(highway="footway", geom=from_shape(LineString([a, b]), srid=4326)))
    db_session.flush()
    network.build_topology(db_session)
    district = Area(
        level="district",
        code="T-NET",
        name_zh="测试区",
        name_en="Test district",
        geom=from_shape(_multi(box(*BOX)), srid=4326),
    )
    db_session.add(district)
    ids = {"district": 0}
    for name, (x, y), pop in (("P", P, 10), ("Q", Q, 20), ("R", R, 40)):
        building = Area(
            level="building",
            code=f"T-NET-{name}",
            name_zh=name,
            name_en=name,
            population=pop,
            geom=from_shape(_multi(box(x - 1e-5, y - 1e-5, x + 1e-5, y + 1e-5)), srid=4326),
        )
        db_session.add(building)
        db_session.flush()
        ids[name] = building.id
    db_session.add(Facility(code="T-NET-FIT", type="fitness", geom=from_shape(Point(A), srid=4326)))
    db_session.flush()
    ids["district"] = district.id
    return ids


def _reach(db_session: Session) -> dict[tuple[float, float], float]:
    rows = db_session.execute(
        sa.text(
            "SELECT ST_X(v.geom), ST_Y(v.geom), w.agg_cost FROM walk_reach w "
            "JOIN street_vertices v ON v.id = w.node"
        )
    ).all()
    return {(round(x, 6), round(y, 6)): cost for x, y, cost in rows}


def test_hand_built_network_has_its_topology(db_session: Session, corner: dict[str, int]) -> None:
    ours = db_session.execute(
        sa.select(Street.source, Street.target, Street.length_m).where(Street.highway == "footway")
    ).all()
    assert len(ours) == 4
    # A-B-C-D plus B-E: five vertices, B shared by three segments.
    ends = [v for s, t, _ in ours for v in (s, t)]
    assert len(set(ends)) == 5 and max(ends.count(v) for v in ends) == 3
    # Lengths on the spheroid: 0.001° of longitude on the equator is 111.32 m.
    assert sorted(round(m, 1) for *_, m in ours) == sorted(round(x, 1) for x in (AB, BC, CD, BE))
    assert pytest.approx(111.32, abs=0.01) == AB and pytest.approx(110.57, abs=0.01) == BE


@pytest.mark.usefixtures("pgrouting")
def test_reach_along_the_network_by_hand(db_session: Session, corner: dict[str, int]) -> None:
    network.facility_reach(db_session, "fitness", RADIUS, BOX)
    reach = _reach(db_session)
    # From the facility at A: B 111.3, C 222.6, E 221.9; D at 333.9 is beyond 250 m.
    assert reach[A] == pytest.approx(0)
    assert reach[B] == pytest.approx(AB)
    assert reach[C] == pytest.approx(AB + BC)
    assert reach[E] == pytest.approx(AB + BE)
    assert D not in reach
    reached = set(db_session.scalars(network.reached_buildings(db_session, RADIUS)))
    # R: 24.9 m off B → 136.2 m. Q: 56.8 m off E → 278.6 m. P: 22.1 m off D → 356 m.
    assert corner["R"] in reached
    assert corner["Q"] not in reached and corner["P"] not in reached
    lines = network.reach_lines(db_session, RADIUS)
    assert lines["type"] == "MultiLineString"
    # A-B, B-C and B-E whole, and the first 250 - 222.6 = 27.4 m of C-D.
    walked = sum(
        metres(tuple(part[i]), tuple(part[i + 1]))  # type: ignore[arg-type]
        for part in lines["coordinates"]
        for i in range(len(part) - 1)
    )
    assert walked == pytest.approx(AB + BC + BE + (RADIUS - AB - BC), abs=2)  # 1e-5° ≈ 1 m


@pytest.mark.parametrize(
    ("distance", "unreached", "population"),
    [("network", {"P", "Q"}, 30), ("straight", {"P"}, 10)],
)
def test_gaps_by_hand_in_both_measures(
    db_session: Session,
    corner: dict[str, int],
    distance: str,
    unreached: set[str],
    population: int,
    request: pytest.FixtureRequest,
) -> None:
    if distance == "network":
        request.getfixturevalue("pgrouting")
    # Q is 114 m from the facility as the crow flies, but 278.6 m by the streets.
    found = queries.unreached_buildings(db_session, "fitness", RADIUS, corner["district"], distance)
    ids = {f["id"] for f in json.loads(found["features"])}
    assert ids == {corner[n] for n in unreached}
    assert found["totals"]["population"] == population
    assert ("reach" in found) == (distance == "network")


@pytest.mark.usefixtures("pgrouting")
def test_candidate_factors_by_hand(db_session: Session, corner: dict[str, int]) -> None:
    (factors,) = network.candidate_factors(db_session, [C], "fitness", RADIUS, {"default": 1.0})
    # From C: P is 111.3 + 22.1 = 133.4 m (new: the facility at A does not reach it);
    # Q is 221.9 + 56.8 = 278.6 m (too far); R is reached already. Nearest facility: A, 222.6 m.
    assert factors.new_population == 10
    assert factors.demand == 0
    assert factors.nearest_existing_m == pytest.approx(AB + BC, abs=0.1)


@pytest.mark.usefixtures("pgrouting")
def test_coverage_cost_by_hand(db_session: Session, corner: dict[str, int]) -> None:
    cost = network.coverage_cost(
        db_session, [corner["P"], corner["Q"], corner["R"]], [A, C], RADIUS
    )
    snap_p, snap_r = metres(P, D), metres(R, B)
    assert cost[0, 0] == float("inf") and cost[0, 1] == pytest.approx(CD + snap_p, abs=0.1)
    assert cost[1, 0] == float("inf") and cost[1, 1] == float("inf")
    assert cost[2, 0] == pytest.approx(AB + snap_r, abs=0.1)
    assert cost[2, 1] == pytest.approx(BC + snap_r, abs=0.1)


@pytest.fixture
def planner(auth: AuthActions) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token('demo-planner')}"}


@pytest.mark.usefixtures("pgrouting")
def test_gaps_default_to_the_network_and_compare(
    client: FlaskClient, planner: dict[str, str]
) -> None:
    base = "/api/v1/analysis/gaps?facility_type=playground"
    default = client.get(base, headers=planner).get_json()
    assert default["distance"] == "network"
    assert default["reach"]["type"] == "MultiLineString" and default["reach"]["coordinates"]
    straight = client.get(base + "&distance=straight", headers=planner).get_json()
    assert straight["distance"] == "straight" and "reach" not in straight
    # Walking is never shorter than the straight line, so the network leaves at least as many
    # residents out of reach.
    assert default["totals"]["population"] >= straight["totals"]["population"]


def _points(db_session: Session, n: int) -> list[list[float]]:
    pt = sa.func.ST_PointOnSurface(Area.geom)
    rows = db_session.execute(
        sa.select(sa.func.ST_X(pt), sa.func.ST_Y(pt))
        .where(Area.level == "grid")
        .order_by(Area.id)
        .limit(n)
    ).all()
    return [[float(x), float(y)] for x, y in rows]


@pytest.mark.parametrize("distance", ["network", "straight"])
def test_site_scores_and_mclp_in_both_measures(
    client: FlaskClient,
    db_session: Session,
    planner: dict[str, str],
    distance: str,
    request: pytest.FixtureRequest,
) -> None:
    if distance == "network":
        request.getfixturevalue("pgrouting")
    body = {
        "facility_type": "playground",
        "radius_m": 300,
        "distance": distance,
        "candidates": {"points": _points(db_session, 6)},
    }
    scores = client.post("/api/v1/analysis/site-scores", headers=planner, json=body)
    assert scores.status_code == 200, scores.get_json()
    assert scores.get_json()["distance"] == distance
    ranked = scores.get_json()["candidates"]
    assert [c["rank"] for c in ranked] == list(range(1, 7))
    choice = client.post("/api/v1/analysis/mclp", headers=planner, json={**body, "k": 2})
    assert choice.status_code == 200, choice.get_json()
    data = choice.get_json()
    assert data["distance"] == distance
    assert data["mclp"]["covered_population"] >= data["greedy"]["covered_population"]


@pytest.mark.usefixtures("pgrouting")
def test_network_reaches_no_more_than_the_straight_line(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    body = {
        "facility_type": "playground",
        "radius_m": 300,
        "candidates": {"points": _points(db_session, 6)},
    }
    by = {
        d: client.post(
            "/api/v1/analysis/site-scores", headers=planner, json={**body, "distance": d}
        ).get_json()["candidates"]
        for d in ("network", "straight")
    }
    demand = {d: {c["index"]: c["factors"]["demand"] for c in by[d]} for d in by}
    assert all(demand["network"][i] <= demand["straight"][i] for i in demand["network"])


@pytest.mark.parametrize(
    "call",
    [
        ("get", "/api/v1/analysis/gaps?facility_type=playground&distance=crow", None),
        (
            "post",
            "/api/v1/analysis/site-scores",
            {"facility_type": "playground", "distance": "crow", "candidates": [[114.31, 30.55]]},
        ),
        (
            "post",
            "/api/v1/analysis/mclp",
            {"facility_type": "playground", "k": 1, "distance": 3, "candidates": [[114.31, 30.55]]},
        ),
    ],
)
def test_unknown_distance_mode_is_422(
    client: FlaskClient, planner: dict[str, str], call: tuple[str, str, object]
) -> None:
    method, url, body = call
    resp = client.open(url, method=method.upper(), headers=planner, json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"]["field"] == "distance"


def test_without_a_network_analyses_use_the_straight_line(
    client: FlaskClient, db_session: Session, planner: dict[str, str]
) -> None:
    db_session.execute(sa.delete(Street))
    db_session.flush()
    fc = client.get("/api/v1/analysis/gaps?facility_type=playground", headers=planner).get_json()
    assert fc["distance"] == "straight"
    asked = client.get(
        "/api/v1/analysis/gaps?facility_type=playground&distance=network", headers=planner
    )
    assert asked.status_code == 422
    assert "network" in asked.get_json()["error"]["message"]


def _write(path: Path, features: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _line(coords: list[list[float]], **props: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }


@pytest.mark.usefixtures("pgrouting")
def test_network_load_nodes_crossing_lines(
    runner: FlaskCliRunner, db_session: Session, tmp_path: Path
) -> None:
    # Two ways crossing in the middle (as OpenStreetMap draws them) become four segments.
    path = _write(
        tmp_path / "cross.geojson",
        [
            _line([[100.0, 0.0], [100.002, 0.0]], name="东西路", highway="residential"),
            _line([[100.001, -0.001], [100.001, 0.001]], name="南北路", highway="footway"),
        ],
    )
    result = runner.invoke(network_cli.network, ["load", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 street segments, 5 vertices" in result.output
    names = db_session.scalars(sa.select(Street.name_zh).order_by(Street.name_zh)).all()
    assert names == ["东西路", "东西路", "南北路", "南北路"]
    status = runner.invoke(network_cli.network, ["status"])
    assert "4 street segments" in status.output and "walking distance available" in status.output
    rebuilt = runner.invoke(network_cli.network, ["rebuild"])
    assert "4 street segments, 5 vertices" in rebuilt.output


def test_network_load_rejects_bad_files_and_keeps_the_old_network(
    runner: FlaskCliRunner, db_session: Session, tmp_path: Path
) -> None:
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Street))
    path = _write(
        tmp_path / "bad.geojson",
        [
            _line([[100.0, 0.0], [100.002, 0.0]]),
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            },
            _line([[500.0, 0.0], [501.0, 0.0]]),
        ],
    )
    result = runner.invoke(network_cli.network, ["load", str(path)])
    assert result.exit_code != 0
    assert "feature 2: geometry must be a LineString" in result.output
    assert "feature 3: coordinates are not longitude/latitude" in result.output
    assert "nothing was loaded" in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Street)) == before
