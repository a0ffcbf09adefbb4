"""Residents taking part in projects: votes (决策共谋), pledges (发展共建), ratings (效果共评).

- ``VoteRound``: a vote among one community's candidate projects, open from ``opens_at`` until
  ``closes_at``; planners create it.
- ``VoteCandidate``: a project on a round's ballot.
- ``Ballot``: one per account per round (a unique constraint), for one candidate. Any
  signed-in account may vote once: accounts are the identity the platform verifies, and staff
  live in communities too. A ballot is final; who voted for what is never shown publicly.
- ``Pledge``: money (yuan), labour (hours) or a volunteer sign-up for a project; withdrawing one
  stamps ``withdrawn_at`` (the row stays, so the ledger keeps its history).
- ``ProjectRating``: one 1-5 score per account per finished project; rating again replaces it.
"""

from __future__ import annotations

import datetime as dt
import decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gisapp.db import Base

PLEDGE_KINDS = ("money", "labour", "volunteer")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class VoteRound(Base):
    __tablename__ = "vote_rounds"
    __table_args__ = (sa.CheckConstraint("closes_at > opens_at", name="window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    opens_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )

    def status(self, now: dt.datetime | None = None) -> str:
        """``upcoming``, ``open`` or ``closed`` (open includes opens_at, excludes closes_at)."""
        now = now or _now()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class VoteCandidate(Base):
    __tablename__ = "vote_candidates"

    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("vote_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")


class Ballot(Base):
    __tablename__ = "vote_ballots"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_vote_ballots_one_per_account"),
        # A ballot can only name a candidate of its own round.
        sa.ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["vote_candidates.round_id", "vote_candidates.project_id"],
            name="fk_vote_ballots_candidate",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_rounds.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )


class Pledge(Base):
    __tablename__ = "project_pledges"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('money', 'labour', 'volunteer')", name="kind"),
        sa.CheckConstraint(
            "(kind = 'money' AND amount_yuan > 0 AND hours IS NULL)"
            " OR (kind = 'labour' AND hours > 0 AND amount_yuan IS NULL)"
            " OR (kind = 'volunteer' AND amount_yuan IS NULL AND hours IS NULL)",
            name="amount",
        ),
        # One standing volunteer sign-up per account and project.
        sa.Index(
            "uq_project_pledges_one_volunteer",
            "project_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("kind = 'volunteer' AND withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    amount_yuan: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(12, 2))
    hours: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(8, 1))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ProjectRating(Base):
    __tablename__ = "project_ratings"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
