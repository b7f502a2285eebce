"""The prior-authorization packet: a fax or portal cover sheet, then a letter of medical necessity
drafted from the case for the ordering provider to complete, edit and sign (blanks highlighted).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, PageBreak, Spacer

from infudesk.documents import page as pg
from infudesk.documents import styles as st
from infudesk.documents.data import CodeLine, PaPacketData
from infudesk.documents.text import PA, join_words, long_date, short_date
from infudesk.domain.money import format_quantity

m = st.markup
t = PA


def _units(c: CodeLine) -> str:
    return format_quantity(c.units) if not isinstance(c.units, int) else str(c.units)


def _codes_text(codes: tuple[CodeLine, ...]) -> str:
    return ", ".join(f"{c.code} × {_units(c)}" for c in codes)


def _provider_name(data: PaPacketData) -> str:
    p = data.ordering_provider
    return f"{p.name}, {p.credentials}" if p.credentials else p.name


def _cover(data: PaPacketData) -> list[Flowable]:
    s = st.styles()
    w = pg.CONTENT_WIDTH
    lh = data.letterhead
    out: list[Flowable] = [pg.para(m(t.cover_title), s.banner)]
    if data.urgent:
        out += [
            pg.boxed([pg.para(f"<b>{m(t.urgent)}</b>", s.body_tight)], background=st.HIGHLIGHT),
            Spacer(1, 6),
        ]
    to = [f"<b>{m(data.payer)}</b>"]
    if data.payer_fax:
        to.append(f"{m(t.fax)}: <b>{m(data.payer_fax)}</b>")
    if data.payer_portal:
        to.append(f"{m(t.portal)}: {m(data.payer_portal)}")
    if data.payer_phone:
        to.append(f"{m(t.phone)}: {m(data.payer_phone)}")
    frm = [f"<b>{m(lh.name)}</b>"]
    if lh.phone:
        frm.append(f"{m(t.phone)}: {m(lh.phone)}")
    if lh.fax:
        frm.append(f"{m(t.fax)}: {m(lh.fax)}")
    if data.contact:
        frm.append(m(f"{data.contact.name}, {data.contact.phone}"))
    p = data.patient
    prov = data.ordering_provider
    provider = [f"<b>{m(_provider_name(data))}</b>", f"NPI {m(prov.npi)}"]
    if prov.specialty:
        provider.append(m(prov.specialty))
    reach = [
        x
        for x in (prov.phone and f"{t.phone} {prov.phone}", prov.fax and f"{t.fax} {prov.fax}")
        if x
    ]
    if reach:
        provider.append(m(" · ".join(reach)))
    member = [f"<b>{m(data.member_id)}</b>"]
    if data.group_number:
        member.append(f"{m(t.group)}: {m(data.group_number)}")
    if data.plan:
        member.append(f"{m(t.plan)}: {m(data.plan)}")
    out += [
        pg.fields(
            [
                [
                    (t.to, "<br/>".join(to)),
                    (t.from_, "<br/>".join(frm)),
                    (t.date, m(long_date(data.issued_on))),
                ],
            ],
            [w * 0.42, w * 0.38, w * 0.2],
        ),
        pg.para(m(t.patient_heading), s.heading),
        pg.fields(
            [
                [
                    (t.patient_heading, f"<b>{m(p.full_name)}</b>"),
                    (t.date_of_birth, m(long_date(p.birth_date))),
                    (t.member_id, "<br/>".join(member)),
                ],
                [(t.provider_heading, "<br/>".join(provider))],
            ],
            [w * 0.4, w * 0.25, w * 0.35],
        ),
        pg.para(m(t.request_heading), s.heading),
        pg.fields(
            [
                [(t.drug, f"<b>{m(data.drug)}</b>"), (t.dose, m(data.dose))],
            ],
            [w * 0.4, w * 0.6],
        ),
        Spacer(1, 6),
        pg.grid(
            [t.col_code, t.col_type, t.col_description, t.col_units],
            [
                [f"<b>{m(c.code)}</b>", m(c.code_type), m(c.description), m(_units(c))]
                for c in data.codes
            ],
            [70, 60, w - 70 - 60 - 90, 90],
            right=(3,),
        ),
        Spacer(1, 6),
    ]
    dates = f"{long_date(data.requested_from)} – {long_date(data.requested_to)}"
    diagnosis = "<br/>".join(
        m(f"{d.code} — {d.description}" if d.description else d.code) for d in data.diagnoses
    )
    rows: list[list[tuple[str, str]]] = [
        [(t.diagnosis, diagnosis), (t.site, m(data.site_of_care))],
        [(t.dates, m(dates)), (t.visits, m(str(data.visits)) if data.visits else "")],
    ]
    out += [
        pg.fields(rows, [w * 0.5, w * 0.5]),
        pg.para(m(t.contents_heading), s.heading),
        *[
            pg.para(f"{i}.&nbsp;&nbsp;{m(item)}", s.body_tight)
            for i, item in enumerate(data.contents, 1)
        ],
        Spacer(1, 10),
    ]
    if data.contact:
        out.append(pg.para(m(t.contact.format(name=data.contact.name, phone=data.contact.phone))))
    out.append(pg.para(m(t.confidential), s.fine))
    return out


def _blank(hint: str) -> str:
    return pg.blank(f"{t.blank_prefix} {hint}")


def _letter(data: PaPacketData) -> list[Flowable]:
    s = st.styles()
    w = pg.CONTENT_WIDTH
    p = data.patient
    prov = data.ordering_provider
    diagnosis = join_words(
        [f"{d.description} ({d.code})" if d.description else d.code for d in data.diagnoses]
    )
    dob = long_date(p.birth_date)
    out: list[Flowable] = [
        pg.boxed(
            [pg.para(f"<b>{m(t.draft_banner)}.</b> {m(t.draft_note)}", s.fine)],
            background=st.HIGHLIGHT,
            padding=6,
        ),
        Spacer(1, 4),
        pg.para(m(t.lmn_title), s.title),
        pg.para(m(long_date(data.issued_on)), s.body_tight),
        pg.para(
            "<br/>".join(
                [f"<b>{m(data.payer)}</b>", m(t.attention)]
                + ([f"{m(t.fax)}: {m(data.payer_fax)}"] if data.payer_fax else [])
            ),
            s.address,
        ),
        Spacer(1, 6),
        pg.para(
            f"<b>{m(t.re_)}:</b> {m(p.full_name)}, {m(t.dob_inline)} {m(dob)}, "
            f"{m(t.member_inline)} {m(data.member_id)}<br/>"
            f"{m(data.drug)} ({m(_codes_text(data.codes))})"
        ),
        pg.para(m(t.salutation)),
        pg.para(
            t.opening.format(
                name=m(p.full_name),
                dob=m(dob),
                member=m(data.member_id),
                drug=f"<b>{m(data.drug)}</b>",
                diagnosis=m(diagnosis),
                dose=m(data.dose),
                site=m(data.site_of_care),
                start=m(long_date(data.requested_from)),
                end=m(long_date(data.requested_to)),
            )
        ),
        pg.para(m(t.history_heading), s.subheading),
        pg.para(m(data.clinical_summary) if data.clinical_summary else _blank(t.history_blank)),
        pg.para(m(t.therapies_heading), s.subheading),
    ]
    if data.prior_therapies:
        out += [
            pg.para(m(t.therapies_intro), s.body_tight),
            pg.grid(
                [t.col_therapy, t.col_dates, t.col_outcome],
                [[m(x.name), m(x.dates), m(x.outcome)] for x in data.prior_therapies],
                [w * 0.32, w * 0.2, w * 0.48],
            ),
            Spacer(1, 4),
        ]
    else:
        out.append(pg.para(_blank(t.therapies_blank)))
    out.append(pg.para(m(t.labs_heading), s.subheading))
    if data.labs:
        out += [
            pg.grid(
                [t.col_test, t.col_result, t.col_dates],
                [[m(x.name), m(x.value), m(short_date(x.on)) if x.on else ""] for x in data.labs],
                [w * 0.4, w * 0.4, w * 0.2],
            ),
            Spacer(1, 4),
        ]
    else:
        out.append(pg.para(_blank(t.labs_blank)))
    visits = t.visits_suffix.format(count=data.visits) if data.visits else ""
    plan = t.plan_text.format(
        drug=m(data.drug),
        dose=m(data.dose),
        site=m(data.site_of_care),
        start=m(long_date(data.requested_from)),
        end=m(long_date(data.requested_to)),
        visits=m(visits),
        codes=m(_codes_text(data.codes)),
    )
    out += [
        pg.para(m(t.plan_heading), s.subheading),
        pg.para(plan),
        pg.para(m(data.treatment_plan) if data.treatment_plan else _blank(t.plan_blank)),
        pg.para(m(t.necessity_heading), s.subheading),
        pg.para(_blank(t.necessity_blank)),
        pg.keep(
            pg.para(
                t.closing.format(drug=m(data.drug), phone=m(prov.phone or data.letterhead.phone))
            ),
            pg.para(m(t.sincerely)),
            pg.signature_line([(t.signature, w - 18 - 130), (t.sign_date, 130)], gap=24),
            pg.para(
                f"<b>{m(_provider_name(data))}</b>"
                + (f", {m(prov.specialty)}" if prov.specialty else "")
                + f" &nbsp;·&nbsp; {m(t.npi)} {m(prov.npi)}",
                s.body_tight,
            ),
        ),
    ]
    return out


def story(data: PaPacketData) -> list[Flowable]:
    """The packet's flowables: cover sheet, page break, letter of medical necessity draft."""
    return [*_cover(data), PageBreak(), *_letter(data)]


def build(data: PaPacketData, out: BinaryIO | Path) -> None:
    """Write the prior-authorization packet as a PDF to ``out`` (a path or a binary file)."""
    setup = pg.PageSetup(data.letterhead, data.patient, data.issued_on, "en", t.cover_title)
    pg.render(story(data), setup, out)
