"""maintenance: stewards, facility photos, fault reports linked to facilities, and the facts
(per facility and per facility-month) that coverage by area is computed from

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gisapp.migrations import read_sql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("facilities", sa.Column("removed_on", sa.Date(), nullable=True))
    op.create_check_constraint(
        op.f("ck_facilities_removed_on"), "facilities", "removed_on IS NULL OR status = 'removed'"
    )
    op.create_check_constraint(
        op.f("ck_maintenance_records_kind_result"),
        "maintenance_records",
        "(kind = 'inspection' AND result IN ('ok', 'fault')) "
        "OR (kind = 'repair' AND result IN ('fixed', 'fault'))",
    )
    op.create_index(
        op.f("ix_maintenance_records_user_id"), "maintenance_records", ["user_id"], unique=False
    )
    op.add_column("reports", sa.Column("facility_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_reports_facility_id"), "reports", ["facility_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_reports_facility_id_facilities"),
        "reports",
        "facilities",
        ["facility_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_table(
        "facility_stewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_facility_stewards_period")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["areas.id"],
            name=op.f("fk_facility_stewards_community_id_areas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["users.id"],
            name=op.f("fk_facility_stewards_ended_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_stewards_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_facility_stewards_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_stewards")),
    )
    op.create_index(
        "ix_facility_stewards_active_user",
        "facility_stewards",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "uq_facility_stewards_active_facility",
        "facility_stewards",
        ["facility_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "facility_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_photos_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["maintenance_records.id"],
            name=op.f("fk_facility_photos_record_id_maintenance_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_facility_photos_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_photos")),
        sa.UniqueConstraint("filename", name=op.f("uq_facility_photos_filename")),
    )
    op.create_index(
        op.f("ix_facility_photos_facility_id"), "facility_photos", ["facility_id"], unique=False
    )
    op.create_index(
        op.f("ix_facility_photos_record_id"), "facility_photos", ["record_id"], unique=False
    )
    op.create_table(
        "facility_facts",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("last_visit_on", sa.Date(), nullable=True),
        sa.Column("last_result", sa.String(length=8), nullable=True),
        sa.Column("open_reports", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_due_on",
            sa.Date(),
            sa.Computed("coalesce(last_visit_on, start_on) + interval_days", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "out_of_service",
            sa.Boolean(),
            sa.Computed(
                "open_reports > 0 OR coalesce(last_result = 'fault', false)", persisted=True
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_facts_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", name=op.f("pk_facility_facts")),
    )
    # Covering indexes: a level's coverage figures are an index-only scan in area order.
    for level in ("district", "street", "community", "grid", "building"):
        op.create_index(
            f"ix_facility_facts_{level}",
            "facility_facts",
            [f"{level}_id"],
            postgresql_include=[
                "active",
                "type",
                "next_due_on",
                "out_of_service",
                "open_reports",
                "last_result",
            ],
        )
    op.create_table(
        "facility_months",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("records", sa.Integer(), server_default="0", nullable=False),
        sa.Column("volunteer_records", sa.Integer(), server_default="0", nullable=False),
        sa.Column("minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("volunteer_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_visit_on", sa.Date(), nullable=True),
        sa.Column("faults_closed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fault_close_days", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_months_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", "month", name=op.f("pk_facility_months")),
    )
    op.create_index("ix_facility_months_month", "facility_months", ["month"], unique=False)
    op.create_table(
        "maintenance_area_months",
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), server_default="0", nullable=False),
        sa.Column("volunteer_records", sa.Integer(), server_default="0", nullable=False),
        sa.Column("minutes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("volunteer_minutes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("faults_closed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fault_close_days", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint(
            "level", "type", "month", "area_id", name=op.f("pk_maintenance_area_months")
        ),
    )
    op.create_index(
        "ix_maintenance_area_months_area",
        "maintenance_area_months",
        ["area_id", "type", "month"],
        unique=False,
    )
    # Triggers that keep facility_facts and facility_months, then the first fill.
    op.execute(read_sql("0003_maintenance_facts.sql"))


def downgrade() -> None:
    for table, triggers in (
        ("facility_types", ("facility_types_facts_upd",)),
        ("facilities", ("facilities_facts_ins", "facilities_facts_upd", "facilities_facts_del")),
        ("reports", ("reports_facts_ins", "reports_facts_upd", "reports_facts_del")),
        (
            "maintenance_records",
            (
                "maintenance_records_facts_ins",
                "maintenance_records_facts_upd",
                "maintenance_records_facts_del",
            ),
        ),
    ):
        for trigger in triggers:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.execute(
        "DROP FUNCTION IF EXISTS gisapp_facts_after_facility_types(), "
        "gisapp_facts_after_facilities(), gisapp_facts_after_reports(), "
        "gisapp_facts_after_records(), gisapp_facts_before_facility_delete(), "
        "gisapp_refresh_facility_facts(integer[]), gisapp_area_months_apply(integer[], integer)"
    )
    op.drop_index("ix_maintenance_area_months_area", table_name="maintenance_area_months")
    op.drop_table("maintenance_area_months")
    op.drop_index("ix_facility_months_month", table_name="facility_months")
    op.drop_table("facility_months")
    for level in ("district", "street", "community", "grid", "building"):
        op.drop_index(f"ix_facility_facts_{level}", table_name="facility_facts")
    op.drop_table("facility_facts")
    op.drop_index(op.f("ix_facility_photos_record_id"), table_name="facility_photos")
    op.drop_index(op.f("ix_facility_photos_facility_id"), table_name="facility_photos")
    op.drop_table("facility_photos")
    op.drop_index(
        "uq_facility_stewards_active_facility",
        table_name="facility_stewards",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index(
        "ix_facility_stewards_active_user",
        table_name="facility_stewards",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_table("facility_stewards")
    op.drop_constraint(op.f("fk_reports_facility_id_facilities"), "reports", type_="foreignkey")
    op.drop_index(op.f("ix_reports_facility_id"), table_name="reports")
    op.drop_column("reports", "facility_id")
    op.drop_index(op.f("ix_maintenance_records_user_id"), table_name="maintenance_records")
    op.drop_constraint(
        op.f("ck_maintenance_records_kind_result"), "maintenance_records", type_="check"
    )
    op.drop_constraint(op.f("ck_facilities_removed_on"), "facilities", type_="check")
    op.drop_column("facilities", "removed_on")
