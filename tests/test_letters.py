"""Letters from the database (services/letters.py) and `infudesk letter` (cli.py): each kind of
document rendered for its showcase patient and read back with pypdf, the audit trail of renders,
prints and saves, the refusals (unknown kind or language, nothing to print), and the command
line run in a subprocess against a demo database.

The demo data (seed_demo) is built once per module in an encrypted template database; every
in-process test gets its own copy (its key goes into that test's in-memory keychain).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from infudesk.domain import prior_auth as pa
from infudesk.errors import UserError
from infudesk.paths import DataPaths
from infudesk.services import letters
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
from infudesk.services.audit import Actor
from infudesk.store.database import Store, open_store
from infudesk.store.models import AuditEvent, Patient, TherapyOrder
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, seed_template
from tests.test_cli import assert_clean_failure, run_cli

CENTER = "Lakeside Infusion Center"


# --- the seeded database, copied per test ----------------------------------------------------


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """An encrypted database with the demo data, and the keychain entries that open it."""
    return seed_template(tmp_path_factory, "letters")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    """Overrides conftest's: this test's data dir starts as a copy of the seeded database."""
    return copy_template(seeded_template, data_dir, memory_keyring)


# --- helpers ---------------------------------------------------------------------------------


def pid_of(store: Store, mrn: str) -> int:
    with store.session() as s:
        return ps.get_by_mrn(s, mrn).id


def pdf_pages(pdf: bytes) -> list[str]:
    """One whitespace-normalized text per page."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def render(
    store: Store, actor: Actor, kind: str, mrn: str, *, lang: str | None = None
) -> tuple[letters.Letter, list[str]]:
    with store.session() as s:
        letter = letters.render(s, actor, kind, ps.get_by_mrn(s, mrn).id, today=TODAY, lang=lang)
    pages = pdf_pages(letter.pdf)
    assert pages
    assert all("\x00" not in p for p in pages), "a glyph was dropped (no font for it)"
    return letter, pages


def assert_has(text: str, *needles: str) -> None:
    missing = [n for n in needles if n not in text]
    assert not missing, f"missing {missing!r} in:\n{text}"


def assert_furniture(pages: list[str], name: str, birth: str, *, lang: str = "en") -> None:
    """Center, patient name and birth date, and 'Page i of n' on every page."""
    n = len(pages)
    label = "Página {i} de {n}" if lang == "es" else "Page {i} of {n}"
    for i, page in enumerate(pages, 1):
        for needle in (CENTER, name, birth, label.format(i=i, n=n)):
            assert needle in page, f"{needle!r} missing on page {i} of {n}"


def money(value: str | Decimal) -> str:
    return f"${Decimal(value):,.2f}"


def audit_events(store: Store, patient_id: int, actor: Actor) -> list[tuple[str, str, dict]]:
    with store.session() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.patient_id == patient_id,
                AuditEvent.actor == actor.name,
                AuditEvent.entity == "document",
            )
            .order_by(AuditEvent.id)
        )
        return [(a.action, a.entity, json.loads(a.detail or "{}")) for a in rows]


def a_patient_without_care(store: Store) -> int:
    """A generated patient: no coverage, no order, no verification, no prior-auth case (the
    demo morning gives some generated patients care: not those)."""
    with store.session() as s:
        has_order = select(TherapyOrder.id).where(TherapyOrder.patient_id == Patient.id).exists()
        return int(
            s.scalars(
                select(Patient.id).where(~Patient.mrn.like("D%"), ~has_order).order_by(Patient.id)
            ).first()
            or 0
        )


# --- cost letters ----------------------------------------------------------------------------


def test_cost_letter_d0001_is_in_spanish_with_the_saved_quotes_figures(
    store: Store, actor: Actor
) -> None:
    letter, pages = render(store, actor, "cost-letter", "D0001")
    assert letter.kind == "cost-letter"
    assert letter.filename == "D0001-cost-letter-20261127.pdf"
    assert letter.title == "Patient cost letter — D0001"
    assert len(pages) == 1, "the cost letter fits one page"
    text = pages[0]
    assert_furniture(pages, "María Elena García-López", "12 de abril de 1968", lang="es")
    assert_has(
        text,
        "Cálculo de lo que usted pagará",
        "usted",
        "Lakeshore Health PPO",
        "LKH482913307",
        "infliximab (Remicade) 360 mg por vía intravenosa",
        # the demo's saved quote is made on the seed day with the visits from then on: the last
        # of her 7 approved visits (it used to cover all 7 from January, six of them past)
        "el 22 de diciembre de 2026",
        "Infliximab copay program",
        "Firma del paciente o de la persona responsable",
        "Esto es un cálculo aproximado",
    )
    for english in (
        "This letter explains",
        "You are expected to owe",
        "Page 1 of",
        "Date of birth",
        "Signature of patient",
    ):
        assert english not in text

    with store.session() as s:
        pid = ps.get_by_mrn(s, "D0001").id
        saved = qsv.get_quote(s, qsv.list_quotes(s, pid)[0].id)
    totals = saved.result["totals"]
    assert Decimal(totals["assistance_paid"]) > 0  # the figures below are not all $0.00
    assert totals["visits"] == 1  # one visit from the seed day on (see above)
    assert_has(
        text,
        f"Calculamos que usted pagará {money(totals['patient_owes'])} por su visita del "
        "22 de diciembre de 2026",
        f"Esta cantidad ya descuenta {money(totals['assistance_paid'])} de ayuda financiera",
        f"Sin esa ayuda, a usted le tocaría pagar {money(totals['patient_owes_before_assistance'])}",
        f"Su seguro pagaría {money(totals['primary_paid'])}",
        f"Total 2026 (1 visita) {money(totals['allowed'])} "
        f"{money(totals['primary_paid'])} {money(totals['patient_owes_before_assistance'])} "
        f"{money(totals['assistance_paid'])} {money(totals['patient_owes'])}",
    )
    assert re.search(r"\$\d{1,3}(,\d{3})+\.\d{2}", text), "amounts are written $x,xxx.xx"


