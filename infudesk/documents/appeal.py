"""The appeal letter for a denied prior authorization or claim: who and what, the denial and
its reason, the request for reconsideration with the clinical rationale, the enclosures, and
the appeal deadline it is sent within."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Spacer

from infudesk.documents import page as pg
from infudesk.documents import styles as st
from infudesk.documents.data import AppealData
from infudesk.documents.text import APPEAL, long_date
from infudesk.domain.money import format_quantity
from infudesk.domain.prior_auth import EXTERNAL_REVIEW_MONTHS, FAIR_HEARING_DAYS, NextStep

m = st.markup
t = APPEAL

# Where the appeal window comes from, after the timeliness sentence.
WINDOW_SOURCE = "The appeal window is {days} days ({source})."
# What follows an upheld denial, by plan type (prior_auth.next_step): only commercial, employer
# and marketplace plans have an external review; Medicare Advantage forwards the case itself.
NEXT_STEP: dict[str, str] = {
    NextStep.EXTERNAL_REVIEW: (
        "If the denial is upheld, we will request an independent external review within"
        f" {EXTERNAL_REVIEW_MONTHS} months of your final decision."
    ),
    NextStep.IRE_AUTOMATIC: (
        "If you uphold the denial on reconsideration, please forward the case to the"
        " independent review entity (IRE), as Medicare Advantage plans must do; the patient"
        " files nothing further."
    ),
    NextStep.STATE_FAIR_HEARING: (
        "If you uphold the denial on appeal, the patient will ask the state for a fair hearing"
        f" within {FAIR_HEARING_DAYS} days of your decision; please state the hearing rights in"
        " your notice."
    ),
    NextStep.QIC_RECONSIDERATION: (
        "If the denial is upheld on redetermination, we will request a reconsideration by a"
        " Qualified Independent Contractor (QIC) within 180 days."
    ),
}


def story(data: AppealData) -> list[Flowable]:
    """The letter's flowables (without the page furniture)."""
    s = st.styles()
    w = pg.CONTENT_WIDTH
    p = data.patient
    signer = data.signer
    to = [f"<b>{m(data.payer)}</b>", *[m(x) for x in data.payer_address_lines]]
    if data.payer_fax:
        to.append(f"{m(t.fax)}: {m(data.payer_fax)}")
    member = m(data.member_id)
    if data.group_number:
        member += f" ({m(t.group)} {m(data.group_number)})"
    codes = ", ".join(
        f"{c.code} × {format_quantity(c.units) if not isinstance(c.units, int) else c.units}"
        for c in data.codes
    )
    diagnosis = ", ".join(f"{d.code} {d.description}".strip() for d in data.diagnoses)
    rows: list[list[tuple[str, str]]] = [
        [
            (t.patient, f"<b>{m(p.full_name)}</b>"),
            (t.date_of_birth, m(long_date(p.birth_date))),
            (t.member_id, member),
        ],
        [
            (
                t.reference.format(kind=data.reference_kind.capitalize()),
                f"<b>{m(data.reference)}</b>",
            ),
            (t.denial_date, m(long_date(data.denial_date))),
            (t.deadline, f"<b>{m(long_date(data.deadline))}</b>"),
        ],
        [(t.service, m(data.service) + (f"<br/>{m(t.codes)}: {m(codes)}" if codes else ""))],
    ]
    if data.plan:
        rows[0][2] = (t.member_id, member + f"<br/>{m(t.plan)}: {m(data.plan)}")
    if diagnosis:
        rows.append([(t.diagnosis, m(diagnosis))])
    late = data.issued_on > data.deadline
    timeliness = (t.late if late else t.timeliness).format(
        sent=m(long_date(data.issued_on)),
        days=data.appeal_days,
        denial_date=m(long_date(data.denial_date)),
        deadline=m(long_date(data.deadline)),
    )
    if data.appeal_source:
        timeliness += " " + m(
            WINDOW_SOURCE.format(days=data.appeal_days, source=data.appeal_source)
        )
    next_step = NEXT_STEP.get(data.next_step, "")
    request = m(data.request) if data.request else t.request_default.format(service=m(data.service))
    out: list[Flowable] = [
        pg.para("<br/>".join(to), s.address),
        Spacer(1, 10),
        pg.para(m(t.title), s.title),
        pg.fields(rows, [w * 0.4, w * 0.27, w * 0.33]),
        Spacer(1, 10),
        pg.para(m(t.salutation)),
        pg.para(
            t.opening.format(
                service=f"<b>{m(data.service)}</b>",
                name=m(p.full_name),
                kind=m(data.reference_kind),
                reference=m(data.reference),
                denial_date=m(long_date(data.denial_date)),
            ),
            s.body_tight,
        ),
        pg.boxed([pg.para(f"“{m(data.denial_reason)}”", s.body_tight)]),
        Spacer(1, 6),
        pg.para(f"<b>{request}</b>"),
        pg.para(m(t.rationale_heading), s.subheading),
        *[pg.para(m(x)) for x in data.rationale],
        pg.para(m(t.enclosures_heading), s.subheading),
        *[
            pg.para(f"{i}.&nbsp;&nbsp;{m(x)}", s.body_tight)
            for i, x in enumerate(data.enclosures, 1)
        ],
        Spacer(1, 6),
        pg.keep(
            pg.para(f"<b>{timeliness}</b>"),
            *([pg.para(m(next_step))] if next_step else []),
            pg.para(t.closing.format(phone=m(signer.phone or data.letterhead.phone))),
            pg.para(m(t.sincerely)),
            pg.signature_line([(t.signature, w - 18 - 130), (t.sign_date, 130)], gap=24),
            pg.para(
                f"<b>{m(signer.name + (', ' + signer.credentials if signer.credentials else ''))}</b>"
                + (f", {m(signer.specialty)}" if signer.specialty else "")
                + f" &nbsp;·&nbsp; {m(t.npi)} {m(signer.npi)}",
                s.body_tight,
            ),
        ),
    ]
    return out


def build(data: AppealData, out: BinaryIO | Path) -> None:
    """Write the appeal letter as a PDF to ``out`` (a path or a binary file)."""
    setup = pg.PageSetup(data.letterhead, data.patient, data.issued_on, "en", t.title)
    pg.render(story(data), setup, out)
