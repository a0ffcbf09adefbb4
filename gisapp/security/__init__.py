"""Trust on the web: who may call what, the browser's security headers, and rate limits.

- ``permissions``  one table endpoint -> roles, checked before every view
- ``headers``      CSP with per-request nonces, nosniff, frame and referrer policies
- ``limits``       Flask-Limiter budgets for sign-in and residents' writes (429 + Retry-After)

``init_app`` runs last in ``create_app``: the limits wrap views that must already exist.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from gisapp.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    from gisapp.security import headers, limits, permissions

    if settings.proxy_count:
        # Only the proxies we run may say who the client is and whether it came over HTTPS.
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    if settings.secure_cookies:
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            PREFERRED_URL_SCHEME="https",
        )
    permissions.init_app(app)
    limits.init_app(app, settings)
    headers.init_app(app)
