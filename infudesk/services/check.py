"""`infudesk check`: is the database whole? Pages, structure, links, schema, documents, audit.

Each check adds a line to the report; the first failing one is the ``problem`` (the command
exits non-zero naming it). The audit-chain verification plugs in through
``audit.verify_chain(session)``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from infudesk.services import audit
from infudesk.store import migrate
from infudesk.store.models import (
    AuditEvent,
    Coverage,
    Patient,
    PriorAuthCase,
    PriorAuthDocument,
    SavedQuote,
    TherapyOrder,
    Verification,
)

# the main tables, counted in the report (and in a backup's manifest)
COUNTED = {
    "patients": Patient,
    "coverages": Coverage,
    "orders": TherapyOrder,
    "verifications": Verification,
    "quotes": SavedQuote,
    "prior auths": PriorAuthCase,
    "documents": PriorAuthDocument,
    "audit events": AuditEvent,
}


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    problem: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def ok(self, line: str) -> None:
        self.lines.append(f"ok    {line}")

    def fail(self, line: str) -> None:
        self.lines.append(f"FAIL  {line}")
        if self.problem is None:
            self.problem = line

    def note(self, line: str) -> None:
        self.lines.append(f"note  {line}")


def counts(session: Session) -> dict[str, int]:
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in COUNTED.items()
    }


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


def _pages(session: Session, report: CheckReport) -> None:
    if _on_server(session):
        report.note("encrypted pages: not checked on a server (its storage is the server's)")
        return
    bad = session.execute(text("PRAGMA cipher_integrity_check")).fetchall()
    if bad:  # confirmed by a second pass (see store.database.integrity_problem)
        time.sleep(0.2)
        bad = session.execute(text("PRAGMA cipher_integrity_check")).fetchall() or []
    if bad:
        report.fail(f"encrypted pages: {len(bad)} fail their check (first: {bad[0][0]})")
    else:
        report.ok("encrypted pages: every page passes its HMAC check")


def _structure(session: Session, report: CheckReport) -> None:
    if _on_server(session):
        report.note("database structure: kept by the server (PostgreSQL checks every write)")
        return
    rows = [r[0] for r in session.execute(text("PRAGMA quick_check")).fetchall()]
    if rows != ["ok"]:
        report.fail(f"database structure: {rows[0]}")
    else:
        report.ok("database structure (quick_check)")


def broken_links(session: Session) -> dict[str, int]:
    """Rows whose foreign key names a missing row, per table, by plain queries (any engine)."""
    from sqlalchemy import and_, exists

    from infudesk.store.models import Base

    broken: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child = fk.parent
            other = fk.column.table.alias("parent")
            parent = other.c[fk.column.name]
            n = session.scalar(
                select(func.count())
                .select_from(table)
                .where(
                    and_(
                        child.is_not(None),
                        ~exists().where(parent == child),
                    )
                )
            )
            if n:
                broken[table.name] = broken.get(table.name, 0) + int(n)
    return broken


def _links(session: Session, report: CheckReport) -> None:
    if _on_server(session):
        broken = broken_links(session)
        if broken:
            report.fail(
                f"links between records: {sum(broken.values())} broken "
                f"(in {', '.join(sorted(broken))})"
            )
        else:
            report.ok("links between records (every foreign key, by query)")
        return
    rows = session.execute(text("PRAGMA foreign_key_check")).fetchall()
    if rows:
        tables = sorted({r[0] for r in rows})
        report.fail(f"links between records: {len(rows)} broken (in {', '.join(tables)})")
    else:
        report.ok("links between records (foreign_key_check)")


def _schema(session: Session, report: CheckReport) -> None:
    current = migrate.current_revision(session.connection())
    if current == migrate.HEAD:
        report.ok(f"schema revision {current} (this version's)")
    elif current is None:
        report.fail("schema revision: none (not an infudesk database?)")
    else:
        report.fail(f"schema revision {current}, this version expects {migrate.HEAD}")


def _documents(session: Session, report: CheckReport) -> None:
    bad: list[int] = []
    n = 0
    for doc_id, content, digest in session.execute(
        select(PriorAuthDocument.id, PriorAuthDocument.content, PriorAuthDocument.sha256)
    ):
        n += 1
        if hashlib.sha256(content or b"").hexdigest() != digest:
            bad.append(doc_id)
    if bad:
        report.fail(
            f"documents: {len(bad)} of {n} do not match their SHA-256 (document ids "
            f"{', '.join(map(str, bad[:10]))})"
        )
    else:
        report.ok(f"documents: {n} match their SHA-256")


def _audit_chain(session: Session, report: CheckReport) -> None:
    """The tamper-evident audit chain (``audit.verify_chain``): the first problem fails the
    check, naming the audit id."""
    problems = audit.verify_chain(session)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        report.fail(f"audit chain: {problems[0]}{more}")
    else:
        report.ok("audit chain: every entry is in place and unchanged")


def _kept_worklist(session: Session, report: CheckReport) -> None:
    """Whether this app can keep the worklist between runs (its rules' code readable), and
    which days are kept (derived data: a note, never a failure)."""
    from infudesk.services import worklist_kept as kept

    fp = kept.rules_fingerprint()
    if fp is None:
        report.note("worklist kept between runs: no (rules unreadable: each start builds it)")
        return
    days = kept.kept_days(session)
    kept_for = ", ".join(d.isoformat() for d in days) if days else "none yet"
    report.note(f"worklist kept between runs: rules {fp[:12]}; kept for {kept_for}")


def check_database(session: Session) -> CheckReport:
    """Run every check on the open database (reads only)."""
    report = CheckReport()
    _pages(session, report)
    _structure(session, report)
    _links(session, report)
    _schema(session, report)
    if report.problem is None or not report.problem.startswith("schema"):
        _documents(session, report)
        _audit_chain(session, report)
        _kept_worklist(session, report)
        report.counts = counts(session)
        report.lines.append(
            "      counts: " + ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
        )
    return report
