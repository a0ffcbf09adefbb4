"""Administration pages (``/admin``): accounts, roles, grid workers' areas, categories,
facility types and the audit log. Every change goes through :mod:`gisapp.audit`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from gisapp.admin.views import bp

    app.register_blueprint(bp)
