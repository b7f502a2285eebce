"""The cost-sharing engine: how a visit, or a course, splits between plans, help and patient.

Pure Python and ``Decimal``; rules and figures from ``domain/cost-sharing.md`` and the quote
contract (``spec/quote-json.md``). One visit under one coverage (``plan_share``):

1. the copay (per visit, at most the allowed amount), then the deductible, then coinsurance on
   what is left of each line at that line's rate — copay and deductible are taken from the
   lines in the order given; with ``copay_after_deductible`` the deductible comes first and the
   copay is charged only when the deductible is met by then (or does not apply at all);
2. the out-of-pocket room caps the sum, taking from coinsurance first, then the deductible,
   then the copay.

A course (``quote``) applies the visits in date order. Each coverage keeps its own books
(plan year and accumulators): they move by the patient's share under that coverage and reset
to zero on a visit on or after the next ``plan_year_start``. Choices where the documents are
silent:

- A secondary keeps its books as if it were primary (the NAIC model's "credit to its
  deductible what it would have credited without the other plan"): its deductible and OOP
  accumulators move by the share its own adjudication gave the patient, not by what the
  patient finally paid. Medigap has no accumulators.
- Medigap (``MEDIGAP_BENEFITS``): A, B, D, G, M and N pay Medicare's coinsurance (and any
  copay) but not the Part B deductible (N's office-visit copay does not apply to drug
  administration); C and F pay both. K and L pay 50% / 75% of the coinsurance; the Part B
  deductible stays the patient's but counts toward their yearly out-of-pocket limit, after
  which the plan pays all the coinsurance. High-deductible F and G ("HDF", "HDG") pay nothing
  until the patient has paid the year's high deductible in Medicare cost sharing (Part B
  deductible included), then as F and G. K/L/HD keep calendar-year books (``oop_met`` for K
  and L, ``deductible_met`` for HDF/HDG as given for the first visit's year). The secondary
  never pays an out-of-network balance bill.
- Yearly figures (Part B deductible and coinsurance, OOP ceilings, Medigap limits) come in as a
  ``YearlyFigures`` parameter; a Part B coverage with ``yearly_deductible`` uses the Part B
  deductible of each calendar year of the course.
- Family terms: ``embedded`` is about the deductible; ``oop_embedded`` (default true: every
  non-grandfathered plan since 2016) about the out-of-pocket maximum.
- Copays: ``copay_applies`` "visit" (one copay, taken from the lines in order) or "line" (a copay
  on every line, the line's own ``copay`` when given, at most the line's allowed amount).
- Assistance pays the patient's cost sharing before the balance bill; a copay card pays
  cost sharing only (never the balance bill). Cards are also refused when the *secondary* is
  government coverage (Medicare, Medicaid): the anti-kickback rule is about any such coverage.
- A copay card's ``used`` belongs to the calendar year of the first visit; a grant's balance
  runs down across the course and is not applied to visits after ``expires``.
- Money is rounded half up to the cent: each line's allowed amount and balance bill, each
  visit's coinsurance and each discount. Everything else is sums and minimums of cents, so
  ``allowed + balance_bill == primary + secondary + assistance + patient`` holds exactly.
- The same terms are assumed in every plan year of the course (a warning says so).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from decimal import Decimal

from infudesk.domain.coverage import GOVERNMENT, PlanType
from infudesk.domain.figures import FIGURES, NO_FIGURES, Figure, YearlyFigures
from infudesk.domain.money import cents, format_percent
from infudesk.domain.money import format_money as dollars

ZERO = Decimal("0.00")
ONE = Decimal(1)
NETWORKS: tuple[str, ...] = ("in", "out")
COB_METHODS: tuple[str, ...] = ("standard", "non_duplication")
COPAY_APPLIES: tuple[str, ...] = ("visit", "line")


@dataclass(frozen=True)
class MedigapBenefit:
    """What a standardized Medigap plan pays toward Part B cost sharing."""

    deductible: Decimal  # share of the Part B deductible the plan pays (0 or 1)
    coinsurance: Decimal  # share of the Part B coinsurance (and copays) the plan pays
    limit: str | None = None  # the figure of its yearly out-of-pocket limit (K, L)
    high_deductible: bool = False  # pays nothing until the year's high deductible is paid


MEDIGAP_BENEFITS: dict[str, MedigapBenefit] = {
    "A": MedigapBenefit(ZERO, ONE),
    "B": MedigapBenefit(ZERO, ONE),
    "C": MedigapBenefit(ONE, ONE),
    "D": MedigapBenefit(ZERO, ONE),
    "F": MedigapBenefit(ONE, ONE),
    "G": MedigapBenefit(ZERO, ONE),
    "K": MedigapBenefit(ZERO, Decimal("0.50"), "medigap_k_oop_limit"),
    "L": MedigapBenefit(ZERO, Decimal("0.75"), "medigap_l_oop_limit"),
    "M": MedigapBenefit(ZERO, ONE),
    "N": MedigapBenefit(ZERO, ONE),
    "HDF": MedigapBenefit(ONE, ONE, high_deductible=True),
    "HDG": MedigapBenefit(ZERO, ONE, high_deductible=True),
}
MEDIGAP_PLANS: tuple[str, ...] = tuple(MEDIGAP_BENEFITS)
# Plan types that behave like a commercial plan (their own terms, OOP ceiling applies)
_CEILING_TYPES = frozenset(
    {PlanType.COMMERCIAL, PlanType.EMPLOYER_SELF_FUNDED, PlanType.MARKETPLACE}
)
_PLAN_NAMES: dict[str, str] = {
    PlanType.MEDICARE_PART_B: "Medicare Part B",
    PlanType.MEDICARE_ADVANTAGE: "The Medicare Advantage plan",
    PlanType.MEDICAID: "Medicaid",
    PlanType.MEDICAID_MANAGED_CARE: "The Medicaid plan",
}


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthDay:
    """The day of the year on which a plan year starts (never 29 February)."""

    month: int = 1
    day: int = 1

    def year_containing(self, d: date) -> date:
        """The start of the plan year that contains ``d``."""
        start = date(d.year, self.month, self.day)
        return start if start <= d else date(d.year - 1, self.month, self.day)

    def label(self, start: date) -> str:
        """'2026' for a calendar plan year, '2025-2026' for one starting 2025-07-01."""
        if (self.month, self.day) == (1, 1):
            return str(start.year)
        return f"{start.year}-{start.year + 1}"

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class ServiceLine:
    """One billed line of a visit; ``unit_price`` is the allowed (or self-pay) price per unit."""

    code: str
    units: int
    unit_price: Decimal
    charge: Decimal | None = None  # billed charge per unit (out-of-network balance bill)
    coinsurance: Decimal | None = None  # overrides the coverage's rate for this line
    copay: Decimal | None = None  # overrides the coverage's copay per line (copay_applies "line")

    @property
    def allowed(self) -> Decimal:
        return cents(self.unit_price * self.units)

    @property
    def balance_bill(self) -> Decimal:
        """(charge − unit price) × units when the charge is higher, else zero."""
        if self.charge is None or self.charge <= self.unit_price:
            return ZERO
        return cents((self.charge - self.unit_price) * self.units)


@dataclass(frozen=True)
class FamilyTerms:
    """The family deductible and OOP.

    ``embedded``: the person's own deductible applies inside the family one (else only the
    family total counts); ``oop_embedded``: the same for the out-of-pocket maximum — true for
    every non-grandfathered plan since 2016, even when the deductible is not embedded.
    """

    deductible: Decimal | None = None
    deductible_met: Decimal = ZERO
    oop_max: Decimal | None = None
    oop_met: Decimal = ZERO
    embedded: bool = True
    oop_embedded: bool = True


@dataclass(frozen=True)
class Coverage:
    """A coverage's terms for the quote (field names as in the quote contract)."""

    plan_type: str
    medigap_plan: str | None = None
    network: str = "in"
    deductible: Decimal | None = None
    deductible_met: Decimal = ZERO
    oop_max: Decimal | None = None
    oop_met: Decimal = ZERO
    coinsurance: Decimal = ZERO
    copay: Decimal = ZERO
    copay_after_deductible: bool = False
    copay_counts_toward_deductible: bool = False
    deductible_applies: bool = True
    family: FamilyTerms | None = None
    plan_year_start: MonthDay = MonthDay()
    cob_method: str = "standard"
    copay_applies: str = "visit"  # "visit": one copay a visit; "line": one on every line
    # Original Medicare without a given deductible / coinsurance: the law's figure of each
    # calendar year (the yearly figures), filled in as the course enters the year
    yearly_deductible: bool = False
    yearly_coinsurance: bool = False


