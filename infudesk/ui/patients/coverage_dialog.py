"""Add or edit a coverage and its benefit terms (with history kept by the services)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import coverage as dc
from infudesk.errors import ValidationFailed
from infudesk.reference import yearly_figures
from infudesk.services import coverages as cs
from infudesk.services import payers as pys
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen, scrolling, unscrolled_size
from infudesk.ui.common.widgets import Form

MONEY_TERMS = (
    "deductible",
    "deductible_met",
    "oop_max",
    "oop_met",
    "copay",
    "family_deductible",
    "family_deductible_met",
    "family_oop_max",
    "family_oop_met",
)


class CoverageDialog(QDialog):
    """Signals: none; ``exec()`` returns Accepted once the coverage is saved (``saved`` holds it)."""

    def __init__(
        self,
        backend: Backend,
        patient_id: int,
        *,
        today: Callable[[], date] = date.today,
        record: cs.CoverageRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("coverageDialog")
        self.backend = backend
        self.patient_id = patient_id
        self.today = today
        self.record = record
        self.saved: cs.CoverageRecord | None = None
        self.setWindowTitle("Edit coverage" if record else "Add coverage")
        self.form = Form(today)
        payers = backend.query(pys.list_payers)
        self._build(payers)
        if record is not None:
            self._load(record)
        else:
            self.form.set("effective_on", today())
        size = unscrolled_size(self, self.body_scroll)
        fit_to_screen(self, size.width(), size.height())

    def _build(self, payers: list[pys.PayerRecord]) -> None:
        f = self.form
        outer = QVBoxLayout(self)
        body = QWidget()  # scrolls with a large system font instead of leaving the screen
        cols = QHBoxLayout(body)
        cols.setContentsMargins(0, 0, 0, 0)
        self.body_scroll = scrolling(body, "coverageBody")
        outer.addWidget(self.body_scroll, 1)

        plan = QGroupBox("Plan")
        pl = QFormLayout(plan)
        pl.addRow(
            "Payer *",
            f.combo("payer_id", [(None, "— choose —")] + [(p.id, p.data.name) for p in payers]),
        )
        pl.addRow("Rank *", f.combo("rank", list(dc.RANK_LABELS.items())))
        self.replace_box = QCheckBox(
            "Replace the current plan at this rank (it ends the day before)"
        )
        self.replace_box.setObjectName("replaceExisting")
        self.replace_box.hide()
        pl.addRow("", self.replace_box)
        pl.addRow("Plan type *", f.combo("plan_type", list(dc.PLAN_TYPE_LABELS.items())))
        pl.addRow("Medigap plan", f.combo("medigap_plan", [("", "—"), *dc.MEDIGAP_LABELS.items()]))
        pl.addRow("Plan name", f.line("plan_name", "as on the card, e.g. Lakeshore Health PPO"))
        pl.addRow("Member id *", f.line("member_id", "exactly as on the card"))
        pl.addRow("Group number", f.line("group_number"))
        pl.addRow(
            "Patient is the",
            f.combo(
                "subscriber_relationship",
                [
                    (k, "subscriber (self)" if k == "self" else f"subscriber's {v.lower()}")
                    for k, v in dc.RELATIONSHIPS.items()
                ],
            ),
        )
        pl.addRow(
            "Subscriber name", f.line("subscriber_name", "when the plan is in someone else's name")
        )
        pl.addRow("Subscriber born", f.line("subscriber_birth_date", "MM/DD/YYYY"))
        pl.addRow("Network", f.combo("network", [("in", "In network"), ("out", "Out of network")]))
        pl.addRow("Effective *", f.line("effective_on", "MM/DD/YYYY"))
        pl.addRow("Ends", f.line("terminates_on", "MM/DD/YYYY (empty: open)"))
        pl.addRow("Plan year starts", f.line("plan_year_start", "MM-DD, e.g. 01-01"))
        f.set("plan_year_start", "01-01")
        cols.addWidget(plan)

        terms = QGroupBox("Benefit terms (figures for this plan year)")
        tl = QFormLayout(terms)
        tl.addRow("Deductible", f.line("deductible", "$ (empty: none)"))
        tl.addRow("  met so far", f.line("deductible_met", "$"))
        tl.addRow("Out-of-pocket max", f.line("oop_max", "$ (empty: none)"))
        tl.addRow("  met so far", f.line("oop_met", "$"))
        tl.addRow("Coinsurance %", f.line("coinsurance", "e.g. 20"))
        tl.addRow("Copay $", f.line("copay", "$"))
        tl.addRow("Copay applies", f.combo("copay_applies", list(dc.COPAY_APPLIES.items())))
        tl.addRow("", f.check("copay_after_deductible", "Copay only after the deductible is met"))
        tl.addRow(
            "", f.check("copay_counts_toward_deductible", "Copay counts toward the deductible")
        )
        tl.addRow("", f.check("deductible_applies", "Deductible applies to infusion services"))
        f.set("deductible_applies", True)
        tl.addRow(QLabel("Family terms (leave empty for an individual plan)"))
        tl.addRow("Family deductible", f.line("family_deductible", "$"))
        tl.addRow("  met so far", f.line("family_deductible_met", "$"))
        tl.addRow("Family OOP max", f.line("family_oop_max", "$"))
        tl.addRow("  met so far", f.line("family_oop_met", "$"))
        tl.addRow(
            "",
            f.check(
                "family_embedded", "Deductible embedded (each person's own deductible counts too)"
            ),
        )
        f.set("family_embedded", True)
        oop_box = f.check(
            "family_oop_embedded", "Out-of-pocket max embedded (each person's own max counts too)"
        )
        f.widgets["family_oop_embedded"].setToolTip(
            "Every non-grandfathered plan since 2016 embeds each person's "
            "out-of-pocket maximum, even when the family deductible is not embedded."
        )
        tl.addRow("", oop_box)
        f.set("family_oop_embedded", True)
        self.terms_note = QLabel("")
        self.terms_note.setObjectName("termsNote")
        self.terms_note.setWordWrap(False)
        tl.addRow(self.terms_note)
        cols.addWidget(terms)

        self.status = QLabel("")
        self.status.setObjectName("dialogStatus")
        self.status.setWordWrap(False)
        outer.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        outer.addWidget(buttons)

    def _load(self, rec: cs.CoverageRecord) -> None:
        f, d = self.form, rec.data
        for name in (
            "payer_id",
            "rank",
            "plan_type",
            "medigap_plan",
            "subscriber_relationship",
            "network",
            "plan_name",
            "member_id",
            "group_number",
            "subscriber_name",
            "plan_year_start",
            "subscriber_birth_date",
            "effective_on",
            "terminates_on",
        ):
            f.set(name, getattr(d, name))
        if rec.terms is not None:
            t = rec.terms.terms
            for name in MONEY_TERMS:
                f.set_money(name, getattr(t, name))
            f.set_percent("coinsurance", t.coinsurance)
            for name in (
                "copay_applies",
                "copay_after_deductible",
                "copay_counts_toward_deductible",
                "deductible_applies",
                "family_embedded",
                "family_oop_embedded",
            ):
                f.set(name, getattr(t, name))
            self.terms_note.setText(
                f"Current figures from {rec.terms.source} on {rec.terms.as_of:%m/%d/%Y} "
                f"({rec.terms.recorded_by}).\nSaving changed figures adds a new entry; the old "
                "ones stay in the history."
            )

    # -- reading -----------------------------------------------------------------------
    def read(self) -> tuple[dc.CoverageData, dc.Terms | None, dict[str, str]]:
        f = self.form
        f.begin_read()
        data = dc.CoverageData(
            payer_id=f.choice("payer_id"),  # type: ignore[arg-type]
            rank=int(f.choice("rank")),  # type: ignore[call-overload]
            plan_name=f.value("plan_name"),
            plan_type=str(f.choice("plan_type")),
            medigap_plan=str(f.choice("medigap_plan") or ""),
            member_id=f.value("member_id"),
            group_number=f.value("group_number"),
            subscriber_name=f.value("subscriber_name"),
            subscriber_relationship=str(f.choice("subscriber_relationship")),
            subscriber_birth_date=f.day("subscriber_birth_date"),
            network=str(f.choice("network")),
            effective_on=f.day("effective_on"),
            terminates_on=f.day("terminates_on"),
            plan_year_start=f.value("plan_year_start"),
        )
        money = {name: f.money(name) for name in MONEY_TERMS}
        rate = f.percent("coinsurance")
        any_terms = any(v is not None for v in money.values()) or rate is not None
        terms = None
        if any_terms:
            terms = dc.Terms(
                deductible=money["deductible"],
                deductible_met=money["deductible_met"] or dc.Terms().deductible_met,
                oop_max=money["oop_max"],
                oop_met=money["oop_met"] or dc.Terms().oop_met,
                coinsurance=rate if rate is not None else dc.Terms().coinsurance,
                copay=money["copay"] or dc.Terms().copay,
                copay_applies=str(f.choice("copay_applies")),
                copay_after_deductible=f.flag("copay_after_deductible"),
                copay_counts_toward_deductible=f.flag("copay_counts_toward_deductible"),
                deductible_applies=f.flag("deductible_applies"),
                family_deductible=money["family_deductible"],
                family_deductible_met=money["family_deductible_met"],
                family_oop_max=money["family_oop_max"],
                family_oop_met=money["family_oop_met"],
                family_embedded=f.flag("family_embedded"),
                family_oop_embedded=f.flag("family_oop_embedded"),
            )
        return data, terms, dict(f.parse_errors)

    # -- saving ------------------------------------------------------------------------
    def save(self) -> None:
        data, terms, errors = self.read()
        errors = {**dc.validate_coverage(data), **errors}
        warnings: dict[str, str] = {}
        if terms is not None:
            errors = {**dc.validate_terms(terms), **errors}
            warnings = dc.terms_warnings(terms, data.plan_type, self.today().year, yearly_figures())
        self.form.show_errors(errors, warnings)
        if errors:
            self.status.setText("Please check the fields marked in red. Nothing was saved yet.")
            return
        if warnings and not self._confirm(warnings):
            return
        try:
            self.saved = self._store(data, terms)
        except ValidationFailed as exc:
            self.form.show_errors(exc.errors)
            if "rank" in exc.errors and self.record is None:
                self.replace_box.show()
            self.status.setText("Not saved: " + next(iter(exc.errors.values())))
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()

    def _confirm(self, warnings: dict[str, str]) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Check these figures",
            "Some figures look unusual:\n\n"
            + "\n".join(f"• {w}" for w in warnings.values())
            + "\n\nSave them anyway?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("termsWarningBox")
        return box.exec() == QMessageBox.StandardButton.Save

    def _store(self, data: dc.CoverageData, terms: dc.Terms | None) -> cs.CoverageRecord:
        today = self.today()
        if self.record is None:
            return self.backend.mutate(
                cs.add_coverage,
                self.patient_id,
                data,
                today=today,
                terms=terms,
                replace_existing=self.replace_box.isChecked(),
            )
        return self.backend.mutate(
            cs.edit_coverage,
            self.record.id,
            data,
            terms,
            expected_version=self.record.version,
            today=today,
        )
