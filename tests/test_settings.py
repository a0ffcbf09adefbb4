"""Settings come from the environment; a bad one stops start-up naming the variable."""

from __future__ import annotations

import pytest

from gisapp.errors import ConfigError
from gisapp.settings import load_settings, sqlalchemy_url


def test_libpq_urls_are_accepted() -> None:
    assert sqlalchemy_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_database_url_from_conventional_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://a:b@db.example:5433/x")
    assert (
        load_settings(_env_file=None).sqlalchemy_url == "postgresql+psycopg://a:b@db.example:5433/x"
    )


def test_bad_database_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///nope.db")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings(_env_file=None)


def test_bad_prefixed_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISAPP_MAP_ZOOM", "99")
    with pytest.raises(ConfigError, match="GISAPP_MAP_ZOOM"):
        load_settings(_env_file=None)


def test_basemap_must_be_a_tile_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISAPP_BASEMAP_URL", "https://tiles.example/tile.png")
    with pytest.raises(ConfigError, match="GISAPP_BASEMAP_URL"):
        load_settings(_env_file=None)