@dataclass(frozen=True)
class CopayCard:
    """A manufacturer copay program: pays cost sharing up to a per-visit and a yearly maximum."""

    name: str = "Copay card"
    per_visit_max: Decimal | None = None
    annual_max: Decimal | None = None
    used: Decimal = ZERO  # already paid this calendar year (that of the first visit)
    counts_toward_accumulators: bool = True
    kind = "copay_card"


@dataclass(frozen=True)
class FoundationGrant:
    """A charitable foundation's grant: a balance, not applied to visits after ``expires``."""

    name: str = "Foundation grant"
    balance: Decimal = ZERO
    expires: date | None = None
    kind = "foundation_grant"


@dataclass(frozen=True)
class Discount:
    """A charity-care or sliding-scale discount: ``percent`` (0–1) of what is still owed."""

    name: str = "Discount"
    percent: Decimal = ZERO
    kind = "discount"


Program = CopayCard | FoundationGrant | Discount


@dataclass(frozen=True)
class QuoteRequest:
    """Visits (every one with the same lines), coverages and assistance programs."""

    dates: tuple[date, ...]
    lines: tuple[ServiceLine, ...]
    primary: Coverage | None = None  # None: self-pay
    secondary: Coverage | None = None
    assistance: tuple[Program, ...] = ()


# --- Original Medicare's terms are the law's ---------------------------------------------------

# the benefit terms a person may give for a coverage (the what-if panel's fields)
TERM_NAMES = ("deductible", "deductible_met", "oop_max", "oop_met", "coinsurance", "copay")


def original_medicare(c: Coverage) -> Coverage:
    """The coverage with Original Medicare's rules applied (other plans are returned as they
    are): no out-of-pocket maximum, the calendar year as plan year, and the law's figure of each
    year when no deductible (None) or no coinsurance (0) was given."""
    if c.plan_type != PlanType.MEDICARE_PART_B:
        return c
    return replace(
        c,
        oop_max=None,
        oop_met=ZERO,
        plan_year_start=MonthDay(),
        yearly_deductible=c.yearly_deductible or c.deductible is None,
        yearly_coinsurance=c.yearly_coinsurance or c.coinsurance == 0,
    )


def term_applies(c: Coverage, name: str) -> bool:
    """Whether benefit term ``name`` can be given for this coverage: a Medigap plan's letter
    sets all of them; Original Medicare has no out-of-pocket maximum."""
    if c.plan_type == PlanType.MEDIGAP:
        return False
    return not (c.plan_type == PlanType.MEDICARE_PART_B and name in ("oop_max", "oop_met"))


def term_by_law(c: Coverage, name: str) -> bool:
    """Whether term ``name`` is the law's figure of each year (Original Medicare, none given)."""
    return (name == "deductible" and c.yearly_deductible) or (
        name == "coinsurance" and c.yearly_coinsurance
    )


def with_term(c: Coverage, name: str, value: Decimal | None) -> Coverage:
    """The coverage with term ``name`` given as ``value``; for Original Medicare an empty
    deductible or coinsurance keeps the law's figure, a given one replaces it. An empty term
    other than a deductible or out-of-pocket maximum is zero."""
    if value is None and term_by_law(c, name):
        return c
    if value is None and name not in ("deductible", "oop_max"):
        value = ZERO
    changes: dict[str, object] = {name: value}
    if name == "deductible":
        changes["yearly_deductible"] = False
    if name == "coinsurance":
        changes["yearly_coinsurance"] = False
    return replace(c, **changes)  # type: ignore[arg-type]


