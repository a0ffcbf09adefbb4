"""schemathesis drives every operation of ``/api/v1/openapi.json`` through the Flask app (WSGI,
no network): no 5xx, no stack trace, the documented content type, every 4xx in the JSON error
format, and no row written by a request that was refused.

One test per operation. Public reads run anonymously; for operations that write or need an
account each case draws its caller: anonymous, a resident's or a planner's bearer token, so the
write paths are fuzzed past the 401. Every test is one rolled-back transaction (``db_session``), so what one operation writes never reaches the
next. Generation is derandomized with a fixed seed (the same cases on every run, on CI too) and
bounded per operation; rate limits are off in the session app (tests/conftest.py).

A failure prints a ``curl`` command that replays the case against ``gisapp serve``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from sqlalchemy.orm import Session

from gisapp.api.openapi import document
from tests.conftest import AuthActions

# schemathesis' own settings: the seed and bound make CI reproducible and quick. The coverage
# phase adds the deterministic edge cases of every schema (bounds, wrong types, missing fields,
# unexpected methods) to the random ones.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260601,
        "generation": {"mode": "all", "max-examples": 12, "deterministic": True},
        "phases": {
            "stateful": {"enabled": False},
            # One unexpected method per operation proves the 405 is JSON; six only cost time.
            "coverage": {"unexpected-methods": ["put"]},
        },
    }
)
SCHEMA = schemathesis.openapi.from_dict(document(), config=CONFIG)
HYPOTHESIS = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    # A 404 for most random ids is the point, not a sign of a poor strategy.
    suppress_health_check=list(HealthCheck),
)


def needs_account(case: Any) -> bool:
    """Operations that write or declare bearer security: worth fuzzing past the 401."""
    operation = case.operation
    return bool(operation.definition.raw.get("security")) or operation.method.upper() != "GET"


ROLES = {"resident": "demo-resident", "planner": "demo-planner"}


def json_error_format(ctx: Any, response: Any, case: Any) -> None:
    """No stack trace in any answer; every 4xx is ``{"error": {"code", "message", ...}}``."""
    assert b"Traceback" not in response.content, "a stack trace in the response"
    if 400 <= response.status_code < 500:
        try:
            body = json.loads(response.content)
        except ValueError:
            raise AssertionError(
                f"{response.status_code} is not JSON: {response.content[:200]!r}"
            ) from None
        error = body.get("error") if isinstance(body, dict) else None
        assert isinstance(error, dict), f"{response.status_code} without an error object: {body}"
        assert isinstance(error.get("code"), str) and error["code"], body
        assert isinstance(error.get("message"), str) and error["message"], body
        assert error.get("field") is None or isinstance(error["field"], str), body


CHECKS = [not_a_server_error, content_type_conformance, json_error_format]


def writes_so_far(session: Session) -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted per table in the test's transaction so far.

    The app's sessions share the test's connection (``db_session``), so PostgreSQL's
    transaction-level statistics see every write of every request of the test.
    """
    rows = session.execute(
        sa.text("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
    )
    return {name: (ins, upd, dele) for name, ins, upd, dele in rows if ins or upd or dele}


def call_and_check(case: Any, app: Flask, session: Session, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    before = writes_so_far(session)
    response = case.call(app=app, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    if 400 <= response.status_code < 500:
        after = writes_so_far(session)
        assert after == before, f"a refused request wrote rows: {before} -> {after}"


class Tokens:
    """Bearer tokens issued on first use, inside the test's rolled-back transaction."""

    def __init__(self, client: FlaskClient) -> None:
        self.auth = AuthActions(client)
        self.issued: dict[str, str] = {}

    def __call__(self, role: str) -> str:
        if role not in self.issued:
            self.issued[role] = self.auth.token(ROLES[role])
        return self.issued[role]


@pytest.fixture
def tokens(client: FlaskClient) -> Tokens:
    return Tokens(client)


@SCHEMA.parametrize()
@SCHEMA.given(role=st.sampled_from(["anonymous", *ROLES]))
@HYPOTHESIS
def test_api(case: Any, role: str, app: Flask, tokens: Tokens, db_session: Session) -> None:
    """Public reads run anonymously; writes and account operations with a role drawn per case
    (anonymous, resident or planner), so the write paths are fuzzed past the 401."""
    token = tokens(role) if role != "anonymous" and needs_account(case) else None
    call_and_check(case, app, db_session, token)


def test_the_fuzzed_document_is_the_served_one(client: FlaskClient) -> None:
    served = client.get("/api/v1/openapi.json").get_json()
    assert served == json.loads(json.dumps(document()))


def test_every_api_route_and_method_is_fuzzed(app: Flask) -> None:
    """An undocumented method is never fuzzed (POST /reports once was), so the test names it."""
    documented = {
        (method.upper(), path)
        for path, item in document()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert (method, path) in documented, f"{method} {rule.rule} is not documented"
