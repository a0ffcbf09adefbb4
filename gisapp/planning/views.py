"""``/projects/<id>``: one improvement project along the five co-s.

Footprint, phases with dated milestones and progress, budget by source, linked reports, pledge
progress against the plan (with the pledge forms), the vote it stood in, residents' ratings and
the reports nearby before and after completion. Forms are CSRF-protected and call the same
service as the JSON API (``gisapp.planning.participation_service``).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from gisapp.db import get_session
from gisapp.errors import ApiError
from gisapp.geo.queries import areas_of
from gisapp.i18n import current_locale
from gisapp.maps.lookups import report_statuses
from gisapp.pages import form_action, geometry_of, small_map
from gisapp.planning import charts
from gisapp.planning import participation_queries as q
from gisapp.planning import participation_service as svc
from gisapp.planning.models import PHASE_NAMES, PHASES, Project
from gisapp.planning.participation import ProjectRating
from gisapp.reports.actors import Actor, current_actor
from gisapp.reports.models import Category
from gisapp.settings import Settings

bp = Blueprint("projects", __name__)


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def vote_status_names() -> dict[str, str]:
    return {
        "upcoming": _("Voting not open yet"),
        "open": _("Voting open"),
        "closed": _("Voting closed"),
    }


def phase_names() -> dict[str, str]:
    en = current_locale() == "en"
    return {p: PHASE_NAMES[p][1 if en else 0] for p in PHASES}


def _vote_of(project_id: int) -> dict[str, object] | None:
    """The latest vote the project stood in, with its place in the results."""
    session = get_session()
    found = q.rounds_of_project(session, project_id)
    if not found:
        return None
    round_ = found[0]
    results = q.results(session, round_.id)
    mine = next((c for c in results if c["project"].id == project_id), None)
    return {
        "round": round_,
        "status": round_.status(),
        "ballots": sum(c["votes"] for c in results),
        "candidates": len(results),
        "votes": mine["votes"] if mine else 0,
        "percent": mine["percent"] if mine else 0.0,
        "rank": mine["rank"] if mine else None,
    }


@bp.get("/projects/<int:project_id>")
def detail(project_id: int) -> str:
    session = get_session()
    project = svc.get_project(session, project_id)
    settings = _settings()
    locale = current_locale()
    names = phase_names()
    actor = current_actor()
    hour_value = decimal.Decimal(str(settings.labour_hour_value_yuan))
    budget = q.budget_by_source(session, project.id)
    milestones = q.milestones(session, project.id)
    by_phase = [(p, names[p], [m for m in milestones if m.phase == p]) for p in PHASES]
    pledges = q.pledge_summary(session, project.id, hour_value)
    categories = {
        c.code: (c.name_en if locale == "en" else c.name_zh)
        for c in session.scalars(sa.select(Category))
    }
    related = q.related_reports(session, project, settings.related_radius_m, settings.timezone)
    areas = areas_of(session, project)
    my_rating = None
    mine = []
    if actor.user_id is not None:
        mine = q.my_pledges(session, project.id, actor.user_id)
        my_rating = session.get(ProjectRating, {"project_id": project.id, "user_id": actor.user_id})
    return render_template(
        "projects/detail.html",
        project=project,
        title=project.title(locale),
        phases=[(p, names[p]) for p in PHASES],
        phase_name=names[project.phase],
        current_phase=PHASES.index(project.phase),
        milestones_by_phase=[row for row in by_phase if row[2]],
        areas=areas,
        budget=budget,
        budget_segments=charts.stacked(budget["lines"], budget["total_yuan"]),
        linked=q.linked_reports(session, project.id),
        categories=categories,
        statuses=report_statuses(),
        pledges=pledges,
        money_bar=charts.bar_width(pledges["money"]["percent"]),
        labour_bar=charts.bar_width(pledges["labour"]["percent"]),
        open_kinds=[k for k, phases in svc.PLEDGE_PHASES.items() if project.phase in phases],
        my_pledges=mine,
        vote=_vote_of(project.id),
        vote_statuses=vote_status_names(),
        finished=svc.is_finished(project),
        ratings=q.rating_summary(session, project.id),
        my_rating=my_rating,
        related=related,
        related_chart=charts.month_chart(related.months) if related else None,
        street_code=next((a.code for level, a in areas if level == "street"), None),
        map_parts=small_map(
            geometry_of(session, Project.geom, Project.id == project.id),
            "#dd6b20",
        ),
    )


def page_message(exc: ApiError) -> str:
    """The error in the page's language where a form field explains it best."""
    by_field: dict[str, str] = {
        "amount_yuan": _("Enter an amount in yuan greater than 0, with at most 2 decimals."),
        "hours": _("Enter a number of hours greater than 0, with at most 1 decimal."),
        "score": _("Choose a score from 1 to 5."),
        "comment": _("The comment is too long."),
        "note": _("The note is too long."),
        "opens_at": _("This vote has not opened yet."),
        "closes_at": _("This vote has closed."),
        "vote_id": _("You have already voted in this vote."),
        "project_id": _("Choose one of the candidates."),
        "pledge_id": _("This pledge can no longer be withdrawn."),
    }
    message: str = by_field.get(exc.field or "", exc.message)
    if exc.status == 401:
        message = _("Please sign in first.")
    elif exc.status == 403:
        message = _("Your account may not do this.")
    elif exc.field == "kind" and exc.status == 409:
        if exc.message.startswith("you have already"):
            message = _("You have already signed up as a volunteer.")
        else:
            message = _("This project no longer takes this kind of pledge.")
    elif exc.field == "id" and exc.status == 409:
        message = _("A project can be rated once it is finished.")
    return message


def _act(
    project_id: int, action: Callable[[Actor, Project], object], done: str
) -> ResponseReturnValue:
    """Run a participation action from a form; show its error or success on the project page."""
    project = svc.get_project(get_session(), project_id)
    return form_action(
        lambda: action(current_actor(), project),
        done,
        url_for("projects.detail", project_id=project_id) + "#participate",
        describe=page_message,
    )


@bp.post("/projects/<int:project_id>/pledge")
def pledge(project_id: int) -> ResponseReturnValue:
    form = request.form
    kind = form.get("kind")
    done = {
        "money": _("Thank you: your money pledge was recorded."),
        "labour": _("Thank you: your labour pledge was recorded."),
        "volunteer": _("Thank you for signing up as a volunteer."),
    }.get(kind or "", _("Thank you: your pledge was recorded."))
    return _act(
        project_id,
        lambda a, p: svc.pledge(
            get_session(), p, a, kind, form.get("amount_yuan"), form.get("hours"), form.get("note")
        ),
        done,
    )


@bp.post("/projects/<int:project_id>/pledges/<int:pledge_id>/withdraw")
def withdraw(project_id: int, pledge_id: int) -> ResponseReturnValue:
    return _act(
        project_id,
        lambda a, p: svc.withdraw_pledge(get_session(), p, a, pledge_id),
        _("Your pledge was withdrawn."),
    )


@bp.post("/projects/<int:project_id>/rate")
def rate(project_id: int) -> ResponseReturnValue:
    form = request.form
    return _act(
        project_id,
        lambda a, p: svc.rate_project(get_session(), p, a, form.get("score"), form.get("comment")),
        _("Thank you for rating this project."),
    )
