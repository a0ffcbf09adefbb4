"""``/outcomes``: the public co-share dashboard (成果共享), and projects' before/after photos.

``/outcomes?level=<level>&area=<id or code>&to=<YYYY-MM>&months=<1-24>`` shows, for the areas
of ``level`` inside ``area`` and the months up to ``to``: reports received and resolved,
median days to resolve, residents' satisfaction, projects completed (with photos) and
residents' contributions — as a choropleth, charts, a table and a CSV (``/outcomes.csv``).
A click on an area (map or table) drills down to it. No login; no person is named anywhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from gisapp.auth.roles import require_roles
from gisapp.db import get_session, read_session
from gisapp.errors import ApiError, NotFound, ValidationFailed
from gisapp.geo.models import LEVEL_NAMES, Area
from gisapp.geo.queries import overview_bounds
from gisapp.i18n import current_locale
from gisapp.maintenance.queries import ancestors, find_area
from gisapp.maintenance.status import local_today
from gisapp.maps.builder import map_parts
from gisapp.outcomes import charts, exports
from gisapp.outcomes import queries as q
from gisapp.outcomes.mapping import METRICS, metric_names, outcomes_map
from gisapp.outcomes.period import (
    PAGE_LEVELS,
    Period,
    add_months,
    check_level,
    levels_below,
    parse_period,
)
from gisapp.outcomes.photos import add_photo, get_photo, photo_file, photos_of
from gisapp.pages import form_action, static_url
from gisapp.planning import participation_service as svc
from gisapp.settings import Settings

bp = Blueprint("outcomes", __name__)

PHOTO_ROLES = ("planner", "manager")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def default_level(session: Any, area: Area | None) -> str | None:
    """Without a scope, the highest level with more than one area (a one-district sample
    starts at its communities' street)."""
    if area is not None:
        return None
    counts = dict(
        session.execute(sa.select(Area.level, sa.func.count()).group_by(Area.level)).all()
    )
    return next((lv for lv in PAGE_LEVELS if counts.get(lv, 0) > 1), "district")


def request_view(session: Any) -> tuple[q.Scope, str, Period]:
    """Scope, level and period from the query string (shared by the page, the CSV and the API).
    Unknown areas are a 404, bad levels and months a 422, both naming the parameter."""
    raw = request.args.get("area")
    area = find_area(session, raw) if raw else None
    if area is not None and area.level not in PAGE_LEVELS:
        raise ValidationFailed("area must be a district, street, community or grid", field="area")
    level = check_level(
        request.args.get("level"),
        area.level if area else None,
        default_level(session, area),
    )
    period = parse_period(
        request.args.get("to"), request.args.get("months"), local_today(_settings())
    )
    return q.Scope(area=area), level, period


def _bounds(session: Any, area: Area | None) -> list[list[float]] | None:
    if area is None:
        return overview_bounds(session)
    box = session.execute(
        sa.select(
            sa.func.ST_XMin(Area.geom),
            sa.func.ST_YMin(Area.geom),
            sa.func.ST_XMax(Area.geom),
            sa.func.ST_YMax(Area.geom),
        ).where(Area.id == area.id)
    ).one()
    west, south, east, north = (float(v) for v in box)
    return [[south, west], [north, east]]


def link(**params: Any) -> str:
    return "/outcomes?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@bp.get("/outcomes")
def dashboard() -> str:
    session = read_session()
    scope, level, period = request_view(session)
    settings = _settings()
    locale = current_locale()
    tz = settings.timezone
    area = scope.area
    rows = q.by_area(session, level, scope, period, tz=tz, locale=locale)
    series, total = q.series_and_total(session, scope, period, tz=tz)
    keep = {"to": period.labels[-1], "months": len(period.months)}
    metric = request.args.get("metric") or "received"
    metric = metric if metric in METRICS else "received"
    m = outcomes_map(
        level=level,
        query={"area": area.id if area else None, "level": level, **keep},
        bounds=_bounds(session, area),
        settings=settings,
        locale=locale,
        static_url=static_url,
        drill_url=link(area="{id}", **keep).replace("%7Bid%7D", "{id}"),
        metric=metric,
    )
    this_month = local_today(settings).replace(day=1)
    return render_template(
        "outcomes/dashboard.html",
        area=area,
        trail=ancestors(session, area),
        level=level,
        levels=levels_below(area.level if area else None),
        level_names={lv: LEVEL_NAMES[lv][1 if locale == "en" else 0] for lv in LEVEL_NAMES},
        period=period,
        months_choice=len(period.months),
        end_choices=[add_months(this_month, -i).isoformat()[:7] for i in range(36)],
        rows=rows,
        series=series,
        total=total,
        projects=q.completed_projects(session, scope, period, tz=tz, locale=locale),
        reports_chart=charts.reports_chart(series),
        satisfaction_chart=charts.satisfaction_chart(series),
        contributions_chart=charts.contributions_chart(series),
        metric=metric,
        metric_names=metric_names(),
        link=link,
        keep=keep,
        csv_url=url_for(
            "outcomes.csv_download",
            level=level,
            area=area.id if area else None,
            to=keep["to"],
            months=keep["months"],
        ),
        map_parts=map_parts(m),
    )


@bp.get("/outcomes.csv")
def csv_download() -> Response:
    session = read_session()
    scope, level, period = request_view(session)
    rows = q.by_area(session, level, scope, period, tz=_settings().timezone, locale="zh_Hans")
    return exports.csv_response(rows, level, scope, period)


# ----------------------------------------------------------------------------- photos
@bp.app_template_global("project_photos")
def project_photos(project_id: int) -> dict[str, Any]:
    """For the project page: its photos by stage and whether this visitor may add some."""
    role = getattr(current_user, "role", None) if current_user.is_authenticated else None
    return {
        "photos": photos_of(get_session(), project_id),
        "can_upload": role in (*PHOTO_ROLES, "admin"),
    }


def _back(project_id: int) -> str:
    return url_for("projects.detail", project_id=project_id) + "#photos"


@bp.post("/projects/<int:project_id>/photos")
@require_roles(*PHOTO_ROLES)
def upload_photo(project_id: int) -> ResponseReturnValue:
    project = svc.get_project(get_session(), project_id)
    upload = request.files.get("photo")
    return form_action(
        lambda: add_photo(
            get_session(),
            project,
            request.form.get("stage"),
            upload.read() if upload else b"",
            _settings(),
            user_id=int(current_user.id),
            caption=request.form.get("caption"),
        ),
        _("The photo was added."),
        _back(project_id),
        describe=_photo_message,
    )


def _photo_message(exc: ApiError) -> str:
    """The refusal in the page's language (the checks' own messages are English)."""
    if exc.field == "stage":
        return str(_("Choose whether the photo shows the site before or after the works."))
    if exc.field == "caption":
        return str(_("The caption is too long (at most 200 characters)."))
    if exc.message.startswith("a project keeps at most"):
        return str(_("This project already has as many photos of this kind as it can keep."))
    return str(_("Choose a photo (JPEG, PNG, WebP or GIF) of at most %(mb)s MB.", mb=_mb()))


def _mb() -> int:
    return _settings().photo_max_bytes // (1024 * 1024)


@bp.post("/projects/<int:project_id>/photos/<int:photo_id>/delete")
@require_roles(*PHOTO_ROLES)
def delete_photo(project_id: int, photo_id: int) -> ResponseReturnValue:
    session = get_session()
    photo = get_photo(session, project_id, photo_id)
    path = photo_file(_settings().upload_dir, photo.filename)

    def work() -> None:
        session.delete(photo)
        session.flush()
        path.unlink(missing_ok=True)

    return form_action(work, _("The photo was removed."), _back(project_id))


@bp.get("/projects/<int:project_id>/photos/<int:photo_id>")
def photo(project_id: int, photo_id: int) -> Response:
    found = get_photo(read_session(), project_id, photo_id)
    path = photo_file(_settings().upload_dir, found.filename)
    if not path.is_file():
        raise NotFound(_("no such photo"), field="photo_id")
    return send_file(path, mimetype=found.content_type, max_age=86400)