def check_coverage(c: Coverage) -> tuple[str, str] | None:
    """(field, message) for the first thing the engine cannot accept, else None.

    Types and ranges of single fields are the caller's concern; this checks the combinations.
    """
    if c.plan_type == PlanType.MEDIGAP:
        if c.medigap_plan not in MEDIGAP_BENEFITS:
            return "medigap_plan", f"give the Medigap plan letter: {', '.join(MEDIGAP_PLANS)}"
        benefit = MEDIGAP_BENEFITS[c.medigap_plan]
        allowed = {"plan_type", "medigap_plan"}
        if benefit.limit:
            allowed.add("oop_met")
        if benefit.high_deductible:
            allowed.add("deductible_met")
        for f in fields(Coverage):
            if f.name not in allowed and getattr(c, f.name) != f.default:
                return f.name, (
                    f"a Medigap plan's benefit is set by its letter ({c.medigap_plan}); "
                    f"leave {f.name} out"
                )
        return None
    if c.medigap_plan is not None:
        return "medigap_plan", "only a Medigap plan has a plan letter"
    if c.copay_applies not in COPAY_APPLIES:
        return "copay_applies", f"must be one of {', '.join(COPAY_APPLIES)}"
    if c.yearly_deductible and c.plan_type != PlanType.MEDICARE_PART_B:
        return "deductible", "only Original Medicare's deductible comes from the law by year"
    if c.yearly_coinsurance and c.plan_type != PlanType.MEDICARE_PART_B:
        return "coinsurance", "only Original Medicare's coinsurance comes from the law"
    if c.yearly_deductible and c.deductible is not None:
        return "deductible", "give a deductible or take the year's Part B deductible, not both"
    if c.plan_type == PlanType.MEDICARE_PART_B and c.plan_year_start != MonthDay():
        return "plan_year_start", "Original Medicare's year is the calendar year (01-01)"
    pairs = [
        ("deductible_met", c.deductible, c.deductible_met, "deductible"),
        ("oop_met", c.oop_max, c.oop_met, "out-of-pocket maximum"),
    ]
    if c.family is not None:
        fam = c.family
        pairs += [
            ("family.deductible_met", fam.deductible, fam.deductible_met, "family deductible"),
            ("family.oop_met", fam.oop_max, fam.oop_met, "family out-of-pocket maximum"),
        ]
    for name, limit, met, what in pairs:
        if limit is not None and met > limit:
            return (
                name,
                f"{dollars(met)} met is more than the {what} {dollars(limit)}",
            )
    return None


def check_pairing(primary: Coverage | None, secondary: Coverage | None) -> tuple[str, str] | None:
    """(field, message) when the two coverages cannot go together, else None."""
    if primary is not None and primary.plan_type == PlanType.MEDIGAP:
        return "primary.plan_type", "Medigap pays after Original Medicare: give it as the secondary"
    if secondary is None:
        return None
    if primary is None:
        return "secondary", "a secondary coverage needs a primary (no primary means self-pay)"
    if secondary.plan_type == PlanType.MEDIGAP and primary.plan_type != PlanType.MEDICARE_PART_B:
        return "secondary.plan_type", (
            "Medigap only works with Original Medicare: the primary must be medicare_part_b"
        )
    return None


def copay_card_refusal(primary: Coverage | None, secondary: Coverage | None) -> str | None:
    """Why a manufacturer copay card cannot be used with these coverages, or None."""
    if primary is None:
        return "there is no insurance; copay cards pay part of an insured patient's share"
    for c in (primary, secondary):
        if c is not None and (c.plan_type in GOVERNMENT or c.plan_type == PlanType.MEDIGAP):
            name = "Medicaid" if "medicaid" in c.plan_type else "Medicare"
            return (
                f"the patient has {name} coverage, and federal anti-kickback rules bar "
                "manufacturer copay cards"
            )
    return None


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accumulators:
    """What is met of the deductible and OOP in the current plan year (person and family)."""

    deductible_met: Decimal = ZERO
    oop_met: Decimal = ZERO
    family_deductible_met: Decimal = ZERO
    family_oop_met: Decimal = ZERO

    @classmethod
    def of(cls, c: Coverage) -> Accumulators:
        fam = c.family
        if fam is None:
            return cls(c.deductible_met, c.oop_met)
        return cls(c.deductible_met, c.oop_met, fam.deductible_met, fam.oop_met)


@dataclass(frozen=True)
class Share:
    """One coverage's split of one visit: the patient's part by kind (after the OOP cap)."""

    copay: Decimal
    deductible: Decimal
    coinsurance: Decimal
    deductible_room: Decimal  # deductible left before the visit (0: met, none, or waived)
    oop_room: Decimal | None  # OOP room before the visit (None: no maximum)
    capped: Decimal  # what the OOP room took off
    copay_waiting: bool  # a copay that waits for the deductible was not charged
    coinsurance_parts: tuple[tuple[str, Decimal, Decimal], ...]  # (code, base, rate)

    @property
    def patient(self) -> Decimal:
        return self.copay + self.deductible + self.coinsurance


@dataclass(frozen=True)
class AssistancePayment:
    """What one program paid at one visit."""

    program: int  # index in the request's assistance list
    name: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class VisitQuote:
    """One visit: the contract's figures plus its explanation in plain language."""

    date: date
    plan_year: str
    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    primary_paid: Decimal
    secondary_paid: Decimal
    balance_bill: Decimal
    patient_owes_before_assistance: Decimal
    assistance_paid: Decimal
    patient_owes: Decimal
    assistance: tuple[AssistancePayment, ...] = ()
    accumulators: Accumulators | None = None  # the primary's, after this visit
    explanation: tuple[str, ...] = ()


TOTAL_FIELDS: tuple[str, ...] = (
    "allowed",
    "deductible",
    "coinsurance",
    "copay",
    "primary_paid",
    "secondary_paid",
    "balance_bill",
    "patient_owes_before_assistance",
    "assistance_paid",
    "patient_owes",
)


@dataclass(frozen=True)
class Totals:
    """Sums over visits."""

    visits: int
    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    primary_paid: Decimal
    secondary_paid: Decimal
    balance_bill: Decimal
    patient_owes_before_assistance: Decimal
    assistance_paid: Decimal
    patient_owes: Decimal

    @classmethod
    def of(cls, visits: Sequence[VisitQuote]) -> Totals:
        sums = {name: sum((getattr(v, name) for v in visits), ZERO) for name in TOTAL_FIELDS}
        return cls(visits=len(visits), **sums)


