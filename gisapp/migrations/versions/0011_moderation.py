"""moderation and audit: hidden/held reports, hidden updates and photos, the audit log

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 13:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "reports",
        sa.Column("moderation", sa.String(8), server_default="visible", nullable=False),
    )
    op.add_column(
        "reports", sa.Column("moderation_reason", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "reports",
        sa.Column(
            "spam_flags",
            postgresql.ARRAY(sa.String(16)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
    )
    op.create_check_constraint(
        op.f("ck_reports_moderation"), "reports", "moderation IN ('visible', 'held', 'hidden')"
    )
    # The review queue reads only the few rows that are not visible.
    op.create_index(
        "ix_reports_moderation_queue",
        "reports",
        ["created_at"],
        postgresql_where=sa.text("moderation <> 'visible'"),
    )
    op.add_column("report_events", sa.Column("hidden_reason", sa.Text(), nullable=True))
    op.add_column("report_photos", sa.Column("hidden_reason", sa.Text(), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "actor_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_audit_log_actor_id_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column(
            "detail",
            postgresql.JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id", "at"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    # The low-zoom tile cells (0008) are kept per moderation state from now on: recount them.
    op.execute("SELECT gisapp_tile_cells_rebuild('reports')")


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_column("report_photos", "hidden_reason")
    op.drop_column("report_events", "hidden_reason")
    op.drop_index("ix_reports_moderation_queue", table_name="reports")
    op.drop_constraint(op.f("ck_reports_moderation"), "reports", type_="check")
    op.drop_column("reports", "spam_flags")
    op.drop_column("reports", "moderation_reason")
    op.drop_column("reports", "moderation")
