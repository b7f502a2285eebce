"""FPL screening (issue 14): the poverty guidelines data file (and the sliding scale's table
agree with it), regions, which directory programs fit a patient and why not the others."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk import reference
from infudesk.demo.showcase import seed_demo
from infudesk.domain import assistance as da
from infudesk.errors import ValidationFailed
from infudesk.resources import resource
from infudesk.services import assistance as asv
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from tests.conftest import TODAY

D = Decimal


def test_the_data_file_has_both_years_and_regions_and_matches_the_sliding_scale() -> None:
    table = reference.poverty_guidelines()
    assert table == da.GUIDELINES  # one set of figures
    assert table[2026]["48"] == (15960, 5680)
    assert table[2025]["48"] == (15650, 5500)
    assert table[2026]["AK"][0] == 19950 and table[2026]["HI"][0] == 18360
    doc = json.loads(Path(resource("reference", "poverty-guidelines.json")).read_text())
    assert "91 FR 1797" in doc["sources"]["2026"] and "90 FR 5917" in doc["sources"]["2025"]
    # a family of four in 2026: 15,960 + 3 × 5,680
    assert da.guideline(4, 2026) == 33000
    assert da.guideline(4, 2025) == 32150


def test_regions() -> None:
    assert da.region_of("il") == "48" and da.region_of("DC") == "48"
    assert da.region_of("AK") == "AK" and da.region_of(" hi ") == "HI"
    with pytest.raises(ValueError):
        da.region_of("PR")  # not defined for the territories


CARD = da.ProgramRules(1, "Actemra co-pay card", "copay_card", drugs=("J3262",), no_government=True)
FUND = da.ProgramRules(
    2, "Rheumatology fund", "foundation_grant", diagnoses=("M05", "M06"), fpl_limit=500
)
CHARITY = da.ProgramRules(3, "Charity care", "discount", fpl_limit=250)


def who(**kw: object) -> da.Applicant:
    base: dict[str, object] = {
        "household": 3,
        "income": D("41000"),
        "state": "IL",
        "plan_types": ("employer_self_funded",),
        "drug_codes": ("J3262", "tocilizumab (Actemra)"),
        "diagnosis": "M05.79",
    }
    base.update(kw)
    return da.Applicant(**base)  # type: ignore[arg-type]


def test_screening_fits_and_why_not() -> None:
    s = da.screen([CARD, FUND, CHARITY], who(), year=2026)
    assert (s.year, s.guideline) == (2026, 15960 + 2 * 5680)
    assert s.fpl_percent == D("150.1")  # 41,000 / 27,320
    assert [f.name for f in s.fits if f.fits] == [
        "Actemra co-pay card",
        "Charity care",
        "Rheumatology fund",
    ]
    # Medicare, income above a limit, another drug and diagnosis: every reason said
    s = da.screen(
        [CARD, FUND, CHARITY],
        who(
            plan_types=("medicare_part_b", "medigap"),
            income=D("80000"),
            drug_codes=("J1459",),
            diagnosis="G61.81",
        ),
        year=2026,
    )
    by = {f.program_id: f for f in s.fits}
    assert not any(f.fits for f in s.fits)
    assert by[1].reasons == (
        "Not with government coverage (medicare part b, medigap).",
        "Only for J3262.",
    )
    assert by[2].reasons == ("Only for diagnoses M05, M06.",)  # 292.8% is under 500%
    assert by[3].reasons == ("Income is 292.8% of the 2026 poverty guideline; the limit is 250%.",)


def test_a_program_without_rules_is_to_ask_about_not_a_fit() -> None:
    """Added to the directory with no rule at all: screening cannot say it fits; it says to
    ask the sponsor and lists it after the programs that fit, before those that do not."""
    bare = da.ProgramRules(9, "Hospital fund", "foundation_grant")
    s = da.screen([CARD, bare, CHARITY], who(income=D("80000")), year=2026)
    assert [(f.name, f.fits, f.unknown) for f in s.fits] == [
        ("Actemra co-pay card", True, False),
        ("Hospital fund", False, True),
        ("Charity care", False, False),
    ]
    assert s.fits[1].reasons == (da.NO_RULES,)
    # one rule is enough to judge
    capped = da.ProgramRules(9, "Hospital fund", "foundation_grant", fpl_limit=400)
    (fit,) = da.screen([capped], who(), year=2026).fits
    assert fit.fits and not fit.unknown


def test_screening_alaska_hawaii_and_year_fallback() -> None:
    ak = da.screen([CHARITY], who(state="AK", income=D("40000")), year=2026)
    assert ak.guideline == 19950 + 2 * 7100
    hi = da.screen([CHARITY], who(state="HI", income=D("40000")), year=2025)
    assert hi.guideline == 17990 + 2 * 6330
    later = da.screen([CHARITY], who(), year=2031)  # not published yet: the latest on file
    assert later.year == 2026
    earlier = da.screen([CHARITY], who(), year=2019)
    assert earlier.year == 2025
    # at the limit exactly fits, a dollar above does not
    limit_income = D(da.guideline(3, 2026)) * D("2.5")
    assert da.screen([CHARITY], who(income=limit_income), year=2026).fits[0].fits
    assert not da.screen([CHARITY], who(income=limit_income + 100), year=2026).fits[0].fits


@given(st.integers(1, 12), st.integers(0, 400_000), st.sampled_from(["IL", "AK", "HI", "DC"]))
def test_more_income_never_fits_more_programs(household: int, income: int, state: str) -> None:
    progs = [CARD, FUND, CHARITY]
    low = da.screen(progs, who(household=household, income=D(income), state=state), year=2026)
    high = da.screen(
        progs, who(household=household, income=D(income + 5000), state=state), year=2026
    )
    assert {f.program_id for f in high.fits if f.fits} <= {f.program_id for f in low.fits if f.fits}
    bigger = da.screen(
        progs, who(household=household + 1, income=D(income), state=state), year=2026
    )
    assert bigger.fpl_percent <= low.fpl_percent


def test_screen_a_demo_patient(store: Store) -> None:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY, generated=0)
        for d in (
            asv.DirectoryData(
                kind="discount", name="Charity care", fpl_limit=250, percent=D("0.5")
            ),
            asv.DirectoryData(
                kind="copay_card",
                name="Injectafer savings",
                drugs=("J1439",),
                no_government=True,
                annual_max=D("500"),
            ),
            asv.DirectoryData(kind="foundation_grant", name="MS fund", diagnoses=("G35",)),
        ):
            asv.add_directory_entry(s, Actor("counselor", role="counselor"), d)
    with store.session() as s:
        carter = ps.get_by_mrn(s, "D0005").id  # self-pay, iron, household of 3, $41,000
        got = asv.screen_patient(s, carter, household=3, income=D("41000"), state="IL", today=TODAY)
        nguyen = ps.get_by_mrn(s, "D0002").id  # Medicare, IVIG
        medicare = asv.screen_patient(
            s, nguyen, household=1, income=D("30000"), state="IL", today=TODAY
        )
        with pytest.raises(ValidationFailed) as bad:
            asv.screen_patient(s, carter, household=0, income=D("-1"), state="PR", today=TODAY)
    fits = {f.name: f for f in got.fits}
    assert fits["Charity care"].fits and fits["Injectafer savings"].fits
    assert fits["MS fund"].reasons == ("Only for diagnoses G35.",)
    card = {f.name: f for f in medicare.fits}["Injectafer savings"]
    assert "Not with government coverage (medicare part b, medigap)." in card.reasons
    assert set(bad.value.errors) == {"household", "income", "state"}
