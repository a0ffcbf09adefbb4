"""projects: budget lines by source, dated milestones, linked reports, origin of a project

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("amount_yuan", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("hours", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.CheckConstraint(
            "source IN ('government', 'reward', 'residents_money', 'residents_labour', "
            "'enterprise', 'social')",
            name=op.f("ck_project_budget_lines_source"),
        ),
        sa.CheckConstraint("amount_yuan >= 0", name=op.f("ck_project_budget_lines_amount")),
        sa.CheckConstraint(
            "hours IS NULL OR hours >= 0", name=op.f("ck_project_budget_lines_hours")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_budget_lines_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_budget_lines")),
    )
    op.create_index(
        op.f("ix_project_budget_lines_project_id"), "project_budget_lines", ["project_id"]
    )
    op.create_table(
        "project_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "phase IN ('co_decide', 'co_build', 'co_manage', 'co_evaluate', 'co_share')",
            name=op.f("ck_project_milestones_phase"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_milestones_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_milestones")),
    )
    op.create_index(op.f("ix_project_milestones_project_id"), "project_milestones", ["project_id"])
    op.create_table(
        "project_reports",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_reports_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_project_reports_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "report_id", name=op.f("pk_project_reports")),
    )
    op.create_index(op.f("ix_project_reports_report_id"), "project_reports", ["report_id"])
    op.add_column("projects", sa.Column("facility_type", sa.String(length=40), nullable=True))
    op.add_column("projects", sa.Column("created_by", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_projects_facility_type_facility_types"),
        "projects",
        "facility_types",
        ["facility_type"],
        ["code"],
    )
    op.create_foreign_key(
        op.f("fk_projects_created_by_users"),
        "projects",
        "users",
        ["created_by"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_projects_created_by_users"), "projects", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_projects_facility_type_facility_types"), "projects", type_="foreignkey"
    )
    op.drop_column("projects", "created_by")
    op.drop_column("projects", "facility_type")
    op.drop_index(op.f("ix_project_reports_report_id"), table_name="project_reports")
    op.drop_table("project_reports")
    op.drop_index(op.f("ix_project_milestones_project_id"), table_name="project_milestones")
    op.drop_table("project_milestones")
    op.drop_index(op.f("ix_project_budget_lines_project_id"), table_name="project_budget_lines")
    op.drop_table("project_budget_lines")
