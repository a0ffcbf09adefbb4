"""Pages for votes (决策共谋) and 以奖代补 rewards.

- ``/votes``: the vote rounds; planners open a new one here
- ``/votes/<id>``: candidates on a map coloured and labelled by votes, results, ballot form
- ``/rewards?street=&year=``: the street's ranked reward table, each row with its breakdown,
  and the CSV download

Results are public while a vote runs (as in a show of hands at a 议事会); who voted for what
never is. Forms are CSRF-protected and call ``gisapp.planning.participation_service``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from shapely.geometry import shape

from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import ApiError, NotFound
from gisapp.geo.models import Area
from gisapp.i18n import current_locale
from gisapp.planning import charts, reward_queries, rewards, vote_map
from gisapp.planning import participation_queries as q
from gisapp.planning import participation_service as svc
from gisapp.planning.views import page_message, phase_names, vote_status_names
from gisapp.reports.actors import current_actor

bp = Blueprint("participation", __name__)


def init_app(app: Flask) -> None:
    # The rules are checked at start-up, like the layer files: a bad file stops the app.
    app.extensions["gisapp.rewards"] = rewards.load_rules()
    app.register_blueprint(bp)


@bp.get("/votes")
def votes() -> str:
    session = get_session()
    found = q.rounds(session)
    counts = q.ballot_counts(session, [r.id for r, _a in found])
    actor = current_actor()
    locale = current_locale()
    candidates = []
    if actor.role in svc.PLANNER_ROLES:
        candidates = q.vote_candidates_open(session)
    communities = sorted(
        {(a.code, a.name(locale)) for _p, a in candidates}, key=lambda pair: pair[0]
    )
    return render_template(
        "votes/index.html",
        rounds=[(r, a, counts.get(r.id, 0), r.status()) for r, a in found],
        statuses=vote_status_names(),
        can_create=actor.role in svc.PLANNER_ROLES,
        candidates=candidates,
        communities=communities,
    )


def _round_message(exc: ApiError) -> str:
    messages: dict[str, str] = {
        "community": _("Choose a community."),
        "title": _("Enter a title of at most 200 characters."),
        "description": _("The description is too long."),
        "opens_at": _("Enter when the vote opens."),
        "closes_at": _("The vote must close after it opens, in the future, within a year."),
        "project_ids": _(
            "Choose 2 to 20 candidate projects of that community that are still being decided "
            "and not in another vote at the same time."
        ),
    }
    message: str = messages.get(exc.field or "", exc.message)
    return message


@bp.post("/votes")
@require_roles(*svc.PLANNER_ROLES)
def create_vote() -> ResponseReturnValue:
    form = request.form
    data: dict[str, Any] = {
        "community": form.get("community"),
        "title": form.get("title"),
        "description": form.get("description"),
        "opens_at": form.get("opens_at"),
        "closes_at": form.get("closes_at"),
        "project_ids": form.getlist("project_ids"),
    }
    session = get_session()
    try:
        round_ = svc.create_round(
            session,
            current_actor(),
            data,
            timezone=current_app.extensions["gisapp.settings"].timezone,
        )
    except ApiError as exc:
        session.rollback()
        flash(_round_message(exc), "error")
        return redirect(url_for("participation.votes") + "#new-vote", 303)
    session.commit()
    flash(_("The vote was created."), "success")
    return redirect(url_for("participation.vote", vote_id=round_.id), 303)


@bp.get("/votes/<int:vote_id>")
def vote(vote_id: int) -> str:
    session = get_session()
    round_ = svc.get_round(session, vote_id)
    community = session.get(Area, round_.community_id)
    locale = current_locale()
    results = q.results(session, round_.id)
    total = sum(c["votes"] for c in results)
    features = []
    bounds = None
    for c in results:
        c["color"] = charts.vote_color(c["rank"], c["percent"], c["votes"])
        project = c["project"]
        votes = ngettext("%(num)d vote", "%(num)d votes", c["votes"])
        features.append(
            {
                "type": "Feature",
                "geometry": c["geometry"],
                "properties": {
                    "color": c["color"],
                    # Short labels: candidates a few doors apart must not hide each other.
                    "label": f"{c['order'] + 1} · {votes}",
                    "title": project.title(locale),
                    "votes": votes,
                    "url": url_for("projects.detail", project_id=project.id),
                },
            }
        )
        west, south, east, north = shape(c["geometry"]).bounds
        if bounds is None:
            bounds = [[south, west], [north, east]]
        else:
            bounds = [
                [min(bounds[0][0], south), min(bounds[0][1], west)],
                [max(bounds[1][0], north), max(bounds[1][1], east)],
            ]
    actor = current_actor()
    mine = q.my_ballot(session, round_.id, actor.user_id) if actor.user_id else None
    status = round_.status()
    return render_template(
        "votes/detail.html",
        round=round_,
        community=community,
        results=results,
        total=total,
        status=status,
        statuses=vote_status_names(),
        phases=phase_names(),
        my_ballot=mine,
        my_choice=next(
            (c["project"] for c in results if mine and c["project"].id == mine.project_id), None
        ),
        map_parts=vote_map.results_map(
            features, bounds, current_app.extensions["gisapp.settings"], _("Project page")
        ),
    )


@bp.post("/votes/<int:vote_id>/ballot")
def ballot(vote_id: int) -> ResponseReturnValue:
    session = get_session()
    round_ = svc.get_round(session, vote_id)
    try:
        svc.cast_ballot(session, round_, current_actor(), request.form.get("project_id"))
    except ApiError as exc:
        session.rollback()
        flash(page_message(exc), "error")
    else:
        session.commit()
        flash(_("Thank you: your vote was counted."), "success")
    return redirect(url_for("participation.vote", vote_id=vote_id) + "#ballot", 303)


@bp.get("/rewards")
def rewards_page() -> str:
    session = get_session()
    settings = current_app.extensions["gisapp.settings"]
    rules: rewards.RewardRules = current_app.extensions["gisapp.rewards"]
    streets = reward_queries.streets(session)
    if not streets:
        raise NotFound(_("There are no streets yet."))
    street_code = request.args.get("street") or streets[0].code
    this_year = dt.datetime.now(zoneinfo.ZoneInfo(settings.timezone)).year
    year_raw = request.args.get("year") or str(this_year)
    years = sorted(
        {p.year for p in rules.pools if p.street == street_code} | {this_year}, reverse=True
    )
    table = None
    problem = None
    try:
        table = reward_queries.street_rewards(
            session,
            rules,
            street_code,
            year_raw,
            timezone=settings.timezone,
            hour_value=decimal.Decimal(str(settings.labour_hour_value_yuan)),
        )
    except ApiError as exc:
        problem = exc
    return render_template(
        "rewards/index.html",
        streets=streets,
        street_code=street_code,
        years=years,
        year=year_raw,
        table=table,
        problem=problem,
        phases=phase_names(),
        factor_names=factor_names(),
        unit_names=unit_names(),
        csv_url=url_for("api.rewards_as_csv", street=street_code, year=year_raw),
    )


def factor_names() -> dict[str, str]:
    return {
        "residents_money": _("Residents' money"),
        "residents_labour": _("Residents' labour"),
        "households": _("Participating households"),
        "votes": _("Votes cast"),
        "co_management": _("Co-management tasks done"),
    }


def unit_names() -> dict[str, str]:
    return {
        "yuan": _("CNY"),
        "households": _("households"),
        "votes": _("votes"),
        "tasks": _("tasks"),
    }
