"""Fee schedule, patients' assistance programs, saved quotes.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from infudesk.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "assistance_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("per_visit_max", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("annual_max", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("used", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("counts_toward_accumulators", sa.Boolean(), nullable=False),
        sa.Column("balance", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_assistance_programs_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_programs")),
    )
    with op.batch_alter_table("assistance_programs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistance_programs_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "fee_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=True),
        sa.Column("site", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("allowed", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("charge", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("self_pay", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_fee_schedule_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedule")),
    )
    with op.batch_alter_table("fee_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_schedule_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_schedule_payer_id"), ["payer_id"], unique=False)

    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("patient_owes", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["therapy_orders.id"],
            name=op.f("fk_quotes_order_id_therapy_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_quotes_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotes_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_patient_id"))
        batch_op.drop_index(batch_op.f("ix_quotes_order_id"))

    op.drop_table("quotes")
    with op.batch_alter_table("fee_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_schedule_payer_id"))
        batch_op.drop_index(batch_op.f("ix_fee_schedule_code"))

    op.drop_table("fee_schedule")
    with op.batch_alter_table("assistance_programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_programs_patient_id"))

    op.drop_table("assistance_programs")
