"""street network for walking reach (pgRouting): streets table and topology

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 13:30:00

The tables need only PostGIS. The pgRouting extension is created by scripts/lib.sh as the
superuser (it is not a trusted extension); the app checks for it at request time and falls
back to straight-line distance without it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _geom(kind: str) -> Geometry:
    return Geometry(
        geometry_type=kind,
        srid=4326,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "street_vertices",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("geom", _geom("POINT"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_vertices")),
    )
    op.create_geospatial_index(
        "idx_street_vertices_geom",
        "street_vertices",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "streets",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), server_default="", nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("highway", sa.String(length=40), server_default="", nullable=False),
        sa.Column("geom", _geom("LINESTRING"), nullable=False),
        sa.Column("length_m", sa.Float(), server_default="0", nullable=False),
        sa.Column("source", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("length_m >= 0", name=op.f("ck_streets_length")),
        sa.ForeignKeyConstraint(
            ["source"],
            ["street_vertices.id"],
            name=op.f("fk_streets_source_street_vertices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["street_vertices.id"],
            name=op.f("fk_streets_target_street_vertices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streets")),
    )
    op.create_geospatial_index(
        "idx_streets_geom",
        "streets",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_streets_source"), "streets", ["source"], unique=False)
    op.create_index(op.f("ix_streets_target"), "streets", ["target"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_streets_target"), table_name="streets")
    op.drop_index(op.f("ix_streets_source"), table_name="streets")
    op.drop_geospatial_index(
        "idx_streets_geom", table_name="streets", postgresql_using="gist", column_name="geom"
    )
    op.drop_table("streets")
    op.drop_geospatial_index(
        "idx_street_vertices_geom",
        table_name="street_vertices",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_table("street_vertices")
