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
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import keyring
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from infudesk.domain import prior_auth as pa
from infudesk.errors import UserError
from infudesk.paths import DataPaths
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
from infudesk.services.audit import Actor
from infudesk.services.demo import seed_demo
from infudesk.store.database import Store, open_store
from infudesk.store.models import AuditEvent, Patient
from tests.conftest import TODAY, MemoryKeyring
from tests.test_cli import assert_clean_failure, run_cli

CENTER = "Lakeside Infusion Center"


# --- the seeded database, copied per test ----------------------------------------------------


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """An encrypted database with the demo data, and the keychain entries that open it."""
    root = tmp_path_factory.mktemp("letters-template") / "data"
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        st = open_store(DataPaths(root))
        try:
            with st.session() as s:
                seed_demo(s, Actor("seed"), today=TODAY)
        finally:
            st.close()
    finally:
        keyring.set_keyring(previous)
    return root, dict(backend.entries)


@pytest.fixture
def paths(
    data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: tuple[Path, dict]
) -> DataPaths:
    """Overrides conftest's: this test's data dir starts as a copy of the seeded database."""
    root, entries = seeded_template
    shutil.copytree(root, data_dir, ignore=shutil.ignore_patterns("*.lock"))
    memory_keyring.entries.update(entries)
    return DataPaths(data_dir)


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
    """A generated patient: no coverage, no order, no verification, no prior-auth case."""
    with store.session() as s:
        return int(s.scalars(select(Patient.id).where(~Patient.mrn.like("D%"))).first() or 0)


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
        "7 visitas, cada 8 semanas",
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
    assert_has(
        text,
        f"Calculamos que usted pagará {money(totals['patient_owes'])} por las "
        f"{totals['visits']} visitas de 2026",
        f"Esta cantidad ya descuenta {money(totals['assistance_paid'])} de ayuda financiera",
        f"Sin esa ayuda, a usted le tocaría pagar {money(totals['patient_owes_before_assistance'])}",
        f"Su seguro pagaría {money(totals['primary_paid'])}",
        f"Total 2026 ({totals['visits']} visitas) {money(totals['allowed'])} "
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
        "D50.9 HCPCS J1439 1500 $2,175.00",
        "D50.9 CPT 96365 2 $360.00",
        "Sliding-scale discount -$1,267.50",
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
        "Home infusion",
        "Visits requested 26",
        "Letter of Medical Necessity",
        "Provider to complete",
    )
    for code in ("J1559 HCPCS", "J1559-JW HCPCS", "96369 CPT", "96370 CPT"):
        assert code in text
    # every code of the cover table carries a number of units
    for code in ("J1559", "J1559-JW", "96369", "96370"):
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
    assert_has(text, "Medicare Part B", "MCR-20261120-0457", "Evergreen Medigap G", "EVG-88213")


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
