"""Readiness: what could still change a quoted figure before a visit happens (prior
authorization, the site a payer denied, benefits not verified or due again, assistance that
expires) — pure rules on plain data, per visit, so that a quote and a worklist share them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from infudesk.domain import prior_auth as pa
from infudesk.domain.orders import SITE_LABELS
from infudesk.domain.validation import normalize_code
from infudesk.domain.verification import us_date


class Kind(enum.StrEnum):
    """What could change the figure (most serious first)."""

    SITE_DENIED = "site_denied"  # the site quoted is the one the payer denied
    PA_DENIED = "pa_denied"
    PA_MISSING = "pa_missing"  # required by the verification, no case at all
    PA_PENDING = "pa_pending"
    PA_OTHER_SITE = "pa_other_site"  # approved, but for another site than the one quoted
    PA_EXPIRED = "pa_expired"  # the approval does not cover the visit's date
    PA_EXHAUSTED = "pa_exhausted"  # out of approved visits or units by this visit
    UNVERIFIED = "unverified"
    VERIFICATION_DUE = "verification_due"
    ASSISTANCE_EXPIRES = "assistance_expires"


ORDER: tuple[Kind, ...] = tuple(Kind)

FixKind = Literal["prior_auth", "verification", "assistance", "site"]


@dataclass(frozen=True)
class Fix:
    """Where the desk fixes a finding: a prior-auth case (its id, or None to start one), the
    coverage's verification (the coverage id), an assistance program (its id), or another
    site of care to quote (``site``)."""

    kind: FixKind
    target: int | None = None
    site: str = ""


@dataclass(frozen=True)
class AuthCase:
    """A prior-authorization case as readiness sees it. ``site``: the site requested or
    approved ("" not said); ``site_of_care_denial``: the denial was for the site of care (the
    payer wants another site), as the denial's reason says."""

    case_id: int
    state: pa.State
    site: str = ""
    approval: pa.Approval | None = None
    usages: tuple[pa.Usage, ...] = ()
    denied_on: date | None = None
    site_of_care_denial: bool = False


@dataclass(frozen=True)
class VerificationFacts:
    """The coverage's benefits verification: when last verified (None: never), when it is due
    again (None: nothing due), and its answer to "prior authorization required?" (None: not
    answered)."""

    coverage_id: int
    verified_on: date | None
    due_on: date | None = None
    pa_required: bool | None = None


@dataclass(frozen=True)
class GrantFacts:
    program_id: int
    name: str
    expires: date | None


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at for one quote: the site quoted, whether a payer is billed,
    the units one visit bills by code (to count what is left of an approval), the cases,
    the primary's verification and the assistance programs applied."""

    site: str
    insured: bool
    units_per_visit: dict[str, int] = field(default_factory=dict)
    cases: tuple[AuthCase, ...] = ()
    verification: VerificationFacts | None = None
    grants: tuple[GrantFacts, ...] = ()
    other_site: str = ""  # the site to offer instead of a denied one ("" none)


@dataclass(frozen=True)
class Finding:
    """One thing that could change the figure, the quoted visits it touches, what the desk
    reads, and where it is fixed. ``on``: the date the finding turns on (an approval's end, a
    grant's expiry, the re-verification's due date), when it has one. ``patient``: the letter
    says it in plain words (:mod:`infudesk.documents.text` READINESS)."""

    kind: Kind
    visits: tuple[date, ...]
    text: str
    fix: Fix
    patient: bool = True
    on: date | None = None
    site: str = ""  # SITE_DENIED / PA_OTHER_SITE: the site quoted


_DENIED = frozenset({pa.State.DENIED, pa.State.APPEAL_DENIED, pa.State.APPEAL_SUBMITTED})
_DENIED |= {pa.State.EXTERNAL_REVIEW}
_PENDING = frozenset({pa.State.DRAFT, pa.State.SUBMITTED, pa.State.PENDING})
DUE_SOON_DAYS = 14  # a verification due within this many days is shown
SITE_OF_CARE_WORDS = ("site of care", "site-of-care", "non-hospital", "site of service")


def is_site_of_care_denial(reason: str) -> bool:
    """Whether a denial's reason says the site of care was the problem."""
    low = reason.casefold()
    return any(w in low for w in SITE_OF_CARE_WORDS)


def _site(site: str) -> str:
    return SITE_LABELS.get(site, site or "another site").split(" (")[0].split(" / ")[0].lower()


