"""Coverages of a patient (ranked, with history) and their benefit terms (append-only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import coverage as dc
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import BenefitTerms, Coverage, Patient, Payer, utcnow

COVERAGE_FIELDS = tuple(f.name for f in fields(dc.CoverageData))
TERMS_FIELDS = tuple(f.name for f in fields(dc.Terms))


@dataclass(frozen=True)
class TermsRecord:
    terms: dc.Terms
    as_of: date
    source: str
    recorded_by: str


@dataclass(frozen=True)
class CoverageRecord:
    id: int
    version: int
    patient_id: int
    payer_name: str
    data: dc.CoverageData
    status: str  # active | replaced
    replaced_by_id: int | None
    changed_on: date | None
    terms: TermsRecord | None

    def state_on(self, day: date) -> str:
        """'active', 'future', 'ended' or 'replaced' on ``day``."""
        if self.status == "replaced":
            return "replaced"
        if self.data.effective_on and self.data.effective_on > day:
            return "future"
        if self.data.terminates_on and self.data.terminates_on < day:
            return "ended"
        return "active"

    @property
    def label(self) -> str:
        return dc.coverage_label(self.data.rank, self.payer_name, self.data.plan_name)

    @property
    def plan_label(self) -> str:
        """The plan without its rank: 'Lakeshore Health PPO'."""
        return dc.plan_label(self.payer_name, self.data.plan_name)


def _terms_of(row: BenefitTerms | None) -> TermsRecord | None:
    if row is None:
        return None
    terms = dc.Terms(**{name: getattr(row, name) for name in TERMS_FIELDS})
    return TermsRecord(terms=terms, as_of=row.as_of, source=row.source, recorded_by=row.recorded_by)


def latest_terms_row(session: Session, coverage_id: int) -> BenefitTerms | None:
    return session.scalar(
        select(BenefitTerms)
        .where(BenefitTerms.coverage_id == coverage_id)
        .order_by(BenefitTerms.id.desc())
        .limit(1)
    )


def _record(session: Session, c: Coverage) -> CoverageRecord:
    payer_name = session.scalar(select(Payer.name).where(Payer.id == c.payer_id)) or "?"
    data = dc.CoverageData(**{name: getattr(c, name) for name in COVERAGE_FIELDS})
    return CoverageRecord(
        id=c.id,
        version=c.version,
        patient_id=c.patient_id,
        payer_name=payer_name,
        data=data,
        status=c.status,
        replaced_by_id=c.replaced_by_id,
        changed_on=c.changed_on,
        terms=_terms_of(latest_terms_row(session, c.id)),
    )


def _conflicting(
    session: Session, patient_id: int, data: dc.CoverageData, exclude_id: int | None
) -> list[Coverage]:
    assert data.effective_on is not None
    rows = session.scalars(
        select(Coverage).where(
            Coverage.patient_id == patient_id,
            Coverage.rank == data.rank,
            Coverage.status == "active",
        )
    )
    return [
        c
        for c in rows
        if c.id != exclude_id
        and dc.overlaps(c.effective_on, c.terminates_on, data.effective_on, data.terminates_on)
    ]


def _validate(
    session: Session,
    patient_id: int,
    data: dc.CoverageData,
    exclude_id: int | None,
    replace_existing: bool,
) -> tuple[dc.CoverageData, list[Coverage]]:
    errors = dc.validate_coverage(data)
    if data.payer_id is not None and session.get(Payer, data.payer_id) is None:
        errors["payer_id"] = "This payer is no longer in the directory."
    if errors:
        raise ValidationFailed(errors)
    data = dc.normalize_coverage(data)
    clash = _conflicting(session, patient_id, data, exclude_id)
    if clash and not replace_existing:
        other = clash[0]
        name = session.scalar(select(Payer.name).where(Payer.id == other.payer_id))
        rank = dc.RANK_LABELS[data.rank].lower()
        raise ValidationFailed(
            {
                "rank": (
                    f"{name} is already the {rank} coverage from {other.effective_on:%m/%d/%Y}. "
                    "Choose 'Replace the current plan' to end it, or pick another rank."
                )
            }
        )
    return data, clash


def add_coverage(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: dc.CoverageData,
    *,
    today: date,
    terms: dc.Terms | None = None,
    replace_existing: bool = False,
) -> CoverageRecord:
    """Add a plan. With ``replace_existing`` a plan at the same rank ends the day before."""
    require(actor, Permission.COVERAGES)
    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    data, clash = _validate(session, patient_id, data, None, replace_existing)
    if terms is not None:
        problems = dc.validate_terms(terms)
        if problems:
            raise ValidationFailed(problems)
    assert data.effective_on is not None
    cov = Coverage(
        patient_id=patient_id,
        created_by=actor.name,
        updated_by=actor.name,
        changed_on=today,
        **{n: getattr(data, n) for n in COVERAGE_FIELDS},
    )
    session.add(cov)
    session.flush()
    for old in clash:
        day_before = data.effective_on - timedelta(days=1)
        if old.terminates_on is None or old.terminates_on > day_before:
            old.terminates_on = max(day_before, old.effective_on)
        old.status = "replaced"
        old.replaced_by_id = cov.id
        old.changed_on = today
        old.updated_by = actor.name
        audit.record(
            session,
            actor,
            "replace",
            "coverage",
            old.id,
            patient_id=patient_id,
            detail={"replaced_by": cov.id},
        )
    audit.record(session, actor, "create", "coverage", cov.id, patient_id=patient_id)
    if terms is not None:
        record_terms(session, actor, cov.id, terms, as_of=today, source="manual")
    session.flush()
    return _record(session, cov)


def update_coverage(
    session: Session,
    actor: Actor,
    coverage_id: int,
    data: dc.CoverageData,
    *,
    expected_version: int,
    today: date,
) -> CoverageRecord:
    require(actor, Permission.COVERAGES)
    cov = _load(session, coverage_id)
    if cov.version != expected_version:
        raise Conflict(
            "Someone else changed this coverage after you opened it. Reopen it; your "
            "entries are still in the form."
        )
    data, _ = _validate(session, cov.patient_id, data, cov.id, replace_existing=False)
    changed = [n for n in COVERAGE_FIELDS if getattr(cov, n) != getattr(data, n)]
    if changed:
        for n in changed:
            setattr(cov, n, getattr(data, n))
        cov.changed_on = today
        cov.updated_by = actor.name
        audit.record(
            session,
            actor,
            "update",
            "coverage",
            cov.id,
            patient_id=cov.patient_id,
            detail={"fields": changed},
        )
        session.flush()
    return _record(session, cov)


def edit_coverage(
    session: Session,
    actor: Actor,
    coverage_id: int,
    data: dc.CoverageData,
    terms: dc.Terms | None,
    *,
    expected_version: int,
    today: date,
) -> CoverageRecord:
    """Save an edited coverage and, when its figures changed, a new entry of terms."""
    require(actor, Permission.COVERAGES)
    before = _record(session, _load(session, coverage_id))
    update_coverage(
        session, actor, coverage_id, data, expected_version=expected_version, today=today
    )
    old = before.terms.terms if before.terms else None
    if terms is not None and terms != old:
        record_terms(session, actor, coverage_id, terms, as_of=today, source="manual")
        cov = _load(session, coverage_id)
        cov.changed_on = today  # new figures by hand: verify again, and a stale edit conflicts
        cov.updated_by = actor.name
        cov.updated_at = utcnow()
        session.flush()
    return get_coverage(session, coverage_id)


def end_coverage(
    session: Session, actor: Actor, coverage_id: int, on: date, *, today: date
) -> CoverageRecord:
    """The plan ends on ``on`` (kept in the history)."""
    require(actor, Permission.COVERAGES)
    cov = _load(session, coverage_id)
    if on < cov.effective_on:
        raise ValidationFailed({"terminates_on": "The coverage cannot end before it starts."})
    cov.terminates_on = on
    cov.changed_on = today
    cov.updated_by = actor.name
    audit.record(
        session,
        actor,
        "end",
        "coverage",
        cov.id,
        patient_id=cov.patient_id,
        detail={"on": on.isoformat()},
    )
    session.flush()
    return _record(session, cov)


def record_terms(
    session: Session, actor: Actor, coverage_id: int, terms: dc.Terms, *, as_of: date, source: str
) -> TermsRecord:
    """Append the coverage's terms as now known (earlier figures stay in the history)."""
    require(actor, Permission.COVERAGES)
    cov = _load(session, coverage_id)
    problems = dc.validate_terms(terms)
    if problems:
        raise ValidationFailed(problems)
    row = BenefitTerms(
        coverage_id=cov.id, as_of=as_of, source=source, recorded_by=actor.name, **asdict(terms)
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "terms",
        "coverage",
        cov.id,
        patient_id=cov.patient_id,
        detail={"source": source},
    )
    rec = _terms_of(row)
    assert rec is not None
    return rec


def terms_history(session: Session, coverage_id: int) -> list[TermsRecord]:
    rows = session.scalars(
        select(BenefitTerms)
        .where(BenefitTerms.coverage_id == coverage_id)
        .order_by(BenefitTerms.id)
    )
    return [r for r in (_terms_of(row) for row in rows) if r is not None]


def _load(session: Session, coverage_id: int) -> Coverage:
    cov = session.get(Coverage, coverage_id)
    if cov is None:
        raise NotFound("This coverage no longer exists.")
    return cov


def get_coverage(session: Session, coverage_id: int) -> CoverageRecord:
    return _record(session, _load(session, coverage_id))


def list_coverages(
    session: Session, patient_id: int, *, include_history: bool = False
) -> list[CoverageRecord]:
    stmt = select(Coverage).where(Coverage.patient_id == patient_id)
    if not include_history:
        stmt = stmt.where(Coverage.status == "active")
    stmt = stmt.order_by(Coverage.status, Coverage.rank, Coverage.effective_on.desc())
    return [_record(session, c) for c in session.scalars(stmt)]
