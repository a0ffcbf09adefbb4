"""Generate the synthetic sample street shipped in sample_geodata/.

One invented 街道 of Wuchang District, Wuhan: communities, grids and buildings, a street network,
resident reports, co-creation projects, facilities and their maintenance log. A fixed seed, no
network access and canonical geometry/JSON output make the files byte-identical across runs, so
they are committed and tests/test_sample_geodata.py checks that they still reproduce.

Usage: .venv/bin/python sample_geodata/generate.py [OUT_DIR]   (default: this folder)
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import _vocab as V
import numpy as np
import shapely
from _activity import build_facilities, build_maintenance, build_projects, build_reports
from _common import (
    ANGLE,
    GRID,
    KERB,
    LEVELS,
    ROAD_KINDS,
    Area,
    Feature,
    Place,
    Road,
    apportion,
    north_first,
    pick,
    polygons_of,
    rectangle,
    rng_for,
    rotate,
    to_ll,
)
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon, mapping


# ------------------------------------------------------------------------------ street network
def street_outline(rng: np.random.Generator) -> Polygon:
    """An irregular blob of 2.5 km2: a few low harmonics give bays and bulges, not spikes."""
    theta = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    r = 1 + 0.02 * rng.standard_normal(theta.size)
    for k in (2, 3, 4):
        r += rng.uniform(0.05, 0.1) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    blob = Polygon(np.column_stack([1.3 * r * np.cos(theta), 0.85 * r * np.sin(theta)]))
    return affinity.scale(blob, *(2 * [np.sqrt(2.5e6 / blob.area)]), origin=(0, 0))


def road_line(rng: np.random.Generator, axis: str, offset: float) -> LineString:
    t = np.linspace(-2500, 2500, 9)
    wobble = offset + rng.normal(0, 15, t.size)  # gentle bends, not a ruler-straight grid
    xy = np.column_stack([t, wobble] if axis == "ew" else [wobble, t])
    return LineString(rotate(xy, ANGLE))


def add_lanes(rng: np.random.Generator, street: Polygon, roads: list[Road]) -> list[Road]:
    """Lanes leave a road at right angles and run to the next road (or out of the street)."""
    lanes: list[Road] = []
    for zh, en in V.LANES:
        for _ in range(300):
            lines = roads + lanes
            src = pick(rng, lines, [r.line.length for r in lines])
            s = rng.uniform(0.1, 0.9) * src.line.length
            p = np.array(src.line.interpolate(s).coords[0])
            t = np.array(src.line.interpolate(s + 1).coords[0]) - p
            n = rotate(np.array([-t[1], t[0]]) * pick(rng, [-1, 1]), rng.normal(0, 0.12))
            others = shapely.union_all([r.line for r in lines if r is not src])
            ray = LineString([p, p + 600 * n])
            hits = shapely.get_coordinates(ray.intersection(others)) - p
            dist = sorted(d for d in hits @ n if d > 5)
            if dist and 90 <= dist[0] <= 700:
                reach = dist[0] + 4  # overshoot so the crossing is noded; stubs are cut later
            else:
                exits = sorted((shapely.get_coordinates(ray.intersection(street.boundary)) - p) @ n)
                if not exits or not 90 <= exits[0] <= 300 or (dist and dist[0] < exits[0]):
                    continue
                reach = exits[0]
            mid = p + n * reach / 2 + t * rng.normal(0, 8)  # a small kink, as old lanes have
            lane = LineString([p - 4 * n, mid, p + reach * n]).intersection(street)
            clear = shapely.union_all([r.line for r in lines]).distance(Point(mid))
            if isinstance(lane, LineString) and clear >= max(45, 0.3 * reach):
                lanes.append(Road(zh, en, "lane", lane))
                break
    return lanes


def node_network(sources: list[Road]) -> list[Road]:
    """Split every line at every junction so the network is routable, then drop overshoots."""
    pieces = list(shapely.get_parts(shapely.union_all([r.line for r in sources])))
    src_lines = np.array([r.line for r in sources])
    degree = Counter(c for p in pieces for c in (p.coords[0], p.coords[-1]))
    pieces = [
        p
        for p in pieces
        if p.length > 1 and not (p.length < 12 and 1 in (degree[p.coords[0]], degree[p.coords[-1]]))
    ]
    # Keep the largest connected component (union-find over shared end points).
    parent: dict[Any, Any] = {}

    def find(c: Any) -> Any:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for p in pieces:
        parent[find(p.coords[0])] = find(p.coords[-1])
    sizes = Counter(find(p.coords[0]) for p in pieces)
    main = sizes.most_common(1)[0][0]  # in practice everything is connected
    segments = []
    for p in (p for p in pieces if find(p.coords[0]) == main):
        # Each piece takes the name of the source line it lies on.
        mid = p.interpolate(0.5, normalized=True)
        src = sources[int(np.argmin(shapely.distance(src_lines, mid)))]
        segments.append(Road(src.name_zh, src.name_en, src.kind, p))
    return sorted(segments, key=lambda r: (ROAD_KINDS.index(r.kind), r.name_en, r.line.coords[0]))


def build_roads(rng: np.random.Generator, street: Polygon) -> tuple[list[Road], list[Road]]:
    majors = [
        Road(zh, en, kind, part)
        for zh, en, kind, axis, offset in V.MAJOR_ROADS
        for part in shapely.get_parts(road_line(rng, axis, offset).intersection(street))
        if part.length > 50
    ]
    sources = majors + add_lanes(rng, street, majors)
    return sources, node_network(sources)


# ------------------------------------------------------------------------------------- areas
def spread_points(rng: np.random.Generator, region: Any, n: int, gap: float) -> list[Point]:
    """Rejection-sample n points in region, at least `gap` apart (relaxed if it gets stuck)."""
    shapely.prepare(region)
    pts: list[Point] = []
    for tries in range(1, 100_000):
        if tries % 500 == 0:
            gap *= 0.9
        p = Point(rng.uniform(region.bounds[:2], region.bounds[2:]))
        if region.contains(p) and all(p.distance(q) >= gap for q in pts):
            pts.append(p)
            if len(pts) == n:
                return pts
    raise RuntimeError("could not spread points")


def voronoi(seeds: list[Point], region: Any) -> list[Any]:
    box = region.envelope.buffer(1000)
    return list(
        shapely.get_parts(shapely.voronoi_polygons(MultiPoint(seeds), extend_to=box, ordered=True))
    )


def relax(seeds: list[Point], region: Any, rounds: int = 3) -> list[Point]:
    """Lloyd relaxation: move seeds to their cell centroids so cells come out evenly sized."""
    for _ in range(rounds):
        cells = [c.intersection(region) for c in voronoi(seeds, region)]
        seeds = [c.centroid if region.contains(c.centroid) else c.point_on_surface() for c in cells]
    return sorted(seeds, key=lambda p: north_first(p, 250))


def tile(parent: Area, seeds: list[Point]) -> list[MultiPolygon]:
    """Voronoi cells clipped to the parent on the 1e-6 degree output grid. Neighbours share the
    same cell edge, so they tile the parent without gaps or overlaps, and snap-rounding inside
    the overlay keeps every part valid once written with 6 decimals."""
    out = []
    for cell in voronoi(seeds, parent.metric):
        clipped = shapely.intersection(to_ll(cell), parent.geom, grid_size=GRID)
        out.append(MultiPolygon([p for p in polygons_of(clipped) if p.area > 1e-11]))
    return out


def place_buildings(rng: np.random.Generator, grid: Area, blocked: Any) -> list[Polygon]:
    """4-10 slab blocks (~20x40 m) sharing the grid's orientation, clear of roads and each other."""
    inner = grid.metric.buffer(-6)
    shapely.prepare(inner)
    angle = ANGLE + rng.normal(0, np.deg2rad(5))
    target, rects = int(rng.integers(4, 11)), []
    for _ in range(3000):
        c = rng.uniform(inner.bounds[:2], inner.bounds[2:])
        r = rectangle(c, rng.uniform(16, 24), rng.uniform(32, 48), angle + rng.normal(0, 0.05))
        if (
            inner.contains(r)
            and not blocked.intersects(r)
            and all(r.distance(o) >= 10 for o in rects)
        ):
            rects.append(r)
            if len(rects) == target:
                break
    if len(rects) < 4:
        raise RuntimeError(f"grid {grid.code} too cramped for buildings")
    return sorted(rects, key=lambda r: north_first(r.centroid, 40))


