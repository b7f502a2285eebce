"""The Good Faith Estimate for uninsured and self-pay patients (No Surprises Act,
45 CFR 149.610), laid out like the CMS model form CMS-10791: patient, primary service, summary
of expected charges, the itemized estimate of each provider or facility, the items scheduled
separately, then the disclaimer page (estimate only, dispute right, help line, not a contract).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, PageBreak, Spacer

from infudesk.documents import page as pg
from infudesk.documents import styles as st
from infudesk.documents.cost_letter import made_on_note
from infudesk.documents.data import GfeProvider, GoodFaithEstimateData, Language
from infudesk.documents.text import (
    GFE,
    NOTICE_HEADING,
    GfeText,
    apposition,
    join_words,
    long_date,
    providers_count,
    short_date,
)
from infudesk.domain.money import format_money, format_quantity

m = st.markup


def _signed(x: Decimal) -> str:
    """-$1,267.50 for a discount (format_money would give $-1,267.50)."""
    return f"-{format_money(-x)}" if x < 0 else format_money(x)


def _provider(p: GfeProvider, t: GfeText, lang: Language) -> list[Flowable]:
    s = st.styles()
    w = pg.CONTENT_WIDTH
    where = "<br/>".join(m(line) for line in p.address_lines)
    info = pg.fields(
        [
            [(t.provider_type, m(p.kind)), (t.npi, m(p.npi)), (t.tin, m(p.tin))],
            [
                (t.where, f"{where}<br/>{m(p.state)}" if where else m(p.state)),
                (t.place, m(p.place)),
                (t.contact, m(p.contact)),
            ],
        ],
        [w * 0.36, w * 0.32, w * 0.32],
    )
    header = [
        t.col_service,
        t.col_date,
        t.col_diagnosis,
        t.col_code_type,
        t.col_code,
        t.col_quantity,
        t.col_cost,
    ]
    rows = [
        [
            m(ln.service),
            m(short_date(ln.date, lang)) if ln.date else "",
            m(ln.diagnosis_code),
            m(ln.code_type),
            m(ln.service_code),
            m(format_quantity(Decimal(ln.quantity))),
            m(format_money(ln.expected_cost)),
        ]
        for ln in p.lines
    ]
    for adj in p.adjustments:
        rows.append([m(adj.label), "", "", "", "", "", m(_signed(adj.amount))])
    total_row = len(rows)
    rows.append(
        [m(t.provider_total.format(name=p.name)), "", "", "", "", "", m(format_money(p.total))]
    )
    widths = [w - 68 - 64 - 56 - 54 - 50 - 64, 68, 64, 56, 54, 50, 64]
    table = pg.grid(
        header, rows, widths, right=(5, 6), bold_rows=[total_row], shade_rows=[total_row]
    )
    table.setStyle([("SPAN", (0, total_row + 1), (5, total_row + 1))])
    out: list[Flowable] = [
        pg.para(m(t.details_heading.format(name=p.name)), s.heading),
        info,
        Spacer(1, 6),
        table,
    ]
    if p.notes:
        out.append(pg.para(f"<b>{m(t.notes)}:</b> {m(p.notes)}", s.small))
    return out


def story(data: GoodFaithEstimateData) -> list[Flowable]:
    """The estimate's flowables (without the page furniture)."""
    if not data.providers:
        raise ValueError("a Good Faith Estimate needs at least one provider or facility")
    s = st.styles()
    lang = data.lang
    t = GFE[lang]
    p = data.patient
    w = pg.CONTENT_WIDTH
    out: list[Flowable] = [
        pg.para(m(t.title), s.title),
        pg.para(m(t.intro), s.small),
        pg.para(m(t.patient_heading), s.heading),
    ]
    rows: list[list[tuple[str, str]]] = [
        [
            (t.patient_name, f"<b>{m(p.name)}</b>"),
            (t.date_of_birth, m(long_date(p.birth_date, lang))),
            (t.patient_id, m(p.mrn)),
        ]
    ]
    if data.patient_address_lines or data.patient_phone or data.patient_email:
        rows.append(
            [
                (t.address, "<br/>".join(m(x) for x in data.patient_address_lines)),
                (t.phone, m(data.patient_phone)),
                (t.email, m(data.patient_email)),
            ]
        )
    out.append(pg.fields(rows, [w * 0.44, w * 0.28, w * 0.28]))
    dates = (
        join_words([long_date(d, lang) for d in data.service_dates], lang)
        if data.service_dates
        else t.not_scheduled
    )
    diagnoses = "<br/>".join(
        m(f"{d.code} — {d.description}" if d.description else d.code) for d in data.diagnoses
    )
    when: list[tuple[str, str]] = []
    if data.requested_on:
        when.append((t.requested_on, m(long_date(data.requested_on, lang))))
    when.append((t.issued_on, m(long_date(data.issued_on, lang))))
    if data.covers_through:
        when.append((t.covers_through, m(long_date(data.covers_through, lang))))
    out += [
        pg.para(m(t.service_heading), s.heading),
        pg.fields(
            [
                [(t.primary_service, f"<b>{m(data.primary_service)}</b>")],
                [(t.diagnosis, diagnoses), (t.service_dates, m(dates))],
                when,
            ],
            [w * 0.44, w * 0.28, w * 0.28],
        ),
        *made_on_note(data),
        pg.para(m(t.summary_heading), s.heading),
        pg.para(
            m(t.summary_intro.format(count=providers_count(len(data.providers), lang))), s.small
        ),
    ]
    summary = [[m(pr.name), m(format_money(pr.total))] for pr in data.providers]
    summary.append([m(t.total_estimated), m(format_money(data.total))])
    out.append(
        pg.grid(
            [t.col_provider, t.col_provider_total],
            summary,
            [w - 130, 130],
            right=(1,),
            bold_rows=[len(summary) - 1],
            shade_rows=[len(summary) - 1],
        )
    )
    if data.notices:
        out += [
            Spacer(1, 6),
            pg.boxed(
                [
                    pg.para(m(NOTICE_HEADING[lang]), s.subheading),
                    *pg.bullets([m(x) for x in data.notices]),
                ],
                background=st.HIGHLIGHT,
            ),
        ]
    for provider in data.providers:
        out += _provider(provider, t, lang)
    out.append(pg.para(m(t.separate_heading), s.heading))
    if data.separately_scheduled:
        out.append(pg.para(m(t.separate_intro), s.body_tight))
        out += pg.bullets([m(x) for x in data.separately_scheduled])
    else:
        out.append(pg.para(m(t.separate_none)))
    out.append(pg.para(m(t.other_services)))
    # whom to call closes the disclaimer page, so a line never spills onto a page of its own
    questions = (
        [
            pg.para(
                t.questions.format(
                    name=m(apposition(data.contact.name)), phone=f"<b>{m(data.contact.phone)}</b>"
                )
            )
        ]
        if data.contact
        else []
    )
    out += [
        PageBreak(),
        pg.para(m(t.disclaimer_heading), s.title),
        pg.para(m(t.estimate_only)),
        pg.para(m(t.unexpected)),
        Spacer(1, 4),
        pg.boxed(
            [
                pg.para(m(t.dispute_heading), s.subheading),
                pg.para(m(t.contact_provider)),
                pg.para(t.dispute),
                pg.para(f"<b>{m(t.no_effect_on_care)}</b>"),
                pg.para(t.learn_more),
            ]
        ),
        Spacer(1, 8),
        pg.para(f"<b>{m(t.keep_copy)}</b>"),
        pg.para(m(t.not_contract)),
        *questions,
    ]
    return out


def build(data: GoodFaithEstimateData, out: BinaryIO | Path) -> None:
    """Write the Good Faith Estimate as a PDF to ``out`` (a path or a binary file)."""
    t = GFE[data.lang]
    setup = pg.PageSetup(
        data.letterhead, data.patient, data.issued_on, data.lang, t.title, t.short_title
    )
    pg.render(story(data), setup, out)
