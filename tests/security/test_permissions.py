"""The permissions matrix (gisapp/security/permissions.py) against every registered route.

For each role, every endpoint of ``app.url_map`` is called with real sample ids; a role the
matrix denies must be turned away (401 on the API / redirect to /login for anonymous visitors,
403 for other roles), a role it allows must get through the gate. A route without a rule fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import AnyConverter
from werkzeug.routing import Rule as UrlRule

from gisapp.auth.models import User, UserArea
from gisapp.maintenance.models import Facility
from gisapp.planning.models import Project
from gisapp.planning.participation import Pledge, VoteRound
from gisapp.reports.models import Follow, Report, ReportPhoto
from gisapp.security.permissions import ROLES, RULES, Rule, rule_for

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _routes(app: Flask) -> list[tuple[UrlRule, str]]:
    return sorted(
        (
            (rule, method)
            for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods or ())
            if method in METHODS
        ),
        key=lambda rm: (rm[0].rule, rm[1]),
    )


def test_every_route_has_a_rule(app: Flask) -> None:
    missing = sorted(
        {f"{rule.endpoint} ({method} {rule.rule})" for rule, method in _routes(app)}
        - {
            f"{rule.endpoint} ({method} {rule.rule})"
            for rule, method in _routes(app)
            if rule_for(rule.endpoint, method) is not None
        }
    )
    assert missing == [], "add a line to RULES in gisapp/security/permissions.py for each"


def test_no_rule_for_a_route_that_is_gone(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(k for k in RULES if k.split(" ")[0] not in endpoints) == []


def test_rules_reject_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        Rule(("resident", "superuser"))


def _sample_values(app: Flask, session: Session) -> dict[str, Any]:
    grid = session.scalars(sa.select(User).where(User.username == "demo-grid")).one()
    areas = session.scalars(sa.select(UserArea.area_id).where(UserArea.user_id == grid.id)).all()
    in_area = Report.community_id.in_(areas)
    report = session.scalars(sa.select(Report.id).where(in_area).order_by(Report.id)).first()
    facility = session.scalars(
        sa.select(Facility).where(Facility.community_id.in_(areas)).order_by(Facility.id)
    ).first()
    assert report is not None and facility is not None, "the sample has work in demo-grid's area"
    pledge = session.scalars(sa.select(Pledge).order_by(Pledge.id)).first()
    photo = session.scalars(sa.select(ReportPhoto).order_by(ReportPhoto.id)).first()
    return {
        "report_id": photo.report_id if photo else report,
        "photo_id": photo.id if photo else 1,
        "facility_id": facility.id,
        "code": facility.code,
        "project_id": pledge.project_id
        if pledge
        else session.scalars(sa.select(Project.id)).first(),
        "pledge_id": pledge.id if pledge else 1,
        "vote_id": session.scalars(sa.select(VoteRound.id).order_by(VoteRound.id)).first() or 1,
        "follow_id": session.scalars(sa.select(Follow.id)).first() or 1,
        "layer_id": next(iter(app.extensions["gisapp.catalog"])),
        "filename": "css/comap.css",
        "layer": next(iter(app.extensions["gisapp.catalog"])),
        "cid": "reports",
        "fid": report,
        "request_id": report,
        "token": "no-such-token",
        "anything": "nothing-here",
        "z": 0,
        "x": 0,
        "y": 0,
    }


def _url(app: Flask, rule: UrlRule, method: str, values: dict[str, Any]) -> str:
    args: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            args[name] = sorted(converter.items)[0]
        else:
            args[name] = values.get(name, 1)
    adapter = app.url_map.bind("localhost")
    return str(adapter.build(rule.endpoint, args, method=method, force_external=False))


def _call(client: FlaskClient, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={})
    return client.open(url, method=method, data={})


def _turned_away(role: str, url: str, resp: Any) -> bool:
    if role == "anonymous":
        if url.startswith("/api/"):
            return bool(resp.status_code == 401)
        return resp.status_code == 302 and "/login" in resp.headers.get("Location", "")
    return bool(resp.status_code == 403)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_holds_for_every_route(
    role: str, app: Flask, db_session: Session, as_role: Callable[[str], FlaskClient]
) -> None:
    values = _sample_values(app, db_session)
    wrong = []
    for url_rule, method in _routes(app):
        rule = rule_for(url_rule.endpoint, method)
        if rule is None:
            continue  # test_every_route_has_a_rule names it
        url = _url(app, url_rule, method, values)
        resp = _call(as_role(role), method, url)
        resp.close()  # static files and downloads stream
        away = _turned_away(role, url, resp)
        if rule.allows(role):
            # a scoped rule's view may still refuse this object (not the caller's pledge, ...)
            ok = not away or (rule.scope is not None and resp.status_code == 403)
            ok = ok and resp.status_code != 401 and resp.status_code < 500
        else:
            ok = away
        if not ok:
            expected = "allow" if rule.allows(role) else "deny"
            wrong.append(
                f"{method} {url} ({url_rule.endpoint}): {expected}, got {resp.status_code}"
            )
    assert wrong == []


def test_denied_api_calls_use_the_json_error_format(
    as_role: Callable[[str], FlaskClient], db_session: Session
) -> None:
    anonymous = as_role("anonymous").get("/api/v1/analysis/demand")
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    resident = as_role("resident").post("/api/v1/analysis/mclp", json={})
    assert resident.status_code == 403
    assert resident.get_json()["error"]["code"] == "forbidden"


def test_pages_send_anonymous_visitors_to_sign_in_and_back(
    as_role: Callable[[str], FlaskClient], db_session: Session
) -> None:
    resp = as_role("anonymous").get("/planner?level=street")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=")
    assert "planner" in resp.headers["Location"]
    # A form post comes back to the page that held the form, not to the post's own URL.
    resp = as_role("anonymous").post(
        "/reports/1/follow", headers={"Referer": "http://localhost/reports/1"}
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/reports/1"
    resp = as_role("anonymous").post(
        "/reports/1/follow", headers={"Referer": "https://evil.example/x"}
    )
    assert resp.headers["Location"] == "/login?next=/"
    page = as_role("planner").get("/manager")
    assert page.status_code == 403
    assert "text/html" in page.content_type


def test_grid_workers_act_only_in_their_areas(
    as_role: Callable[[str], FlaskClient], db_session: Session
) -> None:
    grid = db_session.scalars(sa.select(User).where(User.username == "demo-grid")).one()
    areas = [a.area_id for a in grid.areas]
    inside = db_session.scalars(
        sa.select(Report.id).where(Report.community_id.in_(areas)).order_by(Report.id)
    ).first()
    outside = db_session.scalars(
        sa.select(Report.id)
        .where(Report.community_id.not_in(areas), Report.community_id.is_not(None))
        .order_by(Report.id)
    ).first()
    assert inside is not None and outside is not None
    note = {"note": "Crew booked for Tuesday"}
    grid_client = as_role("grid_worker")
    assert grid_client.post(f"/api/v1/reports/{inside}/updates", json=note).status_code == 201
    resp = grid_client.post(f"/api/v1/reports/{outside}/updates", json=note)
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"
    # planners pass no gate for this, in any area; admins act everywhere
    assert (
        as_role("planner").post(f"/api/v1/reports/{inside}/updates", json=note).status_code == 403
    )
    admin = as_role("admin").post(f"/api/v1/reports/{outside}/updates", json=note)
    assert admin.status_code == 201
    queue = grid_client.get("/api/v1/queue").get_json()
    ids = {r["id"] for r in queue["reports"]}
    assert inside in ids or len(ids) > 0
    assert outside not in ids


def test_unlisted_endpoint_is_refused(app: Flask, db_session: Session) -> None:
    """Fail closed: a view nobody wrote a rule for answers 403, not its content."""
    from gisapp.security import permissions

    endpoint = "maps.index"
    saved = permissions.RULES.pop(endpoint)
    try:
        resp = app.test_client().get("/")
        assert resp.status_code == 403
    finally:
        permissions.RULES[endpoint] = saved