def split_community(rng: np.random.Generator, comm: Area, blocked: Any) -> list[Area]:
    """3-5 grids per community and 4-10 blocks per grid. Population follows floor area (about
    25 m2 per resident in these cramped old blocks, held to 3,000-9,000) and is shared out
    block by block, so every level adds up exactly."""
    short_en = comm.name_en.removesuffix(" Community")
    k = int(rng.integers(3, 6))
    region = comm.metric.buffer(-25)
    seeds = relax(spread_points(rng, region, k, 0.6 * np.sqrt(region.area / k)), comm.metric)
    grids = [
        Area(f"{comm.code}{j:02d}", "grid", f"{comm.name_zh}第{j}网格", f"{short_en} Grid {j}",
             comm.code, cell)
        for j, cell in enumerate(tile(comm, seeds), start=1)
    ]  # fmt: skip
    blocks = [place_buildings(rng, g, blocked) for g in grids]
    capacity = [[r.area * int(rng.integers(5, 10)) for r in rs] for rs in blocks]  # 5-9 storeys
    floor_area = sum(sum(c) for c in capacity)
    comm.population = int(np.clip(floor_area / 25 * rng.uniform(0.9, 1.1), 3000, 9000))
    comm.households = round(comm.population / rng.uniform(2.5, 2.7))  # ~2.6 per household
    pops = apportion(comm.population, [sum(c) for c in capacity])
    out: list[Area] = []
    for grid, rs, cap, pop, hh in zip(
        grids, blocks, capacity, pops, apportion(comm.households, pops), strict=True
    ):
        grid.population, grid.households = pop, hh
        out.append(grid)
        b_pop = apportion(pop, cap)
        for n, (r, bp, bh) in enumerate(zip(rs, b_pop, apportion(hh, b_pop), strict=True), 1):
            geom = MultiPolygon([to_ll(r)])
            assert grid.geom.contains(geom)
            out.append(Area(f"{grid.code}{n:03d}", "building", f"{n}栋", f"Building {n}",
                            grid.code, geom, bp, bh))  # fmt: skip
    return out


