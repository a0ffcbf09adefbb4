"""outcomes: per-area monthly outcome facts kept by triggers; projects' before/after photos

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gisapp.migrations import read_sql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = (
    "gisapp_outcomes_rebuild()",
    "gisapp_outcomes_after_ratings()",
    "gisapp_outcomes_after_reports_truncate()",
    "gisapp_outcomes_before_report_delete()",
    "gisapp_outcomes_after_reports()",
    "gisapp_outcome_ratings_sql(text)",
    "gisapp_outcome_months_sql(text)",
)
# Histogram of whole days to resolve (see the .sql file): d0 … d7, then 8-10, 11-14, …, 366+.
DAY_BUCKETS = (
    "d0",
    "d1",
    "d2",
    "d3",
    "d4",
    "d5",
    "d6",
    "d7",
    "d8",
    "d11",
    "d15",
    "d22",
    "d31",
    "d46",
    "d61",
    "d91",
    "d181",
    "d366",
)
TRIGGERS = (
    ("report_ratings_outcomes_del", "report_ratings"),
    ("report_ratings_outcomes_upd", "report_ratings"),
    ("report_ratings_outcomes_ins", "report_ratings"),
    ("reports_outcomes_truncate", "reports"),
    ("reports_outcomes_del_ratings", "reports"),
    ("reports_outcomes_del", "reports"),
    ("reports_outcomes_upd", "reports"),
    ("reports_outcomes_ins", "reports"),
)


def upgrade() -> None:
    op.create_table(
        "project_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("caption", sa.String(length=200), server_default="", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("stage IN ('before', 'after')", name=op.f("ck_project_photos_stage")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_photos_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_photos_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_photos")),
        sa.UniqueConstraint("filename", name=op.f("uq_project_photos_filename")),
    )
    op.create_index(op.f("ix_project_photos_project_id"), "project_photos", ["project_id"])
    op.create_table(
        "outcome_area_months",
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), server_default="0", nullable=False),
        sa.Column("resolved", sa.Integer(), server_default="0", nullable=False),
        sa.Column("resolve_days", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("ratings", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False),
        *(
            sa.Column(name, sa.Integer(), server_default="0", nullable=False)
            for name in DAY_BUCKETS
        ),
        sa.PrimaryKeyConstraint("level", "month", "area_id", name=op.f("pk_outcome_area_months")),
    )
    op.create_index("ix_outcome_area_months_area", "outcome_area_months", ["area_id", "month"])
    op.execute(read_sql("0010_outcome_facts.sql"))


def downgrade() -> None:
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_index("ix_outcome_area_months_area", table_name="outcome_area_months")
    op.drop_table("outcome_area_months")
    op.drop_index(op.f("ix_project_photos_project_id"), table_name="project_photos")
    op.drop_table("project_photos")