@dataclass(frozen=True)
class PlanYearTotals:
    """The visits of one plan year of the primary (calendar year when self-pay)."""

    plan_year: str
    start: date
    end: date
    totals: Totals


@dataclass(frozen=True)
class Quote:
    """The whole course: visits in date order, totals, per-plan-year totals, warnings."""

    visits: tuple[VisitQuote, ...]
    totals: Totals
    plan_years: tuple[PlanYearTotals, ...]
    warnings: tuple[str, ...]


# --- one visit under one coverage ------------------------------------------------------------


def _room(
    limit: Decimal | None, met: Decimal, fam_limit: Decimal | None, fam_met: Decimal, embedded: bool
) -> Decimal | None:
    """What is left of a limit (None: no limit), with the family's limit when there is one."""
    own = None if limit is None else max(limit - met, ZERO)
    if fam_limit is None:
        return own
    fam = max(fam_limit - fam_met, ZERO)
    if not embedded or own is None:
        return fam
    return min(own, fam)


def deductible_room(c: Coverage, acc: Accumulators) -> Decimal:
    """Deductible left this plan year (zero when there is none)."""
    fam = c.family
    room = _room(
        c.deductible,
        acc.deductible_met,
        fam.deductible if fam else None,
        acc.family_deductible_met,
        fam.embedded if fam else True,
    )
    return ZERO if room is None else room


def oop_room(c: Coverage, acc: Accumulators) -> Decimal | None:
    """OOP room left this plan year (None: no maximum, as for Original Medicare)."""
    if c.plan_type == PlanType.MEDICARE_PART_B:
        return None
    fam = c.family
    return _room(
        c.oop_max,
        acc.oop_met,
        fam.oop_max if fam else None,
        acc.family_oop_met,
        fam.oop_embedded if fam else True,
    )


def _take(left: list[Decimal], amount: Decimal) -> Decimal:
    """Take up to ``amount`` from the line amounts in order (in place); returns what was taken."""
    taken = ZERO
    for i, x in enumerate(left):
        if amount <= 0:
            break
        t = x if x < amount else amount
        left[i] = x - t
        amount -= t
        taken += t
    return taken


def line_copays(lines: Sequence[ServiceLine], c: Coverage) -> tuple[Decimal, ...]:
    """The copay due on each line when the coverage charges one per line."""
    return tuple(c.copay if line.copay is None else line.copay for line in lines)


def _charge_copay(lines: Sequence[ServiceLine], left: list[Decimal], c: Coverage) -> Decimal:
    """Take the copay(s) from the lines (in place): one per visit, or one on every line."""
    if c.copay_applies != "line":
        return _take(left, c.copay)
    taken = ZERO
    for i, due in enumerate(line_copays(lines, c)):
        t = min(left[i], due)
        left[i] -= t
        taken += t
    return taken


def plan_share(
    lines: Sequence[ServiceLine], allowed: Sequence[Decimal], c: Coverage, acc: Accumulators
) -> Share:
    """The patient's share of one visit under ``c`` (``allowed``: each line's allowed amount)."""
    left = list(allowed)
    room = deductible_room(c, acc) if c.deductible_applies else ZERO
    waiting = False
    if c.copay_after_deductible:
        ded = _take(left, room)
        if ded == room:
            copay = _charge_copay(lines, left, c)
        else:
            due = any(line_copays(lines, c)) if c.copay_applies == "line" else c.copay > 0
            copay, waiting = ZERO, due
    else:
        copay = _charge_copay(lines, left, c)
        ded_left = room - copay if c.copay_counts_toward_deductible else room
        ded = _take(left, ded_left) if ded_left > 0 else ZERO
    parts = tuple(
        (line.code, base, c.coinsurance if line.coinsurance is None else line.coinsurance)
        for line, base in zip(lines, left, strict=True)
        if base > 0
    )
    coins = cents(sum((base * rate for _, base, rate in parts), ZERO))
    oop = oop_room(c, acc)
    capped = ZERO
    if oop is not None and copay + ded + coins > oop:
        capped = over = copay + ded + coins - oop
        cut = min(over, coins)
        coins, over = coins - cut, over - cut
        cut = min(over, ded)
        ded, over = ded - cut, over - cut
        copay -= over
    return Share(copay, ded, coins, room, oop, capped, waiting, parts)


def advance(c: Coverage, acc: Accumulators, deductible: Decimal, oop: Decimal) -> Accumulators:
    """The accumulators after crediting ``deductible`` and ``oop`` (each capped at its limit)."""

    def add(met: Decimal, limit: Decimal | None, credit: Decimal) -> Decimal:
        total = met + credit
        return total if limit is None or total < limit else limit

    fam = c.family
    return Accumulators(
        add(acc.deductible_met, c.deductible, deductible),
        add(acc.oop_met, c.oop_max, oop),
        add(acc.family_deductible_met, fam.deductible, deductible) if fam else ZERO,
        add(acc.family_oop_met, fam.oop_max, oop) if fam else ZERO,
    )


def _deductible_credit(c: Coverage, s: Share) -> Decimal:
    return s.deductible + s.copay if c.copay_counts_toward_deductible else s.deductible


# --- a course of visits ----------------------------------------------------------------------


class _Book:
    """One coverage's plan year and accumulators as the course moves on.

    ``base`` is the coverage as given; ``c`` its terms for the current plan year (the year's
    Part B deductible filled in when the coverage takes it from the law).
    """

    __slots__ = ("base", "c", "role", "start", "acc", "figures", "law")

    def __init__(self, c: Coverage, role: str, figures: YearlyFigures) -> None:
        self.base = c
        self.c = c
        self.role = role
        self.start: date | None = None
        self.acc = Accumulators.of(c)
        self.figures = figures
        self.law: list[Figure] = []  # the figures of the law used this plan year

    def enter(self, d: date) -> bool:
        """Move to the plan year of ``d``; True when that is a new one (accumulators reset)."""
        start = self.base.plan_year_start.year_containing(d)
        if start == self.start:
            return False
        first = self.start is None
        self.start = start
        self.law = []
        changes: dict[str, object] = {}
        for flag, name, target in (
            ("yearly_deductible", "part_b_deductible", "deductible"),
            ("yearly_coinsurance", "part_b_coinsurance", "coinsurance"),
        ):
            if getattr(self.base, flag):
                fig = self.figures.lookup(name, start.year)
                if fig is None:  # check_figures refuses such a request first
                    raise ValueError(f"{self.role}.{target}: no {FIGURES[name]} in the figures")
                self.law.append(fig)
                changes[target] = fig.value
                changes[flag] = False
        if changes:
            self.c = replace(self.base, **changes)  # type: ignore[arg-type]
        if first:
            return False
        self.acc = Accumulators()
        return True

    @property
    def label(self) -> str:
        assert self.start is not None
        return self.base.plan_year_start.label(self.start)