def build_areas(rng: np.random.Generator, street_m: Polygon, blocked: Any) -> list[Area]:
    code, zh, en, pop, hh = V.DISTRICT
    district_geom = shapely.set_precision(MultiPolygon([Polygon(V.DISTRICT_OUTLINE)]), GRID)
    district = Area(code, "district", zh, en, None, district_geom, pop, hh)
    s_code, s_zh, s_en = V.STREET
    street = Area(s_code, "street", s_zh, s_en, code, MultiPolygon([to_ll(street_m)]))
    assert district.geom.contains(street.geom)
    n = len(V.COMMUNITIES)
    seeds = relax(spread_points(rng, street.metric.buffer(-100), n, 380), street.metric)
    communities = [
        Area(f"{s_code}{i:03d}", "community", c_zh, f"{c_en} Community", s_code, cell)
        for i, (cell, (c_zh, c_en)) in enumerate(zip(tile(street, seeds), V.COMMUNITIES,
                                                     strict=True), start=1)
    ]  # fmt: skip
    areas = [district, street]
    for comm in communities:
        areas += [comm, *split_community(rng, comm, blocked)]
    street.population = sum(int(c.population or 0) for c in communities)
    street.households = sum(int(c.households or 0) for c in communities)
    return sorted(areas, key=lambda a: (LEVELS.index(a.level), a.code))


# ------------------------------------------------------------------------------------ output
def rounded(c: Any) -> Any:
    return round(float(c), 6) if isinstance(c, int | float) else [rounded(x) for x in c]


def write_geojson(path: Path, features: list[Feature]) -> None:
    """One feature per line (readable diffs); canonical vertex order and RFC 7946 winding."""
    lines = []
    for props, geom in features:
        geom = shapely.orient_polygons(shapely.normalize(geom))
        g = mapping(geom)
        geometry = {"type": g["type"], "coordinates": rounded(g["coordinates"])}
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    street_m = street_outline(rng_for("street"))
    sources, segments = build_roads(rng_for("streets"), street_m)
    # Carriageway plus a setback: no building, playground or park goes here.
    blocked = shapely.union_all([s.line.buffer(KERB[s.kind] + 4) for s in segments])
    areas = build_areas(rng_for("areas"), street_m, blocked)
    where = Place(areas, segments, blocked)
    facilities = build_facilities(rng_for("facilities"), where)
    records = build_maintenance(rng_for("maintenance"), [f for f, _ in facilities])
    area_keys = ["code", "level", "name_zh", "name_en", "parent_code", "population", "households"]
    write_geojson(
        out / "areas.geojson", [({k: getattr(a, k) for k in area_keys}, a.geom) for a in areas]
    )
    write_geojson(
        out / "streets.geojson",
        [
            ({"name_zh": s.name_zh, "name_en": s.name_en, "kind": s.kind}, to_ll(s.line))
            for s in segments
        ],
    )
    write_geojson(out / "reports.geojson", build_reports(rng_for("reports"), where))
    write_geojson(out / "projects.geojson", build_projects(rng_for("projects"), where, sources))
    write_geojson(out / "facilities.geojson", facilities)
    write_csv(out / "maintenance_records.csv", records)
    levels = Counter(a.level for a in areas)
    print(
        f"wrote {out}: {dict(levels)}, {len(segments)} street segments, "
        f"{len(facilities)} facilities, {len(records)} maintenance records"
    )


if __name__ == "__main__":
    main(sys.argv)
