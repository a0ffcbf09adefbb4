"""A cached public tile asked again is answered in front of Flask (tiles/fastpath.py), with the
same body and headers as the tile view's, for no longer than the view would give that answer,
and never to a request that could get a different one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.standards.tiles import fastpath, views
from gisapp.standards.tiles.cache import LruCache
from gisapp.standards.tiles.fastpath import FastTiles
from tests.conftest import AuthActions
from tests.standards.test_tiles import LAT, LON, features, tile_of, url

TILE = url("reports", *tile_of(LON, LAT, 15))


@pytest.fixture
def fast(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastTiles]:
    """The app as served: tile versions remembered for a minute (tests default to 0)."""
    settings = app.extensions["gisapp.settings"].model_copy(update={"tile_version_seconds": 60})
    monkeypatch.setitem(app.extensions, "gisapp.settings", settings)
    monkeypatch.setattr(views, "_VERSIONS", {})
    layer: FastTiles = app.extensions["gisapp.fast_tiles"]
    layer.answers.clear()
    layer.served = 0
    yield layer
    layer.answers.clear()


def _without_nonce(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((n, v) for n, v in headers if n != "Content-Security-Policy")


def test_a_second_anonymous_request_skips_flask(client: FlaskClient, fast: FastTiles) -> None:
    first = client.get(TILE)
    assert first.status_code == 200 and fast.served == 0
    second = client.get(TILE)
    assert fast.served == 1
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert _without_nonce(second.headers.to_wsgi_list()) == _without_nonce(
        first.headers.to_wsgi_list()
    )
    # The policy is the same but each answer has its own nonce.
    csp1, csp2 = first.headers["Content-Security-Policy"], second.headers["Content-Security-Policy"]
    assert csp1 != csp2 and csp1.split("'nonce-")[0] == csp2.split("'nonce-")[0]


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "lang=en"},
        {"Authorization": "Bearer xyz"},
        {"Cache-Control": "no-cache"},
        {"Cache-Control": "max-age=0"},
        {"Pragma": "no-cache"},
        {"If-None-Match": '"0123"'},
    ],
)
def test_requests_that_may_get_another_answer_go_through_flask(
    client: FlaskClient, fast: FastTiles, headers: dict[str, str]
) -> None:
    client.get(TILE)
    if cookie := headers.pop("Cookie", None):
        # The test client sends its own cookie jar, not a Cookie header.
        client.set_cookie(*cookie.split("="))
    again = client.get(TILE, headers=headers)
    assert fast.served == 0
    assert again.status_code in (200, 304)


def test_only_tiles_and_only_answers_worth_repeating(client: FlaskClient, fast: FastTiles) -> None:
    for _ in range(2):
        assert client.get("/tiles/nope/15/1/1.pbf").status_code == 404
        assert client.get("/tiles/reports/99/1/1.pbf").status_code in (400, 404, 422)
        assert client.get("/api/v1/reports?limit=1").status_code == 200
    assert fast.served == 0 and fast.answers == {}


def test_a_change_shows_once_the_remembered_version_expires(
    client: FlaskClient, fast: FastTiles, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get(TILE)
    db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, status, geom, created_at, updated_at)"
            " VALUES ('waste', 'fast path', 'submitted', ST_SetSRID(ST_MakePoint(:x, :y), 4326),"
            " now(), now())"
        ),
        {"x": LON, "y": LAT},
    )
    # Within the minute the view itself would answer from the remembered version: so does
    # the fast path.
    assert client.get(TILE).get_data() == first.get_data() and fast.served == 1
    # A minute later both read the version again, and the new report is in the tile.
    later = fastpath.time.monotonic() + 61
    monkeypatch.setattr(fastpath.time, "monotonic", lambda: later)
    monkeypatch.setattr(views.time, "monotonic", lambda: later)
    fresh = client.get(TILE)
    assert fast.served == 1
    assert len(features(fresh, "reports")) == len(features(first, "reports")) + 1


def test_an_evicted_tile_goes_back_through_flask(
    client: FlaskClient, fast: FastTiles, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get(TILE)
    monkeypatch.setitem(app.extensions, "gisapp.tile_cache", LruCache(1024 * 1024))
    again = client.get(TILE)
    assert fast.served == 0 and again.get_data() == first.get_data()


def test_a_visitor_with_a_session_but_not_signed_in_is_answered_too(
    client: FlaskClient, fast: FastTiles
) -> None:
    # The map page gives every visitor a session (language, anonymous id, CSRF token).
    with client.session_transaction() as session:
        session["lang"] = "en"
    first = client.get(TILE)
    second = client.get(TILE)
    assert fast.served == 1 and second.get_data() == first.get_data()
    # A forged or damaged session cookie is left to Flask.
    client.set_cookie("session", "forged.cookie.value")
    client.get(TILE)
    assert fast.served == 1


def test_a_signed_in_visitor_always_goes_through_flask(
    client: FlaskClient, fast: FastTiles, auth: AuthActions
) -> None:
    client.get(TILE)
    assert auth.login().status_code in (302, 303)
    for _ in range(2):
        assert client.get(TILE).status_code == 200
    assert fast.served == 0


def test_an_empty_tile_is_repeated_as_an_empty_204(client: FlaskClient, fast: FastTiles) -> None:
    empty = url("reports", *tile_of(0.0, 0.0, 15))  # the Gulf of Guinea: no reports
    first = client.get(empty)
    second = client.get(empty)
    assert first.status_code == second.status_code == 204 and fast.served == 1
    assert second.get_data() == b"" and "Content-Length" not in second.headers
