"""Residents' participation and 以奖代补 rewards.

- ``GET  /api/v1/votes?community=``                 vote rounds (with ballots cast)
- ``POST /api/v1/votes``                            planners: open a vote among candidates
- ``GET  /api/v1/votes/{id}``                       a round with its results (and my ballot)
- ``POST /api/v1/votes/{id}/ballots``               ``{project_id}``: one per account
- ``GET  /api/v1/projects/{id}/pledges``            pledge totals against the plan, no names
- ``POST /api/v1/projects/{id}/pledges``            ``{kind, amount_yuan | hours, note}``
- ``DELETE /api/v1/projects/{id}/pledges/{pid}``    withdraw my pledge
- ``GET|POST /api/v1/projects/{id}/ratings``        效果共评 summary; ``{score, comment}``
- ``GET  /api/v1/projects/{id}/related-reports``    reports nearby, 6 months before/after
- ``GET  /api/v1/rewards?street=&year=``            each project's reward with its breakdown
- ``GET  /api/v1/rewards.csv?street=&year=``        the ranked table as CSV (also ``format=csv``)
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import zoneinfo
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_login import current_user

from gisapp.api import bp
from gisapp.api.areas import _area_id
from gisapp.api.util import json_body, unknown_params
from gisapp.db import get_session
from gisapp.errors import ValidationFailed
from gisapp.geo.features import parse_limit
from gisapp.geo.models import Area
from gisapp.planning import participation_queries as q
from gisapp.planning import participation_service as svc
from gisapp.planning import reward_queries
from gisapp.planning.participation import Pledge, VoteRound
from gisapp.planning.rewards import FACTORS
from gisapp.reports.actors import current_actor
from gisapp.settings import Settings
from gisapp.spreadsheet import cell


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def _hour_value() -> decimal.Decimal:
    return decimal.Decimal(str(_settings().labour_hour_value_yuan))


def _num(value: decimal.Decimal | None) -> float | None:
    return None if value is None else float(value)


def _local(stamp: dt.datetime) -> str:
    """ISO 8601 in the programme's local time (what residents read on the notice board)."""
    return stamp.astimezone(zoneinfo.ZoneInfo(_settings().timezone)).isoformat()


# ----------------------------------------------------------------------------- votes
def round_json(
    round_: VoteRound, community: Area | None = None, ballots: int | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": round_.id,
        "title": round_.title,
        "description": round_.description,
        "community_id": round_.community_id,
        "opens_at": _local(round_.opens_at),
        "closes_at": _local(round_.closes_at),
        "status": round_.status(),
        "url": f"/votes/{round_.id}",
    }
    if community is not None:
        out["community"] = {
            "id": community.id,
            "code": community.code,
            "name_zh": community.name_zh,
            "name_en": community.name_en,
        }
    if ballots is not None:
        out["ballots"] = ballots
    return out


def round_with_results(round_: VoteRound) -> dict[str, Any]:
    session = get_session()
    community = session.get(Area, round_.community_id)
    candidates = q.results(session, round_.id)
    body = round_json(round_, community, sum(c["votes"] for c in candidates))
    body["candidates"] = [
        {
            "project_id": c["project"].id,
            "code": c["project"].code,
            "title_zh": c["project"].title_zh,
            "title_en": c["project"].title_en,
            "phase": c["project"].phase,
            "votes": c["votes"],
            "percent": c["percent"],
            "rank": c["rank"],
            "geometry": c["geometry"],
            "url": f"/projects/{c['project'].id}",
        }
        for c in candidates
    ]
    if current_user.is_authenticated:
        mine = q.my_ballot(session, round_.id, int(current_user.id))
        body["my_ballot"] = {"project_id": mine.project_id} if mine else None
    return body


