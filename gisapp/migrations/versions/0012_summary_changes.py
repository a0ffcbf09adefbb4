"""summary changes: the tile and outcome triggers append deltas, folded later, so concurrent
reports no longer wait for each other's summary row locks

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 17:00:00
"""

from collections.abc import Sequence

from alembic import op

from gisapp.migrations import read_sql, sql_function

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDS = (
    ("tile_version_changes", "tile_versions", "ARRAY['tbl', 'x', 'y']"),
    ("tile_cell_changes", "tile_cells", "ARRAY['tbl', 'lvl', 'cx', 'cy', 'k', 'f']"),
    ("outcome_area_month_changes", "outcome_area_months", "ARRAY['level', 'month', 'area_id']"),
)
# The functions this migration replaced, as 0008 and 0010 wrote them.
RESTORED = (
    ("0008_tiles.sql", "gisapp_tile_keys_sql"),
    ("0008_tiles.sql", "gisapp_tile_cells_sql"),
    ("0008_tiles.sql", "gisapp_tile_cells_rebuild"),
    ("0010_outcome_facts.sql", "gisapp_outcome_months_sql"),
    ("0010_outcome_facts.sql", "gisapp_outcome_ratings_sql"),
    ("0010_outcome_facts.sql", "gisapp_outcomes_after_reports_truncate"),
    ("0010_outcome_facts.sql", "gisapp_outcomes_rebuild"),
)


def upgrade() -> None:
    op.execute(read_sql("0012_summary_changes.sql"))


def downgrade() -> None:
    for changes, target, keys in FOLDS:
        op.execute(f"SELECT gisapp_fold('{changes}', '{target}', {keys})")
    op.execute("DROP FUNCTION gisapp_tile_cells_sql(text, text, integer, text)")
    for name, function in RESTORED:
        op.execute(sql_function(name, function))
    op.execute("DROP FUNCTION gisapp_summaries_fold()")
    op.execute("DROP FUNCTION gisapp_fold(text, text, text[])")
    for changes, _target, _keys in FOLDS:
        op.execute(f"DROP TABLE {changes}")
