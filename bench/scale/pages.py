"""Page bytes and server time through the Flask test client (no network, no browser).

The same pages are asked of the sample street and of the province: a page whose HTML carries
no data is the same size and takes the same time with 300 or 1,000,000 reports.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

import sqlalchemy as sa

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
BENCH_USERS = {"planner": "bench-planner", "manager": "bench-manager"}
PASSWORD = "bench-pages-only"  # noqa: S105 - a throwaway account in the scratch database

# path, role that must be signed in (None: anonymous)
PAGES: list[tuple[str, str | None]] = [
    ("/", None),
    ("/outcomes", None),
    ("/planner", "planner"),
    ("/manager", "manager"),
]


def _users(app: Any) -> None:
    from gisapp.auth.models import User
    from gisapp.auth.passwords import hash_password
    from gisapp.db import session_scope

    with app.app_context(), session_scope() as s:
        for role, name in BENCH_USERS.items():
            s.execute(sa.delete(User).where(User.username == name))
            s.add(User(username=name, password_hash=hash_password(PASSWORD), role=role))


def _client(app: Any, role: str | None) -> Any:
    client = app.test_client()
    if role:
        token = CSRF.search(client.get("/login").get_data(as_text=True))
        assert token, "no CSRF token on /login"
        resp = client.post(
            "/login",
            data={
                "username": BENCH_USERS[role],
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        assert resp.status_code in (302, 303), f"login as {role}: {resp.status_code}"
    return client


def _app(db_url: str) -> Any:
    from gisapp import create_app
    from gisapp.settings import Settings

    app = create_app(
        Settings(
            _env_file=None,
            database_url=db_url,  # type: ignore[call-arg]
            secret_key="bench-secret",  # noqa: S106 - scratch database only
            basemap_url="",
        )
    )
    _users(app)
    return app


def measure(sample_url: str, big_url: str, runs: int = 40) -> dict[str, dict[str, Any]]:
    """``{"sample"|"province": {path: {"bytes", "median_ms", "p90_ms", "status"}}}`` for each
    page of PAGES. The two databases are asked in turn, request by request, so a change in the
    shared machine's speed during the run weighs on both alike."""
    from gisapp.db import get_db

    apps = {"sample": _app(sample_url), "province": _app(big_url)}
    out: dict[str, dict[str, Any]] = {name: {} for name in apps}
    for path, role in PAGES:
        clients = {name: _client(app, role) for name, app in apps.items()}
        times: dict[str, list[float]] = {name: [] for name in apps}
        last: dict[str, Any] = {}
        for name, client in clients.items():
            client.get(path)  # warm-up
            last[name] = client.get(path)
        for _ in range(runs):
            for name, client in clients.items():
                t = time.perf_counter()
                last[name] = client.get(path)
                times[name].append((time.perf_counter() - t) * 1000)
        for name in apps:
            resp, ts = last[name], sorted(times[name])
            found = resp.status_code != 404
            out[name][path] = {
                "status": resp.status_code,
                "bytes": len(resp.data) if found else 0,
                "median_ms": statistics.median(ts) if found else float("nan"),
                "p90_ms": ts[min(len(ts) - 1, int(0.9 * len(ts)))] if found else float("nan"),
            }
    for app in apps.values():
        get_db(app).dispose()
    return out
