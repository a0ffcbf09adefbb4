"""participation: vote rounds with candidates and ballots, pledges, project ratings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 11:31:43.210128
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vote_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_vote_rounds_window")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["areas.id"],
            name=op.f("fk_vote_rounds_community_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_vote_rounds_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_rounds")),
    )
    op.create_index(
        op.f("ix_vote_rounds_community_id"), "vote_rounds", ["community_id"], unique=False
    )
    op.create_table(
        "project_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount_yuan", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("hours", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("note", sa.String(length=500), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'money' AND amount_yuan > 0 AND hours IS NULL) OR (kind = 'labour' AND hours > 0 AND amount_yuan IS NULL) OR (kind = 'volunteer' AND amount_yuan IS NULL AND hours IS NULL)",
            name=op.f("ck_project_pledges_amount"),
        ),
        sa.CheckConstraint(
            "kind IN ('money', 'labour', 'volunteer')", name=op.f("ck_project_pledges_kind")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_pledges_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_pledges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_pledges")),
    )
    op.create_index(
        op.f("ix_project_pledges_project_id"), "project_pledges", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_project_pledges_user_id"), "project_pledges", ["user_id"], unique=False
    )
    op.create_index(
        "uq_project_pledges_one_volunteer",
        "project_pledges",
        ["project_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'volunteer' AND withdrawn_at IS NULL"),
    )
    op.create_table(
        "project_ratings",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_project_ratings_score")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_ratings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_ratings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_project_ratings")),
    )
    op.create_index(
        op.f("ix_project_ratings_user_id"), "project_ratings", ["user_id"], unique=False
    )
    op.create_table(
        "vote_candidates",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_vote_candidates_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["vote_rounds.id"],
            name=op.f("fk_vote_candidates_round_id_vote_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "project_id", name=op.f("pk_vote_candidates")),
    )
    op.create_index(
        op.f("ix_vote_candidates_project_id"), "vote_candidates", ["project_id"], unique=False
    )
    op.create_table(
        "vote_ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["vote_candidates.round_id", "vote_candidates.project_id"],
            name="fk_vote_ballots_candidate",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["vote_rounds.id"],
            name=op.f("fk_vote_ballots_round_id_vote_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_vote_ballots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_ballots")),
        sa.UniqueConstraint("round_id", "user_id", name="uq_vote_ballots_one_per_account"),
    )
    op.create_index(
        op.f("ix_vote_ballots_project_id"), "vote_ballots", ["project_id"], unique=False
    )
    op.create_index(op.f("ix_vote_ballots_user_id"), "vote_ballots", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_vote_ballots_user_id"), table_name="vote_ballots")
    op.drop_index(op.f("ix_vote_ballots_project_id"), table_name="vote_ballots")
    op.drop_table("vote_ballots")
    op.drop_index(op.f("ix_vote_candidates_project_id"), table_name="vote_candidates")
    op.drop_table("vote_candidates")
    op.drop_index(op.f("ix_project_ratings_user_id"), table_name="project_ratings")
    op.drop_table("project_ratings")
    op.drop_index(
        "uq_project_pledges_one_volunteer",
        table_name="project_pledges",
        postgresql_where=sa.text("kind = 'volunteer' AND withdrawn_at IS NULL"),
    )
    op.drop_index(op.f("ix_project_pledges_user_id"), table_name="project_pledges")
    op.drop_index(op.f("ix_project_pledges_project_id"), table_name="project_pledges")
    op.drop_table("project_pledges")
    op.drop_index(op.f("ix_vote_rounds_community_id"), table_name="vote_rounds")
    op.drop_table("vote_rounds")
