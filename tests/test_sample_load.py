"""Loading sample_geodata/: everything in one transaction, a broken file changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.dataio.sample import load_sample
from gisapp.errors import DataFileError
from gisapp.models import Area, Facility, MaintenanceRecord, Project, Report, ReportContact, User
from tests.conftest import ROOT

SAMPLE = ROOT / "sample_geodata"


def _count(s: Session, model: type) -> int:
    return int(s.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_sample_is_loaded_with_the_expected_shape(db_session: Session) -> None:
    levels = dict(
        db_session.execute(sa.select(Area.level, sa.func.count()).group_by(Area.level)).all()
    )
    assert levels["district"] == 1 and levels["street"] == 1
    assert 8 <= levels["community"] <= 12
    assert levels["grid"] > levels["community"]
    assert _count(db_session, Report) >= 200
    assert 8 <= _count(db_session, Project) <= 12
    assert _count(db_session, Facility) >= 100
    assert _count(db_session, MaintenanceRecord) > _count(db_session, Facility)
    assert _count(db_session, ReportContact) > 0
    roles = set(db_session.scalars(sa.select(User.role)))
    assert roles == {"resident", "grid_worker", "planner", "manager", "admin"}


def test_load_sample_refuses_a_non_empty_database(runner) -> None:  # type: ignore[no-untyped-def]
    from gisapp.cli import load_sample_command

    result = runner.invoke(load_sample_command, ["--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output
    result = runner.invoke(load_sample_command)
    assert result.exit_code != 0
    assert "nothing was loaded" in result.output


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    return target


def _edit_feature(folder: Path, name: str, index: int, **changes: object) -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    feature = data["features"][index]
    for key, value in changes.items():
        if key == "geometry":
            feature["geometry"] = value
        else:
            feature["properties"][key] = value
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[114.31, 30.54], [114.32, 30.55], [114.32, 30.54], [114.31, 30.55], [114.31, 30.54]]
    ],
}


@pytest.mark.parametrize(
    ("name", "index", "changes", "message"),
    [
        ("areas.geojson", 3, {"geometry": BOWTIE}, r"areas\.geojson feature 4 .*invalid geometry"),
        ("areas.geojson", 5, {"parent_code": "nope"}, r"areas\.geojson feature 6 .*parent_code"),
        (
            "reports.geojson",
            10,
            {"category": "ufo"},
            r"reports\.geojson feature 11 .*unknown category",
        ),
        (
            "reports.geojson",
            0,
            {"created_at": "yesterday"},
            r"reports\.geojson feature 1 .*created_at",
        ),
        (
            "reports.geojson",
            2,
            {"geometry": {"type": "Point", "coordinates": [30.5]}},
            r"reports\.geojson feature 3 .*geometry",
        ),
        (
            "facilities.geojson",
            1,
            {"type": "spaceport"},
            r"facilities\.geojson feature 2 .*facility type",
        ),
    ],
)
def test_a_broken_feature_aborts_the_load_and_writes_nothing(
    tmp_path: Path,
    db_session: Session,
    name: str,
    index: int,
    changes: dict[str, object],
    message: str,
) -> None:
    folder = _copy(tmp_path)
    _edit_feature(folder, name, index, **changes)
    before = {m: _count(db_session, m) for m in (Area, Report, Facility, User)}
    db_session.execute(sa.text("TRUNCATE areas, reports, projects, facilities, users CASCADE"))
    savepoint = db_session.begin_nested()
    with pytest.raises(DataFileError, match=message):
        load_sample(db_session, folder)
    savepoint.rollback()
    assert _count(db_session, Area) == 0 and _count(db_session, Report) == 0
    db_session.rollback()
    assert {m: _count(db_session, m) for m in before} == before


def test_the_whole_sample_loads_into_an_empty_database(db_session: Session) -> None:
    db_session.execute(
        sa.text("TRUNCATE areas, reports, projects, facilities, users, api_keys CASCADE")
    )
    counts = load_sample(db_session, SAMPLE)
    assert counts["reports"] == _count(db_session, Report)


def test_sample_reports_have_time_limits_and_timelines(db_session: Session) -> None:
    from gisapp.models import ReportEvent

    assert (
        db_session.scalar(
            sa.select(sa.func.count()).select_from(Report).where(Report.due_at.is_(None))
        )
        == 0
    )
    filed = db_session.scalar(
        sa.select(sa.func.count()).select_from(ReportEvent).where(ReportEvent.kind == "filed")
    )
    assert filed == _count(db_session, Report)
