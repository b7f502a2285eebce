"""The benefits verification summary: one sheet per coverage with the benefits found, who was
called, the reference number and date, and what is still open."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, PageBreak, Spacer

from infudesk.documents import page as pg
from infudesk.documents import styles as st
from infudesk.documents.data import VerificationSummaryData
from infudesk.documents.text import VERIFY, date_time

m = st.markup
t = VERIFY


def _coverage(data: VerificationSummaryData, i: int) -> list[Flowable]:
    s = st.styles()
    w = pg.CONTENT_WIDTH
    c = data.coverages[i]
    member = m(c.member_id)
    if c.group_number:
        member += f"<br/>{m(t.group)}: {m(c.group_number)}"
    rows: list[list[tuple[str, str]]] = [
        [(t.payer, f"<b>{m(c.payer)}</b>"), (t.plan, m(c.plan)), (t.member_id, member)],
        [
            (t.plan_type, m(c.plan_type)),
            (t.subscriber, m(c.subscriber)),
            (t.status, f"<b>{m(c.status)}</b>"),
        ],
    ]
    sheet = t.sheet.format(number=i + 1, count=len(data.coverages))
    out: list[Flowable] = [
        pg.para(m(f"{t.title} · {sheet}"), s.label),
        pg.para(m(t.coverage_heading.format(role=c.role, plan=c.plan)), s.title),
    ]
    if data.order:
        out.append(pg.para(f"{m(t.order)}: {m(data.order)}", s.subtitle))
    out.append(pg.fields(rows, [w * 0.38, w * 0.31, w * 0.31]))
    if c.problem:
        out += [
            Spacer(1, 6),
            pg.boxed(
                [pg.para(f"<b>{m(t.problem)}:</b> {m(c.problem)}", s.body_tight)],
                background=st.HIGHLIGHT,
            ),
        ]
    out.append(pg.para(m(t.benefits_heading), s.heading))
    if c.benefits:
        out.append(
            pg.grid(
                [t.col_benefit, t.col_value],
                [[f"<b>{m(b.label)}</b>", m(b.value)] for b in c.benefits],
                [w * 0.38, w * 0.62],
            )
        )
    else:
        out.append(pg.para(m(t.no_benefits)))
    call = [(t.called, m(c.called)), (t.phone, m(c.phone))]
    out += [
        pg.para(m(t.call_heading), s.heading),
        pg.fields(
            [
                call,
                [
                    (t.reference, f"<b>{m(c.reference)}</b>"),
                    (t.called_at, m(date_time(c.called_at))),
                ],
                [(t.verified_by, m(c.verified_by))],
            ],
            [w * 0.5, w * 0.5],
        ),
        pg.para(m(t.open_heading), s.heading),
    ]
    if c.open_items:
        out += pg.bullets([m(x) for x in c.open_items])
    else:
        out.append(pg.para(m(t.nothing_open)))
    return out


def story(data: VerificationSummaryData) -> list[Flowable]:
    """One sheet per coverage (page breaks between)."""
    if not data.coverages:
        raise ValueError("a verification summary needs at least one coverage")
    out: list[Flowable] = []
    for i in range(len(data.coverages)):
        if i:
            out.append(PageBreak())
        out += _coverage(data, i)
    return out


def build(data: VerificationSummaryData, out: BinaryIO | Path) -> None:
    """Write the verification summary as a PDF to ``out`` (a path or a binary file)."""
    setup = pg.PageSetup(data.letterhead, data.patient, data.issued_on, "en", t.title)
    pg.render(story(data), setup, out)
