"""Prior authorizations: cases, approved lines, events, usage, documents; payer appeal days.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from infudesk.store.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "prior_auth_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("coverage_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("auth_number", sa.String(length=50), nullable=False),
        sa.Column("approved_visits", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("site", sa.String(length=20), nullable=False),
        sa.Column("follow_up", sa.Date(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("denied_on", sa.Date(), nullable=True),
        sa.Column("denial_reason", sa.Text(), nullable=False),
        sa.Column("appeal_submitted_on", sa.Date(), nullable=True),
        sa.Column("final_internal_denial_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coverage_id"],
            ["coverages.id"],
            name=op.f("fk_prior_auth_cases_coverage_id_coverages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["therapy_orders.id"],
            name=op.f("fk_prior_auth_cases_order_id_therapy_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_prior_auth_cases_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_auth_cases")),
    )
    with op.batch_alter_table("prior_auth_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prior_auth_cases_auth_number"), ["auth_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prior_auth_cases_coverage_id"), ["coverage_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_prior_auth_cases_end_on"), ["end_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_prior_auth_cases_follow_up"), ["follow_up"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prior_auth_cases_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prior_auth_cases_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_prior_auth_cases_state"), ["state"], unique=False)

    op.create_table(
        "prior_auth_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.Column("removed_by", sa.String(length=100), nullable=False),
        sa.Column("removed_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prior_auth_cases.id"],
            name=op.f("fk_prior_auth_documents_case_id_prior_auth_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_auth_documents")),
    )
    with op.batch_alter_table("prior_auth_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prior_auth_documents_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "prior_auth_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prior_auth_cases.id"],
            name=op.f("fk_prior_auth_events_case_id_prior_auth_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_auth_events")),
    )
    with op.batch_alter_table("prior_auth_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prior_auth_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "prior_auth_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prior_auth_cases.id"],
            name=op.f("fk_prior_auth_lines_case_id_prior_auth_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_auth_lines")),
    )
    with op.batch_alter_table("prior_auth_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prior_auth_lines_case_id"), ["case_id"], unique=False)

    op.create_table(
        "prior_auth_usages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("visit", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("planned_visit_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prior_auth_cases.id"],
            name=op.f("fk_prior_auth_usages_case_id_prior_auth_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planned_visit_id"],
            ["planned_visits.id"],
            name=op.f("fk_prior_auth_usages_planned_visit_id_planned_visits"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_auth_usages")),
    )
    with op.batch_alter_table("prior_auth_usages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prior_auth_usages_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("appeal_days", sa.Integer(), server_default="180", nullable=False)
        )


def downgrade() -> None:

    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.drop_column("appeal_days")

    with op.batch_alter_table("prior_auth_usages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prior_auth_usages_case_id"))

    op.drop_table("prior_auth_usages")
    with op.batch_alter_table("prior_auth_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prior_auth_lines_case_id"))

    op.drop_table("prior_auth_lines")
    with op.batch_alter_table("prior_auth_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prior_auth_events_case_id"))

    op.drop_table("prior_auth_events")
    with op.batch_alter_table("prior_auth_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prior_auth_documents_case_id"))

    op.drop_table("prior_auth_documents")
    with op.batch_alter_table("prior_auth_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_state"))
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_patient_id"))
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_order_id"))
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_follow_up"))
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_end_on"))
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_coverage_id"))
        batch_op.drop_index(batch_op.f("ix_prior_auth_cases_auth_number"))

    op.drop_table("prior_auth_cases")
