"""The patient's name as printed on the insurance card.

Revision ID: 0008
Revises: 0007

Empty means "the same as the legal name", so existing patients keep their meaning.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column is a plain ALTER TABLE ADD COLUMN in SQLite: no table rebuild.
    with op.batch_alter_table("patients") as batch:
        batch.add_column(
            sa.Column("name_on_card", sa.String(200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("name_on_card")
