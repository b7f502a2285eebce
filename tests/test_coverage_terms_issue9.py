"""Issue 9 through the app: a Part B coverage saved without terms quotes the law's figures, the
family OOP flag and per-service copays are kept and carried into the quote, Medigap's
high-deductible codes fit the column, and the coverage dialog shows two family checkboxes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox
from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import costshare as cs
from infudesk.domain import coverage as dc
from infudesk.domain.coverage import CoverageData, PlanType, Terms
from infudesk.domain.patients import PatientData
from infudesk.reference import yearly_figures
from infudesk.services import coverages as cvs
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import quotes as qs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import BenefitTerms
from infudesk.ui.common.ops import Backend
from infudesk.ui.patients.coverage_dialog import CoverageDialog
from tests.conftest import TODAY

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

VISIT = (cs.ServiceLine("J1745", 1, D("3968.00")),)


def _patient_and_payer(s: Session, actor: Actor) -> tuple[int, int]:
    data = PatientData(
        first_name="Ada", last_name="Lind", birth_date=date(1950, 2, 3), sex="F", mrn="T0901"
    )
    pid = ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id
    payer = pys.create_payer(s, actor, pys.PayerData(name="Test Medicare")).id
    return pid, payer


def _record(
    store: Store, actor: Actor, data: CoverageData, terms: Terms | None
) -> cvs.CoverageRecord:
    with store.session() as s:
        pid, payer = _patient_and_payer(s, actor)
        from dataclasses import replace

        return cvs.add_coverage(
            s, actor, pid, replace(data, payer_id=payer), today=TODAY, terms=terms
        )


PART_B = CoverageData(
    plan_type=PlanType.MEDICARE_PART_B, member_id="1EG4-TE5-MK73", effective_on=date(2020, 1, 1)
)


def test_part_b_saved_without_terms_quotes_the_law(store: Store, actor: Actor) -> None:
    rec = _record(store, actor, PART_B, None)
    cov = qs.engine_coverage(rec)
    assert cov.yearly_deductible and cov.yearly_coinsurance
    setup = qs.QuoteSetup(
        patient_id=rec.patient_id,
        order_id=None,
        primary_id=rec.id,
        secondary_id=None,
        site="",
        dates=(date(2026, 3, 2),),
        lines=VISIT,
        primary=cov,
        secondary=None,
        program_ids=(),
        programs=(),
        labels={},
    )
    v = qs.compute(setup).visits[0]
    # Before issue 9: $0.00 owed. Now 283.00 + 20% × 3,685.00 = 737.00 → 1,020.00.
    assert (v.deductible, v.coinsurance, v.patient_owes) == (D("283.00"), D("737.00"), D("1020.00"))


def test_part_b_with_terms_without_deductible_takes_the_year(store: Store, actor: Actor) -> None:
    # terms with only the deductible met (100): deductible by law 283 − 100 = 183 left;
    # coinsurance 0 entered → the law's 20%: 183 + 20% × 3,785 = 757.00 → 940.00
    rec = _record(store, actor, PART_B, Terms(deductible_met=D("100")))
    cov = qs.engine_coverage(rec)
    v = cs.quote(cs.QuoteRequest((date(2026, 3, 2),), VISIT, cov), yearly_figures()).visits[0]
    assert v.patient_owes == D("940.00")


def test_family_oop_flag_and_per_service_copay_are_kept_and_quoted(
    store: Store, actor: Actor
) -> None:
    data = CoverageData(
        plan_type=PlanType.COMMERCIAL, member_id="LKS100", effective_on=date(2026, 1, 1)
    )
    terms = Terms(
        coinsurance=D("0.20"),
        oop_max=D("7000"),
        family_deductible=D("6800"),
        family_oop_max=D("14000"),
        family_embedded=False,
        family_oop_embedded=True,
        copay=D("50"),
        copay_applies="per_service",
    )
    rec = _record(store, actor, data, terms)
    assert rec.terms is not None and rec.terms.terms.family_oop_embedded is True
    cov = qs.engine_coverage(rec)
    assert cov.copay_applies == "line"
    assert cov.family == cs.FamilyTerms(
        deductible=D("6800"), oop_max=D("14000"), embedded=False, oop_embedded=True
    )
    three = (
        cs.ServiceLine("J1745", 1, D("1000.00")),
        cs.ServiceLine("96365", 1, D("200.00")),
        cs.ServiceLine("96366", 1, D("60.00")),
    )
    v = cs.quote(cs.QuoteRequest((date(2026, 3, 2),), three, cov)).visits[0]
    # copays 3 × 50 = 150 (was 50: one per visit); the family deductible takes the rest (1,110)
    assert (v.copay, v.deductible) == (D("150.00"), D("1110.00"))
    with store.session() as s:
        row = s.scalar(select(BenefitTerms).where(BenefitTerms.coverage_id == rec.id))
        assert row is not None and row.family_oop_embedded is True and row.family_embedded is False


def test_high_deductible_medigap_code_is_saved_and_quoted(store: Store, actor: Actor) -> None:
    data = CoverageData(
        rank=2,
        plan_type=PlanType.MEDIGAP,
        medigap_plan="hdg",
        member_id="EVG1",
        effective_on=date(2026, 1, 1),
    )
    rec = _record(store, actor, data, Terms(deductible_met=D("2500")))
    assert rec.data.medigap_plan == "HDG"
    assert qs.engine_coverage(rec) == cs.Coverage(
        "medigap", medigap_plan="HDG", deductible_met=D("2500")
    )


def test_migration_0007_keeps_rows_and_sets_the_oop_flag(data_dir: Path) -> None:
    import secrets

    from sqlalchemy import text

    from infudesk.store.engine import make_engine
    from infudesk.store.migrate import upgrade

    data_dir.mkdir(parents=True)
    db = data_dir / "old.db"
    engine = make_engine(db, secrets.token_bytes(32))
    try:
        assert upgrade(engine, db, target="0005") is True
        with engine.begin() as conn:
            for table in ("patients", "payers", "coverages", "benefit_terms"):
                cols = conn.exec_driver_sql(f"PRAGMA table_info({table})").fetchall()
                values: dict[str, object] = {}
                for _cid, name, kind, notnull, default, pk in cols:
                    if pk or not notnull or default is not None:
                        continue
                    k = str(kind).upper()
                    values[name] = (
                        1
                        if name.endswith("_id")
                        else "2026-01-01"
                        if k.startswith(("DATE", "UTC")) or name.endswith(("_on", "_at", "_date"))
                        else 0
                        if k.startswith(("INT", "BOOL", "NUM"))
                        else "x"
                    )
                values["id"] = 1
                if table == "benefit_terms":
                    values["family_embedded"] = 0
                if table == "coverages":
                    values["medigap_plan"] = "K"
                names = ", ".join(values)
                marks = ", ".join(f":{n}" for n in values)
                conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
        assert upgrade(engine, db, backup_dir=data_dir / "backups") is True
        with engine.begin() as conn:
            row = conn.exec_driver_sql(
                "SELECT family_embedded, family_oop_embedded FROM benefit_terms WHERE id = 1"
            ).one()
            assert tuple(row) == (0, 1)  # the deductible flag kept; the OOP one true
            assert conn.exec_driver_sql("SELECT medigap_plan FROM coverages").scalar() == "K"
            conn.exec_driver_sql("UPDATE coverages SET medigap_plan = 'HDF'")
    finally:
        engine.dispose()


def test_coverage_dialog_has_two_family_checkboxes_and_all_letters(
    qtbot: QtBot,
    store: Store,
    actor: Actor,
) -> None:
    with store.session() as s:
        pid, _ = _patient_and_payer(s, actor)
    d = CoverageDialog(Backend(store, Actor("desk.clerk")), pid, today=lambda: TODAY)
    qtbot.addWidget(d)
    ded, oop = d.form.widgets["family_embedded"], d.form.widgets["family_oop_embedded"]
    assert isinstance(ded, QCheckBox) and isinstance(oop, QCheckBox)
    assert "Deductible embedded" in ded.text() and "Out-of-pocket max embedded" in oop.text()
    assert "2016" in oop.toolTip()
    assert ded.isChecked() and oop.isChecked()
    combo = d.form.widgets["medigap_plan"]
    texts = [combo.itemText(i) for i in range(combo.count())]  # type: ignore[attr-defined]
    assert "Plan G, high deductible" in texts and "Plan N" in texts and "Plan K" in texts
    ded.setChecked(False)
    d.form.widgets["family_deductible"].setText("6800")  # type: ignore[attr-defined]
    d.form.widgets["coinsurance"].setText("20")  # type: ignore[attr-defined]
    _data, terms, _errors = d.read()
    assert terms is not None
    assert (terms.family_embedded, terms.family_oop_embedded) == (False, True)
    d.resize(d.sizeHint())
    assert d.height() <= 728 and d.width() <= 1366
    d.grab().save("/tmp/coverage_dialog_issue9.png")


def test_dialog_warns_on_a_medicare_advantage_oop_above_2026(store: Store) -> None:
    figs = yearly_figures()
    assert "oop_max" in dc.terms_warnings(
        Terms(oop_max=D("9500")), PlanType.MEDICARE_ADVANTAGE, 2026, figs
    )
    assert (
        dc.terms_warnings(Terms(oop_max=D("9000")), PlanType.MEDICARE_ADVANTAGE, 2026, figs) == {}
    )


def test_quote_screen_shows_part_b_terms_by_law_and_lets_them_be_typed_over(
    qtbot: QtBot, store: Store, actor: Actor
) -> None:
    from PySide6.QtWidgets import QLineEdit

    from infudesk.demo.showcase import seed_demo
    from infudesk.ui.quote.quote_screen import QuoteScreen

    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
        pid = ps.get_by_mrn(s, "D0002").id
        part_b = next(c for c in cvs.list_coverages(s, pid) if c.data.rank == 1)
        # new figures as if entered without a deductible or coinsurance: the law's apply
        cvs.record_terms(s, actor, part_b.id, Terms(), as_of=TODAY, source="manual")
    w = QuoteScreen(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    w.show_patient(pid)
    ded = w.terms.widgets["primary.deductible"]
    rate = w.terms.widgets["primary.coinsurance"]
    assert isinstance(ded, QLineEdit) and isinstance(rate, QLineEdit)
    assert (ded.text(), ded.placeholderText()) == ("", "by law, per year")
    assert (rate.text(), rate.placeholderText()) == ("", "by law, per year")
    with store.session() as s:
        quote = qs.compute(qs.prepare(s, pid, today=TODAY))
    assert quote.visits[0].deductible == D("283.00")  # 2026's, by law (the course starts in 2026)
    assert w.owes_label.text() == f"${quote.totals.patient_owes:,.2f}"
    assert w.base is not None
    setup, errors, _cells = w._read_whatif()  # nothing typed: still the law's
    assert errors == {} and setup is not None and setup.primary is not None
    assert setup.primary.yearly_deductible and setup.primary.yearly_coinsurance
    ded.setText("100")
    setup, errors, _cells = w._read_whatif()
    assert setup is not None and setup.primary is not None
    assert (setup.primary.deductible, setup.primary.yearly_deductible) == (D("100.00"), False)
    assert setup.primary.yearly_coinsurance
    w.grab().save("/tmp/quote_screen_issue9.png")
