"""What a verified benefits checklist changes in a quote: its figures, notes and warnings.

Pure Python. :func:`facts_from_answers` keeps the answers of one verified checklist that bear
on a quote (:class:`QuoteFacts`); :func:`apply_to_lines`, :func:`apply_to_coverage` and
:func:`apply_to_programs` change the engine's inputs; :func:`explanation_notes` says, per
visit, which verified answer changed a figure ("… — per verification of 11/20/2026");
:func:`quote_warnings` lists what the desk must act on before the visit (out of network, visit
limit, step therapy, referral, Medicare's LCD and ABN, accumulator programs).

Choices the checklist leaves open:

- A facility fee is one added line per visit, HCPCS ``G0463`` (hospital outpatient clinic
  visit, the code hospital outpatient departments bill it with), at the verified allowed
  amount, shared at the plan's coinsurance (neither the drug's nor the administration's rate).
- "Drug" and "administration" lines are the therapy order's line kinds; a line of another
  kind keeps the plan's coinsurance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from infudesk.domain import costshare as cs
from infudesk.domain.money import format_money, format_percent

FACILITY_CODE = "G0463"
DRUG = "drug"
ADMIN = "admin"
_TEXT_KEYS = (
    "plan_type",
    "in_network",
    "oon_benefits",
    "referral",
    "accumulator_program",
    "step_therapy",
    "preferred_product",
    "lcd_met",
    "abn",
)
_RATE_KEYS = ("drug_coinsurance", "admin_coinsurance")


def us_date(d: date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


@dataclass(frozen=True)
class QuoteFacts:
    """The answers of one verified checklist that bear on a quote (None: not answered)."""

    verified_on: date
    deductible_applies: bool | None = None
    drug_coinsurance: Decimal | None = None
    admin_coinsurance: Decimal | None = None
    facility_fee: Decimal | None = None
    accumulator_program: str | None = None  # none | accumulator | maximizer
    plan_type: str | None = None
    in_network: str | None = None  # in | out | unknown
    oon_benefits: str | None = None  # covered | none
    referral: str | None = None  # not_required | on_file | missing
    visit_limit: int | None = None
    visits_used: int | None = None
    step_therapy: str | None = None  # none | met | not_met
    preferred_product: str | None = None
    lcd_met: str | None = None  # yes | no | unknown
    abn: str | None = None  # signed | needed

    @property
    def per(self) -> str:
        return f"per verification of {us_date(self.verified_on)}"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (money and rates as strings, the date as YYYY-MM-DD)."""
        out: dict[str, Any] = {"verified_on": self.verified_on.isoformat()}
        for name, value in self.__dict__.items():
            if name == "verified_on" or value is None:
                continue
            out[name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuoteFacts:
        """Back from :meth:`to_json` (unknown names are ignored)."""
        kw: dict[str, Any] = {"verified_on": date.fromisoformat(str(data["verified_on"]))}
        for name in ("drug_coinsurance", "admin_coinsurance", "facility_fee"):
            if data.get(name) is not None:
                kw[name] = Decimal(str(data[name]))
        for name in ("visit_limit", "visits_used"):
            if data.get(name) is not None:
                kw[name] = int(data[name])
        if data.get("deductible_applies") is not None:
            kw["deductible_applies"] = bool(data["deductible_applies"])
        for name in _TEXT_KEYS:
            if data.get(name) is not None:
                kw[name] = str(data[name])
        return cls(**kw)


def facts_from_answers(values: Mapping[str, object], verified_on: date) -> QuoteFacts:
    """The quote-relevant answers of a verified checklist (values as ``check_answer`` gives
    them, hidden items already dropped)."""
    kw: dict[str, Any] = {"verified_on": verified_on}
    applies = values.get("deductible_applies")
    if isinstance(applies, bool):
        kw["deductible_applies"] = applies
    for name in (*_RATE_KEYS, "facility_fee"):
        v = values.get(name)
        if isinstance(v, Decimal):
            kw[name] = v
    for name in ("visit_limit", "visits_used"):
        v = values.get(name)
        if isinstance(v, int) and not isinstance(v, bool):
            kw[name] = v
    for name in _TEXT_KEYS:
        v = values.get(name)
        if isinstance(v, str) and v.strip():
            kw[name] = v.strip()
    if kw.get("facility_fee") == 0:
        del kw["facility_fee"]
    return QuoteFacts(**kw)


# --- figures ---------------------------------------------------------------------------------


def apply_to_lines(
    facts: QuoteFacts, lines: Sequence[cs.ServiceLine], kinds: Sequence[str]
) -> tuple[cs.ServiceLine, ...]:
    """The visit's lines with the verified drug and administration coinsurance on each line of
    that kind (``kinds``: the kind of each line, same order), plus a facility-fee line when the
    plan has one and the lines do not already bill it. A rate already set on a line stays."""
    out: list[cs.ServiceLine] = []
    for line, kind in zip(lines, kinds, strict=True):
        rate = {DRUG: facts.drug_coinsurance, ADMIN: facts.admin_coinsurance}.get(kind)
        if rate is not None and line.coinsurance is None:
            line = replace(line, coinsurance=rate)
        out.append(line)
    fee = facts.facility_fee
    if fee is not None and fee > 0 and not any(ln.code == FACILITY_CODE for ln in out):
        out.append(cs.ServiceLine(code=FACILITY_CODE, units=1, unit_price=fee))
    return tuple(out)


def apply_to_coverage(facts: QuoteFacts, primary: cs.Coverage) -> cs.Coverage:
    """The primary with the verified "deductible applies to this service" answer."""
    if facts.deductible_applies is None or primary.plan_type == "medigap":
        return primary
    return replace(primary, deductible_applies=facts.deductible_applies)


def has_accumulator(facts: QuoteFacts) -> bool:
    return facts.accumulator_program in ("accumulator", "maximizer")


def apply_to_programs(facts: QuoteFacts, programs: Iterable[cs.Program]) -> tuple[cs.Program, ...]:
    """Copay cards do not count toward the plan's accumulators under an accumulator or
    maximizer program."""
    if not has_accumulator(facts):
        return tuple(programs)
    return tuple(
        replace(p, counts_toward_accumulators=False) if isinstance(p, cs.CopayCard) else p
        for p in programs
    )


# --- words -----------------------------------------------------------------------------------


def explanation_notes(
    facts: QuoteFacts,
    primary: cs.Coverage | None,
    lines: Sequence[cs.ServiceLine],
    programs: Sequence[cs.Program],
) -> tuple[str, ...]:
    """One line per verified answer that changes a figure of this request (what the request
    still shows: a what-if that undid the change gets no note)."""
    if primary is None:
        return ()
    notes: list[str] = []
    if facts.deductible_applies is False and not primary.deductible_applies:
        notes.append(f"Deductible does not apply to this service — {facts.per}.")
    rates = []
    for rate, what in (
        (facts.drug_coinsurance, "the drug"),
        (facts.admin_coinsurance, "administration"),
    ):
        if rate is not None and any(ln.coinsurance == rate for ln in lines):
            rates.append(f"{format_percent(rate)} on {what}")
    if rates:
        notes.append(f"Coinsurance {' and '.join(rates)} — {facts.per}.")
    fee = facts.facility_fee
    if fee is not None and any(ln.code == FACILITY_CODE and ln.unit_price == fee for ln in lines):
        notes.append(
            f"Facility fee {format_money(fee)} per visit ({FACILITY_CODE}), shared like the "
            f"other lines — {facts.per}."
        )
    if has_accumulator(facts) and any(isinstance(p, cs.CopayCard) for p in programs):
        notes.append(
            "Copay-card payments do not count toward the deductible or out-of-pocket maximum "
            f"({_program_words(facts)}) — {facts.per}."
        )
    return tuple(notes)


def _program_words(facts: QuoteFacts) -> str:
    return (
        "maximizer program" if facts.accumulator_program == "maximizer" else "accumulator program"
    )


def visits_by_plan_year(dates: Iterable[date], plan_year_start: cs.MonthDay) -> dict[date, int]:
    """How many of ``dates`` fall in each plan year (keyed by the plan year's start)."""
    out: dict[date, int] = {}
    for d in sorted(set(dates)):
        start = plan_year_start.year_containing(d)
        out[start] = out.get(start, 0) + 1
    return out


def quote_warnings(
    facts: QuoteFacts,
    *,
    dates: Sequence[date],
    primary: cs.Coverage | None,
    lines: Sequence[cs.ServiceLine],
    programs: Sequence[cs.Program],
) -> tuple[str, ...]:
    """What a verified checklist says the desk must act on, as quote warnings."""
    out: list[str] = []
    per = facts.per
    if facts.in_network == "out":
        if facts.oon_benefits == "none":
            out.append(
                "Out of network with no out-of-network benefits: the plan may pay nothing and the "
                f"patient may owe the full charge ({per})."
            )
        else:
            out.append(
                "Out of network: the plan's out-of-network cost sharing applies and the center "
                f"may balance-bill; check the quote uses the out-of-network terms ({per})."
            )
    elif facts.in_network == "unknown":
        out.append(f"Network status not confirmed: the figures assume in-network terms ({per}).")
    if facts.visit_limit is not None and primary is not None and dates:
        used = facts.visits_used or 0
        per_year = visits_by_plan_year(dates, primary.plan_year_start)
        verified_year = primary.plan_year_start.year_containing(facts.verified_on)
        for start, count in per_year.items():
            left = max(facts.visit_limit - (used if start == verified_year else 0), 0)
            if count > left:
                label = primary.plan_year_start.label(start)
                out.append(
                    f"Visit limit: {count} visits are planned in plan year {label} but only "
                    f"{left} of the {facts.visit_limit} allowed are left; the plan may not pay "
                    f"for the visits beyond the limit ({per})."
                )
    if facts.step_therapy == "not_met":
        out.append(
            "Step therapy not met: the plan requires other drugs to be tried first and may deny "
            f"this one; document the step therapy or request an exception ({per})."
        )
    preferred = facts.preferred_product
    drug_codes = [ln.code.split("-")[0] for ln in lines if ln.code != FACILITY_CODE]
    if preferred and not any(code and code in preferred.upper() for code in drug_codes):
        out.append(
            f"The plan prefers {preferred}: the order's codes are not that product; change the "
            f"order or ask for an exception ({per})."
        )
    if facts.referral == "missing":
        out.append(
            "Referral missing: the plan requires a referral from the primary care doctor for "
            f"this service; without it the plan may deny the visit ({per})."
        )
    if facts.lcd_met in ("no", "unknown"):
        doubt = "does not meet" if facts.lcd_met == "no" else "may not meet"
        if facts.plan_type == "medicare":
            if facts.abn == "signed":
                tail = "a signed ABN is on file, so the patient may be billed if Medicare denies"
            else:
                tail = (
                    "have the patient sign an ABN before the visit, or the center cannot bill "
                    "the patient if Medicare denies"
                )
        else:
            tail = "ask the plan for a pre-service organization determination before the visit"
        out.append(
            f"The diagnosis {doubt} Medicare's coverage determination (LCD/NCD) for this drug: "
            f"{tail} ({per})."
        )
    if has_accumulator(facts) and any(isinstance(p, cs.CopayCard) for p in programs):
        if facts.accumulator_program == "maximizer":
            words = (
                "The plan runs a maximizer program: the manufacturer's card is spread over the "
                "plan year and its payments do not count toward the deductible or out-of-pocket "
                "maximum; the quote treats them so"
            )
        else:
            words = (
                "The plan runs a copay accumulator: what the copay card pays does not count "
                "toward the deductible or out-of-pocket maximum, so the patient's own share "
                "starts again when the card runs out; the quote treats card payments so"
            )
        out.append(f"{words} ({per}).")
    return tuple(out)
