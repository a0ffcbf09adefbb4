"""Co-creation map (共同缔造): a web GIS where residents and government co-create neighbourhoods.

``create_app`` assembles everything; importing this package connects to nothing::

    from gisapp import create_app
    app = create_app()                                    # settings from the environment
    app = create_app(Settings(database_url="postgresql://...", testing=True))

Where the five co-s live:

- co-decide (决策共谋):   ``reports/`` (residents), ``planning/`` (planners)
- co-build (发展共建):    ``planning/`` (projects, pledges)
- co-manage (建设共管):   ``maintenance/``
- co-evaluate (效果共评): ``outcomes/``, ratings in ``reports/``
- co-share (成果共享):    ``outcomes/``, ``standards/`` (open data), ``api/``
"""

from __future__ import annotations

from flask import Flask

from gisapp.settings import Settings, load_settings

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: settings, database, layer catalog, i18n, auth, blueprints, CLI."""
    from gisapp import (
        admin,
        api,
        auth,
        catalog,
        db,
        health,
        i18n,
        maps,
        security,
        summaries,
        web_errors,
    )
    from gisapp.maintenance.manager_views import bp as manager_bp
    from gisapp.maintenance.views import bp as facilities_bp
    from gisapp.outcomes.views import bp as outcomes_bp
    from gisapp.planning import participation_views
    from gisapp.planning.planner_views import bp as planner_bp
    from gisapp.planning.views import bp as projects_bp
    from gisapp.reports.moderation_views import bp as moderation_bp
    from gisapp.reports.views import bp as reports_bp
    from gisapp.standards import open311
    from gisapp.standards.ogc import init_app as init_ogc
    from gisapp.standards.tiles import init_app as init_tiles
    from gisapp.standards.tiles import wrap_wsgi as wrap_tiles

    settings = settings or load_settings()
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.effective_secret_key(),
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=40 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["gisapp.settings"] = settings
    # Layer files are checked before anything connects: a bad file stops start-up.
    app.extensions["gisapp.catalog"] = catalog.load_catalog(settings.layers_dir)

    db.init_app(app, settings)
    summaries.init_app(app, settings)  # folds the summary triggers' deltas after writes
    i18n.init_app(app, settings)
    auth.init_app(app)
    web_errors.init_app(app)
    health.init_app(app)
    maps.init_app(app)
    api.init_app(app)
    app.register_blueprint(reports_bp)
    app.register_blueprint(moderation_bp)  # /moderation and the hide/publish forms
    admin.init_app(app)  # /admin: users, roles, areas, categories, facility types, audit
    app.register_blueprint(projects_bp)
    app.register_blueprint(facilities_bp)
    app.register_blueprint(manager_bp)
    participation_views.init_app(app)  # votes and rewards pages; reward rules checked
    app.register_blueprint(planner_bp)
    app.register_blueprint(outcomes_bp)  # /outcomes, public co-share dashboard
    init_ogc(app)  # OGC API - Features at /ogc, collections from layers/
    open311.init_app(app)  # GeoReport v2 at /open311/v2, keys at /admin/open311-keys
    init_tiles(app)  # vector tiles at /tiles/{layer}/{z}/{x}/{y}.pbf
    # Last: the rate limits wrap views that every blueprint above has registered.
    security.init_app(app, settings)
    wrap_tiles(app)  # outermost: a cached public tile asked again skips Flask
    return app
