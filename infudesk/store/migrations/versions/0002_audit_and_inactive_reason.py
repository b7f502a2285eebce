"""Audit trail, and a reason when a patient is made inactive.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from infudesk.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rebuild the patients table (copy, drop, rename), as later migrations that change a
    # column must: with foreign keys on, SQLite would cascade-delete every patient_tokens
    # row. infudesk.store.migrate switches them off and runs foreign_key_check after.
    # (PostgreSQL alters in place: no rebuild, foreign keys untouched)
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("patients", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(
            sa.Column("inactive_reason", sa.String(200), nullable=False, server_default="")
        )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("entity", sa.String(50), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=True),
        sa.Column("patient_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name="fk_audit_events_patient_id_patients",
            ondelete="RESTRICT",
        ),
    )
    op.create_index("ix_audit_events_entity_id", "audit_events", ["entity_id"])
    op.create_index("ix_audit_events_patient_id", "audit_events", ["patient_id"])


def downgrade() -> None:
    op.drop_table("audit_events")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("inactive_reason")
