"""GCJ-02 ⇄ WGS 84 against published reference points.

The reference points are the test vectors of googollee/eviltransform (MIT), the implementation
most others copy, in ``go/transform_test.go``: (WGS lat, WGS lon) → (GCJ lat, GCJ lon) for
Shanghai, Shenzhen and Beijing. Its own test compares to 5 decimals; we hold to 1e-9 degrees.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from gisapp.geo.gcj02 import (
    gcj_to_wgs,
    gcj_to_wgs_arrays,
    geometry_gcj_to_wgs,
    geometry_wgs_to_gcj,
    shift_at,
    wgs_to_gcj,
)

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon) from eviltransform go/transform_test.go
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    dx = math.radians(lon2 - lon1) * math.cos(math.radians(lat1)) * 6371000
    dy = math.radians(lat2 - lat1) * 6371000
    return math.hypot(dx, dy)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_forward_matches_published_points(wlat: float, wlon: float, glat: float, glon: float):
    lon, lat = wgs_to_gcj(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_inverse_recovers_published_wgs(wlat: float, wlon: float, glat: float, glon: float):
    lon, lat = gcj_to_wgs(glon, glat)
    assert abs(lon - wlon) < 1e-6
    assert abs(lat - wlat) < 1e-6
    assert metres(lon, lat, wlon, wlat) < 0.01


def test_round_trip_over_china_is_below_a_micro_degree():
    rng = np.random.default_rng(6)
    lon = rng.uniform(75, 135, 2000)
    lat = rng.uniform(18, 53, 2000)
    glon, glat = np.array([wgs_to_gcj(a, b) for a, b in zip(lon, lat, strict=True)]).T
    back_lon, back_lat = gcj_to_wgs_arrays(glon, glat)
    assert np.max(np.abs(back_lon - lon)) < 1e-6
    assert np.max(np.abs(back_lat - lat)) < 1e-6
    # The shift itself is real: hundreds of metres in Wuhan.
    assert metres(114.316, 30.554, *wgs_to_gcj(114.316, 30.554)) > 300


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.3522, 48.8566), (-74.006, 40.7128), (151.2, -33.87), (0.0, 0.0), (139.69, 35.68)],
)
def test_points_outside_china_are_unchanged(lon: float, lat: float):
    assert wgs_to_gcj(lon, lat) == (lon, lat)
    assert gcj_to_wgs(lon, lat) == (lon, lat)


def test_whole_geometries_every_vertex_and_z_dropped():
    ring = [(114.30, 30.55), (114.32, 30.55), (114.32, 30.57), (114.30, 30.55)]
    polygon = Polygon(ring)
    shifted = geometry_wgs_to_gcj(polygon)
    for (x, y), (gx, gy) in zip(polygon.exterior.coords, shifted.exterior.coords, strict=True):
        assert (gx, gy) == pytest.approx(wgs_to_gcj(x, y), abs=1e-12)
    back = geometry_gcj_to_wgs(shifted)
    assert shapely.equals_exact(back, polygon, tolerance=1e-8)

    multi = MultiPolygon([polygon, Polygon([(114.4, 30.6), (114.41, 30.6), (114.41, 30.61)])])
    assert geometry_gcj_to_wgs(geometry_wgs_to_gcj(multi)).equals_exact(multi, 1e-8)
    line = LineString([(114.3, 30.5, 12.0), (114.31, 30.51, 13.0)])
    assert not geometry_wgs_to_gcj(line).has_z
    point = geometry_wgs_to_gcj(Point(REFERENCE[0][1], REFERENCE[0][0]))
    assert (point.x, point.y) == pytest.approx((REFERENCE[0][3], REFERENCE[0][2]), abs=1e-9)


def test_shift_at_is_the_offset_and_zero_abroad():
    dlon, dlat = shift_at(114.316, 30.554)
    assert (114.316 + dlon, 30.554 + dlat) == pytest.approx(wgs_to_gcj(114.316, 30.554))
    assert 0.003 < dlon < 0.008 and -0.004 < dlat < 0
    assert shift_at(2.35, 48.85) == (0.0, 0.0)