def _covers(
    a: pa.Approval, used: dict[str, int], visits_used: int, per_visit: dict[str, int]
) -> bool:
    """Whether one more visit fits in what is left of the approval."""
    if a.visits is not None and visits_used + 1 > a.visits:
        return False
    approved = a.units()
    for code, units in per_visit.items():
        if code in approved and used.get(code, 0) + units > approved[code]:
            return False
    return True


def visit_findings(
    dates: Sequence[date], facts: Facts, *, today: date
) -> list[tuple[date, list[Finding]]]:
    """Each quoted visit (in date order) with what could change its figure. Approved visits
    and units are used up in date order: the visits quoted before one count against it."""
    days = sorted(d for d in dates if d >= today)
    cases = [c for c in facts.cases if c.state is not pa.State.CANCELLED]
    # what each approval has left, as the quoted visits use it
    used: dict[int, dict[str, int]] = {}
    visits_used: dict[int, int] = {}
    for c in cases:
        u: dict[str, int] = {}
        for x in c.usages:
            code = normalize_code(x.code)
            u[code] = u.get(code, 0) + x.units
        used[c.case_id] = u
        visits_used[c.case_id] = sum(1 for x in c.usages if x.visit)
    per_visit = {normalize_code(k): v for k, v in facts.units_per_visit.items()}
    out: list[tuple[date, list[Finding]]] = []
    for day in days:
        found: list[Finding] = []
        if facts.insured:
            found += _auth_findings(day, facts, cases, used, visits_used, per_visit)
            found += _verification_findings(day, facts, today)
        for g in facts.grants:
            if g.expires is not None and g.expires < day:
                found.append(
                    Finding(
                        Kind.ASSISTANCE_EXPIRES,
                        (day,),
                        f"{g.name} expires {us_date(g.expires)}, before this visit: it pays "
                        "nothing then unless it is renewed.",
                        Fix("assistance", g.program_id),
                        patient=False,  # the estimate's own notice says it on the letter
                        on=g.expires,
                    )
                )
        out.append((day, found))
    return out


def _auth_findings(
    day: date,
    facts: Facts,
    cases: list[AuthCase],
    used: dict[int, dict[str, int]],
    visits_used: dict[int, int],
    per_visit: dict[str, int],
) -> list[Finding]:
    site = facts.site
    approving = [c for c in cases if c.state in pa.APPROVAL_STATES and c.approval is not None]
    for c in approving:  # an approval that covers this visit: use it
        a = c.approval
        assert a is not None
        if (
            a.start <= day <= a.end
            and (not a.site or a.site == site)
            and _covers(a, used[c.case_id], visits_used[c.case_id], per_visit)
        ):
            visits_used[c.case_id] += 1
            for code, units in per_visit.items():
                used[c.case_id][code] = used[c.case_id].get(code, 0) + units
            return []
    denied = [c for c in cases if c.state in _DENIED]
    for c in denied:
        if c.site_of_care_denial and (not c.site or c.site == site):
            when = f" on {us_date(c.denied_on)}" if c.denied_on else ""
            return [
                Finding(
                    Kind.SITE_DENIED,
                    (day,),
                    f"The payer denied the {_site(site)}{when} (site-of-care policy): "
                    "not paid as quoted.",
                    Fix("site", c.case_id, facts.other_site),
                    on=c.denied_on,
                    site=site,
                )
            ]
    elsewhere = [c for c in denied if c.site_of_care_denial]
    if elsewhere and not approving:  # denied at another site: this site needs its own request
        c = elsewhere[0]
        return [
            Finding(
                Kind.PA_MISSING,
                (day,),
                f"The payer denied the {_site(c.site)} (site-of-care policy); the {_site(site)} "
                "needs its own prior authorization: request it before this visit.",
                Fix("prior_auth", None),
            )
        ]
    if denied and not elsewhere:
        c = denied[0]
        return [
            Finding(
                Kind.PA_DENIED,
                (day,),
                f"Prior authorization {pa.STATE_LABELS[c.state].lower()}: the payer will not pay "
                "this visit unless the denial is overturned.",
                Fix("prior_auth", c.case_id),
                on=c.denied_on,
            )
        ]
    pending = [c for c in cases if c.state in _PENDING]
    if pending:
        c = pending[0]
        return [
            Finding(
                Kind.PA_PENDING,
                (day,),
                f"Prior authorization not decided yet: {pa.STATE_LABELS[c.state].lower()}. "
                "The figure holds only if it is approved.",
                Fix("prior_auth", c.case_id),
            )
        ]
    for c in approving:
        a = c.approval
        assert a is not None
        if a.site and a.site != site and a.start <= day <= a.end:
            return [
                Finding(
                    Kind.PA_OTHER_SITE,
                    (day,),
                    f"Authorization {a.auth_number} is for the {_site(a.site)}, not the "
                    f"{_site(site)} quoted.",
                    Fix("site", c.case_id, a.site),
                    site=site,
                )
            ]
    for c in approving:
        a = c.approval
        assert a is not None
        if not a.start <= day <= a.end:
            return [
                Finding(
                    Kind.PA_EXPIRED,
                    (day,),
                    f"Authorization {a.auth_number} covers {us_date(a.start)}–{us_date(a.end)}, "
                    "not this visit: request a new one.",
                    Fix("prior_auth", c.case_id),
                    on=a.end,
                )
            ]
    if approving:
        c = approving[0]
        a = c.approval
        assert a is not None
        return [
            Finding(
                Kind.PA_EXHAUSTED,
                (day,),
                f"Authorization {a.auth_number} has no approved visits or units left for this "
                "visit: ask the payer for more.",
                Fix("prior_auth", c.case_id),
            )
        ]
    expired = [c for c in cases if c.state is pa.State.EXPIRED]
    if expired:
        return [
            Finding(
                Kind.PA_EXPIRED,
                (day,),
                "The authorization on file has expired: request a new one.",
                Fix("prior_auth", expired[0].case_id),
                on=expired[0].approval.end if expired[0].approval else None,
            )
        ]
    v = facts.verification
    if v is not None and v.pa_required:
        return [
            Finding(
                Kind.PA_MISSING,
                (day,),
                "The verification says prior authorization is required, and none has been "
                "requested: start a case.",
                Fix("prior_auth", None),
            )
        ]
    return []


