"""Maps: Folium builders from the layer catalog, offline assets, the shared map script."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from gisapp.maps.views import bp

    app.register_blueprint(bp)
