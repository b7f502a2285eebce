"""The worklist kept from one run to the next.

Revision ID: 0015
Revises: 0014

``worklist_snapshot`` holds, per day and window, the worklist last built (its visit rows and
tasks before their assignments, compressed JSON) and the change counter it was built at,
under a hash of the rules' code (two versions of infudesk on one server keep one each). A
start loads it and catches up from the change log. It starts empty: the first start after
this migration builds the worklist whole, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worklist_snapshot",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("unrecorded_days", sa.Integer(), nullable=False),
        sa.Column("rules", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "days", "unrecorded_days", "rules", name=op.f("pk_worklist_snapshot")
        ),
    )


def downgrade() -> None:
    op.drop_table("worklist_snapshot")
