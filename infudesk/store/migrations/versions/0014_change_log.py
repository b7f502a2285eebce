"""The change log: whose records each counted transaction changed.

Revision ID: 0014
Revises: 0013

``change_log`` has a row per patient per transaction that wrote, under the transaction's
number in ``store_state.changes`` (0 for a transaction that touched no patient's records, NULL
for one that may have touched anyone's). A worklist built at one number catches up with a
newer one by working out again only the patients named in between. It starts empty: a list
built before this migration has no rows to catch up from and is built whole once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index(op.f("ix_change_log_token"), "change_log", ["token"])


def downgrade() -> None:
    op.drop_index(op.f("ix_change_log_token"), table_name="change_log")
    op.drop_table("change_log")
