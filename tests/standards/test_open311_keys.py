"""Open311 API keys: admins create (shown once) and revoke them on a page and with the CLI."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from gisapp.auth.models import ApiKey
from gisapp.auth.tokens import digest
from gisapp.standards.open311.cli import open311
from tests.conftest import AuthActions, csrf_from
from tests.reports import conftest as reports_fixtures

PAGE = "/admin/open311-keys"
inside = reports_fixtures.inside  # a point inside the sample (fixture)


def _post_request(client: FlaskClient, key: str, inside: tuple[float, float]) -> int:
    resp = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "waste",
            "lat": str(inside[1]),
            "long": str(inside[0]),
            "description": "垃圾没人清",
        },
    )
    return resp.status_code


def test_only_admins_see_the_page(client: FlaskClient, auth: AuthActions) -> None:
    resp = client.get(PAGE)
    assert resp.status_code in (302, 303) and "/login" in resp.headers["Location"]
    auth.login("demo-manager")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"name": "x"}).status_code in (400, 403)


def test_admin_creates_a_key_shown_once_and_revokes_it(
    client: FlaskClient, auth: AuthActions, db_session: Session, inside, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    auth.login("demo-admin")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "demo Open311 client" in html and "demo-ope" in html
    assert "demo-open311-key" not in html  # only the prefix is known
    resp = client.post(PAGE, data={"name": "12345 热线 <b>", "csrf_token": csrf_from(html)})
    assert resp.status_code == 201
    assert resp.headers["Cache-Control"] == "no-store"
    created = resp.get_data(as_text=True)
    key = re.search(r'<code id="new-key">([^<]+)</code>', created).group(1)  # type: ignore[union-attr]
    assert "12345 热线 &lt;b&gt;" in created
    row = db_session.scalars(sa.select(ApiKey).where(ApiKey.key_hash == digest(key))).one()
    assert row.created_by is not None and row.key_prefix == key[:8]
    assert key not in client.get(PAGE).get_data(as_text=True)  # never shown again
    assert key not in caplog.text  # nor logged
    assert _post_request(client, key, inside) == 201
    # revoke
    html = client.get(PAGE).get_data(as_text=True)
    resp = client.post(f"{PAGE}/{row.id}/revoke", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 303
    db_session.refresh(row)
    assert row.revoked_at is not None and row.last_used_at is not None
    assert _post_request(client, key, inside) == 403
    assert "revoked" in client.get(PAGE, query_string={"lang": "en"}).get_data(as_text=True)


def test_page_forms_need_csrf_and_a_name(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    auth.login("demo-admin")
    before = db_session.scalar(sa.select(sa.func.count()).select_from(ApiKey))
    assert client.post(PAGE, data={"name": "no token"}).status_code == 400
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    resp = client.post(PAGE, data={"name": "  ", "csrf_token": token})
    assert resp.status_code == 422
    resp = client.post(PAGE, data={"name": "x" * 101, "csrf_token": token})
    assert resp.status_code == 422
    resp = client.post(f"{PAGE}/999999/revoke", data={"csrf_token": token})
    assert resp.status_code == 303
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == before


def test_cli_creates_lists_and_revokes(
    runner: FlaskCliRunner, db_session: Session, client: FlaskClient, inside
) -> None:
    result = runner.invoke(open311, ["key", "create", "city app"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("o311-") and len(key) > 40
    assert _post_request(client, key, inside) == 201
    listed = runner.invoke(open311, ["key", "list"])
    assert listed.exit_code == 0
    assert "city app" in listed.output and key[:8] in listed.output
    assert key not in listed.output and "demo Open311 client" in listed.output
    key_id = db_session.scalar(sa.select(ApiKey.id).where(ApiKey.key_hash == digest(key)))
    revoked = runner.invoke(open311, ["key", "revoke", str(key_id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert _post_request(client, key, inside) == 403
    assert "revoked" in runner.invoke(open311, ["key", "list"]).output


@pytest.mark.parametrize(
    "args", [["key", "create", ""], ["key", "create", "x" * 101], ["key", "revoke", "999999"]]
)
def test_cli_refuses_bad_input(runner: FlaskCliRunner, db_session: Session, args) -> None:
    result = runner.invoke(open311, args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