def test_cost_letter_language_override_gives_english(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "cost-letter", "D0001", lang="en")
    text = " ".join(pages)
    assert_furniture(pages, "María Elena García-López", "April 12, 1968")
    assert_has(
        text,
        "Your cost estimate",
        "This letter explains what you can expect to pay",
        "Date of birth: April 12, 1968",
        "by IV infusion",
        "Signature of patient or responsible person",
        "Page 1 of 1",
    )
    for spanish in ("usted", "Cálculo", "Página", "Fecha de nacimiento"):
        assert spanish not in text


def test_cost_letter_d0002_english_with_medicare_and_medigap(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "cost-letter", "D0002")
    text = " ".join(pages)
    assert "Nguyễn" in text and "Văn" in text  # Vietnamese diacritics intact
    assert_furniture(pages, "Nguyễn", "September 30, 1951")
    assert_has(
        text,
        "Your cost estimate",
        "Medicare Part B",
        "Evergreen Medigap G",
        "EVG5561029",
        "second insurance",
        "You are expected to owe",
        "Your insurance is expected to pay",
        "Evergreen Medigap G is expected to pay",
    )
    assert "usted" not in text and "Página" not in text


def test_cost_letter_d0002_says_no_prior_approval_is_needed(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "cost-letter", "D0002")
    text = " ".join(pages)
    assert "We do not know yet whether your insurance must approve" not in text
    assert (
        "no prior approval is needed" in text or "does not need to approve these infusions" in text
    )


def test_cost_letter_d0004_prints_the_chinese_name_on_every_page(
    store: Store, actor: Actor
) -> None:
    _, pages = render(store, actor, "cost-letter", "D0004")
    text = " ".join(pages)
    assert_furniture(pages, "王秀英", "November 23, 1979")
    assert_has(
        text,
        "Summit HDHP",
        "SMT77120456",
        "MS Access Fund grant",
        "$4,000.00",
        "ocrelizumab (Ocrevus) 600 mg",
    )
    # as written (family name first), not romanized nor in Western order
    assert "王秀英 · Date of birth: November 23, 1979 · MRN: D0004" in text
    assert "秀英 王" not in text and "秀英王" not in text


# --- Good Faith Estimate ---------------------------------------------------------------------


def test_gfe_d0005_has_every_required_element(store: Store, actor: Actor) -> None:
    letter, pages = render(store, actor, "gfe", "D0005")
    assert letter.filename == "D0005-gfe-20261127.pdf"
    text = " ".join(pages)
    assert_furniture(pages, "James Carter", "February 17, 1985")
    assert_has(
        text,
        "Good Faith Estimate",
        # 1. patient name and date of birth (and id)
        "Patient name James Carter",
        "Patient date of birth February 17, 1985",
        "D0005",
        # 2. the main service and its scheduled dates
        "ferric carboxymaltose (Injectafer) 750 mg",
        "December 3, 2026",
        "December 10, 2026",
        # 3./4. itemized by provider: diagnosis code, code type, code, quantity, cost
        "Estimate details: Lakeside Infusion Center",
        # one line per service and visit date (the Date column is filled): 750 mg at $1.45 a mg
        # = $1,087.50 and one hour of infusion at $180.00, on each of the two dates
        "Dec 3, 2026 D50.9 HCPCS J1439 750 $1,087.50",
        "Dec 3, 2026 D50.9 CPT 96365 1 $180.00",
        "Dec 10, 2026 D50.9 HCPCS J1439 750 $1,087.50",
        "Dec 10, 2026 D50.9 CPT 96365 1 $180.00",
        # the discount with its basis: 50% of 2 × $1,267.50 = $1,267.50 off
        "Sliding-scale discount (50% of the self-pay price) -$1,267.50",
        "Total estimated cost $1,267.50",
        # 5. the facility's name, NPI, TIN, state and place of care
        "National Provider Identifier (NPI) 1851234561",
        "Taxpayer Identification Number (TIN) 36-1234567",
        "Chicago, IL 60611",
        "Place of care",
        # 6. items scheduled separately
        "Items and services scheduled separately",
        "billed separately",
        # 7. other recommended services get their own estimate
        "you will get a separate Good Faith Estimate for them",
        # 8. only an estimate
        "It is only an estimate",
        # 9. dispute rights: $400, 120 days, where, care not affected
        "at least $400 more than",
        "within 120 calendar days",
        "www.cms.gov/nosurprises",
        "Starting a dispute will not affect the quality of the care",
        # 10. not a contract
        "is not a contract and does not require you to obtain the items or services",
    )
    # the estimate's total is what the saved self-pay quote says the patient owes
    with store.session() as s:
        pid = ps.get_by_mrn(s, "D0005").id
        totals = qsv.get_quote(s, qsv.list_quotes(s, pid)[0].id).result["totals"]
    assert f"Total estimated cost {money(totals['patient_owes'])}" in text


