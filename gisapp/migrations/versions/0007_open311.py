"""Open311: API keys for other systems' clients

Keys get who made them, when they were last used and when they were revoked (a date instead of
a flag, so the admin page can say when); ``key_prefix`` (the first characters of the key) lets
an admin tell keys apart without the key itself being stored. ``open311_requests`` records which
key filed which report, the client's ``media_url`` and the token that ``tokens/{token}``
resolves.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_keys", sa.Column("key_prefix", sa.String(length=12), server_default="", nullable=False)
    )
    op.add_column("api_keys", sa.Column("created_by", sa.Integer(), nullable=True))
    op.add_column("api_keys", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("api_keys", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        op.f("fk_api_keys_created_by_users"),
        "api_keys",
        "users",
        ["created_by"],
        ["id"],
        ondelete="SET NULL",
    )
    op.execute("UPDATE api_keys SET revoked_at = created_at WHERE revoked")
    op.drop_column("api_keys", "revoked")
    op.create_table(
        "open311_requests",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_open311_requests_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_open311_requests_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_open311_requests")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_requests_token")),
    )
    op.create_index(
        op.f("ix_open311_requests_api_key_id"), "open311_requests", ["api_key_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_open311_requests_api_key_id"), table_name="open311_requests")
    op.drop_table("open311_requests")
    op.add_column(
        "api_keys",
        sa.Column("revoked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.execute("UPDATE api_keys SET revoked = revoked_at IS NOT NULL")
    op.drop_constraint(op.f("fk_api_keys_created_by_users"), "api_keys", type_="foreignkey")
    op.drop_column("api_keys", "last_used_at")
    op.drop_column("api_keys", "revoked_at")
    op.drop_column("api_keys", "created_by")
    op.drop_column("api_keys", "key_prefix")
