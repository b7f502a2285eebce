"""The worklist: visit status (when, by whom, why, moved from), the assistance directory with
per-patient enrollments and what each given visit used, and task assignments.

Revision ID: 0013
Revises: 0012

Every ``assistance_programs`` row becomes one enrollment with the same id (a saved quote's
context names programs by id) in a directory entry shared by the rows of the same kind, name,
limits, percent and accumulator rule: nothing a row said is lost. Its ``active`` flag stays
the enrollment's; its status is "approved" (a program on file was in use). ``amount_approved``
stays empty: the old rows never said it.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from infudesk.store.models import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
RULE = ("kind", "name", "per_visit_max", "annual_max", "percent", "counts_toward_accumulators")


def _old_table() -> sa.Table:
    return sa.Table(
        "assistance_programs",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer),
        sa.Column("kind", sa.String(20)),
        sa.Column("name", sa.String(200)),
        sa.Column("per_visit_max", MONEY),
        sa.Column("annual_max", MONEY),
        sa.Column("used", MONEY),
        sa.Column("counts_toward_accumulators", sa.Boolean),
        sa.Column("balance", MONEY),
        sa.Column("expires", sa.Date),
        sa.Column("percent", sa.Numeric(7, 4)),
        sa.Column("active", sa.Boolean),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", UTCDateTime()),
        sa.Column("created_by", sa.String(100)),
    )


def upgrade() -> None:
    with op.batch_alter_table("planned_visits", schema=None) as b:
        b.add_column(sa.Column("scheduled_on", sa.Date(), nullable=True))
        b.add_column(sa.Column("status_at", UTCDateTime(), nullable=True))
        b.add_column(
            sa.Column("status_by", sa.String(100), nullable=False, server_default=sa.text("''"))
        )
        b.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=sa.text("''")))
        b.add_column(sa.Column("rescheduled_from", sa.Date(), nullable=True))
    directory = op.create_table(
        "assistance_directory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sponsor", sa.String(200), nullable=False),
        sa.Column("drugs", sa.Text(), nullable=False),
        sa.Column("diagnoses", sa.Text(), nullable=False),
        sa.Column("no_government", sa.Boolean(), nullable=False),
        sa.Column("fpl_limit", sa.Integer(), nullable=True),
        sa.Column("per_visit_max", MONEY, nullable=True),
        sa.Column("annual_max", MONEY, nullable=True),
        sa.Column("percent", sa.Numeric(7, 4), nullable=True),
        sa.Column("counts_toward_accumulators", sa.Boolean(), nullable=False),
        sa.Column("renewal", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_directory")),
    )
    enrollments = op.create_table(
        "assistance_enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("member_id", sa.String(50), nullable=False),
        sa.Column("group_id", sa.String(50), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("amount_approved", MONEY, nullable=True),
        sa.Column("used", MONEY, nullable=False),
        sa.Column("balance", MONEY, nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("reenroll_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_assistance_enrollments_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["assistance_directory.id"],
            name=op.f("fk_assistance_enrollments_program_id_assistance_directory"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_enrollments")),
    )
    for col in ("patient_id", "program_id", "status"):
        op.create_index(op.f(f"ix_assistance_enrollments_{col}"), "assistance_enrollments", [col])
    op.create_table(
        "assistance_usages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("planned_visit_id", sa.Integer(), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["assistance_enrollments.id"],
            name=op.f("fk_assistance_usages_enrollment_id_assistance_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planned_visit_id"],
            ["planned_visits.id"],
            name=op.f("fk_assistance_usages_planned_visit_id_planned_visits"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_usages")),
    )
    for col in ("enrollment_id", "planned_visit_id"):
        op.create_index(op.f(f"ix_assistance_usages_{col}"), "assistance_usages", [col])
    op.create_table(
        "work_tasks",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_work_tasks")),
    )
    op.create_index(op.f("ix_work_tasks_assignee"), "work_tasks", ["assignee"])

    # every program row → a directory entry (shared by equal rules) + an enrollment, same id
    conn = op.get_bind()
    old = _old_table()
    entries: dict[tuple[object, ...], int] = {}
    for r in conn.execute(sa.select(old).order_by(old.c.id)).mappings():
        rule = tuple(r[c] for c in RULE)
        if rule not in entries:
            entries[rule] = len(entries) + 1
            conn.execute(
                directory.insert().values(
                    id=entries[rule],
                    **dict(zip(RULE, rule, strict=True)),
                    sponsor="",
                    drugs="",
                    diagnoses="",
                    no_government=False,
                    fpl_limit=None,
                    renewal="calendar_year",
                    active=True,
                    notes="",
                    created_at=r["created_at"],
                    created_by=r["created_by"],
                )
            )
        conn.execute(
            enrollments.insert().values(
                id=r["id"],
                patient_id=r["patient_id"],
                program_id=entries[rule],
                status="approved",
                member_id="",
                group_id="",
                used=r["used"],
                balance=r["balance"],
                expires=r["expires"],
                active=r["active"],
                notes=r["notes"],
                created_at=r["created_at"],
                created_by=r["created_by"],
                updated_at=r["created_at"] or datetime.now(UTC),
                updated_by=r["created_by"],
            )
        )
    if conn.dialect.name == "postgresql":  # explicit ids do not move the sequences
        for table in ("assistance_directory", "assistance_enrollments"):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            )
    with op.batch_alter_table("assistance_programs", schema=None) as b:
        b.drop_index(b.f("ix_assistance_programs_patient_id"))
    op.drop_table("assistance_programs")


def downgrade() -> None:
    op.create_table(
        "assistance_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("per_visit_max", MONEY, nullable=True),
        sa.Column("annual_max", MONEY, nullable=True),
        sa.Column("used", MONEY, nullable=False),
        sa.Column("counts_toward_accumulators", sa.Boolean(), nullable=False),
        sa.Column("balance", MONEY, nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("percent", sa.Numeric(7, 4), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_assistance_programs_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_programs")),
    )
    op.create_index(
        op.f("ix_assistance_programs_patient_id"), "assistance_programs", ["patient_id"]
    )
    op.execute(
        sa.text(
            "INSERT INTO assistance_programs (id, patient_id, kind, name, per_visit_max,"
            " annual_max, used, counts_toward_accumulators, balance, expires, percent, active,"
            " notes, created_at, created_by)"
            " SELECT e.id, e.patient_id, d.kind, d.name, d.per_visit_max, d.annual_max, e.used,"
            " d.counts_toward_accumulators, e.balance, e.expires, d.percent, e.active, e.notes,"
            " e.created_at, e.created_by"
            " FROM assistance_enrollments e JOIN assistance_directory d ON d.id = e.program_id"
        )
    )
    op.drop_index(op.f("ix_work_tasks_assignee"), table_name="work_tasks")
    op.drop_table("work_tasks")
    op.drop_table("assistance_usages")
    op.drop_table("assistance_enrollments")
    op.drop_table("assistance_directory")
    with op.batch_alter_table("planned_visits", schema=None) as b:
        for col in ("rescheduled_from", "reason", "status_by", "status_at", "scheduled_on"):
            b.drop_column(col)
