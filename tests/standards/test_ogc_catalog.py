"""Collections come from ``layers/``: a new layer file is a new collection, with no code."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from gisapp import create_app
from gisapp.catalog import load_catalog
from gisapp.db import get_db
from gisapp.settings import Settings
from gisapp.standards.ogc.collections import build_collections
from tests.conftest import ROOT, make_settings

OPEN_REPORTS = """\
id: open-reports
title: {zh: 未办结诉求, en: Open reports}
source: {table: reports, filter: {status: submitted}}
geometry: point
fields:
  - {name: category, label: {zh: 类别, en: Category}}
  - {name: created_at, label: {zh: 提交时间, en: Submitted}, format: datetime}
  - {name: support_count, label: {zh: 附议, en: Supports}, roles: [planner]}
"""

STAFF_ONLY = """\
id: staff-projects
title: {zh: 内部项目, en: Staff projects}
source: {table: projects}
geometry: any
roles: [planner]
fields:
  - {name: title_zh, label: {zh: 项目, en: Project}}
"""


def _layers(tmp_path: Path, *extra: tuple[str, str]) -> Path:
    target = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", target)
    for name, text in extra:
        (target / name).write_text(text, encoding="utf-8")
    return target


def test_a_new_layer_file_is_a_new_collection(tmp_path: Path, engine: sa.Engine) -> None:
    layers = _layers(
        tmp_path, ("open-reports.yaml", OPEN_REPORTS), ("staff-projects.yaml", STAFF_ONLY)
    )
    app = create_app(make_settings(layers_dir=layers))
    try:
        client = app.test_client()
        ids = [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]]
        assert "open-reports" in ids
        assert "staff-projects" not in ids  # not visible to anonymous visitors
        page = client.get("/ogc/collections/open-reports/items?limit=100").get_json()
        statuses = client.get("/ogc/collections/reports/items?status=submitted&limit=1").get_json()
        assert page["numberMatched"] == statuses["numberMatched"]
        for f in page["features"]:
            # Only the anonymous fields: support_count is for planners in this file.
            assert set(f["properties"]) == {"category", "created_at"}
        # Its date field makes it filterable by datetime.
        assert (
            client.get("/ogc/collections/open-reports/items?datetime=2026-01-01/..").status_code
            == 200
        )
    finally:
        get_db(app).engine.dispose()


def test_area_levels_group_into_one_collection(settings: Settings) -> None:
    collections = build_collections(load_catalog(ROOT / "layers"), settings)
    areas = collections["areas"]
    assert next(iter(areas.properties)) == "level"
    assert areas.title.en == "Areas"
    assert areas.time_field is None
    assert areas.geometry_type == "polygon"
    # Facilities (filter status=active) and the others keep their layer id.
    assert {"reports", "projects", "facilities"} <= set(collections)
    assert collections["reports"].time_field == "created_at"
    assert collections["facilities"].time_field == "install_date"
    assert collections["reports"].bbox_margin_deg > 0


def test_a_lone_table_layer_is_not_grouped(tmp_path: Path, settings: Settings) -> None:
    lone = OPEN_REPORTS.replace("id: open-reports", "id: reports-submitted")
    catalog = load_catalog(_layers(tmp_path, ("reports-submitted.yaml", lone)))
    collections = build_collections(catalog, settings)
    # "reports" already names a layer, so reports-submitted stays a collection of its own.
    assert "reports-submitted" in collections
    assert len(collections["reports"].where) == len(catalog["reports"].source.filter)


def test_database_away_is_503_with_retry_after(engine: sa.Engine) -> None:
    # Nothing listens on port 1: every query fails to connect, as when PostgreSQL is down.
    app = create_app(make_settings(database_url="postgresql://gisapp:x@127.0.0.1:1/gisapp"))
    try:
        client = app.test_client()
        resp = client.get("/ogc/collections/reports/items")
        assert resp.status_code == 503
        assert resp.headers["Retry-After"]
        assert resp.get_json()["code"] == "ServiceUnavailable"
        page = client.get("/ogc/collections/areas/items", headers={"Accept": "text/html"})
        assert page.status_code == 503 and page.mimetype == "text/html"
    finally:
        get_db(app).engine.dispose()
