"""tile cells at level 15: z10 and z11 tiles add up ~1,000 cells each instead of ~16,000

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 17:30:00
"""

from collections.abc import Sequence

from alembic import op

from gisapp.migrations import sql_function

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0012's cells statement, which counts levels 13 and 17.
CELLS_0012 = sql_function("0012_summary_changes.sql", "gisapp_tile_cells_sql")
LEVELS_0012 = "(VALUES (13), (17)) AS l(lvl)"


def upgrade() -> None:
    assert LEVELS_0012 in CELLS_0012
    op.execute(CELLS_0012.replace(LEVELS_0012, "(VALUES (13), (15), (17)) AS l(lvl)"))
    # Count every table's level-15 cells now (the rebuild recounts all levels, in one pass).
    op.execute("SELECT gisapp_tile_cells_rebuild(tbl) FROM tile_cell_spec")


def downgrade() -> None:
    op.execute(CELLS_0012)
    op.execute("DELETE FROM tile_cells WHERE lvl = 15")
    op.execute("DELETE FROM tile_cell_changes WHERE lvl = 15")