# --- prior-authorization packet --------------------------------------------------------------


def test_pa_packet_d0003_cover_sheet_and_letter(store: Store, actor: Actor) -> None:
    letter, pages = render(store, actor, "pa-packet", "D0003")
    assert letter.title == "Prior-authorization packet — D0003"
    text = " ".join(pages)
    assert_furniture(pages, "Zoë O'Brien", "June 2, 2014")
    assert_has(
        text,
        "Prior Authorization Request",
        "To Prairie Family Medicaid",
        "Fax: (800) 555-0115",
        "Member ID PFM00912234",
        "Helen Okafor NPI 1526374859",
        "immune globulin SC 20% (Hizentra)",
        "Diagnosis D83.9",
        # issue 9: the home is the site (its address), not the center
        "Site of care Patient's home (POS 12): 88 Maple Ave, Naperville, IL 60540",
        "Requested dates December 7, 2026 – May 31, 2027",
        "Visits requested 26",
        "Letter of Medical Necessity",
        "Provider to complete",
    )
    # issue 9: a home visit bills the nursing visit and the per diem, not 96369/96370.
    # 200 mg/kg × 38 kg = 7,600 mg = 76 units; 8,000 mg opened → 4 JW; 95 min → 99601 alone.
    for code in ("J1559 HCPCS", "J1559-JW HCPCS", "99601 CPT", "S9338 HCPCS"):
        assert code in text
    assert "96369" not in text and "96370" not in text
    assert "Lakeside Infusion Center (Home" not in text
    # every code of the cover table carries a number of units
    for code in ("J1559", "J1559-JW", "99601", "S9338"):
        assert re.search(rf"{re.escape(code)} × \d+", text), code
    # the contents list is the case's documents, in order
    with store.session() as s:
        pid = ps.get_by_mrn(s, "D0003").id
        case = pas.get_case(
            s,
            max(c.id for c in pas.list_cases(s, today=TODAY, patient_id=pid, include_closed=True)),
        )
    labels = [pa.DOCUMENT_LABELS[d.kind] for d in case.documents if not d.removed]
    assert len(labels) == 4
    listing = " ".join(f"{i}. {label}" for i, label in enumerate(labels, 1))
    assert f"Contents of this request {listing}" in text


def test_pa_packet_units_match_their_column_heading(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "pa-packet", "D0003")
    text = " ".join(pages)
    row = re.search(r"J1559 HCPCS immune globulin SC 20% \(Hizentra\), amount given (\d+)", text)
    assert row, text
    units = int(row.group(1))
    if "Units per visit" in text:
        assert units == 76  # 200 mg/kg × 38 kg = 7,600 mg = 76 units of 100 mg
    else:
        assert units == 76 * 26


# --- appeal ----------------------------------------------------------------------------------


def test_appeal_d0004_has_denial_reason_and_deadline(store: Store, actor: Actor) -> None:
    letter, pages = render(store, actor, "appeal", "D0004")
    assert letter.filename == "D0004-appeal-20261127.pdf"
    text = " ".join(pages)
    assert_furniture(pages, "王秀英", "November 23, 1979")
    deadline = date(2026, 10, 20) + timedelta(days=180)
    assert deadline == date(2027, 4, 18)
    assert_has(
        text,
        "Request for Reconsideration (Appeal)",
        "Summit Health",
        "Member ID SMT77120456",
        "Plan: Summit HDHP",
        "Date of denial October 20, 2026",
        "was denied on October 20, 2026",
        "“Site-of-care policy: ocrelizumab must be given at a non-hospital site.”",
        "Appeal deadline April 18, 2027",
        "within the 180-day appeal period",
        "(deadline: April 18, 2027)",
        "I ask that you reconsider this decision",
        "J2350 × 600",
        "Diagnosis G35",
        "Samuel Whitaker · NPI 1782345619",
    )
    with store.session() as s:
        pid = ps.get_by_mrn(s, "D0004").id
        rows = pas.list_cases(s, today=TODAY, patient_id=pid, include_closed=True)
        case = pas.get_case(s, max(r.id for r in rows))
    labels = [pa.DOCUMENT_LABELS[d.kind] for d in case.documents if not d.removed]
    assert "Letter from the payer (e.g. the denial)" in labels
    listing = " ".join(f"{i}. {label}" for i, label in enumerate(labels, 1))
    assert f"Enclosures {listing}" in text


