"""Who may call which route: one table, enforced once per request before any view runs.

Every endpoint of the app has one line in :data:`RULES`::

    "reports.change_status": Rule(GRID, scope="area"),

A rule names the roles that pass the gate (``anonymous``, ``resident``, ``grid_worker``,
``planner``, ``manager``, ``admin``). Roles outside it are turned away before the view runs:
anonymous visitors get 401 on the JSON API and a redirect to ``/login`` on pages, signed-in
users with another role get 403, in the project's error format (``gisapp.web_errors``).

``scope`` says that the view narrows the rule further on the object it acts on, so a role that
passes the gate may still get 403 there:

- ``area``  grid workers act only on what lies in their assigned areas (``UserArea``);
  admins everywhere (``reports.workflow.can_manage``, ``maintenance.logbook.who_logs``)
- ``owner`` only the person who made it (a pledge, an adoption) or staff
- ``party`` only the reporter and supporters of a report (rating, reopening)

An endpoint without a rule is refused (fail closed), and ``tests/security/test_permissions.py``
walks ``app.url_map`` for every role, so a new route without a line here fails the suite.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from flask import Flask, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from gisapp.auth.roles import role_of
from gisapp.errors import Forbidden, Unauthorized

log = logging.getLogger(__name__)

ACCOUNT_ROLES = ("resident", "grid_worker", "planner", "manager", "admin")
ROLES = ("anonymous", *ACCOUNT_ROLES)

Scope = Literal["area", "owner", "party"]


@dataclass(frozen=True)
class Rule:
    """The roles that pass the gate for one endpoint, and the view's narrower check if any."""

    roles: Collection[str]
    scope: Scope | None = None

    def __post_init__(self) -> None:
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles in a permission rule: {sorted(unknown)}")
        object.__setattr__(self, "roles", frozenset(self.roles))

    def allows(self, role: str) -> bool:
        return role in self.roles


def staff(*roles: str) -> tuple[str, ...]:
    """The given roles plus admin, who may do whatever staff may do."""
    return (*roles, "admin")


EVERYONE = ROLES
SIGNED_IN = ACCOUNT_ROLES
PLANNERS = staff("planner")
MANAGERS = staff("manager")
GRID = staff("grid_worker")
# Who logs maintenance: managers anywhere, grid workers in their areas, residents on the
# facility they adopted. Every account passes the gate: the view answers the rest with 403
# naming the facility (field "id"), and the page shows why beside the form.
LOGGERS = SIGNED_IN

PUBLIC = Rule(EVERYONE)