class _MedigapBook:
    """A Medigap plan's calendar-year books: what the patient paid toward K/L's limit or the
    high deductible (the accumulator given is that of the first visit's year)."""

    def __init__(self, c: Coverage) -> None:
        assert c.medigap_plan is not None
        self.c = c
        self.letter = c.medigap_plan
        self.benefit = MEDIGAP_BENEFITS[c.medigap_plan]
        self.year: int | None = None
        self.met = c.oop_met if self.benefit.limit else c.deductible_met

    def enter(self, year: int) -> bool:
        """True when ``year`` starts a new calendar year of the course (met back to zero)."""
        if self.year is None:
            self.year = year
            return False
        if year == self.year:
            return False
        self.year, self.met = year, ZERO
        return True


def _plan_name(c: Coverage, role: str) -> str:
    if c.plan_type == PlanType.MEDIGAP:
        letter = c.medigap_plan or "?"
        if letter.startswith("HD"):
            return f"Medigap Plan {letter[2:]} (high deductible)"
        return f"Medigap Plan {letter}"
    name = _PLAN_NAMES.get(c.plan_type)
    if name:
        return name
    net = "out of network" if c.network == "out" else "in network"
    return f"The {role} plan ({net})"


def _coverage_warnings(c: Coverage, role: str) -> Iterator[str]:
    if c.plan_type == PlanType.MEDICARE_PART_B:
        if c.oop_max is not None or (c.family is not None and c.family.oop_max is not None):
            yield f"{role}.oop_max: Original Medicare has no out-of-pocket maximum; it was ignored."
    elif c.deductible is not None and c.oop_max is not None and c.oop_max < c.deductible:
        yield (
            f"{role}: the out-of-pocket maximum {dollars(c.oop_max)} is below the deductible "
            f"{dollars(c.deductible)}; the patient never pays more than the maximum."
        )


def _fallback(role: str, fig: Figure) -> Iterator[str]:
    """A warning when a figure had to come from another year than the one asked (not for Part
    B's coinsurance: the law's 20% does not change by year)."""
    if not fig.exact and fig.name != "part_b_coinsurance":
        yield (
            f"{role}: the yearly figures have no {fig.label} for {fig.asked}; the {fig.year} "
            f"figure ({_figure_text(fig)}) is used. Update resources/reference/yearly-figures.json."
        )


def _figure_text(fig: Figure) -> str:
    return format_percent(fig.value) if fig.name == "part_b_coinsurance" else dollars(fig.value)


def _year_warnings(
    c: Coverage, role: str, start: date, figures: YearlyFigures, book: _Book | None = None
) -> Iterator[str]:
    """Figures that look wrong for the plan year starting on ``start``."""
    year = start.year
    if c.plan_type == PlanType.MEDICARE_PART_B:
        law = book.law if book is not None else []
        for fig in law:
            yield from _fallback(role, fig)
        if not any(f.name == "part_b_deductible" for f in law):
            known = figures.lookup("part_b_deductible", year)
            if known is not None and known.exact and c.deductible != known.value:
                given = "none" if c.deductible is None else dollars(c.deductible)
                yield (
                    f"{role}.deductible: the Part B deductible for {year} is "
                    f"{dollars(known.value)}, this request gives {given}."
                )
        rate = figures.lookup("part_b_coinsurance", year)
        from_law = any(f.name == "part_b_coinsurance" for f in law)
        if rate is not None and not from_law and c.coinsurance != rate.value:
            yield (
                f"{role}.coinsurance: Original Medicare's coinsurance is "
                f"{format_percent(rate.value)} ({rate.value}), not "
                f"{format_percent(c.coinsurance)}; give a reduced rate on the drug's line instead."
            )
        return
    if c.network != "in":
        return
    if c.plan_type in _CEILING_TYPES:
        single = figures.lookup("aca_oop_max", year)
        family = figures.lookup("aca_oop_max_family", year)
        if single is not None and c.oop_max is not None and c.oop_max > single.value:
            yield (
                f"{role}.oop_max: {dollars(c.oop_max)} is above the {single.year} federal limit "
                f"for one person ({dollars(single.value)}); check the figure with the payer."
            )
        fam_max = c.family.oop_max if c.family is not None else None
        if family is not None and fam_max is not None and fam_max > family.value:
            yield (
                f"{role}.family.oop_max: {dollars(fam_max)} is above the {family.year} "
                f"federal family limit ({dollars(family.value)}); check the figure with the payer."
            )
    if c.plan_type == PlanType.MEDICARE_ADVANTAGE:
        limit = figures.lookup("medicare_advantage_oop_limit", year)
        if limit is not None and c.oop_max is not None and c.oop_max > limit.value:
            yield (
                f"{role}.oop_max: {dollars(c.oop_max)} is above the {limit.year} Medicare "
                f"Advantage in-network limit ({dollars(limit.value)}); check the figure."
            )


def _price(x: Decimal) -> str:
    """A unit price as given: $84.12, $84.125 (never rounded for display)."""
    return dollars(x) if x == cents(x) else f"${x.normalize():,}"


def _label(prog: Program) -> str:
    """'Acme card (copay card)'; just 'Copay card' for a program without its own name."""
    kind = prog.kind.replace("_", " ")
    return prog.name if prog.name.lower() == kind else f"{prog.name} ({kind})"


