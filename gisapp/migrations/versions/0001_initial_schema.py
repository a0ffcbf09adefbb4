"""initial schema: areas, reports, projects, facilities, users, and the area-link triggers

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:45:22.650595
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from gisapp.migrations import read_sql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_geospatial_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "level IN ('district', 'street', 'community', 'grid', 'building')",
            name=op.f("ck_areas_level"),
        ),
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_areas_valid_geom")),
        sa.CheckConstraint(
            "households IS NULL OR households >= 0", name=op.f("ck_areas_households")
        ),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0", name=op.f("ck_areas_population")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["areas.id"], name=op.f("fk_areas_parent_id_areas"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_areas_code")),
    )
    op.create_geospatial_index(
        "idx_areas_geom",
        "areas",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_areas_level"), "areas", ["level"], unique=False)
    op.create_index(op.f("ix_areas_parent_id"), "areas", ["parent_id"], unique=False)
    op.create_table(
        "categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("color", sa.String(length=9), server_default="#d7263d", nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_categories")),
    )
    op.create_table(
        "facility_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=9), server_default="#1b998b", nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_facility_types")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), server_default="resident", nullable=False),
        sa.Column("display_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('resident', 'grid_worker', 'planner', 'manager', 'admin')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_geospatial_table(
        "facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("install_date", sa.Date(), nullable=True),
        sa.Column("responsible_party", sa.String(length=200), server_default="", nullable=False),
        sa.Column("condition", sa.String(length=8), server_default="good", nullable=False),
        sa.Column("maintenance_interval_days", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), server_default="active", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "condition IN ('good', 'fair', 'poor')", name=op.f("ck_facilities_condition")
        ),
        sa.CheckConstraint("status IN ('active', 'removed')", name=op.f("ck_facilities_status")),
        sa.CheckConstraint(
            "maintenance_interval_days IS NULL OR maintenance_interval_days > 0",
            name=op.f("ck_facilities_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["areas.id"],
            name=op.f("fk_facilities_building_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["areas.id"],
            name=op.f("fk_facilities_community_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["areas.id"],
            name=op.f("fk_facilities_district_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["areas.id"], name=op.f("fk_facilities_grid_id_areas"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["areas.id"],
            name=op.f("fk_facilities_street_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["type"], ["facility_types.code"], name=op.f("fk_facilities_type_facility_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("code", name=op.f("uq_facilities_code")),
    )
    op.create_geospatial_index(
        "idx_facilities_geom",
        "facilities",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_facilities_building_id"), "facilities", ["building_id"], unique=False)
    op.create_index(
        op.f("ix_facilities_community_id"), "facilities", ["community_id"], unique=False
    )
    op.create_index(op.f("ix_facilities_district_id"), "facilities", ["district_id"], unique=False)
    op.create_index(op.f("ix_facilities_grid_id"), "facilities", ["grid_id"], unique=False)
    op.create_index(op.f("ix_facilities_street_id"), "facilities", ["street_id"], unique=False)
    op.create_index(op.f("ix_facilities_type"), "facilities", ["type"], unique=False)
    op.create_geospatial_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("phase", sa.String(length=16), server_default="co_decide", nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("budget_yuan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON') AND ST_IsValid(geom)",
            name=op.f("ck_projects_geom"),
        ),
        sa.CheckConstraint(
            "phase IN ('co_decide', 'co_build', 'co_manage', 'co_evaluate', 'co_share')",
            name=op.f("ck_projects_phase"),
        ),
        sa.CheckConstraint(
            "budget_yuan IS NULL OR budget_yuan >= 0", name=op.f("ck_projects_budget")
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_projects_progress")),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["areas.id"],
            name=op.f("fk_projects_building_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["areas.id"],
            name=op.f("fk_projects_community_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["areas.id"],
            name=op.f("fk_projects_district_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["areas.id"], name=op.f("fk_projects_grid_id_areas"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["areas.id"],
            name=op.f("fk_projects_street_id_areas"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    op.create_geospatial_index(
        "idx_projects_geom",
        "projects",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_projects_building_id"), "projects", ["building_id"], unique=False)
    op.create_index(op.f("ix_projects_community_id"), "projects", ["community_id"], unique=False)
    op.create_index(op.f("ix_projects_district_id"), "projects", ["district_id"], unique=False)
    op.create_index(op.f("ix_projects_grid_id"), "projects", ["grid_id"], unique=False)
    op.create_index(op.f("ix_projects_phase"), "projects", ["phase"], unique=False)
    op.create_index(op.f("ix_projects_street_id"), "projects", ["street_id"], unique=False)
    op.create_geospatial_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="submitted", nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("support_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'in_progress', 'resolved', 'closed', 'duplicate', 'rejected')",
            name=op.f("ck_reports_status"),
        ),
        sa.CheckConstraint(
            "char_length(description) BETWEEN 1 AND 2000", name=op.f("ck_reports_description")
        ),
        sa.CheckConstraint("support_count >= 0", name=op.f("ck_reports_support_count")),
        sa.CheckConstraint("updated_at >= created_at", name=op.f("ck_reports_timestamps")),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["areas.id"],
            name=op.f("fk_reports_building_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["category"], ["categories.code"], name=op.f("fk_reports_category_categories")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["areas.id"],
            name=op.f("fk_reports_community_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["areas.id"],
            name=op.f("fk_reports_district_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["areas.id"], name=op.f("fk_reports_grid_id_areas"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["areas.id"],
            name=op.f("fk_reports_street_id_areas"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_geospatial_index(
        "idx_reports_geom",
        "reports",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_reports_building_id"), "reports", ["building_id"], unique=False)
    op.create_index(op.f("ix_reports_community_id"), "reports", ["community_id"], unique=False)
    op.create_index("ix_reports_created_at", "reports", ["created_at"], unique=False)
    op.create_index(op.f("ix_reports_district_id"), "reports", ["district_id"], unique=False)
    op.create_index(op.f("ix_reports_grid_id"), "reports", ["grid_id"], unique=False)
    op.create_index(op.f("ix_reports_reporter_id"), "reports", ["reporter_id"], unique=False)
    op.create_index("ix_reports_status_category", "reports", ["status", "category"], unique=False)
    op.create_index(op.f("ix_reports_street_id"), "reports", ["street_id"], unique=False)
    op.create_table(
        "user_areas",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_user_areas_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_areas_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "area_id", name=op.f("pk_user_areas")),
    )
    op.create_table(
        "maintenance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("performed_by", sa.String(length=200), server_default="", nullable=False),
        sa.Column("volunteer", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('inspection', 'repair')", name=op.f("ck_maintenance_records_kind")
        ),
        sa.CheckConstraint(
            "result IN ('ok', 'fault', 'fixed')", name=op.f("ck_maintenance_records_result")
        ),
        sa.CheckConstraint(
            "minutes IS NULL OR minutes >= 0", name=op.f("ck_maintenance_records_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_maintenance_records_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_maintenance_records_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_records")),
    )
    op.create_index(
        "ix_maintenance_records_facility_date",
        "maintenance_records",
        ["facility_id", "performed_on"],
        unique=False,
    )
    op.create_table(
        "report_contacts",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_contacts_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_contacts")),
    )
    op.create_table(
        "report_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_photos_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_photos")),
        sa.UniqueConstraint("filename", name=op.f("uq_report_photos_filename")),
    )
    op.create_index(
        op.f("ix_report_photos_report_id"), "report_photos", ["report_id"], unique=False
    )
    op.execute(read_sql("0001_area_links.sql"))


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS areas_relink ON areas")
    op.execute("DROP FUNCTION IF EXISTS gisapp_relink_under_area(), gisapp_link_feature() CASCADE")
    op.execute("DROP FUNCTION IF EXISTS gisapp_area_links(geometry)")
    op.drop_index(op.f("ix_report_photos_report_id"), table_name="report_photos")
    op.drop_table("report_photos")
    op.drop_table("report_contacts")
    op.drop_index("ix_maintenance_records_facility_date", table_name="maintenance_records")
    op.drop_table("maintenance_records")
    op.drop_table("user_areas")
    op.drop_index(op.f("ix_reports_street_id"), table_name="reports")
    op.drop_index("ix_reports_status_category", table_name="reports")
    op.drop_index(op.f("ix_reports_reporter_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_grid_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_district_id"), table_name="reports")
    op.drop_index("ix_reports_created_at", table_name="reports")
    op.drop_index(op.f("ix_reports_community_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_building_id"), table_name="reports")
    op.drop_geospatial_index(
        "idx_reports_geom", table_name="reports", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("reports")
    op.drop_index(op.f("ix_projects_street_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_phase"), table_name="projects")
    op.drop_index(op.f("ix_projects_grid_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_district_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_community_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_building_id"), table_name="projects")
    op.drop_geospatial_index(
        "idx_projects_geom", table_name="projects", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("projects")
    op.drop_index(op.f("ix_facilities_type"), table_name="facilities")
    op.drop_index(op.f("ix_facilities_street_id"), table_name="facilities")
    op.drop_index(op.f("ix_facilities_grid_id"), table_name="facilities")
    op.drop_index(op.f("ix_facilities_district_id"), table_name="facilities")
    op.drop_index(op.f("ix_facilities_community_id"), table_name="facilities")
    op.drop_index(op.f("ix_facilities_building_id"), table_name="facilities")
    op.drop_geospatial_index(
        "idx_facilities_geom", table_name="facilities", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("facilities")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("facility_types")
    op.drop_table("categories")
    op.drop_index(op.f("ix_areas_parent_id"), table_name="areas")
    op.drop_index(op.f("ix_areas_level"), table_name="areas")
    op.drop_geospatial_index(
        "idx_areas_geom", table_name="areas", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("areas")
    op.drop_table("api_keys")
