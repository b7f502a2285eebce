"""Payers, coverages with benefit-terms history, therapy orders, verifications, settings.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from infudesk.store.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "payers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("plan_types", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("fax", sa.String(length=20), nullable=False),
        sa.Column("portal", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("name", name=op.f("uq_payers_name")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "coverages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("plan_name", sa.String(length=200), nullable=False),
        sa.Column("plan_type", sa.String(length=30), nullable=False),
        sa.Column("medigap_plan", sa.String(length=2), nullable=False),
        sa.Column("member_id", sa.String(length=50), nullable=False),
        sa.Column("group_number", sa.String(length=50), nullable=False),
        sa.Column("subscriber_name", sa.String(length=200), nullable=False),
        sa.Column("subscriber_relationship", sa.String(length=20), nullable=False),
        sa.Column("subscriber_birth_date", sa.Date(), nullable=True),
        sa.Column("network", sa.String(length=3), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("terminates_on", sa.Date(), nullable=True),
        sa.Column("plan_year_start", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_coverages_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_coverages_payer_id_payers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["coverages.id"],
            name=op.f("fk_coverages_replaced_by_id_coverages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverages")),
    )
    with op.batch_alter_table("coverages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coverages_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coverages_payer_id"), ["payer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coverages_status"), ["status"], unique=False)

    op.create_table(
        "payer_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_payer_notes_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_notes")),
    )
    with op.batch_alter_table("payer_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payer_notes_payer_id"), ["payer_id"], unique=False)

    op.create_table(
        "therapy_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("drug_name", sa.String(length=100), nullable=False),
        sa.Column("drug_hcpcs", sa.String(length=5), nullable=False),
        sa.Column("dose", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("dose_per_kg", sa.Boolean(), nullable=False),
        sa.Column("weight_kg", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("route", sa.String(length=2), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("visit_count", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("diagnosis", sa.String(length=10), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("provider_npi", sa.String(length=10), nullable=False),
        sa.Column("site_of_care", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_therapy_orders_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_orders")),
    )
    with op.batch_alter_table("therapy_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_therapy_orders_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "benefit_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coverage_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("deductible", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("deductible_met", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("oop_max", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("oop_met", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("coinsurance", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("copay", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("copay_applies", sa.String(length=20), nullable=False),
        sa.Column("copay_after_deductible", sa.Boolean(), nullable=False),
        sa.Column("copay_counts_toward_deductible", sa.Boolean(), nullable=False),
        sa.Column("deductible_applies", sa.Boolean(), nullable=False),
        sa.Column("family_deductible", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("family_deductible_met", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("family_oop_max", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("family_oop_met", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("family_embedded", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["coverage_id"],
            ["coverages.id"],
            name=op.f("fk_benefit_terms_coverage_id_coverages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_terms")),
    )
    with op.batch_alter_table("benefit_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benefit_terms_coverage_id"), ["coverage_id"], unique=False
        )

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifier", sa.String(length=2), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["therapy_orders.id"],
            name=op.f("fk_order_lines_order_id_therapy_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)

    op.create_table(
        "planned_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["therapy_orders.id"],
            name=op.f("fk_planned_visits_order_id_therapy_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_visits")),
    )
    with op.batch_alter_table("planned_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planned_visits_on"), ["on"], unique=False)
        batch_op.create_index(batch_op.f("ix_planned_visits_order_id"), ["order_id"], unique=False)

    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coverage_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coverage_id"],
            ["coverages.id"],
            name=op.f("fk_verifications_coverage_id_coverages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["therapy_orders.id"],
            name=op.f("fk_verifications_order_id_therapy_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verifications_coverage_id"), ["coverage_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_verifications_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_verifications_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_status"))
        batch_op.drop_index(batch_op.f("ix_verifications_order_id"))
        batch_op.drop_index(batch_op.f("ix_verifications_coverage_id"))

    op.drop_table("verifications")
    with op.batch_alter_table("planned_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_visits_order_id"))
        batch_op.drop_index(batch_op.f("ix_planned_visits_on"))

    op.drop_table("planned_visits")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("benefit_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefit_terms_coverage_id"))

    op.drop_table("benefit_terms")
    with op.batch_alter_table("therapy_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_therapy_orders_patient_id"))

    op.drop_table("therapy_orders")
    with op.batch_alter_table("payer_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payer_notes_payer_id"))

    op.drop_table("payer_notes")
    with op.batch_alter_table("coverages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverages_status"))
        batch_op.drop_index(batch_op.f("ix_coverages_payer_id"))
        batch_op.drop_index(batch_op.f("ix_coverages_patient_id"))

    op.drop_table("coverages")
    op.drop_table("settings")
    op.drop_table("payers")
