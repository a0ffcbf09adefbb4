"""The real console script: what an operator sees (one subprocess: starting one is slow)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.dataio.conftest import INSIDE, OUTSIDE, CliCall, feature, point, write_geojson
from tests.test_cli import _gisapp


def test_help_lists_import_and_export(cli: CliCall) -> None:
    out = cli("--help").output
    assert "import" in out and "export" in out
    assert "--map FIELD=COLUMN" in cli("import", "--help").output


def test_bad_file_exits_1_listing_every_problem_on_stderr(tmp_path: Path, engine: sa.Engine):
    path = write_geojson(
        tmp_path / "lights.geojson",
        [
            feature(point(*OUTSIDE), code="X-1", type="street_light"),
            feature(point(*INSIDE[0]), code="X-2", type="lamp post"),
        ],
    )
    result = _gisapp("import", "facilities", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "lights.geojson: feature 1 (X-1): (116.400000, 39.900000) is outside the served area "
        "(the top-level areas in the database)",
        "lights.geojson: feature 2 (X-2): unknown facility type 'lamp post'",
        "2 problem(s); nothing was imported",
    ]
    assert "Traceback" not in result.stderr
