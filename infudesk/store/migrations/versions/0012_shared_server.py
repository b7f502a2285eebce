"""A shared server: the store's identity and change counter; byte-order search keys.

Revision ID: 0012
Revises: 0011

``store_state`` has one row (id 1). ``changes`` goes up by one with every transaction that
writes (store/database.py), so a workstation sees that another one changed something by
reading one number (``services.sync.change_token``). On a server, ``store_id`` names the
database (its keychain entries on every workstation) and the audit key is kept wrapped under
a key derived from the recovery key (``kdf_salt``, ``key_check``, ``audit_key_wrapped``):
a new workstation joins by typing the recovery key. On a local database those stay empty
(its store id is in store-id.txt).

On PostgreSQL the folded search and sort keys compare byte by byte (COLLATE "C"), as in
SQLite: the patient search's prefix ranges (token >= 'smi' AND token < 'smi' || U+10FFFF) and
the name order are then the same on both engines, whatever the server's locale, and the
existing indexes serve them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# (table, column, length): the folded keys
BYTE_ORDER = (
    ("patient_tokens", "token", 100),
    ("patients", "sort_last", 100),
    ("patients", "sort_first", 100),
    ("patients", "sort_phone", 20),
)


def upgrade() -> None:
    op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("changes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("kdf_salt", sa.String(64), nullable=False, server_default=""),
        sa.Column("key_check", sa.String(64), nullable=False, server_default=""),
        sa.Column("audit_key_wrapped", sa.String(64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_store_state"),
    )
    op.execute(sa.text("INSERT INTO store_state (id, changes) VALUES (1, 0)"))
    if op.get_bind().dialect.name == "postgresql":
        for table, column, length in BYTE_ORDER:
            op.execute(
                sa.text(
                    f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
                )
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, length in BYTE_ORDER:
            op.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length})"))
    op.drop_table("store_state")