class _Course:
    """State of a course while its visits are applied in date order."""

    def __init__(self, req: QuoteRequest, figures: YearlyFigures) -> None:
        self.req = req
        self.figures = figures
        self.lines = req.lines
        self.allowed_by_line = [line.allowed for line in req.lines]
        self.allowed = sum(self.allowed_by_line, ZERO)
        p, s = req.primary, req.secondary
        self.balance_bill = (
            sum((line.balance_bill for line in req.lines), ZERO)
            if p is not None and p.network == "out"
            else ZERO
        )
        self.warnings: list[str] = []
        self.primary = _Book(p, "primary", figures) if p is not None else None
        self.secondary = (
            _Book(s, "secondary", figures)
            if s is not None and s.plan_type != PlanType.MEDIGAP
            else None
        )
        self.medigap = (
            _MedigapBook(s) if s is not None and s.plan_type == PlanType.MEDIGAP else None
        )
        for book in (self.primary, self.secondary):
            if book is not None:
                self._warn(*_coverage_warnings(book.c, book.role))
        self.card_refusal = copay_card_refusal(p, s)
        self.card_year: dict[int, tuple[int, Decimal]] = {}  # program → (calendar year, used)
        self.grant_left: dict[int, Decimal] = {}
        for i, prog in enumerate(req.assistance):
            if isinstance(prog, CopayCard) and self.card_refusal:
                self._warn(f"assistance[{i}] ({prog.name}): not applied: {self.card_refusal}.")
            elif isinstance(prog, FoundationGrant):
                self.grant_left[i] = prog.balance
        pieces = "; ".join(
            f"{line.code} {line.units} × {_price(line.unit_price)} = {dollars(a)}"
            for line, a in zip(self.lines, self.allowed_by_line, strict=True)
        )
        what = "Self-pay price" if p is None else "Allowed amount"
        self.allowed_text = f"{what} {dollars(self.allowed)}: {pieces}."

    def _warn(self, *messages: str) -> None:
        for m in messages:
            if m not in self.warnings:
                self.warnings.append(m)

    def visit(self, d: date) -> VisitQuote:
        out: list[str] = [self.allowed_text]
        pbook = self.primary
        allowed = self.allowed
        if pbook is None:
            share = Share(ZERO, ZERO, ZERO, ZERO, None, ZERO, False, ())
            label = str(d.year)
            cost = allowed
            primary_paid = ZERO
            out.append(
                f"No insurance used: the patient pays the self-pay price, {dollars(allowed)}."
            )
        else:
            self._new_year(pbook, d, out)
            p = pbook.c  # this plan year's terms
            label = pbook.label
            share = plan_share(self.lines, self.allowed_by_line, p, pbook.acc)
            out.extend(_explain_share(p, share))
            cost = share.patient
            primary_paid = allowed - cost
            out.append(f"{_plan_name(p, 'primary')} pays {dollars(primary_paid)}.")
        bb = self.balance_bill
        if bb:
            out.append(
                f"Balance bill {dollars(bb)}: out of network, the provider may bill its charge "
                "above the allowed amount; this does not count toward the out-of-pocket maximum."
            )
        secondary_paid = self._secondary(d, share, primary_paid, out)
        cost -= secondary_paid
        before = cost + bb
        payments, not_counted = self._assistance(d, cost, bb, out)
        paid = sum((x.amount for x in payments), ZERO)
        owes = before - paid
        acc = None
        if pbook is not None:
            p = pbook.c
            credit_ded = max(_deductible_credit(p, share) - not_counted, ZERO)
            credit_oop = max(share.patient - not_counted, ZERO)
            if not_counted:
                out.append(
                    f"The plan does not count the card's {dollars(not_counted)} toward the "
                    "deductible or out-of-pocket maximum (accumulator adjustment)."
                )
            pbook.acc = acc = advance(p, pbook.acc, credit_ded, credit_oop)
            out.extend(_explain_accumulators(p, acc))
        tail = f" ({dollars(before)} before assistance)" if paid else ""
        out.append(f"Patient owes {dollars(owes)}{tail}.")
        return VisitQuote(
            date=d,
            plan_year=label,
            allowed=allowed,
            deductible=share.deductible,
            coinsurance=share.coinsurance,
            copay=share.copay,
            primary_paid=primary_paid,
            secondary_paid=secondary_paid,
            balance_bill=bb,
            patient_owes_before_assistance=before,
            assistance_paid=paid,
            patient_owes=owes,
            assistance=tuple(payments),
            accumulators=acc,
            explanation=tuple(out),
        )

    def _new_year(self, book: _Book, d: date, out: list[str]) -> None:
        first = book.start is None
        reset = book.enter(d)
        start = book.start or d
        if reset:
            what = "primary plan" if book.role == "primary" else "secondary plan"
            out.append(
                f"New plan year {book.label} of the {what} (from {book.start}): the deductible "
                "and out-of-pocket amounts met start again at $0.00."
            )
            if not (book.base.yearly_deductible or book.base.yearly_coinsurance):
                self._warn(
                    f"{book.role}: the course runs into plan year {book.label} (from "
                    f"{book.start}); the same deductible, coinsurance and out-of-pocket maximum "
                    "are assumed."
                )
        if first or reset:
            self._warn(*_year_warnings(book.c, book.role, start, self.figures, book))
            if book.law:
                used = ", ".join(f"{f.label} {_figure_text(f)}" for f in book.law)
                out.append(f"Original Medicare's terms by law for {start.year}: {used}.")

    def _secondary(self, d: date, share: Share, primary_paid: Decimal, out: list[str]) -> Decimal:
        s = self.req.secondary
        if s is None:
            return ZERO
        left = share.patient
        if self.medigap is not None:
            return self._medigap(d, self.medigap, share, out)
        book = self.secondary
        assert book is not None
        self._new_year(book, d, out)
        own = plan_share(self.lines, self.allowed_by_line, s, book.acc)
        normal = self.allowed - own.patient
        book.acc = advance(s, book.acc, _deductible_credit(s, own), own.patient)
        if s.cob_method == "non_duplication":
            paid = max(normal - primary_paid, ZERO)
            out.append(
                f"Secondary plan (non-duplication): its normal benefit {dollars(normal)} less the "
                f"{dollars(primary_paid)} the primary paid: pays {dollars(paid)}."
            )
        else:
            paid = min(normal, left)
            out.append(
                "Secondary plan (standard coordination): as primary it would pay "
                f"{dollars(normal)}; "
                f"the primary left {dollars(left)} unpaid; it pays the smaller, {dollars(paid)}."
            )
        return paid

    def _medigap(self, d: date, gap: _MedigapBook, share: Share, out: list[str]) -> Decimal:
        """What a Medigap plan pays of the Part B share (its books move by what the patient
        keeps paying of Medicare's cost sharing)."""
        name = _plan_name(gap.c, "secondary")
        b = gap.benefit
        if gap.enter(d.year):
            out.append(f"New calendar year {d.year} for {name}: its amounts met start at $0.00.")
        ded, coins = share.deductible, share.coinsurance + share.copay
        if b.high_deductible:
            fig = self._figure("medigap_high_deductible", d.year)
            room = max(fig.value - gap.met, ZERO)
            pre = min(room, ded + coins)
            gap.met += pre
            pre_ded = min(pre, ded)
            ded_rest, coins_rest = ded - pre_ded, coins - (pre - pre_ded)
            paid = coins_rest + (ded_rest if b.deductible else ZERO)
            what = "deductible and coinsurance" if b.deductible else "coinsurance"
            if room == 0:
                out.append(
                    f"{name}: its {d.year} deductible ({dollars(fig.value)}) is met; it pays "
                    f"Medicare's {what}: {dollars(paid)}."
                )
            else:
                out.append(
                    f"{name}: the patient pays Medicare's cost sharing until {dollars(fig.value)} "
                    f"in {d.year} ({dollars(pre)} now, {dollars(gap.met)} paid so far); then it "
                    f"pays Medicare's {what}: {dollars(paid)}."
                )
            return paid
        if b.limit:
            fig = self._figure(b.limit, d.year)
            plan_coins = cents(coins * b.coinsurance)
            keeps = coins - plan_coins
            room = max(fig.value - gap.met, ZERO)
            coins_room = max(room - ded, ZERO)
            capped = keeps > coins_room
            if capped:
                keeps = coins_room
            paid = coins - keeps
            gap.met = min(gap.met + ded + keeps, fig.value)
            deductible_note = (
                f"; the Part B deductible ({dollars(ded)}) stays the patient's" if ded else ""
            )
            tail = (
                f"; the {d.year} out-of-pocket limit ({dollars(fig.value)}) is reached, so it pays "
                "the rest of the coinsurance"
                if capped
                else ""
            )
            out.append(
                f"{name} pays {format_percent(b.coinsurance)} of Medicare's coinsurance "
                f"({dollars(paid)}){deductible_note}{tail}. Toward its limit: "
                f"{dollars(gap.met)} of {dollars(fig.value)}."
            )
            return paid
        paid = coins + (ded if b.deductible else ZERO)
        if b.deductible:
            out.append(
                f"{name} pays what Medicare leaves, deductible and coinsurance: {dollars(paid)}."
            )
        else:
            not_paid = f" but not the Part B deductible ({dollars(ded)})" if ded else ""
            out.append(f"{name} pays Medicare's coinsurance ({dollars(paid)}){not_paid}.")
        if gap.letter == "N":
            out.append("Plan N's office-visit copay does not apply to drug administration.")
        return paid

    def _figure(self, name: str, year: int) -> Figure:
        fig = self.figures.lookup(name, year)
        if fig is None:  # checked in quote() before the course starts
            raise ValueError(f"the yearly figures have no {name}")
        self._warn(*_fallback("secondary", fig))
        return fig

    def _assistance(
        self, d: date, cost: Decimal, bb: Decimal, out: list[str]
    ) -> tuple[list[AssistancePayment], Decimal]:
        """Programs in order; returns the payments and what cards not counted by the plan paid."""
        payments: list[AssistancePayment] = []
        not_counted = ZERO
        for i, prog in enumerate(self.req.assistance):
            if cost + bb <= 0:
                break
            if isinstance(prog, CopayCard):
                if self.card_refusal:
                    out.append(f"{_label(prog)}: not used ({self.card_refusal}).")
                    continue
                year, used = self.card_year.get(i, (d.year, prog.used))
                if year != d.year:
                    year, used = d.year, ZERO
                pay = cost
                if prog.per_visit_max is not None:
                    pay = min(pay, prog.per_visit_max)
                if prog.annual_max is not None:
                    pay = min(pay, max(prog.annual_max - used, ZERO))
                used += pay
                self.card_year[i] = (year, used)
                cost -= pay
                if not prog.counts_toward_accumulators:
                    not_counted += pay
                limits = []
                if prog.per_visit_max is not None:
                    limits.append(f"at most {dollars(prog.per_visit_max)} a visit")
                if prog.annual_max is not None:
                    limits.append(
                        f"{dollars(max(prog.annual_max - used, ZERO))} of its "
                        f"{dollars(prog.annual_max)} for {year} left"
                    )
                extra = f" ({'; '.join(limits)})" if limits else ""
                out.append(f"{_label(prog)} pays {dollars(pay)}{extra}.")
            elif isinstance(prog, FoundationGrant):
                if prog.expires is not None and d > prog.expires:
                    out.append(f"{_label(prog)}: expired on {prog.expires}, not applied.")
                    self._warn(
                        f"assistance[{i}] ({prog.name}): the grant expires on {prog.expires}; "
                        "visits after that get nothing from it unless it is renewed."
                    )
                    continue
                pay = min(self.grant_left[i], cost + bb)
                self.grant_left[i] -= pay
                from_cost = min(pay, cost)
                cost, bb = cost - from_cost, bb - (pay - from_cost)
                out.append(
                    f"{_label(prog)} pays {dollars(pay)}; "
                    f"{dollars(self.grant_left[i])} of the grant left."
                )
            else:
                base = cost + bb
                pay = cents(base * prog.percent)
                from_cost = min(pay, cost)
                cost, bb = cost - from_cost, bb - (pay - from_cost)
                out.append(
                    f"{_label(prog)}: {format_percent(prog.percent)} of {dollars(base)} = "
                    f"{dollars(pay)}."
                )
            if pay:
                payments.append(AssistancePayment(i, prog.name, prog.kind, pay))
        return payments, not_counted