@bp.get("/votes")
def list_votes() -> Response:
    unknown_params({"community", "limit"})
    session = get_session()
    community_id = None
    if raw := request.args.get("community"):
        community_id = _area_id(raw, "community")
    limit = parse_limit(request.args.get("limit"), 100, 1000)
    found = q.rounds(session, community_id, limit=limit)
    counts = q.ballot_counts(session, [r.id for r, _a in found])
    return jsonify([round_json(r, a, counts.get(r.id, 0)) for r, a in found])


@bp.post("/votes")
def create_vote() -> tuple[Response, int]:
    data = json_body(
        {"community", "title", "description", "opens_at", "closes_at", "project_ids"},
        {"community", "title", "opens_at", "closes_at", "project_ids"},
    )
    session = get_session()
    round_ = svc.create_round(session, current_actor(), data, timezone=_settings().timezone)
    session.commit()
    return jsonify(round_with_results(round_)), 201


@bp.get("/votes/<int:vote_id>")
def get_vote(vote_id: int) -> Response:
    return jsonify(round_with_results(svc.get_round(get_session(), vote_id)))


@bp.post("/votes/<int:vote_id>/ballots")
def cast_ballot(vote_id: int) -> tuple[Response, int]:
    data = json_body({"project_id"}, {"project_id"})
    session = get_session()
    round_ = svc.get_round(session, vote_id)
    ballot = svc.cast_ballot(session, round_, current_actor(), data["project_id"])
    session.commit()
    body = round_with_results(round_)
    body["ballot"] = {"project_id": ballot.project_id, "created_at": ballot.created_at.isoformat()}
    return jsonify(body), 201


# ----------------------------------------------------------------------------- pledges
def pledge_json(p: Pledge) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "amount_yuan": _num(p.amount_yuan),
        "hours": _num(p.hours),
        "note": p.note,
        "created_at": p.created_at.isoformat(),
        "withdrawn_at": p.withdrawn_at.isoformat() if p.withdrawn_at else None,
    }


def pledges_body(project_id: int) -> dict[str, Any]:
    session = get_session()
    s = q.pledge_summary(session, project_id, _hour_value())
    body: dict[str, Any] = {
        "project_id": project_id,
        "money": {
            k: _num(v) if isinstance(v, decimal.Decimal) else v for k, v in s["money"].items()
        },
        "labour": {
            k: _num(v) if isinstance(v, decimal.Decimal) else v for k, v in s["labour"].items()
        },
        "volunteers": s["volunteers"],
        "households": s["households"],
        "labour_hour_value_yuan": _num(s["hour_value_yuan"]),
    }
    if current_user.is_authenticated:
        body["mine"] = [
            pledge_json(p) for p in q.my_pledges(session, project_id, int(current_user.id))
        ]
    return body


@bp.get("/projects/<int:project_id>/pledges")
def project_pledges(project_id: int) -> Response:
    svc.get_project(get_session(), project_id)
    return jsonify(pledges_body(project_id))


@bp.post("/projects/<int:project_id>/pledges")
def make_pledge(project_id: int) -> tuple[Response, int]:
    data = json_body({"kind", "amount_yuan", "hours", "note"}, {"kind"})
    session = get_session()
    project = svc.get_project(session, project_id)
    made = svc.pledge(
        session,
        project,
        current_actor(),
        data["kind"],
        data.get("amount_yuan"),
        data.get("hours"),
        data.get("note"),
    )
    session.commit()
    return jsonify({"pledge": pledge_json(made), **pledges_body(project_id)}), 201


@bp.delete("/projects/<int:project_id>/pledges/<int:pledge_id>")
def withdraw_pledge(project_id: int, pledge_id: int) -> Response:
    session = get_session()
    project = svc.get_project(session, project_id)
    done = svc.withdraw_pledge(session, project, current_actor(), pledge_id)
    session.commit()
    return jsonify({"pledge": pledge_json(done), **pledges_body(project_id)})


