"""Tamper-evident audit trail: workstation, sequence and keyed chain hash per entry, the chain's
tail, and triggers that keep audit_events append-only.

Revision ID: 0009
Revises: 0008

Existing entries get ``seq`` and ``chain_hash`` NULL here: a migration has no access to the
audit key (it lives in the keychain). The first write after the upgrade chains them, in id
order, and then appends an ``audit / chain-start`` entry that says how many entries were
written before the chain existed (services/audit.py). From then on every entry is chained.

Any later migration that rebuilds audit_events (batch "copy, drop, rename") drops the triggers
with the old table and must create them again (see ``TRIGGERS``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TRIGGERS = {
    "audit_events_no_delete": (
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    ),
    # the chain columns are set once, right after the insert; nothing changes after that
    "audit_events_no_update": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "WHEN OLD.chain_hash IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    ),
}

# PostgreSQL: the same two rules as one PL/pgSQL function and two row triggers
PG_FUNCTION = (
    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'DELETE' OR OLD.chain_hash IS NOT NULL THEN "
    "RAISE EXCEPTION 'the audit trail is append-only'; "
    "END IF; "
    "RETURN NEW; "
    "END $$"
)
PG_TRIGGERS = {
    "audit_events_no_delete": (
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    ),
    "audit_events_no_update": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "FOR EACH ROW WHEN (OLD.chain_hash IS NOT NULL) "
        "EXECUTE FUNCTION audit_events_append_only()"
    ),
}


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild): the rows and their ids stay as they are
    op.add_column(
        "audit_events",
        sa.Column("workstation", sa.String(100), nullable=False, server_default=""),
    )
    op.add_column("audit_events", sa.Column("seq", sa.Integer, nullable=True))
    op.add_column("audit_events", sa.Column("chain_hash", sa.String(64), nullable=True))
    op.create_index("ix_audit_events_seq", "audit_events", ["seq"], unique=True)
    op.create_table(
        "audit_chain_tail",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_tail"),
    )
    if _sqlite():
        for sql in TRIGGERS.values():
            op.execute(sql)
    else:
        op.execute(PG_FUNCTION)
        for sql in PG_TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if _sqlite() else " ON audit_events"))
    if not _sqlite():
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_table("audit_chain_tail")
    op.drop_index("ix_audit_events_seq", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("chain_hash")
        batch.drop_column("seq")
        batch.drop_column("workstation")
