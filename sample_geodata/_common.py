"""Shared pieces of the sample-data generator: the metric frame, small helpers, Area/Road/Place.

Imported by generate.py and _activity.py; not meant to be used on its own.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

SEED = 20261126
TODAY = date(2026, 11, 20)  # "now" for the data set: nothing is dated after this day
TZ = timezone(timedelta(hours=8))
END = datetime(2026, 11, 20, 23, 59, 59, tzinfo=TZ)
GRID = 1e-6  # output precision in degrees (6 decimals, about 0.1 m)
ANGLE = np.deg2rad(12)  # the old town grid runs a little off north, parallel to the river
LEVELS = ["district", "street", "community", "grid", "building"]
ROAD_KINDS = ["primary", "secondary", "lane"]
KERB = {"primary": 9.0, "secondary": 6.0, "lane": 3.0}  # centreline to kerb, metres
T = TypeVar("T")

# A local azimuthal-equidistant frame centred on the street: metres, no UTM zone edge, and
# negligible distortion over a few km, so "20x40 m" or "sigma = 80 m" mean what they say.
_LOCAL = "+proj=aeqd +lat_0=30.5475 +lon_0=114.3175 +datum=WGS84 +units=m +no_defs"
_TO_M = Transformer.from_crs("EPSG:4326", _LOCAL, always_xy=True)
_TO_LL = Transformer.from_crs(_LOCAL, "EPSG:4326", always_xy=True)


def to_m(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_M.transform(*xy.T)))


def to_ll(geom: Any) -> Any:
    """Metres -> lon/lat snapped to the output grid, so what we check is exactly what we write."""
    ll = shapely.transform(geom, lambda xy: np.column_stack(_TO_LL.transform(*xy.T)))
    return shapely.set_precision(ll, GRID)


def rng_for(stage: str) -> np.random.Generator:
    # One stream per output file: tuning the reports must not reshuffle the buildings.
    return np.random.default_rng([SEED, zlib.crc32(stage.encode())])


def pick(rng: np.random.Generator, seq: Sequence[T], p: Sequence[float] | None = None) -> T:
    weights = None if p is None else np.asarray(p, float) / np.sum(p)
    return seq[int(rng.choice(len(seq), p=weights))]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split an integer in proportion to weights (largest remainder): parts sum exactly."""
    raw = total * np.asarray(weights, float) / np.sum(weights)
    parts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[: total - int(parts.sum())]] += 1
    return [int(x) for x in parts]


def rotate(xy: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return xy @ np.array([[c, s], [-s, c]])


def rectangle(center: np.ndarray, w: float, h: float, angle: float) -> Polygon:
    half = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    return Polygon(rotate(half, angle) + center)


def polygons_of(geom: Any) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    return [p for part in getattr(geom, "geoms", []) for p in polygons_of(part)]


def north_first(p: Point, band: float) -> tuple[float, float]:
    """Sort key: rows of `band` metres from north to south, west to east within a row."""
    return (-round(p.y / band), p.x)


@dataclass
class Area:
    code: str
    level: str
    name_zh: str
    name_en: str
    parent_code: str | None
    geom: Any  # lon/lat on the output grid
    population: int | None = None
    households: int | None = None
    metric: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.metric = to_m(self.geom)
        shapely.prepare(self.geom)


@dataclass
class Road:
    name_zh: str
    name_en: str
    kind: str
    line: LineString  # metres


class Place:
    """Answers 'where is this point' questions for facilities, reports and projects."""

    def __init__(self, areas: list[Area], segments: list[Road], blocked: Any) -> None:
        self.by_code = {a.code: a for a in areas}
        self.street = next(a for a in areas if a.level == "street")
        self.grids = [a for a in areas if a.level == "grid"]
        self.buildings = [a for a in areas if a.level == "building"]
        self.built = shapely.union_all([b.metric for b in self.buildings])
        self.segments, self.blocked = segments, blocked
        self.seg_lines = np.array([s.line for s in segments])
        for g in (self.built, self.blocked, *[g.metric for g in self.grids]):
            shapely.prepare(g)

    def grid_of(self, p_ll: Point) -> Area | None:
        """The grid holding the point, or None when it sits within a metre of a boundary."""
        for g in self.grids:
            if g.geom.contains(p_ll) and g.metric.boundary.distance(to_m(p_ll)) >= 1:
                return g
        return None

    def road_near(self, p: Point) -> Road:
        return self.segments[int(np.argmin(shapely.distance(self.seg_lines, p)))]

    def on_road(self, rng: np.random.Generator, kinds: Sequence[str], extra: float) -> Point:
        """A random point beside the road network, `extra` metres beyond the kerb line."""
        segs = [s for s in self.segments if s.kind in kinds]
        seg = pick(rng, segs, [s.line.length for s in segs])
        s = rng.uniform(0, seg.line.length - 0.5)
        p, q = (np.array(seg.line.interpolate(d).coords[0]) for d in (s, s + 0.5))
        normal = rotate(q - p, np.pi / 2) / np.linalg.norm(q - p)
        return Point(p + normal * (KERB[seg.kind] + extra) * pick(rng, [-1, 1]))

    def community_of(self, p_ll: Point) -> Area:
        grid = min(self.grids, key=lambda g: g.geom.distance(p_ll))
        return self.by_code[str(grid.parent_code)]

    def near_building(self, rng: np.random.Generator, lo: float, hi: float) -> tuple[Area, Point]:
        """A random building and a point lo..hi metres from its centre (yard, entrance, kerb)."""
        building = pick(rng, self.buildings)
        c = building.metric.centroid
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(lo, hi)
        return building, Point(c.x + d * np.cos(a), c.y + d * np.sin(a))


Feature = tuple[dict[str, Any], Any]  # (properties, lon/lat geometry)


def random_date(rng: np.random.Generator, lo: str, hi: str) -> date:
    first, last = date.fromisoformat(lo), date.fromisoformat(hi)
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
