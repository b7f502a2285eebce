"""Readiness of a quote: the facts of the patient's prior authorizations, verification and
assistance gathered for the pure rules of :mod:`infudesk.domain.readiness`, and what the
cheaper site a payer would accept costs instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from infudesk.domain import prior_auth as pa
from infudesk.domain import readiness as rd
from infudesk.domain import verification as dv
from infudesk.errors import UserError
from infudesk.services import assistance as asv
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
from infudesk.services import verifications as vs

NON_HOSPITAL = "infusion_center"  # what a site-of-care denial of the hospital is offered


@dataclass(frozen=True)
class Readiness:
    """The findings of a quote, and the site to offer instead of a denied one with what the
    patient would owe there (None: not computed)."""

    findings: tuple[rd.Finding, ...]
    other_site: str = ""
    other_owes: Decimal | None = None
    owes: Decimal | None = None  # what the patient owes as quoted (to compare)


def _pa_required(session: Session, patient_id: int, coverage_id: int) -> bool | None:
    for ver, _cov, _order in vs.list_for_patient(session, patient_id):  # newest first
        if ver.coverage_id == coverage_id and ver.status == dv.Status.VERIFIED:
            answer = ver.answers.get("pa_required", "").strip().lower()
            if answer in ("no", "n", "false"):
                return False
            if answer in ("yes", "y", "true"):
                return True
            return None
    return None


def facts_for(session: Session, setup: qsv.QuoteSetup, *, today: date) -> rd.Facts:
    """The plain facts the rules take, for the quote's order, primary coverage and programs."""
    order = ors.get_order(session, setup.order_id) if setup.order_id else None
    per_visit: dict[str, int] = {}
    if order is not None:
        for ln in order.lines:
            code = ln.code.split("-")[0]
            per_visit[code] = per_visit.get(code, 0) + int(ln.units)
    cases: list[rd.AuthCase] = []
    other = ""
    if setup.primary_id is not None:
        for row in pas.list_cases(
            session, today=today, patient_id=setup.patient_id, include_closed=True
        ):
            rec = pas.get_case(session, row.id)
            if rec.coverage_id != setup.primary_id:
                continue
            if setup.order_id and rec.order_id not in (None, setup.order_id):
                continue
            c = rec.case
            requested = (c.approval.site if c.approval else "") or (
                order.data.site_of_care if order else ""
            )
            cases.append(
                rd.AuthCase(
                    case_id=rec.id,
                    state=c.state,
                    site=requested,
                    approval=c.approval,
                    usages=rec.usages,
                    denied_on=c.denied_on,
                    site_of_care_denial=c.denied_on is not None
                    and rd.is_site_of_care_denial(c.denial_reason),
                )
            )
            if c.state in pa.APPROVAL_STATES and c.approval and c.approval.site != setup.site:
                other = other or c.approval.site
    if not other and setup.site == "hospital_outpatient":
        other = NON_HOSPITAL
    verification = None
    if setup.primary_id is not None:
        rows = [
            w
            for w in vs.worklist(session, today=today, patient_id=setup.patient_id)
            if w.coverage_id == setup.primary_id
        ]
        verified = max((w.verified_on for w in rows if w.verified_on), default=None)
        due = min((w.due.due_on for w in rows if w.due.due_on), default=None)
        verification = rd.VerificationFacts(
            coverage_id=setup.primary_id,
            verified_on=verified,
            due_on=due,
            pa_required=_pa_required(session, setup.patient_id, setup.primary_id),
        )
    grants = tuple(
        rd.GrantFacts(p.id, p.data.name, p.data.expires)
        for p in asv.list_programs(session, setup.patient_id)
        if p.id in setup.program_ids
    )
    return rd.Facts(
        site=setup.site,
        insured=setup.primary is not None,
        units_per_visit=per_visit,
        cases=tuple(cases),
        verification=verification,
        grants=grants,
        other_site=other,
    )


def gather(session: Session, setup: qsv.QuoteSetup, *, today: date) -> Readiness:
    """What could change this quote's figures, for its visits from ``today`` on; a site the
    payer denied comes with the other site's figure (same coverages, visits and programs)."""
    facts = facts_for(session, setup, today=today)
    found = rd.findings(setup.dates, facts, today=today)
    other_owes = owes = None
    if facts.other_site and any(
        f.kind in (rd.Kind.SITE_DENIED, rd.Kind.PA_OTHER_SITE) for f in found
    ):
        try:
            there = qsv.prepare(
                session,
                setup.patient_id,
                today=today,
                order_id=setup.order_id,
                primary_id=setup.primary_id,
                secondary_id=setup.secondary_id,
                site=facts.other_site,
                from_date=min(setup.dates) if setup.dates else today,
                program_ids=setup.program_ids,
            )
            other_owes = qsv.compute(there).totals.patient_owes
            owes = qsv.compute(setup).totals.patient_owes
        except UserError:
            other_owes = None
    return Readiness(found, facts.other_site, other_owes, owes)
