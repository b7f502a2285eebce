"""Center settings are checked by the service: any caller is refused a bad TIN, NPI or phone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st_

from infudesk.errors import ValidationFailed
from infudesk.services import settings as st
from infudesk.services.audit import Actor
from infudesk.store.database import Store


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("center.tin", "36-123456"),
        ("center.tin", "361234567X"),
        ("center.npi", "1851234562"),  # fails the Luhn check
        ("center.npi", "185123456"),
        ("center.phone", "555-0100"),
        ("center.fax", "(012) 555-0199"),
        ("center.contact_phone", "call me"),
        ("center.name", "   "),
        ("center.address", "1\n2\n3\n4\n5"),
    ],
)
def test_bad_center_values_are_refused_and_not_stored(
    store: Store, actor: Actor, key: str, bad: str
) -> None:
    with store.session() as s:
        before = st.get(s, key)
        with pytest.raises(ValidationFailed) as info:
            st.put(s, actor, key, bad)
        assert list(info.value.errors) == [key]
        assert st.get(s, key) == before


def test_good_center_values_are_stored_in_their_usual_form(store: Store, actor: Actor) -> None:
    with store.session() as s:
        st.put(s, actor, "center.tin", "361234567")
        st.put(s, actor, "center.phone", "(312) 555-0100")
        st.put(s, actor, "center.npi", " 1851234561 ")
        st.put(s, actor, "center.tin", "36-1234567")
    with store.session() as s:
        assert st.get(s, "center.tin") == "36-1234567"
        assert st.get(s, "center.phone") == "3125550100"
        assert st.get(s, "center.npi") == "1851234561"


def test_put_many_reports_every_problem_and_saves_nothing(store: Store, actor: Actor) -> None:
    with store.session() as s:
        with pytest.raises(ValidationFailed) as info:
            st.put_many(
                s,
                actor,
                {"center.name": "Lakeside", "center.tin": "12", "center.npi": "1"},
            )
        assert set(info.value.errors) == {"center.tin", "center.npi"}
        assert st.get(s, "center.name") == st.DEFAULTS["center.name"]
        st.put_many(s, actor, {"center.name": "Lakeside", "center.tin": "12-3456789"})
        assert st.get(s, "center.name") == "Lakeside"


@given(st_.text(alphabet="0123456789-", max_size=12))
def test_tin_check_and_normal_form_agree(text: str) -> None:
    """A TIN passes exactly when it is 9 digits with an optional dash after two; the stored
    form of a passing one is always NN-NNNNNNN."""
    digits = text.replace("-", "")
    shape_ok = len(digits) == 9 and text in (digits, f"{digits[:2]}-{digits[2:]}")
    assert (st.check_tin(text) is None) == (shape_ok or not text)
    if text and shape_ok:
        assert st.normalize("center.tin", text) == f"{digits[:2]}-{digits[2:]}"