# endpoint (or "endpoint METHOD" when one endpoint's methods differ) -> rule
RULES: dict[str, Rule] = {
    # spine: health, sign-in, static files, the map, the API's own document
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "maps.index": PUBLIC,
    "api.openapi": PUBLIC,
    "api.create_token": PUBLIC,
    "api.me": Rule(SIGNED_IN),
    # reference data and layers (layer fields are filtered by role in the view)
    "api.categories": PUBLIC,
    "api.facility_types": PUBLIC,
    "api.list_areas": PUBLIC,
    "api.list_layers": PUBLIC,
    "api.layer_features": PUBLIC,
    # residents' reports (anonymous residents file and support with a cookie id)
    "api.list_reports": PUBLIC,
    "api.create_report": PUBLIC,
    "api.get_report": PUBLIC,
    "api.nearby": PUBLIC,
    "api.report_photo": PUBLIC,
    "api.support_report": PUBLIC,
    "api.rate_report": Rule(EVERYONE, scope="party"),
    "api.reopen_report": Rule(EVERYONE, scope="party"),
    "api.change_report_status": Rule(GRID, scope="area"),
    "api.add_report_update": Rule(GRID, scope="area"),
    "api.work_queue": Rule(GRID, scope="area"),
    "api.follow": Rule(SIGNED_IN),
    "api.unfollow": Rule(SIGNED_IN, scope="owner"),
    "api.my_reports": Rule(SIGNED_IN),
    "api.my_notifications": Rule(SIGNED_IN),
    "api.read_notifications": Rule(SIGNED_IN),
    "reports.detail": PUBLIC,
    "reports.support": PUBLIC,
    "reports.rate": Rule(EVERYONE, scope="party"),
    "reports.reopen": Rule(EVERYONE, scope="party"),
    "reports.change_status": Rule(GRID, scope="area"),
    "reports.add_update": Rule(GRID, scope="area"),
    "reports.follow": Rule(SIGNED_IN),
    "reports.mine": Rule(SIGNED_IN),
    "account.download": Rule(SIGNED_IN),
    "admin.index": Rule(staff()),
    "admin.users": Rule(staff()),
    "admin.create_user": Rule(staff()),
    "admin.user": Rule(staff()),
    "admin.update_user": Rule(staff()),
    "admin.reset_password": Rule(staff()),
    "admin.set_areas": Rule(staff()),
    "admin.vocabulary_list": Rule(staff()),
    "admin.vocabulary_create": Rule(staff()),
    "admin.vocabulary_update": Rule(staff()),
    "moderation.queue": Rule(staff("grid_worker", "manager"), scope="area"),
    "moderation.moderate": Rule(staff("grid_worker", "manager"), scope="area"),
    "moderation.hide_event": Rule(staff("grid_worker", "manager"), scope="area"),
    "moderation.hide_photo": Rule(staff("grid_worker", "manager"), scope="area"),
    "account.delete": Rule(("resident",)),
    "reports.work_queue": Rule(GRID, scope="area"),
    # planners: analysis, projects, votes, rewards
    "api.demand": Rule(PLANNERS),
    "api.heat": Rule(PLANNERS),
    "api.hot_spots": Rule(PLANNERS),
    "api.gaps": Rule(PLANNERS),
    "api.site_scores": Rule(PLANNERS),
    "api.mclp": Rule(PLANNERS),
    "api.create_project": Rule(PLANNERS),
    "planner.index": Rule(PLANNERS),
    "api.list_votes": PUBLIC,
    "api.get_vote": PUBLIC,
    "api.create_vote": Rule(PLANNERS),
    "api.cast_ballot": Rule(SIGNED_IN),
    "participation.votes": PUBLIC,
    "participation.vote": PUBLIC,
    "participation.create_vote": Rule(PLANNERS),
    "participation.ballot": Rule(SIGNED_IN),
    "api.rewards": PUBLIC,
    "api.rewards_as_csv": PUBLIC,
    "participation.rewards_page": PUBLIC,
    # co-build and co-evaluate: pledges and ratings of projects
    "projects.detail": PUBLIC,
    "projects.pledge": Rule(SIGNED_IN),
    "projects.withdraw": Rule(SIGNED_IN, scope="owner"),
    "projects.rate": Rule(SIGNED_IN),
    "api.project_pledges": PUBLIC,
    "api.make_pledge": Rule(SIGNED_IN),
    "api.withdraw_pledge": Rule(SIGNED_IN, scope="owner"),
    "api.project_ratings": PUBLIC,
    "api.rate_project": Rule(SIGNED_IN),
    "api.related_reports": PUBLIC,
    # co-manage: facilities, maintenance, stewards, coverage
    "api.list_facilities": PUBLIC,
    "api.get_facility_api": PUBLIC,
    "api.facility_photo": PUBLIC,
    "api.register_facility": Rule(MANAGERS),
    "api.change_facility": Rule(MANAGERS),
    "api.list_maintenance": PUBLIC,
    "api.add_maintenance": Rule(LOGGERS, scope="area"),
    "api.adopt_facility": Rule(("resident",)),
    "api.withdraw_adoption": Rule(("resident", "manager", "admin"), scope="owner"),
    "api.my_adoptions": Rule(staff("resident")),
    "api.coverage_by_area": PUBLIC,
    "api.coverage_monthly": PUBLIC,
    "api.coverage_volunteers": Rule(MANAGERS),
    "facilities.detail": PUBLIC,
    "facilities.by_code": PUBLIC,
    "facilities.report_fault": PUBLIC,
    "facilities.log_check": Rule(LOGGERS, scope="area"),
    "facilities.adopt_page": Rule(("resident",)),
    "facilities.withdraw_page": Rule(("resident", "manager", "admin"), scope="owner"),
    "facilities.mine": Rule(staff("resident")),
    "manager.dashboard": Rule(MANAGERS),
    "manager.labels": Rule(MANAGERS),
    "manager.facility_label": Rule(MANAGERS),
    # co-share (H5): the public outcomes dashboard; projects' before/after photos
    "outcomes.dashboard": PUBLIC,
    "outcomes.csv_download": PUBLIC,
    "api.outcomes": PUBLIC,
    "outcomes.photo": PUBLIC,
    "outcomes.upload_photo": Rule(staff("planner", "manager")),
    "outcomes.delete_photo": Rule(staff("planner", "manager")),
    # co-share: open standards. Public views carry no personal data; tiles and OGC items are
    # cut to the caller's role by the catalog; filing through Open311 needs an api_key, which
    # the view checks (other systems have no account here).
    "ogc.landing": PUBLIC,
    "ogc.api": PUBLIC,
    "ogc.conformance": PUBLIC,
    "ogc.collections": PUBLIC,
    "ogc.collection": PUBLIC,
    "ogc.queryables": PUBLIC,
    "ogc.items": PUBLIC,
    "ogc.item": PUBLIC,
    "open311.discovery": PUBLIC,
    "open311.services": PUBLIC,
    "open311.service": PUBLIC,
    "open311.requests_list": PUBLIC,
    "open311.requests_create": PUBLIC,
    "open311.request_one": PUBLIC,
    "open311.token": PUBLIC,
    "open311.unknown": PUBLIC,
    "tiles.tile": PUBLIC,
    "open311_admin.keys": Rule(("admin",)),
    "open311_admin.create": Rule(("admin",)),
    "open311_admin.revoke": Rule(("admin",)),
}


def rule_for(endpoint: str, method: str) -> Rule | None:
    return RULES.get(f"{endpoint} {method}") or RULES.get(endpoint)


def _login_target() -> str:
    """Where to come back after signing in: the page itself, or for a form post the page that
    held the form (the post's own URL would answer GET with 405)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/"


def check_request() -> ResponseReturnValue | None:
    """The gate: ``None`` lets the request through; otherwise it raises or redirects."""
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return None  # 404/405 are answered by Flask; OPTIONS carries no data
    rule = rule_for(endpoint, request.method)
    role = role_of(current_user)
    if rule is None:
        log.error("no permission rule for endpoint %s; refused", endpoint)
        raise Forbidden(_("Your role may not do this."))
    if rule.allows(role):
        return None
    if role == "anonymous":
        if request.path.startswith("/api/"):
            raise Unauthorized(_("Sign in or send a bearer token."))
        return redirect(url_for("auth.login", next=_login_target()))
    raise Forbidden(_("Your role may not do this."))


def init_app(app: Flask) -> None:
    app.before_request(check_request)
