"""Rate limits (Flask-Limiter) on the endpoints that write what residents send, and on sign-in.

One table says which endpoint counts against which limit; the limits themselves are settings
(``GISAPP_LIMIT_LOGIN``, ``GISAPP_LIMIT_REPORT``, ...). A page form and its API twin share one
budget, so switching from the page to the API buys nothing. Counters live in Redis when
``GISAPP_REDIS_URL`` is set (every worker and server sees the same counts) and in process
memory otherwise (fine for one process; each gunicorn worker would count on its own).

A breach answers 429 with ``Retry-After`` (JSON error on the API, the error page on pages) before
the view runs, so nothing past the limit is written. Sign-in counts failures only, per client
address and user name: a resident who types the password right is never slowed down, and one
address cannot guess many passwords of one account.
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from gisapp.settings import Settings

# endpoint -> the setting (limit_<name>) whose budget it spends; POST only.
LIMITED: dict[str, str] = {
    "auth.login": "login",
    "api.create_token": "login",
    "api.create_report": "report",
    "facilities.report_fault": "report",
    "api.support_report": "support",
    "reports.support": "support",
    "api.cast_ballot": "vote",
    "participation.ballot": "vote",
    "api.make_pledge": "pledge",
    "projects.pledge": "pledge",
    # uploads: check-in photos (page and API), project photos; report photos ride on filing
    "facilities.log_check": "upload",
    "api.add_maintenance": "upload",
    "outcomes.upload_photo": "upload",  # projects' before/after photos
}
# Whole URL families that spend one budget (POST only), for blueprints added by other modules.
LIMITED_PREFIXES: tuple[tuple[str, str], ...] = (("/open311/", "open311"),)


def client_key() -> str:
    """A signed-in user is counted as themselves (many residents share one carrier-grade NAT
    address); everybody else by address (behind proxies, ``GISAPP_PROXY_COUNT`` makes it the
    real client's)."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


def login_key() -> str:
    username: Any = request.form.get("username")
    if username is None and request.is_json:
        body = request.get_json(silent=True)
        username = body.get("username") if isinstance(body, dict) else None
    name = username.strip().lower()[:64] if isinstance(username, str) else ""
    return f"login:{request.remote_addr}:{name}"


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def limit_name(endpoint: str, path: str) -> str | None:
    if endpoint in LIMITED:
        return LIMITED[endpoint]
    return next((name for prefix, name in LIMITED_PREFIXES if path.startswith(prefix)), None)


def _too_many(exc: RateLimitExceeded) -> Response:
    from gisapp.web_errors import handle_http

    limiter: Limiter = current_app.extensions["gisapp.limiter"]
    current = limiter.current_limit
    wait = math.ceil(current.reset_at - time.time()) if current is not None else 60
    resp = handle_http(TooManyRequests(_("Too many requests; please wait a moment and try again.")))
    resp.headers["Retry-After"] = str(max(wait, 1))
    return resp


def init_app(app: Flask, settings: Settings) -> None:
    """Call after every blueprint is registered: it wraps the listed views."""
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits_enabled
    limiter = Limiter(
        key_func=client_key,
        storage_uri=settings.redis_url or "memory://",
        strategy="moving-window",
        key_prefix="gisapp",
        headers_enabled=False,
    )
    limiter.init_app(app)
    app.extensions["gisapp.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many)
    if not settings.rate_limits_enabled:
        return
    for rule in app.url_map.iter_rules():
        name = limit_name(rule.endpoint, rule.rule)
        if name is None or "POST" not in (rule.methods or ()):
            continue
        value = str(getattr(settings, f"limit_{name}"))
        login = name == "login"
        shared = limiter.shared_limit(
            value,
            scope=name,
            key_func=login_key if login else client_key,
            methods=["POST"],
            deduct_when=_failed if login else None,
        )
        view: Any = app.view_functions[rule.endpoint]
        app.view_functions[rule.endpoint] = shared(view)