def test_appeal_clinical_rationale_is_not_an_empty_section(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "appeal", "D0004")
    text = " ".join(pages)
    section = re.search(r"Clinical rationale(.*?)Enclosures", text)
    assert section, text
    assert section.group(1).strip(), "the clinical rationale section is empty"


# --- verification summary --------------------------------------------------------------------


def test_verification_d0006_has_the_call_record(store: Store, actor: Actor) -> None:
    letter, pages = render(store, actor, "verification", "D0006")
    assert letter.title == "Verification summary — D0006"
    text = " ".join(pages)
    assert_furniture(pages, "Олена Коваленко", "July 8, 1990")
    assert_has(
        text,
        "Benefits Verification Summary",
        "Primary coverage: Northwind Choice",
        "Member ID NWB300114",
        "Reference number NWB-55102",
        "Northwind TPA, agent Lee",
        "Nov 25, 2026, 11:00 AM",
        "tocilizumab (Actemra)",
    )


def test_verification_d0006_lists_both_coverages(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "verification", "D0006")
    text = " ".join(pages)
    assert_has(text, "Northwind Choice", "NWB-55102", "Harbor Select", "HHP9081726")


def test_verification_d0002_has_a_sheet_per_coverage(store: Store, actor: Actor) -> None:
    _, pages = render(store, actor, "verification", "D0002")
    text = " ".join(pages)
    assert_furniture(pages, "Nguyễn", "September 30, 1951")
    assert_has(
        text, "Medicare Part B", "MCR-20261125-0457", "Evergreen Medigap G", "EVG-88213"
    )  # verified on the re-check day 11/25


# --- audit trail -----------------------------------------------------------------------------


def test_every_render_print_and_save_is_audited_without_paths_or_names(
    store: Store, actor: Actor
) -> None:
    pid = pid_of(store, "D0001")
    with store.session() as s:
        first = letters.render(s, actor, "cost-letter", pid, today=TODAY)
        letters.render(s, actor, "cost-letter", pid, today=TODAY, lang="en")
        letters.render(s, actor, "verification", pid, today=TODAY)
    assert audit_events(store, pid, actor) == [
        ("render", "document", {"kind": "cost-letter", "lang": ""}),
        ("render", "document", {"kind": "cost-letter", "lang": "en"}),
        ("render", "document", {"kind": "verification", "lang": ""}),
    ]
    folder = "/home/desk/Patients/María Elena García-López"
    with store.session() as s:
        letters.record_output(s, actor, first, action="save", target=f"{folder}/{first.filename}")
        letters.record_output(s, actor, first, action="print")
        with pytest.raises(ValueError):
            letters.record_output(s, actor, first, action="email", target="x@example.org")
    events = audit_events(store, pid, actor)[3:]
    assert events == [
        ("document:save", "document", {"kind": "cost-letter", "file": first.filename}),
        ("document:print", "document", {"kind": "cost-letter", "file": ""}),
    ]
    with store.session() as s:
        raw = [
            a.detail
            for a in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.actor == actor.name, AuditEvent.action.like("document:%")
                )
            )
        ]
    assert len(raw) == 2
    for detail in raw:
        for leaked in ("/home", "Patients", "García", "María", "López"):
            assert leaked not in detail


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lang", "words"),
    [
        ("invoice", None, "cost-letter"),
        ("Cost-Letter", None, "cost-letter"),
        ("cost-letter", "fr", "es (Spanish)"),
        ("cost-letter", "", "en (English)"),
    ],
)
def test_unknown_kind_or_language_is_a_user_error(
    store: Store, actor: Actor, kind: str, lang: str | None, words: str
) -> None:
    pid = pid_of(store, "D0001")
    with store.session() as s, pytest.raises(UserError) as err:
        letters.render(s, actor, kind, pid, today=TODAY, lang=lang)
    assert words in err.value.message
    assert audit_events(store, pid, actor) == []


def test_nothing_to_print_is_a_clear_user_error(store: Store, actor: Actor) -> None:
    d0001, d0005 = pid_of(store, "D0001"), pid_of(store, "D0005")
    bare = a_patient_without_care(store)
    assert bare
    cases = [
        ("appeal", d0001, "no denied prior authorization"),  # D0001's case is approved
        ("verification", d0005, "no benefits verification"),  # uninsured
        ("pa-packet", d0005, "no prior-authorization case"),
        ("verification", bare, "no benefits verification"),
        ("gfe", bare, "no therapy order"),
        ("cost-letter", bare, "no therapy order"),
    ]
    for kind, pid, words in cases:
        with store.session() as s, pytest.raises(UserError) as err:
            letters.render(s, actor, kind, pid, today=TODAY)
        assert words in err.value.message, (kind, err.value.message)
        assert "\n" not in err.value.message
    for pid in (d0001, d0005, bare):
        assert audit_events(store, pid, actor) == [], "a refused render is not audited"