def _verification_findings(day: date, facts: Facts, today: date) -> list[Finding]:
    v = facts.verification
    if v is None or v.verified_on is None:
        target = v.coverage_id if v else None
        return [
            Finding(
                Kind.UNVERIFIED,
                (day,),
                "Benefits not verified: the terms quoted are as entered, not confirmed with the "
                "payer.",
                Fix("verification", target),
                patient=False,  # the letter's own line says it (not verified yet)
            )
        ]
    # due again before this visit, and soon (a routine re-check weeks ahead is not a finding)
    if v.due_on is not None and v.due_on <= day and (v.due_on - today).days <= DUE_SOON_DAYS:
        late = v.due_on <= today
        return [
            Finding(
                Kind.VERIFICATION_DUE,
                (day,),
                f"Benefits verified {us_date(v.verified_on)}; "
                + (
                    f"due again since {us_date(v.due_on)}: verify before quoting."
                    if late
                    else f"due again by {us_date(v.due_on)}."
                ),
                Fix("verification", v.coverage_id),
                patient=late,  # a re-check still ahead is routine; one overdue is not
                on=v.due_on,
            )
        ]
    return []


def findings(dates: Sequence[date], facts: Facts, *, today: date) -> tuple[Finding, ...]:
    """The findings of the quoted visits from ``today`` on, one per (kind, fix, on) with every
    visit it touches, most serious first."""
    merged: dict[tuple[Kind, Fix, date | None], Finding] = {}
    for _day, found in visit_findings(dates, facts, today=today):
        for f in found:
            key = (f.kind, f.fix, f.on)
            if key in merged:
                old = merged[key]
                merged[key] = Finding(
                    old.kind,
                    (*old.visits, *f.visits),
                    old.text,
                    old.fix,
                    old.patient,
                    old.on,
                    old.site,
                )
            else:
                merged[key] = f
    return tuple(sorted(merged.values(), key=lambda f: (ORDER.index(f.kind), f.visits[0])))


# findings whose own plain words replace the letter's general prior-authorization line
EXPLAINED = frozenset(
    {Kind.SITE_DENIED, Kind.PA_MISSING, Kind.PA_OTHER_SITE, Kind.PA_EXPIRED, Kind.PA_EXHAUSTED}
)


def prior_auth_word(
    found: Sequence[Finding],
) -> Literal["denied", "pending", "explained"] | None:
    """What the letter's prior-authorization line says, from the findings (None: leave it):
    "explained" when a finding says it in its own words."""
    kinds = {f.kind for f in found}
    if kinds & EXPLAINED:
        return "explained"
    if kinds & {Kind.PA_DENIED}:
        return "denied"
    if kinds & {Kind.PA_PENDING}:
        return "pending"
    return None