def _explain_share(c: Coverage, s: Share) -> Iterator[str]:
    per_line = c.copay_applies == "line"
    if s.copay:
        yield f"Copay: {dollars(s.copay)}{' (one on every line)' if per_line else ''}."
    elif s.copay_waiting:
        due = "a copay on every line" if per_line else dollars(c.copay)
        yield f"Copay: none yet, it starts once the deductible is met ({due})."
    if not c.deductible_applies:
        yield "Deductible: does not apply to these services."
    elif c.deductible is None and (c.family is None or c.family.deductible is None):
        yield "Deductible: none."
    elif s.deductible_room == 0:
        yield "Deductible: already met this plan year."
    else:
        yield (
            f"Deductible: {dollars(s.deductible)} of the {dollars(s.deductible_room)} left "
            "this plan year."
        )
    parts = s.coinsurance_parts
    if parts:
        full = cents(sum((base * rate for _, base, rate in parts), ZERO))
        if len({rate for _, _, rate in parts}) == 1:
            base = sum((b for _, b, _ in parts), ZERO)
            terms = f"{format_percent(parts[0][2])} of {dollars(base)}"
        else:
            terms = " + ".join(
                f"{format_percent(rate)} of {dollars(base)} ({code})" for code, base, rate in parts
            )
        yield f"Coinsurance: {terms} = {dollars(full)}."
    if s.oop_room is not None:
        if s.capped and s.oop_room == 0:
            yield (
                "Out-of-pocket maximum already reached this plan year: the plan pays the rest "
                f"(the patient's share would have been {dollars(s.capped)})."
            )
        elif s.capped:
            yield (
                f"Out-of-pocket maximum: only {dollars(s.oop_room)} of room left this plan year, "
                f"so the patient's share is {dollars(s.patient)} instead of "
                f"{dollars(s.patient + s.capped)}."
            )
    elif c.plan_type == PlanType.MEDICARE_PART_B:
        yield "Original Medicare has no out-of-pocket maximum."