def test_patients_with_visits_on_a_day(store: Store) -> None:
    with store.session() as s:
        pid = {m: ps.get_by_mrn(s, m).id for m in ("D0001", "D0002", "D0005")}
        dec1 = letters.patients_with_visits_on(s, date(2026, 12, 1))
        dec3 = letters.patients_with_visits_on(s, date(2026, 12, 3))
        dec2 = letters.patients_with_visits_on(s, date(2026, 12, 2))
    assert pid["D0002"] in dec1
    assert pid["D0001"] not in dec1 and pid["D0005"] not in dec1
    assert pid["D0005"] in dec3
    assert pid["D0002"] not in dec2 and pid["D0005"] not in dec2
    assert dec1 == sorted(set(dec1))


# --- `infudesk letter` (subprocess) ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A demo database made by `infudesk seed --demo --data-dir D` (D, env dir)."""
    base = tmp_path_factory.mktemp("letter-cli")
    demo_dir, env_dir = base / "D", base / "env"
    result = run_cli("seed", "--demo", "--data-dir", str(demo_dir), env_dir=env_dir)
    assert result.returncode == 0, result.stderr
    yield demo_dir, env_dir


def letter_cli(demo_db: tuple[Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    demo_dir, env_dir = demo_db
    return run_cli("letter", *args, "--demo", "--data-dir", str(demo_dir), env_dir=env_dir)


def test_cli_cost_letter_for_d0006_writes_a_readable_pdf(
    demo_db: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "letters" / "new" / "D0006.pdf"  # missing folders are created
    result = letter_cli(demo_db, "cost-letter", "--patient", "D0006", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Wrote {out}" in result.stdout
    pages = pdf_pages(out.read_bytes())
    text = " ".join(pages)
    assert_furniture(pages, "Олена Коваленко", "July 8, 1990")
    assert_has(text, "Your cost estimate", "Northwind Choice", "Harbor Select", "tocilizumab")
    assert [p.name for p in out.parent.iterdir()] == ["D0006.pdf"], "no temporary file left"

    # the save is in the demo database's audit trail, with the file name only
    demo_dir, _ = demo_db
    st = open_store(DataPaths(demo_dir), demo=True, create=False)
    try:
        with st.session() as s:
            pid = ps.get_by_mrn(s, "D0006").id
            rows = [
                (a.action, json.loads(a.detail))
                for a in s.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.patient_id == pid, AuditEvent.entity == "document")
                    .order_by(AuditEvent.id)
                )
            ]
    finally:
        st.close()
    assert ("render", {"kind": "cost-letter", "lang": ""}) in rows
    assert ("document:save", {"kind": "cost-letter", "file": "D0006.pdf"}) in rows


def test_cli_lang_es_gives_a_spanish_letter(demo_db: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "es.pdf"
    result = letter_cli(
        demo_db, "cost-letter", "--patient", "D0006", "--out", str(out), "--lang", "es"
    )
    assert result.returncode == 0, result.stderr
    pages = pdf_pages(out.read_bytes())
    text = " ".join(pages)
    assert_furniture(pages, "Олена Коваленко", "8 de julio de 1990", lang="es")
    assert_has(text, "Cálculo de lo que usted pagará", "por vía intravenosa")
    assert "This letter explains" not in text


def test_cli_unknown_mrn_is_a_one_line_error(demo_db: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = letter_cli(demo_db, "cost-letter", "--patient", "D9999", "--out", str(out))
    msg = assert_clean_failure(result, 1)
    assert len(msg.splitlines()) == 1
    assert msg.startswith("infudesk: ")
    assert not out.exists()


def test_cli_nothing_to_print_is_a_one_line_error(
    demo_db: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "appeal.pdf"
    result = letter_cli(demo_db, "appeal", "--patient", "D0001", "--out", str(out))
    msg = assert_clean_failure(result, 1)
    assert msg == "infudesk: This patient has no denied prior authorization to print."
    assert not out.exists()


def test_cli_out_folder_or_unknown_kind_exits_2(demo_db: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    result = letter_cli(demo_db, "cost-letter", "--patient", "D0006", "--out", str(folder))
    msg = assert_clean_failure(result, 2)
    assert "is a folder" in msg and len(msg.splitlines()) == 1
    assert list(folder.iterdir()) == []

    result = letter_cli(demo_db, "invoice", "--patient", "D0006", "--out", str(tmp_path / "i.pdf"))
    msg = assert_clean_failure(result, 2)
    assert "invalid choice" in msg and "'invoice'" in msg
    assert not (tmp_path / "i.pdf").exists()


def test_a_chosen_case_is_printed_not_just_the_latest(store: Store, actor: Actor) -> None:
    from infudesk.services import prior_auths as pas

    d0001, d0004 = pid_of(store, "D0001"), pid_of(store, "D0004")
    with store.session() as s:
        denied = pas.list_cases(s, today=TODAY, patient_id=d0004)[0].id
        approved = pas.list_cases(s, today=TODAY, patient_id=d0001)[0].id
        packet = letters.render(s, actor, "pa-packet", d0004, today=TODAY, case_id=denied)
        assert packet.pdf.startswith(b"%PDF")
        with pytest.raises(UserError, match="another patient"):
            letters.render(s, actor, "appeal", d0004, today=TODAY, case_id=approved)
        with pytest.raises(UserError, match="not been denied"):
            letters.render(s, actor, "appeal", d0001, today=TODAY, case_id=approved)


def test_spanish_letters_use_the_spanish_contact_hours(store: Store, actor: Actor) -> None:
    from infudesk.services import settings

    with store.session() as s:
        settings.put(s, actor, "center.contact_hours_es", "de lunes a viernes, de 9 a 13 h")
        letter = letters.render(s, actor, "cost-letter", pid_of(store, "D0001"), today=TODAY)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.pdf)).pages)
    assert "de lunes a viernes, de 9 a 13 h" in " ".join(text.split())
    assert "Monday to Friday" not in text


# --- issue 9: codes and documents -----------------------------------------------------------


def test_pa_packet_d0001_dates_and_visit_count_come_from_the_same_visits(
    store: Store, actor: Actor
) -> None:
    # Before: "Requested dates December 22, 2026 – December 22, 2026 / Visits requested 7" (the
    # dates from the one visit still planned, the count from all seven). The order's course:
    # Jan 20, 2026 + 6 × 56 days → Mar 17, May 12, Jul 7, Sep 1, Oct 27, Dec 22: 7 visits.
    _, pages = render(store, actor, "pa-packet", "D0001")
    text = " ".join(pages)
    assert_has(
        text,
        "Requested dates January 20, 2026 – December 22, 2026",
        "Visits requested 7",
        "from January 20, 2026 to December 22, 2026, 7 visits",
        "Site of care Lakeside Infusion Center, Infusion center / office (POS 11)",
    )
    with store.session() as s:
        data = letters.pa_packet_data(s, pid_of(store, "D0001"), today=TODAY)
        order = ors.get_order(s, ors.list_orders(s, pid_of(store, "D0001"))[0].id)
    dates = sorted(v.on for v in order.visits)
    assert (data.requested_from, data.requested_to, data.visits) == (dates[0], dates[-1], 7)


@pytest.mark.parametrize("kind", ["pa-packet", "appeal", "verification"])
def test_payer_documents_print_the_name_on_the_card_with_the_legal_name(
    store: Store, actor: Actor, kind: str
) -> None:
    # D0004's card reads "Wang Xiuying"; her legal name is 王秀英: both, card name first, on
    # every page (header/footer) and in the body
    _, pages = render(store, actor, kind, "D0004")
    both = re.compile(r"Wang Xiuying \(legal name: ?王秀英 ?\)")  # pypdf spaces a font change
    for page in pages:
        assert both.search(page), page
    text = " ".join(pages)
    assert text.count("Wang Xiuying") == len(both.findall(text))


def test_patient_letters_and_same_name_cards_print_one_name(store: Store, actor: Actor) -> None:
    # the cost letter goes to the patient: her legal name alone
    _, pages = render(store, actor, "cost-letter", "D0004")
    text = " ".join(pages)
    assert "王秀英" in text and "Wang Xiuying" not in text and "legal name" not in text
    # D0001 has no separate card name: one name on the packet
    _, pages = render(store, actor, "pa-packet", "D0001")
    assert "legal name" not in " ".join(pages)
    assert "María Elena García-López" in pages[0]


def test_verification_summary_prints_answers_as_the_checklist_shows_them(
    store: Store, actor: Actor
) -> None:
    # stored: coinsurance "20", acquisition "buy_and_bill", in_network "in", place "11",
    # deductible "2000", pa_required "yes"
    _, pages = render(store, actor, "verification", "D0001")
    text = " ".join(pages)
    assert_has(
        text,
        "Coinsurance 20%",
        "Drug acquisition Buy-and-bill",
        "Site in network In network",
        "Place of service 11 Office",
        "Deductible $2,000.00",
        "Deductible met $500.00",
        "Prior authorization required Yes",
        "Plan active on the date of service Yes",
    )
    for raw in ("buy_and_bill", "Coinsurance 20 ", "Site in network in ", "Place of service 11 D"):
        assert raw not in text, raw


def test_home_course_documents_name_the_home(store: Store, actor: Actor) -> None:
    # D0003 gets SC immune globulin at home: the cost letter and the GFE name the home
    _, pages = render(store, actor, "cost-letter", "D0003")
    assert "at your home, with care from Lakeside Infusion Center" in " ".join(pages)
    _, pages = render(store, actor, "gfe", "D0003")
    text = " ".join(pages)
    assert_has(
        text,
        "Provider or facility type Home infusion provider",
        "Where care is given 88 Maple Ave Naperville, IL 60540",
        "Home nursing visit, first 2 hours",
        "Home infusion per diem, immunotherapy",
    )
    assert "Infusion center (facility)" not in text


# The showcase patients' Spanish documents, and the English they must not contain: every
# phrase of three words or more of the English tables, and the English labels of the codes,
# sites, program kinds and drug lines that a document may print.
def _english_phrases() -> set[str]:
    from dataclasses import astuple

    from infudesk.documents import text as tx
    from infudesk.domain.assistance import PROGRAM_KINDS
    from infudesk.domain.billing import ADMIN_LABELS, PER_DIEM_LABELS
    from infudesk.domain.orders import ROUTE_LABELS, SITE_LABELS

    texts: list[str] = []
    for table in (tx.COST_LETTER["en"], tx.GFE["en"], tx.PAGE["en"], tx.NOTICES["en"]):
        texts += [x for x in astuple(table) if isinstance(x, str)]
    texts += [tx.SEPARATELY_SCHEDULED["en"], tx.HOME_PLACE["en"], tx.NOTICE_HEADING["en"]]
    labels = [
        *tx.PROVIDER_KINDS["en"].values(),
        *ADMIN_LABELS.values(),
        *PER_DIEM_LABELS.values(),
        *SITE_LABELS.values(),
        *PROGRAM_KINDS.values(),
        *ROUTE_LABELS.values(),
        "amount given",
        "amount discarded",
        "financial counselor",
        "Sliding-scale discount",
    ]
    phrases: set[str] = set(labels)
    for t in texts:
        plain = re.sub(r"<[^>]+>", " ", t)
        for piece in re.split(r"\{[a-z0-9_]+\}|[.;:,()!?]", plain):
            words = piece.split()
            if len(words) >= 3:
                phrases.add(" ".join(words))
    return phrases


SPANISH_DOCUMENTS = [
    *[("cost-letter", mrn) for mrn in ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006")],
    *[("gfe", mrn) for mrn in ("D0001", "D0003", "D0005")],
]


@pytest.mark.parametrize(("kind", "mrn"), SPANISH_DOCUMENTS)
def test_spanish_documents_contain_no_english(
    store: Store, actor: Actor, kind: str, mrn: str
) -> None:
    _, pages = render(store, actor, kind, mrn, lang="es")
    # proper names may stay as they are: the center, drugs, plans, payers
    text = " ".join(pages).replace("Lakeside Infusion Center", "")
    leaks = sorted(p for p in _english_phrases() if p.casefold() in text.casefold())
    assert not leaks, f"English in the Spanish {kind} of {mrn}: {leaks}"
    # no sentence is said twice in a row ("Esto es un cálculo aproximado. Este documento es un
    # cálculo aproximado" before issue 9)
    assert "cálculo aproximado. Este documento es un cálculo aproximado" not in text
    sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+", text) if len(x.split()) > 3]
    assert all(a != b for a, b in zip(sentences, sentences[1:], strict=False))


def test_the_english_phrase_check_finds_a_leak() -> None:
    # the check above can fail: the English table's own words are found in English text
    phrases = _english_phrases()
    assert "IV infusion, first hour" in phrases
    assert "Infusion center (facility)" in phrases
    assert "financial counselor" in phrases
    english = "Call Ana Ruiz, financial counselor at (312) 555-0142 about your IV infusion"
    assert any(p.casefold() in english.casefold() for p in phrases)


# --- issue 9: the quote engine's warnings on patient letters ---------------------------------


def test_cost_letter_prints_the_engines_warnings_in_plain_words(store: Store, actor: Actor) -> None:
    # D0004's quote warns that the course runs into plan year 2027 (same terms assumed) and
    # that the foundation grant expires on 2026-12-31
    with store.session() as s:
        setup = qsv.prepare(s, pid_of(store, "D0004"), today=TODAY)
        assert len(qsv.compute(setup).warnings) == 2
    _, pages = render(store, actor, "cost-letter", "D0004")
    text = " ".join(pages)
    assert_has(
        text,
        "Your plan year starts again on January 1, 2027",
        "we assumed your plan's terms do not change",
        "Please note: Your assistance grant ends on December 31, 2026",
    )
    _, pages = render(store, actor, "cost-letter", "D0004", lang="es")
    text = " ".join(pages)
    assert_has(
        text,
        "supusimos que las condiciones de su plan no cambian",
        "Tenga en cuenta: Su ayuda de la fundación termina el 31 de diciembre de 2026",
    )


def test_both_plans_renewing_the_same_day_is_one_notice(store: Store, actor: Actor) -> None:
    # D0006: primary and secondary both start plan year 2027 on January 1
    _, pages = render(store, actor, "cost-letter", "D0006", lang="en")
    text = " ".join(pages)
    assert text.count("Both your insurance plans start a new plan year on January 1, 2027") == 1
    assert len(pages) == 1


def _with_warning(monkeypatch: pytest.MonkeyPatch, warning: str) -> None:
    from dataclasses import replace

    compute = qsv.compute

    def warned(setup: qsv.QuoteSetup) -> object:
        quote = compute(setup)
        return replace(quote, warnings=(*quote.warnings, warning))

    monkeypatch.setattr(qsv, "compute", warned)


def test_a_warning_without_plain_words_refuses_the_letter_unless_overridden(
    store: Store, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = "primary.copay: a figure nobody has words for yet."
    _with_warning(monkeypatch, odd)
    pid = pid_of(store, "D0005")
    for kind in ("cost-letter", "gfe"):
        with store.session() as s, pytest.raises(UserError, match="cannot explain in plain words"):
            letters.render(s, actor, kind, pid, today=TODAY)
    assert audit_events(store, pid, actor) == []  # nothing was built
    with store.session() as s:
        letter = letters.render(s, actor, "cost-letter", pid, today=TODAY, override_warnings=True)
    assert odd not in " ".join(pdf_pages(letter.pdf))
    assert audit_events(store, pid, actor) == [
        ("render", "document", {"kind": "cost-letter", "lang": ""}),
        ("override_warnings", "document", {"kind": "cost-letter", "warnings": [odd]}),
    ]


def test_a_medicare_deductible_warning_is_printed(
    store: Store, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a Part B coverage saved without its deductible quotes too little: the letter says so
    _with_warning(
        monkeypatch,
        "primary.deductible: the Part B deductible for 2026 is $283.00, this request gives none.",
    )
    _, pages = render(store, actor, "cost-letter", "D0002")
    assert "The Medicare Part B deductible for 2026 is $283.00" in " ".join(pages)
    _, pages = render(store, actor, "cost-letter", "D0002", lang="es")
    assert "El deducible de la Parte B de Medicare para 2026 es de $283.00" in " ".join(pages)


def test_every_warning_the_engine_writes_today_has_plain_words() -> None:
    # one of each message the engine writes (costshare._coverage_warnings, _year_warnings,
    # _Course): all explained, in both languages
    warnings = [
        "primary.oop_max: Original Medicare has no out-of-pocket maximum; it was ignored.",
        "primary.coinsurance: Original Medicare's coinsurance is 20% (0.20), not 10%; give a "
        "reduced rate on the drug's line instead.",
        "primary: the out-of-pocket maximum $1,000.00 is below the deductible $2,000.00; the "
        "patient never pays more than the maximum.",
        "primary.deductible: the Part B deductible for 2026 is $283.00, this request gives none.",
        "primary.oop_max: $12,000.00 is above the 2026 federal limit for one person "
        "($10,600.00); check the figure with the payer.",
        "primary.family.oop_max: $30,000.00 is above the 2026 federal family limit "
        "($21,200.00); check the figure with the payer.",
        "primary.oop_max: $12,000.00 is above the 2026 Medicare Advantage in-network limit "
        "($9,250.00); check the figure.",
        "assistance[0] (Acme card): not applied: copay cards cannot be used with Medicare.",
        "assistance[1] (Fund): the grant expires on 2026-12-31; visits after that get nothing "
        "from it unless it is renewed.",
        "secondary: the course runs into plan year 2027 (from 2027-01-01); the same "
        "deductible, coinsurance and out-of-pocket maximum are assumed.",
    ]
    for lang in ("en", "es"):
        notices, unexplained = letters.patient_notices(warnings, lang)
        assert unexplained == ()
        assert len(notices) == 8  # the three "above the limit" share one sentence
    assert letters.patient_notices(["something new"], "en") == ((), ("something new",))


def test_cli_override_warnings_leaves_them_off_and_is_audited(
    demo_db: tuple[Path, Path], tmp_path: Path
) -> None:
    # D0004's grant expires before her second visit (six months on): without the flag
    # the letter says so; with it, it does not, and the audit trail keeps the override
    plain = tmp_path / "plain.pdf"
    result = letter_cli(demo_db, "cost-letter", "--patient", "D0004", "--out", str(plain))
    assert result.returncode == 0, result.stderr
    assert "Your assistance grant ends on" in " ".join(pdf_pages(plain.read_bytes()))
    out = tmp_path / "override.pdf"
    result = letter_cli(
        demo_db, "cost-letter", "--patient", "D0004", "--out", str(out), "--override-warnings"
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_pages(out.read_bytes()))
    assert "Your assistance grant ends on" not in text and "Please note" not in text
    demo_dir, _ = demo_db
    st = open_store(DataPaths(demo_dir), demo=True, create=False)
    try:
        with st.session() as s:
            pid = ps.get_by_mrn(s, "D0004").id
            overrides = [
                json.loads(a.detail)
                for a in s.scalars(
                    select(AuditEvent).where(
                        AuditEvent.patient_id == pid, AuditEvent.action == "override_warnings"
                    )
                )
            ]
    finally:
        st.close()
    assert len(overrides) == 1 and overrides[0]["kind"] == "cost-letter"
    # the CLI seeds the demo on the real day: the grant's date follows it (16 days after her
    # next visit), so only the kind of warning is fixed
    assert any("grant expires on" in w for w in overrides[0]["warnings"])