# ----------------------------------------------------------------------------- ratings
@bp.get("/projects/<int:project_id>/ratings")
def project_ratings(project_id: int) -> Response:
    session = get_session()
    svc.get_project(session, project_id)
    return jsonify({"project_id": project_id, **q.rating_summary(session, project_id)})


@bp.post("/projects/<int:project_id>/ratings")
def rate_project(project_id: int) -> tuple[Response, int]:
    data = json_body({"score", "comment"}, {"score"})
    session = get_session()
    project = svc.get_project(session, project_id)
    rating = svc.rate_project(session, project, current_actor(), data["score"], data.get("comment"))
    session.commit()
    summary = q.rating_summary(session, project_id)
    mine = {"score": rating.score, "comment": rating.comment}
    return jsonify({"project_id": project_id, "mine": mine, **summary}), 201


@bp.get("/projects/<int:project_id>/related-reports")
def related_reports(project_id: int) -> Response:
    session = get_session()
    project = svc.get_project(session, project_id)
    settings = _settings()
    found = q.related_reports(session, project, settings.related_radius_m, settings.timezone)
    if found is None:
        return jsonify(
            {"project_id": project_id, "completed_on": None, "radius_m": settings.related_radius_m}
        )
    return jsonify(
        {
            "project_id": project_id,
            "completed_on": found.completed_on.isoformat(),
            "radius_m": found.radius_m,
            "window": {"start": found.start.isoformat(), "end": found.end.isoformat()},
            "before": {"reports": found.before, "days": found.before_days},
            "after": {"reports": found.after, "days": found.after_days},
            "months": [
                {"month": m.strftime("%Y-%m"), "before": b, "after": a} for m, b, a in found.months
            ],
        }
    )


# ----------------------------------------------------------------------------- rewards
def rewards_for(street_raw: str | None, year_raw: str | None) -> dict[str, Any]:
    """The reward table of a street and year (default: this year in local time)."""
    settings = _settings()
    return reward_queries.street_rewards(
        get_session(),
        current_app.extensions["gisapp.rewards"],
        street_raw,
        year_raw,
        timezone=settings.timezone,
        hour_value=_hour_value(),
    )


CSV_COLUMNS = (
    "rank",
    "code",
    "title_zh",
    "title_en",
    "phase",
    "budget_yuan",
    "money_yuan",
    "labour_hours",
    "labour_yuan",
    "households",
    "votes",
    "co_management_tasks",
    "points",
    "pool_share",
    "uncapped_yuan",
    "cap_yuan",
    "capped",
    "reward_yuan",
)


def rewards_csv(table: dict[str, Any]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in table["projects"]:
        b = row["breakdown"]
        f = {item["factor"]: item for item in b["factors"]}
        writer.writerow(
            [
                row["rank"],
                cell(row["code"]),
                cell(row["title_zh"]),
                cell(row["title_en"]),
                row["phase"],
                row["budget_yuan"],
                f["residents_money"]["value"],
                f["residents_labour"]["hours"],
                f["residents_labour"]["value"],
                int(f["households"]["value"]),
                int(f["votes"]["value"]),
                int(f["co_management"]["value"]),
                b["points"],
                b["pool_share"],
                b["uncapped_yuan"],
                b["cap_yuan"],
                "yes" if b["capped"] else "no",
                row["reward_yuan"],
            ]
        )
    name = f"rewards-{table['street']['code']}-{table['year']}.csv"
    # A byte-order mark lets spreadsheet programs read the Chinese titles as UTF-8.
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/rewards")
def rewards() -> Response:
    unknown_params({"street", "year", "format"})
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ValidationFailed("format must be json or csv", field="format")
    table = rewards_for(request.args.get("street"), request.args.get("year"))
    if fmt == "csv":
        return rewards_csv(table)
    return jsonify({**table, "factors": list(FACTORS)})


@bp.get("/rewards.csv")
def rewards_as_csv() -> Response:
    unknown_params({"street", "year"})
    return rewards_csv(rewards_for(request.args.get("street"), request.args.get("year")))
