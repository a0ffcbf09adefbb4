"""outcome facts for streets and districts too: /outcomes reads ten district rows a month, not
a thousand communities' (safe now that the triggers append instead of locking rows, 0012)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 17:40:00
"""

from collections.abc import Sequence

from alembic import op

from gisapp.migrations import sql_function

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0012's statements, which count communities and grids (p: reports, s: ratings).
STATEMENTS_0012 = {
    name: sql_function("0012_summary_changes.sql", name)
    for name in ("gisapp_outcome_months_sql", "gisapp_outcome_ratings_sql")
}


def _levels(alias: str) -> tuple[str, str]:
    old = f"(VALUES ('community', {alias}.community_id), ('grid', {alias}.grid_id))"
    new = (
        f"(VALUES ('district', {alias}.district_id), ('street', {alias}.street_id),"
        f" ('community', {alias}.community_id), ('grid', {alias}.grid_id))"
    )
    return old, new


def upgrade() -> None:
    for alias, text in zip("ps", STATEMENTS_0012.values(), strict=True):
        old, new = _levels(alias)
        assert old in text
        op.execute(text.replace(old, new))
    op.execute("SELECT gisapp_outcomes_rebuild()")


def downgrade() -> None:
    for text in STATEMENTS_0012.values():
        op.execute(text)
    for table in ("outcome_area_months", "outcome_area_month_changes"):
        op.execute(f"DELETE FROM {table} WHERE level IN ('street', 'district')")  # noqa: S608
