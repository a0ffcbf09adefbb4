"""Helpers for import/export tests: write small files, run the CLI, count rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from gisapp.cli import main

# Inside the sample's community 420106001001 (粮道街社区) and so inside the served district.
INSIDE = [(114.3140, 30.5500), (114.3150, 30.5510), (114.3160, 30.5520)]
OUTSIDE = (116.40, 39.90)  # Beijing


def feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def point(lon: float, lat: float, *z: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat, *z]}


def write_geojson(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


def count(session: Session, table: str, where: str = "true") -> int:
    return int(session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {where}")) or 0)


CliCall = Callable[..., Result]


@pytest.fixture
def cli(runner: FlaskCliRunner, db_session: Session) -> CliCall:
    """Run ``gisapp ARGS`` against the test app, inside the test's rolled-back transaction."""

    def call(*args: str | Path) -> Result:
        return runner.invoke(main, [str(a) for a in args])

    return call
