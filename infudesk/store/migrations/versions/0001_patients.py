"""Patients and their search tokens.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from infudesk.store.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mrn", sa.String(20), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("middle_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("suffix", sa.String(20), nullable=False),
        sa.Column("preferred_name", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("phone_mobile", sa.String(20), nullable=False),
        sa.Column("phone_home", sa.String(20), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("address_line1", sa.String(200), nullable=False),
        sa.Column("address_line2", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("zip_code", sa.String(10), nullable=False),
        sa.Column("preferred_language", sa.String(8), nullable=False),
        sa.Column("guardian_name", sa.String(200), nullable=False),
        sa.Column("guardian_relationship", sa.String(50), nullable=False),
        sa.Column("guardian_phone", sa.String(20), nullable=False),
        sa.Column("emergency_name", sa.String(200), nullable=False),
        sa.Column("emergency_relationship", sa.String(50), nullable=False),
        sa.Column("emergency_phone", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("sort_last", sa.String(100), nullable=False),
        sa.Column("sort_first", sa.String(100), nullable=False),
        sa.Column("sort_phone", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
        sa.UniqueConstraint("mrn", name="uq_patients_mrn"),
    )
    op.create_index("ix_patients_birth_date", "patients", ["birth_date"])
    op.create_index("ix_patients_sort_name", "patients", ["sort_last", "sort_first"])
    op.create_index("ix_patients_city", "patients", ["city"])
    op.create_index("ix_patients_sort_phone", "patients", ["sort_phone"])
    op.create_table(
        "patient_tokens",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("token", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patient_tokens"),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name="fk_patient_tokens_patient_id_patients",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_patient_tokens_patient_id", "patient_tokens", ["patient_id"])
    op.create_index("ix_patient_tokens_token", "patient_tokens", ["token", "patient_id"])


def downgrade() -> None:
    op.drop_table("patient_tokens")
    op.drop_table("patients")