def _explain_accumulators(c: Coverage, acc: Accumulators) -> Iterator[str]:
    parts = []
    if c.deductible is not None:
        parts.append(f"deductible {dollars(acc.deductible_met)} of {dollars(c.deductible)}")
    if c.oop_max is not None and c.plan_type != PlanType.MEDICARE_PART_B:
        parts.append(f"out-of-pocket {dollars(acc.oop_met)} of {dollars(c.oop_max)}")
    fam = c.family
    if fam is not None:
        if fam.deductible is not None:
            parts.append(
                f"family deductible {dollars(acc.family_deductible_met)} "
                f"of {dollars(fam.deductible)}"
            )
        if fam.oop_max is not None and c.plan_type != PlanType.MEDICARE_PART_B:
            parts.append(
                f"family out-of-pocket {dollars(acc.family_oop_met)} of {dollars(fam.oop_max)}"
            )
    if parts:
        yield f"Met after this visit: {'; '.join(parts)}."


def check_figures(req: QuoteRequest, figures: YearlyFigures) -> tuple[str, str] | None:
    """(field, message) when a yearly figure the request relies on is missing or contradicted
    by an amount met (checked for the first visit's year), else None."""
    if not req.dates:
        return None
    year = min(req.dates).year
    p, s = req.primary, req.secondary
    if p is not None and p.yearly_deductible:
        fig = figures.lookup("part_b_deductible", year)
        if fig is None:
            return "primary.deductible", (
                f"no Part B deductible for {year} in the yearly figures; give the deductible"
            )
        if p.deductible_met > fig.value:
            return "primary.deductible_met", (
                f"{dollars(p.deductible_met)} met is more than the {year} Part B deductible "
                f"{dollars(fig.value)}"
            )
    no_rate = figures.lookup("part_b_coinsurance", year) is None
    if p is not None and p.yearly_coinsurance and no_rate:
        return "primary.coinsurance", (
            "no Part B coinsurance in the yearly figures; give the coinsurance"
        )
    if s is not None and s.plan_type == PlanType.MEDIGAP and s.medigap_plan in MEDIGAP_BENEFITS:
        b = MEDIGAP_BENEFITS[s.medigap_plan]
        name = b.limit or ("medigap_high_deductible" if b.high_deductible else None)
        if name is not None:
            met_field = "oop_met" if b.limit else "deductible_met"
            fig = figures.lookup(name, year)
            if fig is None:
                return "secondary.medigap_plan", f"the yearly figures have no {FIGURES[name]}"
            met = getattr(s, met_field)
            if met > fig.value:
                return f"secondary.{met_field}", (
                    f"{dollars(met)} met is more than the {year} {fig.label} {dollars(fig.value)}"
                )
    return None


def quote(req: QuoteRequest, figures: YearlyFigures | None = None) -> Quote:
    """Apply the visits in date order and sum them up, per plan year and in all.

    ``figures``: the yearly figures (``infudesk.reference.yearly_figures()``); without them
    nothing is checked against a year's figures, and a request that needs one (a Part B
    deductible by year, Medigap K, L or high deductible) is refused.
    Raises ``ValueError`` for coverages ``check_coverage``/``check_pairing``/``check_figures``
    refuse.
    """
    figures = NO_FIGURES if figures is None else figures
    for role, c in (("primary", req.primary), ("secondary", req.secondary)):
        problem = check_coverage(c) if c is not None else None
        if problem:
            raise ValueError(f"{role}.{problem[0]}: {problem[1]}")
    problem = check_pairing(req.primary, req.secondary)
    if problem:
        raise ValueError(f"{problem[0]}: {problem[1]}")
    if not req.dates or not req.lines:
        raise ValueError("a quote needs at least one visit date and one line")
    problem = check_figures(req, figures)
    if problem:
        raise ValueError(f"{problem[0]}: {problem[1]}")
    course = _Course(req, figures)
    visits = tuple(course.visit(d) for d in sorted(req.dates))
    md = req.primary.plan_year_start if req.primary is not None else MonthDay()
    years: list[PlanYearTotals] = []
    start = 0
    for i in range(1, len(visits) + 1):
        if i == len(visits) or visits[i].plan_year != visits[start].plan_year:
            first = visits[start].date
            year_start = md.year_containing(first)
            next_start = md.year_containing(year_start + timedelta(days=366))
            end = next_start - timedelta(days=1)
            label = visits[start].plan_year
            years.append(PlanYearTotals(label, year_start, end, Totals.of(visits[start:i])))
            start = i
    return Quote(visits, Totals.of(visits), tuple(years), tuple(course.warnings))
