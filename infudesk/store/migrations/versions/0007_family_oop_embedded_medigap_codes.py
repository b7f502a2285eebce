"""Family OOP embedded apart from the deductible; Medigap codes up to 3 letters (HDF, HDG).

Revision ID: 0007
Revises: 0006

``benefit_terms.family_oop_embedded`` is new: every existing row gets true (since 2016 every
non-grandfathered plan embeds the person's out-of-pocket maximum; the old single flag was
applied to both, which was wrong when the deductible was not embedded). ``family_embedded``
keeps its name and now means the deductible only. ``coverages.medigap_plan`` widens from 2 to
3 characters for the high-deductible plans; existing letters are unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benefit_terms") as batch:
        batch.add_column(
            sa.Column("family_oop_embedded", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("coverages") as batch:
        batch.alter_column(
            "medigap_plan",
            existing_type=sa.String(length=2),
            type_=sa.String(length=3),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("UPDATE coverages SET medigap_plan = '' WHERE length(medigap_plan) > 2")
    with op.batch_alter_table("coverages") as batch:
        batch.alter_column(
            "medigap_plan",
            existing_type=sa.String(length=3),
            type_=sa.String(length=2),
            existing_nullable=False,
        )
    with op.batch_alter_table("benefit_terms") as batch:
        batch.drop_column("family_oop_embedded")
