"""residents: report events (timeline and audit), supports, ratings, follows, outbox, idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:04:58.112169
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(report_id IS NULL) <> (area_id IS NULL)", name=op.f("ck_follows_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_follows_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_follows_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint(
            "user_id",
            "report_id",
            "area_id",
            name=op.f("uq_follows_target"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_follows_area_id"), "follows", ["area_id"], unique=False)
    op.create_index(op.f("ix_follows_report_id"), "follows", ["report_id"], unique=False)
    op.create_index(op.f("ix_follows_user_id"), "follows", ["user_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_outbox_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_outbox_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_report_id"), "outbox", ["report_id"], unique=False)
    op.create_index("ix_outbox_user_created", "outbox", ["user_id", "created_at"], unique=False)
    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("related_report_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('filed', 'status', 'update', 'merged', 'reopened', 'rated')",
            name=op.f("ck_report_events_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_report_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["related_report_id"],
            ["reports.id"],
            name=op.f("fk_report_events_related_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_events_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    op.create_index(
        "ix_report_events_report_created",
        "report_events",
        ["report_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "report_ratings",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("rater", sa.String(length=80), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_report_ratings_score")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_ratings_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "rater", name=op.f("pk_report_ratings")),
    )
    op.create_table(
        "report_supports",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("supporter", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_supports_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_report_supports_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("report_id", "supporter", name=op.f("pk_report_supports")),
    )
    op.add_column(
        "categories", sa.Column("time_limit_days", sa.Integer(), server_default="7", nullable=False)
    )
    op.add_column("reports", sa.Column("reporter_key", sa.String(length=80), nullable=True))
    op.add_column("reports", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reports", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_reports_due_at"), "reports", ["due_at"], unique=False)
    op.create_index(
        op.f("ix_reports_duplicate_of_id"), "reports", ["duplicate_of_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_reports_duplicate_of_id_reports"),
        "reports",
        "reports",
        ["duplicate_of_id"],
        ["id"],
        ondelete="SET NULL",
    )
    # Reports filed before time limits existed get the default limit from their filing date.
    op.execute(
        "UPDATE reports r SET due_at = r.created_at + c.time_limit_days * interval '1 day' "
        "FROM categories c WHERE c.code = r.category AND r.due_at IS NULL"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_reports_duplicate_of_id_reports"), "reports", type_="foreignkey")
    op.drop_index(op.f("ix_reports_duplicate_of_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_due_at"), table_name="reports")
    op.drop_column("reports", "duplicate_of_id")
    op.drop_column("reports", "due_at")
    op.drop_column("reports", "reporter_key")
    op.drop_column("categories", "time_limit_days")
    op.drop_table("report_supports")
    op.drop_table("report_ratings")
    op.drop_index("ix_report_events_report_created", table_name="report_events")
    op.drop_table("report_events")
    op.drop_index("ix_outbox_user_created", table_name="outbox")
    op.drop_index(op.f("ix_outbox_report_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_follows_user_id"), table_name="follows")
    op.drop_index(op.f("ix_follows_report_id"), table_name="follows")
    op.drop_index(op.f("ix_follows_area_id"), table_name="follows")
    op.drop_table("follows")
    op.drop_table("idempotency_keys")
