"""intake indexes: the spam checks run on every new report; without these they scanned the
day's reports (6 ms at 1,400 a day, more in a burst)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reports_description_hash", "reports", ["description"], postgresql_using="hash"
    )
    op.create_index("ix_reports_reporter_recent", "reports", ["reporter_key", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_reporter_recent", table_name="reports")
    op.drop_index("ix_reports_description_hash", table_name="reports")
