"""What the Payers screen decides, without Qt: which payers a filter matches, the appeal window
typed as days, phones as shown and what counts as a change."""

from __future__ import annotations

import unicodedata

from infudesk.domain.coverage import PLAN_TYPE_LABELS
from infudesk.domain.prior_auth import check_appeal_days
from infudesk.domain.validation import check_phone, format_phone, phone_digits
from infudesk.services import payers as pay


def fold(text: str) -> str:
    """Lower case without accents, for forgiving filtering."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(rec: pay.PayerRecord, text: str) -> bool:
    """Does the filter text match this payer (every word in its name, plan types or numbers)?"""
    d = rec.data
    words = fold(" ".join([d.name, *(PLAN_TYPE_LABELS.get(t, t) for t in d.plan_types)]))
    numbers = f"{d.phone} {d.fax}"
    for word in text.split():
        digits = phone_digits(word)
        if digits and not word.strip("0123456789()-.+"):
            if digits not in numbers:
                return False
        elif fold(word) not in words:
            return False
    return True


def pretty_phone(text: str) -> str:
    return format_phone(phone_digits(text)) if text.strip() and check_phone(text) is None else text


APPEAL_DAYS_HINT = (
    "Days after a denial, 1–365. Blank: by the coverage's plan type — {defaults}. A window"
    " printed on a denial letter wins over this one."
)


APPEAL_DAYS_NOT_A_NUMBER = (
    "Enter the appeal window as a whole number of days, 1 to 365 (e.g. 60), or leave it blank"
    " to use the plan type's window."
)


def parse_appeal_days(text: str) -> int | None:
    """The payer's appeal window typed in the form: None when blank; ValueError (with the
    message to show) when it is not a whole number from 1 to 365."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(APPEAL_DAYS_NOT_A_NUMBER)
    days = int(text)
    problem = check_appeal_days(days)
    if problem:
        raise ValueError(f"{problem} Leave it blank to use the plan type's window.")
    return days


def normal_form(d: pay.PayerData) -> tuple[object, ...]:
    """What counts as a change (spacing and phone punctuation do not)."""

    def phone(value: str) -> str:
        return (
            phone_digits(value) if value.strip() and check_phone(value) is None else value.strip()
        )

    return (
        " ".join(d.name.split()),
        frozenset(d.plan_types),
        phone(d.phone),
        phone(d.fax),
        d.portal.strip(),
        d.notes.strip(),
        d.active,
        d.appeal_days,
    )
