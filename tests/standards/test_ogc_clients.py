"""The OGC API as outside clients see it: GDAL's OAPIF driver (Debian's ogrinfo) and OWSLib,
against the real app on a loopback port with the sample street."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from owslib.ogcapi.features import Features

# Roughly the middle of the sample street (Wuchang), a box of about 1 km.
BOX = (114.31, 30.54, 114.32, 30.55)

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin not installed")


def _ogrinfo(*args: str) -> str:
    out = subprocess.run(
        ["ogrinfo", "-ro", "--config", "GDAL_HTTP_TIMEOUT", "30", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_gdal_lists_every_collection(live_server: str) -> None:
    listing = _ogrinfo(f"OAPIF:{live_server}/ogc")
    for cid in ("areas", "reports", "projects", "facilities"):
        assert f": {cid} " in listing or f": {cid}\n" in listing, listing


def test_gdal_reads_a_layer_with_a_spatial_filter(live_server: str) -> None:
    # -spat becomes a bbox on the items request; GDAL pages through the next links.
    info = _ogrinfo("-so", "-spat", *map(str, BOX), "-al", f"OAPIF:{live_server}/ogc", "reports")
    assert "Geometry: Point" in info
    assert "category: String" in info
    assert "contact" not in info and "reporter" not in info


def test_gdal_features_match_the_api(live_server: str, client) -> None:
    raw = subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            "/vsistdout/",
            f"OAPIF:{live_server}/ogc",
            "facilities",
            "-spat",
            *map(str, BOX),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    got = json.loads(raw)["features"]
    ours = client.get(
        "/ogc/collections/facilities/items",
        query_string={"bbox": ",".join(map(str, BOX)), "limit": 10000},
    ).get_json()
    assert len(got) == ours["numberMatched"] > 10  # more than one page of GDAL's default size
    assert {f["properties"]["code"] for f in got} == {
        f["properties"]["code"] for f in ours["features"]
    }


def test_owslib_collections_and_items(live_server: str) -> None:
    api = Features(f"{live_server}/ogc", timeout=30)
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in api.conformance()["conformsTo"]
    )
    ids = {c["id"] for c in api.collections()["collections"]}
    assert {"areas", "reports", "projects", "facilities"} <= ids
    assert set(api.feature_collections()) == ids
    reports = api.collection("reports")
    assert reports["extent"]["spatial"]["bbox"][0][0] < 114.32
    page = api.collection_items("reports", bbox=list(BOX), limit=5)
    assert page["numberReturned"] == 5
    assert any(link["rel"] == "next" for link in page["links"])
    for feature in page["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        # Sensitive categories are rounded to a grid; a rounded point may sit just outside.
        assert BOX[0] - 0.002 <= lon <= BOX[2] + 0.002 and BOX[1] - 0.002 <= lat <= BOX[3] + 0.002
    one = api.collection_item("reports", str(page["features"][0]["id"]))
    assert one["id"] == page["features"][0]["id"]
    queryables = api.collection_queryables("reports")
    assert "category" in queryables["properties"]
