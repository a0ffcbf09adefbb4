"""Concurrent reports don't wait for each other on summary rows (migration 0012), and folding
the summary changes never changes a figure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from gisapp import create_app
from gisapp.summaries import CHANGES, Folder, summaries
from tests.conftest import make_settings

INSERT = sa.text(
    "INSERT INTO reports (category, description, status, geom, created_at, updated_at)"
    " VALUES ('waste', :d, 'submitted', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), now(), now())"
)
# Every summary a report feeds: its z10 tile's version, the cells, the outcome facts.
FIGURES = {
    "versions": "SELECT coalesce(sum(version), 0) FROM (SELECT version FROM tile_versions"
    " UNION ALL SELECT version FROM tile_version_changes) v",
    "cells": "SELECT lvl, k, f, sum(n), round(sum(sx)), round(sum(sy)) FROM (SELECT * FROM tile_cells"
    " UNION ALL SELECT * FROM tile_cell_changes) c WHERE tbl = 'reports' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    "outcomes": "SELECT level, area_id, month, sum(received), sum(resolved) FROM ("
    "SELECT * FROM outcome_area_months UNION ALL SELECT * FROM outcome_area_month_changes) o"
    " GROUP BY 1, 2, 3 HAVING sum(received) <> 0 OR sum(resolved) <> 0 ORDER BY 1, 2, 3",
}


def figures(session: Session) -> dict[str, list[tuple[object, ...]]]:
    return {name: [tuple(r) for r in session.execute(sa.text(q))] for name, q in FIGURES.items()}


def pending(session: Session) -> int:
    return sum(
        int(session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in CHANGES
    )


def test_two_open_reports_in_one_place_do_not_wait_for_each_other(
    engine: sa.Engine, inside: tuple[float, float]
) -> None:
    # Same point: same z10 tile, same cells, same community and month. Before 0012 the second
    # insert waited for the first to commit (it updated the same summary rows).
    lon, lat = inside
    first = engine.connect()
    second = engine.connect()
    try:
        first.begin()
        first.execute(INSERT, {"d": "first", "lon": lon, "lat": lat})
        second.begin()
        second.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        second.execute(INSERT, {"d": "second", "lon": lon, "lat": lat})
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()


def test_folding_changes_no_figure(db_session: Session, inside: tuple[float, float]) -> None:
    lon, lat = inside
    for i in range(3):
        db_session.execute(INSERT, {"d": f"fold {i}", "lon": lon + i * 0.001, "lat": lat})
    db_session.execute(
        sa.text(
            "UPDATE reports SET status = 'resolved', resolved_at = now() WHERE description = 'fold 0'"
        )
    )
    db_session.execute(sa.text("DELETE FROM reports WHERE description = 'fold 1'"))
    assert pending(db_session) > 0
    before = figures(db_session)

    assert db_session.execute(sa.text("SELECT gisapp_summaries_fold()")).scalar_one() is True

    assert pending(db_session) == 0
    assert figures(db_session) == before


def test_the_kept_facts_equal_a_rebuild_after_a_fold(
    db_session: Session, inside: tuple[float, float]
) -> None:
    lon, lat = inside
    db_session.execute(INSERT, {"d": "rebuild", "lon": lon, "lat": lat})
    db_session.execute(sa.text("SELECT gisapp_summaries_fold()"))
    kept = figures(db_session)
    db_session.execute(sa.text("SELECT gisapp_outcomes_rebuild()"))
    db_session.execute(sa.text("SELECT gisapp_tile_cells_rebuild('reports')"))
    assert figures(db_session)["outcomes"] == kept["outcomes"]
    assert figures(db_session)["cells"] == kept["cells"]


@pytest.fixture
def folding_app(app: Flask, db_session: Session) -> Iterator[Flask]:
    """The app with folding after writes on, sharing the test's rolled-back session."""
    new = create_app(make_settings(summary_fold_seconds=1))
    new.extensions["gisapp.db"] = app.extensions["gisapp.db"]
    folder = new.extensions["gisapp.summary_folder"]
    assert isinstance(folder, Folder)
    yield new


def test_a_write_folds_the_changes_after_its_response(
    folding_app: Flask, db_session: Session, inside: tuple[float, float]
) -> None:
    folder: Folder = folding_app.extensions["gisapp.summary_folder"]
    folder._last = 0  # due now
    client = folding_app.test_client()
    resp = client.post(
        "/api/v1/reports",
        json={"category": "waste", "description": "折叠", "lon": inside[0], "lat": inside[1]},
    )
    assert resp.status_code == 201
    resp.close()
    assert pending(db_session) == 0
    # Not again within the interval: the next write leaves its changes for later.
    resp = folding_app.test_client().post(
        "/api/v1/reports",
        json={"category": "waste", "description": "再折叠", "lon": inside[0], "lat": inside[1]},
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    resp.close()
    assert pending(db_session) > 0


def test_a_failed_fold_is_logged_not_raised(
    folding_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_app: Flask) -> bool:
        raise sa.exc.OperationalError("SELECT gisapp_summaries_fold()", {}, Exception("down"))

    monkeypatch.setattr("gisapp.summaries.fold", broken)
    folding_app.extensions["gisapp.summary_folder"].run()
    assert "folding the summary changes failed" in caplog.text


def test_gisapp_summaries_fold_command(
    runner: FlaskCliRunner, db_session: Session, inside: tuple[float, float]
) -> None:
    db_session.execute(INSERT, {"d": "cli", "lon": inside[0], "lat": inside[1]})
    result = runner.invoke(summaries, ["fold"])
    assert result.exit_code == 0, result.output
    assert "folded" in result.output
    assert pending(db_session) == 0
