"""outcome facts count visible reports only: held and hidden reports, and their ratings, stay
out of /outcomes as they stay off the map

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 03:00:00
"""

from collections.abc import Sequence

from alembic import op

from gisapp.migrations import read_sql, sql_function

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The functions this migration replaces, as they were before it.
RESTORED = (
    ("0010_outcome_facts.sql", "gisapp_outcomes_after_reports"),
    ("0010_outcome_facts.sql", "gisapp_outcomes_before_report_delete"),
    ("0010_outcome_facts.sql", "gisapp_outcomes_after_ratings"),
    ("0012_summary_changes.sql", "gisapp_outcomes_rebuild"),
)


def upgrade() -> None:
    op.execute(read_sql("0016_outcomes_visible.sql"))


def downgrade() -> None:
    for name, function in RESTORED:
        op.execute(sql_function(name, function))
    op.execute("SELECT gisapp_outcomes_rebuild()")
