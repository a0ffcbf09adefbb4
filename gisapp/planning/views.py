"""``/projects/<id>``: one improvement project, its footprint, phase and budget."""

from __future__ import annotations

from flask import Blueprint, render_template

from gisapp.db import get_session
from gisapp.errors import NotFound
from gisapp.geo.queries import areas_of
from gisapp.i18n import current_locale
from gisapp.pages import geometry_of, small_map
from gisapp.planning.models import PHASE_NAMES, PHASES, Project

bp = Blueprint("projects", __name__)


@bp.get("/projects/<int:project_id>")
def detail(project_id: int) -> str:
    session = get_session()
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    en = current_locale() == "en"
    phases = [(p, PHASE_NAMES[p][1 if en else 0]) for p in PHASES]
    return render_template(
        "projects/detail.html",
        project=project,
        title=project.title(current_locale()),
        phases=phases,
        current_phase=PHASES.index(project.phase),
        areas=areas_of(session, project),
        map_parts=small_map(
            geometry_of(session, Project.geom, Project.id == project.id),
            "#dd6b20",
        ),
    )
