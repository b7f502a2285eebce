"""Appeal windows by plan type: payers.appeal_days becomes an optional override; a case keeps the
window its denial letter states.

Before: every payer had ``appeal_days`` 180 (the column's default; nothing in the app edited it)
and every denial was given 180 days. After: NULL means "use the coverage's plan type's rule"
(commercial/ACA 180, Medicare Advantage 65, Medicaid 60, Original Medicare 120), so the rows at
the old default 180 become NULL; any other value was set on purpose and is kept as the payer's
override. ``prior_auth_cases.appeal_days`` (new, NULL) is the window printed on the denial letter.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_DEFAULT = 180


def upgrade() -> None:
    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.alter_column(
            "appeal_days",
            existing_type=sa.Integer(),
            nullable=True,
            server_default=None,
            existing_server_default="180",
        )
    op.execute(sa.text(f"UPDATE payers SET appeal_days = NULL WHERE appeal_days = {OLD_DEFAULT}"))
    with op.batch_alter_table("prior_auth_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prior_auth_cases", schema=None) as batch_op:
        batch_op.drop_column("appeal_days")
    op.execute(sa.text(f"UPDATE payers SET appeal_days = {OLD_DEFAULT} WHERE appeal_days IS NULL"))
    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.alter_column(
            "appeal_days",
            existing_type=sa.Integer(),
            nullable=False,
            server_default=str(OLD_DEFAULT),
        )
