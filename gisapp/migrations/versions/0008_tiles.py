"""vector tiles: per-z10-tile versions, bumped by triggers, that key the tile cache and ETags

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 13:30:00
"""

from collections.abc import Sequence

from alembic import op

from gisapp.migrations import read_sql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("reports", "facilities", "projects", "areas")


def upgrade() -> None:
    op.execute(read_sql("0008_tiles.sql"))
    for table in TABLES:
        # Transition tables allow one event per trigger, hence three per table.
        op.execute(
            f"CREATE TRIGGER {table}_tiles_ins AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION gisapp_tile_bump()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_tiles_upd AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION gisapp_tile_bump()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_tiles_del AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION gisapp_tile_bump()"
        )
    # Whatever is already there counts as version 1 of its tiles, and goes into the cells.
    for table in TABLES:
        # The table names are this migration's own constants.
        backfill = (
            "INSERT INTO tile_versions (tbl, x, y) "  # noqa: S608
            f"SELECT DISTINCT '{table}', k.x, k.y FROM {table} t, gisapp_tile_keys(t.geom) k "
            "ON CONFLICT DO NOTHING"
        )
        op.execute(backfill)
    op.execute("SELECT gisapp_tile_cells_rebuild(tbl) FROM tile_cell_spec")


def downgrade() -> None:
    for table in TABLES:
        for event in ("ins", "upd", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_tiles_{event} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS gisapp_tile_bump()")
    op.execute("DROP FUNCTION IF EXISTS gisapp_tile_keys(geometry)")
    op.execute("DROP FUNCTION IF EXISTS gisapp_tile_cells_rebuild(text)")
    op.execute("DROP FUNCTION IF EXISTS gisapp_tile_cells_sql(text, text, integer)")
    op.execute("DROP TABLE IF EXISTS tile_cells")
    op.execute("DROP TABLE IF EXISTS tile_cell_spec")
    op.execute("DROP TABLE IF EXISTS tile_versions")
