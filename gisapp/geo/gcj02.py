"""GCJ-02 ("Mars coordinates", 火星坐标) ⇄ WGS 84, for points and whole geometries.

Chinese web maps (Gaode/Amap, Tencent, Google's China tiles) and many Chinese data sources are
in GCJ-02: WGS 84 shifted by a published, deterministic offset of a few hundred metres.
We store WGS 84 (DESIGN.md), so imports convert GCJ-02 in, exports may convert out, and the
Gaode basemap shifts the overlays (``static/js/crs-gcj02.js`` is the same algorithm in JS).

Why our own code and not a package: the PyPI candidates (``eviltransform`` 2018, ``prcoords``
2019, ``coord-convert`` 2019, ``pygcj`` 2020) are unmaintained, untyped and work point by point;
the algorithm is thirty lines, this version works on numpy arrays (a geometry's coordinates in
one call) and the browser needs the identical formula anyway, so both are tested against the
same published reference points (googollee/eviltransform, MIT).

Usage::

    lon, lat = wgs_to_gcj(114.316, 30.554)
    lon, lat = gcj_to_wgs(lon, lat)                    # iterates to < 1e-9 degrees
    geom = geometry_gcj_to_wgs(shapely_geometry)      # any shapely geometry, Z dropped

Points outside the rough rectangle around China that the algorithm defines are returned
unchanged, as every implementation does (the offset is only applied inside China).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import shapely

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula uses for its degree lengths.
_A = 6378245.0
_EE = 0.00669342162296594323
# Fixed-point iteration of the inverse: each step shrinks the error by ~1e-4, so three or four
# steps reach this tolerance; the cap only guards against NaN input.
INVERSE_TOLERANCE_DEG = 1e-9
_MAX_STEPS = 20

Array = npt.NDArray[np.float64]
_G = TypeVar("_G", bound=shapely.Geometry)


def in_china(lon: Array, lat: Array) -> npt.NDArray[np.bool_]:
    """The rectangle inside which GCJ-02 applies an offset (the published bounds)."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    """(dlon, dlat) in degrees that GCJ-02 adds to a WGS 84 position."""
    x = lon - 105.0
    y = lat - 35.0
    xpi = x * np.pi
    ypi = y * np.pi
    common = 20.0 * np.sin(6.0 * xpi) + 20.0 * np.sin(2.0 * xpi)
    dlat = common + 20.0 * np.sin(ypi) + 40.0 * np.sin(ypi / 3.0)
    dlon = common + 20.0 * np.sin(xpi) + 40.0 * np.sin(xpi / 3.0)
    dlat += 160.0 * np.sin(ypi / 12.0) + 320.0 * np.sin(ypi / 30.0)
    dlon += 150.0 * np.sin(xpi / 12.0) + 300.0 * np.sin(xpi / 30.0)
    dlat = dlat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
    dlon = dlon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
    dlat += 0.2 * np.sqrt(np.abs(x))
    dlon += 0.1 * np.sqrt(np.abs(x))
    # The offsets above are metres; turn them into degrees on the Krasovsky ellipsoid.
    rad = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs_to_gcj_arrays(lon: Any, lat: Any) -> tuple[Array, Array]:
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    dlon, dlat = _offset(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj_to_wgs_arrays(lon: Any, lat: Any) -> tuple[Array, Array]:
    """Invert by fixed-point iteration: find w with wgs_to_gcj(w) == g."""
    glon = np.asarray(lon, dtype=np.float64)
    glat = np.asarray(lat, dtype=np.float64)
    inside = in_china(glon, glat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(_MAX_STEPS):
        dlon, dlat = _offset(wlon, wlat)
        elon = wlon + dlon - glon
        elat = wlat + dlat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(elon) < INVERSE_TOLERANCE_DEG) and np.all(
            np.abs(elat) < INVERSE_TOLERANCE_DEG
        ):
            break
    return np.where(inside, wlon, glon), np.where(inside, wlat, glat)


def wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    x, y = wgs_to_gcj_arrays(lon, lat)
    return float(x), float(y)


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    x, y = gcj_to_wgs_arrays(lon, lat)
    return float(x), float(y)


def shift_at(lon: float, lat: float) -> tuple[float, float]:
    """(dlon, dlat) that GCJ-02 adds at a WGS 84 position (zero outside China).

    Across one web-map tile the shift varies by less than a pixel at every zoom (0.7 px at
    most, from the short-period terms), so a tile server can translate a whole tile's
    features by the shift at the tile's centre to serve GCJ-02 vector tiles.
    """
    glon, glat = wgs_to_gcj(lon, lat)
    return glon - lon, glat - lat


def _coords_wgs_to_gcj(xy: Array) -> Array:
    lon, lat = wgs_to_gcj_arrays(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _coords_gcj_to_wgs(xy: Array) -> Array:
    lon, lat = gcj_to_wgs_arrays(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def geometry_wgs_to_gcj(geom: _G) -> _G:
    """Every vertex of a shapely geometry (or array of them) shifted to GCJ-02; 2D result."""
    return shapely.transform(geom, _coords_wgs_to_gcj)  # type: ignore[no-any-return]


def geometry_gcj_to_wgs(geom: _G) -> _G:
    """Every vertex of a GCJ-02 shapely geometry (or array of them) back to WGS 84; 2D result."""
    return shapely.transform(geom, _coords_gcj_to_wgs)  # type: ignore[no-any-return]
