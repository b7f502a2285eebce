"""Tests for infudesk.domain.billing: drug list, units, vials, JW/JZ and administration codes."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infudesk.domain import billing as b
from infudesk.domain.billing import BillingLine, Drug

D = Decimal
DRUGS_CSV = Path(__file__).parents[1] / "resources" / "drugs.csv"
HEADER = "name,brand,hcpcs,unit_mg,vial_sizes_mg,single_dose,admin_class,routes"
GOOD_ROW = "infliximab,Remicade,J1745,10,100,yes,therapeutic,iv"


@pytest.fixture(scope="module")
def drugs() -> dict[str, Drug]:
    return {d.hcpcs: d for d in b.parse_drug_table(DRUGS_CSV.read_text(encoding="utf-8"))}


SHIPPED = {d.hcpcs: d for d in b.parse_drug_table(DRUGS_CSV.read_text(encoding="utf-8"))}


def summary(lines: list[BillingLine]) -> list[tuple[str, str, int]]:
    return [(line.code, line.modifier, line.units) for line in lines]


# --- the shipped drug list --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "unit_mg"),
    [
        ("J1745", 10),
        ("Q5103", 10),
        ("Q5104", 10),
        ("Q5121", 10),
        ("J2350", 1),
        ("J3380", 1),
        ("J9312", 10),
        ("J2323", 1),
        ("J3262", 1),
        ("J1439", 1),
        ("J1756", 1),
        ("J1750", 50),
        ("J1459", 500),
        ("J1561", 500),
        ("J1568", 500),
        ("J1569", 500),
        ("J1572", 500),
        ("J1557", 500),
        ("J1566", 500),
        ("J1559", 100),
    ],
)
def test_shipped_table_has_the_code_with_its_billing_unit(
    drugs: dict[str, Drug], code: str, unit_mg: int
) -> None:
    assert drugs[code].unit_mg == D(unit_mg)


def test_shipped_table_vials_classes_and_routes(drugs: dict[str, Drug]) -> None:
    assert drugs["J1745"].vial_sizes_mg == (D(100),)
    assert drugs["J9312"].vial_sizes_mg == (D(100), D(500))
    assert drugs["J3262"].vial_sizes_mg == (D(80), D(200), D(400))
    assert drugs["J2350"].vial_sizes_mg == (D(300),)
    assert drugs["J1750"].vial_sizes_mg == (D(100),)
    assert drugs["J1459"].vial_sizes_mg == (D(5000), D(10000), D(20000), D(40000))
    assert drugs["J2350"].admin_class == "chemo_complex"
    assert drugs["J9312"].admin_class == "chemo_complex"
    assert drugs["J1745"].admin_class == "therapeutic"
    assert drugs["J1559"].admin_class == "subq_ig"
    assert drugs["J1559"].routes == ("sc",)
    assert drugs["J1459"].routes == ("iv",)
    for drug in drugs.values():
        assert drug.vial_sizes_mg == tuple(sorted(drug.vial_sizes_mg))
        assert drug.single_dose
        assert set(drug.routes) <= b.CLASS_ROUTES[drug.admin_class]


def test_shipped_table_rows_are_unique_and_named(drugs: dict[str, Drug]) -> None:
    rows = b.parse_drug_table(DRUGS_CSV.read_text(encoding="utf-8"))
    assert len(rows) == len(drugs)  # one row per code in the shipped list
    assert all(d.name and d.brand for d in rows)
    assert drugs["J1745"].title == "infliximab (Remicade)"


# --- parsing a hand-edited drug list ----------------------------------------------------------


def test_parse_minimal_table() -> None:
    [drug] = b.parse_drug_table(f"{HEADER}\n{GOOD_ROW}\n")
    assert drug == Drug(
        name="infliximab",
        brand="Remicade",
        hcpcs="J1745",
        unit_mg=D(10),
        vial_sizes_mg=(D(100),),
        single_dose=True,
        admin_class="therapeutic",
        routes=("iv",),
    )


def test_parse_is_forgiving_about_layout() -> None:
    text = (
        "\ufeff# our site's list\n"
        "routes,admin_class,single_dose,vial_sizes_mg,unit_mg,hcpcs,brand,name,notes\n"
        "\n"
        " IV , Therapeutic , No , 500  100 100 , 10 , j9312 , , rituximab , keep cold\n"
        "# a comment row\n"
    )
    [drug] = b.parse_drug_table(text)
    assert drug.hcpcs == "J9312"
    assert drug.brand == ""
    assert drug.title == "rituximab"
    assert drug.vial_sizes_mg == (D(100), D(500))
    assert drug.single_dose is False
    assert drug.admin_class == "therapeutic"
    assert drug.routes == ("iv",)


def test_parse_header_only_is_an_empty_list() -> None:
    assert b.parse_drug_table(HEADER + "\n") == []


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("infliximab,Remicade,1745,10,100,yes,therapeutic,iv", "hcpcs"),
        ("infliximab,Remicade,JJ745,10,100,yes,therapeutic,iv", "hcpcs"),
        ("infliximab,Remicade,J1745,-10,100,yes,therapeutic,iv", "unit_mg"),
        ("infliximab,Remicade,J1745,0,100,yes,therapeutic,iv", "unit_mg"),
        ("infliximab,Remicade,J1745,ten,100,yes,therapeutic,iv", "unit_mg"),
        ("infliximab,Remicade,J1745,NaN,100,yes,therapeutic,iv", "unit_mg"),
        ("infliximab,Remicade,J1745,10,100 -5,yes,therapeutic,iv", "vial_sizes_mg"),
        ("infliximab,Remicade,J1745,10,,yes,therapeutic,iv", "vial_sizes_mg"),
        ("infliximab,Remicade,J1745,10,100,maybe,therapeutic,iv", "single_dose"),
        ("infliximab,Remicade,J1745,10,100,yes,hydration,iv", "admin_class"),
        ("infliximab,Remicade,J1745,10,100,yes,therapeutic,oral", "routes"),
        ("infliximab,Remicade,J1745,10,100,yes,therapeutic,sc", "routes"),
        ("infliximab,Remicade,J1745,10,100,yes,therapeutic,", "routes"),
        (",Remicade,J1745,10,100,yes,therapeutic,iv", "name"),
    ],
)
def test_parse_bad_row_names_line_and_column(row: str, column: str) -> None:
    text = f"{HEADER}\n{GOOD_ROW}\n{row}\n"
    with pytest.raises(ValueError, match=rf"^Line 3, column {column}: "):
        b.parse_drug_table(text)


def test_parse_line_numbers_count_blank_comment_and_multiline_rows() -> None:
    text = (
        f"# comment\n{HEADER}\n\n"
        '"infliximab\nbiosimilar",Inflectra,Q5103,10,100,yes,therapeutic,iv\n'
        "iron dextran,INFeD,J1750,-50,100,yes,therapeutic,iv\n"
    )
    with pytest.raises(ValueError, match=r"^Line 6, column unit_mg"):
        b.parse_drug_table(text)


def test_parse_wrong_column_count() -> None:
    with pytest.raises(ValueError, match=r"^Line 2: 7 columns where the header has 8"):
        b.parse_drug_table(f"{HEADER}\ninfliximab,Remicade,J1745,10,100,yes,therapeutic\n")


def test_parse_missing_header_column() -> None:
    with pytest.raises(ValueError, match=r"^Line 1: .*lacks the column\(s\) routes"):
        b.parse_drug_table(HEADER.removesuffix(",routes") + "\n")


def test_parse_empty_text() -> None:
    with pytest.raises(ValueError, match=r"^Line 1: .*header row"):
        b.parse_drug_table("\n\n")


def test_parse_duplicate_row() -> None:
    with pytest.raises(ValueError, match=r"^Line 3: the same drug and code as line 2"):
        b.parse_drug_table(f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n")


# --- dose and units ---------------------------------------------------------------------------


def test_dose_mg() -> None:
    assert b.dose_mg(D(5), True, D(72)) == D(360)  # D0001
    assert b.dose_mg(D(1000), True, D(65)) == D(65000)  # D0002
    assert b.dose_mg(D(8), True, D(60)) == D(480)  # D0006
    assert b.dose_mg(D(600), False, None) == D(600)
    assert b.dose_mg(D(600), False, D(80)) == D(600)  # weight ignored for a flat dose
    assert b.dose_mg(D("7.5"), True, D("70.4")) == D("528.000")


@pytest.mark.parametrize(
    ("dose", "per_kg", "weight"),
    [
        (D(5), True, None),
        (D(5), True, D(0)),
        (D(5), True, D(-70)),
        (D(0), False, None),
        (D(-5), False, None),
        (D("NaN"), False, None),
        (D("Infinity"), False, None),
        (D("1E+30"), False, None),  # a typo or a wrong unit, not a dose
        (D(2000), True, D("1E+5")),
    ],
)
def test_dose_mg_rejects(dose: Decimal, per_kg: bool, weight: Decimal | None) -> None:
    with pytest.raises(ValueError):
        b.dose_mg(dose, per_kg, weight)


@pytest.mark.parametrize(
    ("dose", "unit", "units"),
    [
        (D(350), D(10), 35),
        (D(351), D(10), 36),
        (D(360), D(10), 36),
        (D("350.01"), D(10), 36),
        (D(65000), D(500), 130),
        (D(65001), D(500), 131),
        (D("0.1"), D(1), 1),
        (D(600), D(1), 600),
        (D(90), D(50), 2),
    ],
)
def test_billing_units_round_up(dose: Decimal, unit: Decimal, units: int) -> None:
    assert b.billing_units(dose, unit) == units


def test_billing_units_rejects_non_positive() -> None:
    with pytest.raises(ValueError):
        b.billing_units(D(0), D(10))
    with pytest.raises(ValueError):
        b.billing_units(D(100), D(0))
    with pytest.raises(ValueError, match="over 10 kg"):
        b.billing_units(D("1E+30"), D(10))
    with pytest.raises(ValueError, match="too small"):
        b.billing_units(D(1000), D("1E-30"))


# --- vials ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "sizes", "plan", "waste"),
    [
        (D(350), [D(100)], {D(100): 4}, D(50)),
        (D(360), [D(100)], {D(100): 4}, D(40)),
        (D(600), [D(300)], {D(300): 2}, D(0)),
        (D(480), [D(80), D(200), D(400)], {D(400): 1, D(80): 1}, D(0)),
        (D(600), [D(100), D(500)], {D(500): 1, D(100): 1}, D(0)),
        # least waste beats the greedy choice (400 + 300 would waste 100)
        (D(600), [D(300), D(400)], {D(300): 2}, D(0)),
        # same waste (50) from 4×100, 200+2×100 or 2×200: fewest vials wins
        (D(350), [D(100), D(200)], {D(200): 2}, D(50)),
        (
            D(65000),
            [D(5000), D(10000), D(20000), D(40000)],
            {D(40000): 1, D(20000): 1, D(5000): 1},
            D(0),
        ),
        # fractional sizes: three half-mg vials waste less than one 2 mg vial
        (D("1.2"), [D("0.5"), D(2)], {D("0.5"): 3}, D("0.3")),
        (D(750), [D(750), D(1000)], {D(750): 1}, D(0)),
    ],
)
def test_choose_vials_examples(
    dose: Decimal, sizes: list[Decimal], plan: dict[Decimal, int], waste: Decimal
) -> None:
    assert b.choose_vials(dose, sizes) == (plan, waste)


def test_choose_vials_large_doses_stay_exact() -> None:
    plan, waste = b.choose_vials(D(200000), SHIPPED["J1568"].vial_sizes_mg)
    assert waste == 0
    assert sum(size * n for size, n in plan.items()) == D(200000)
    assert sum(plan.values()) == 7  # 6 × 30 g + 20 g
    # coprime sizes, 1 mg apart from a big dose: the pre-fill keeps this quick and exact
    plan, waste = b.choose_vials(D(199999), [D(7), D(40000)])
    assert waste == 0
    assert sum(size * n for size, n in plan.items()) == D(199999)


@pytest.mark.parametrize(
    "sizes",
    [[], [D(0)], [D(100), D(-100)], [D("NaN")]],
)
def test_choose_vials_rejects_bad_sizes(sizes: list[Decimal]) -> None:
    with pytest.raises(ValueError):
        b.choose_vials(D(100), sizes)


def test_choose_vials_refuses_a_search_it_cannot_bound() -> None:
    # sizes 1 µg apart in scale from 40 g: too many steps to plan, a clear error instead
    with pytest.raises(ValueError, match="too large to plan"):
        b.choose_vials(D(9_000_000), [D("0.001"), D(40000)])
    with pytest.raises(ValueError, match="over 10 kg"):
        b.choose_vials(D(20_000_000), [D(100)])


def _reference_vials(dose: int, sizes: list[int]) -> tuple[int, int]:
    """(waste, vial count) of the best plan, by exhaustive search over all but the last size."""
    *others, last = sizes
    best: tuple[int, int] | None = None
    ranges = [range(-(-dose // s) + 1) for s in others]
    for counts in itertools.product(*ranges):
        held = sum(c * s for c, s in zip(counts, others, strict=True))
        need = -(-max(0, dose - held) // last)
        candidate = (held + need * last - dose, sum(counts) + need)
        if best is None or candidate < best:
            best = candidate
    assert best is not None
    return best


def _check_against_reference(dose: int, sizes: list[int]) -> None:
    plan, waste = b.choose_vials(D(dose), [D(s) for s in sizes])
    assert sum(size * n for size, n in plan.items()) == D(dose) + waste
    assert all(n > 0 for n in plan.values())
    assert (int(waste), sum(plan.values())) == _reference_vials(dose, sizes)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.lists(st.integers(2, 12), min_size=1, max_size=3, unique=True))
def test_choose_vials_matches_exhaustive_search(dose: int, sizes: list[int]) -> None:
    _check_against_reference(dose, sizes)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000), st.lists(st.integers(2, 40), min_size=2, max_size=2, unique=True))
def test_choose_vials_matches_exhaustive_search_for_large_doses(
    dose: int, sizes: list[int]
) -> None:
    _check_against_reference(dose, sizes)


# --- drug lines -------------------------------------------------------------------------------


def test_infliximab_350_mg_worked_example(drugs: dict[str, Drug]) -> None:
    lines = b.drug_lines(drugs["J1745"], D(350))
    assert summary(lines) == [("J1745", "", 35), ("J1745", "JW", 5)]
    assert all(line.kind == "drug" for line in lines)
    assert "infliximab" in lines[0].label and "given" in lines[0].label
    assert "discarded" in lines[1].label


def test_d0001_infliximab_360_mg(drugs: dict[str, Drug]) -> None:
    dose = b.dose_mg(D(5), True, D(72))
    assert summary(b.drug_lines(drugs["J1745"], dose)) == [("J1745", "", 36), ("J1745", "JW", 4)]


def test_351_mg_infliximab_rounds_up_and_discards_the_rest(drugs: dict[str, Drug]) -> None:
    # 400 mg opened, 351 given: 36 units given, 49 mg discarded is 4 whole units
    assert summary(b.drug_lines(drugs["J1745"], D(351))) == [("J1745", "", 36), ("J1745", "JW", 4)]


def test_biosimilar_bills_its_own_q_code(drugs: dict[str, Drug]) -> None:
    assert summary(b.drug_lines(drugs["Q5121"], D(350))) == [("Q5121", "", 35), ("Q5121", "JW", 5)]


def test_d0002_ivig_65_g_no_waste(drugs: dict[str, Drug]) -> None:
    dose = b.dose_mg(D(1000), True, D(65))
    assert summary(b.drug_lines(drugs["J1459"], dose)) == [("J1459", "JZ", 130)]


def test_d0005_ferric_carboxymaltose(drugs: dict[str, Drug]) -> None:
    assert summary(b.drug_lines(drugs["J1439"], D(750))) == [("J1439", "JZ", 750)]


def test_d0006_tocilizumab_480_mg(drugs: dict[str, Drug]) -> None:
    dose = b.dose_mg(D(8), True, D(60))
    assert summary(b.drug_lines(drugs["J3262"], dose)) == [("J3262", "JZ", 480)]


def test_rituximab_305_mg_cms_example(drugs: dict[str, Drug]) -> None:
    # four 100 mg vials (95 mg waste) beat one 500 mg vial: 31 units given, 9 discarded
    assert summary(b.drug_lines(drugs["J9312"], D(305))) == [("J9312", "", 31), ("J9312", "JW", 9)]


def test_waste_under_one_unit_is_absorbed_and_carries_jz(drugs: dict[str, Drug]) -> None:
    # iron dextran 90 mg from a 100 mg vial: 2 units of 50 mg already cover the vial
    assert summary(b.drug_lines(drugs["J1750"], D(90))) == [("J1750", "JZ", 2)]


def test_multi_dose_container_has_no_modifier(drugs: dict[str, Drug]) -> None:
    drug = replace(drugs["J1745"], single_dose=False)
    assert summary(b.drug_lines(drug, D(350))) == [("J1745", "", 35)]
    assert summary(b.drug_lines(drug, D(400))) == [("J1745", "", 40)]


# --- administration codes ---------------------------------------------------------------------

IV_THERAPEUTIC = [
    (15, [("96374", 1)]),
    (16, [("96365", 1)]),
    (30, [("96365", 1)]),
    (60, [("96365", 1)]),
    (90, [("96365", 1)]),
    (91, [("96365", 1), ("96366", 1)]),
    (150, [("96365", 1), ("96366", 1)]),
    (151, [("96365", 1), ("96366", 2)]),
]
CHEMO = [
    (15, [("96409", 1)]),
    (16, [("96413", 1)]),
    (30, [("96413", 1)]),
    (60, [("96413", 1)]),
    (90, [("96413", 1)]),
    (91, [("96413", 1), ("96415", 1)]),
    (150, [("96413", 1), ("96415", 1)]),
    (151, [("96413", 1), ("96415", 2)]),
]
# CPT: the subcutaneous infusion codes need more than 15 minutes; 15 minutes or less is reported
# as a subcutaneous injection, 96372 (was 96369 before issue 9; the rule was wrong).
SUBQ_IG = [
    (1, [("96372", 1)]),
    (15, [("96372", 1)]),
    (16, [("96369", 1)]),
    (30, [("96369", 1)]),
    (60, [("96369", 1)]),
    (90, [("96369", 1)]),
    (91, [("96369", 1), ("96370", 1)]),
    (150, [("96369", 1), ("96370", 1)]),
    (151, [("96369", 1), ("96370", 2)]),
]
INJECTION = [(m, [("96372", 1)]) for m in (15, 16, 30, 60, 90, 91, 150, 151)]


@pytest.mark.parametrize(
    ("route", "admin_class", "minutes", "expected"),
    [("iv", "therapeutic", m, e) for m, e in IV_THERAPEUTIC]
    + [("iv", "chemo_complex", m, e) for m, e in CHEMO]
    + [("sc", "subq_ig", m, e) for m, e in SUBQ_IG]
    + [("sc", "injection", m, e) for m, e in INJECTION]
    + [("im", "injection", m, e) for m, e in INJECTION],
)
def test_admin_time_boundaries(
    route: str, admin_class: str, minutes: int, expected: list[tuple[str, int]]
) -> None:
    lines = b.admin_lines(route, minutes, admin_class)
    assert [(line.code, line.units) for line in lines] == expected
    assert all(line.kind == "admin" and line.modifier == "" for line in lines)
    assert all(line.label == b.ADMIN_LABELS[line.code] for line in lines)


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(1, 0), (60, 0), (90, 0), (91, 1), (120, 1), (150, 1), (151, 2), (210, 2), (211, 3)],
)
def test_added_hours(minutes: int, hours: int) -> None:
    assert b.added_hours(minutes) == hours


@pytest.mark.parametrize(
    ("route", "minutes", "admin_class", "message"),
    [
        ("sc", 60, "therapeutic", "not given by route sc"),
        ("im", 60, "chemo_complex", "not given by route im"),
        ("iv", 60, "subq_ig", "not given by route iv"),
        ("iv", 5, "injection", "not given by route iv"),
        ("iv", 60, "hydration", "Unknown administration class"),
        ("oral", 60, "therapeutic", "Unknown route"),
        ("iv", 0, "therapeutic", "minutes"),
        ("iv", -30, "chemo_complex", "minutes"),
        ("sc", 0, "injection", "minutes"),
    ],
)
def test_admin_lines_rejects(route: str, minutes: int, admin_class: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        b.admin_lines(route, minutes, admin_class)


# --- whole suggestions (demo patients) --------------------------------------------------------


def test_d0001_suggestion(drugs: dict[str, Drug]) -> None:
    lines = b.suggest_lines(drugs["J1745"], D(360), "iv", 120)
    assert summary(lines) == [
        ("J1745", "", 36),
        ("J1745", "JW", 4),
        ("96365", "", 1),
        ("96366", "", 1),
    ]


def test_d0004_ocrelizumab_suggestion(drugs: dict[str, Drug]) -> None:
    lines = b.suggest_lines(drugs["J2350"], D(600), "iv", 210)
    assert summary(lines) == [("J2350", "JZ", 600), ("96413", "", 1), ("96415", "", 2)]
    assert [line.kind for line in lines] == ["drug", "admin", "admin"]


def test_subcutaneous_ig_at_the_center(drugs: dict[str, Drug]) -> None:
    # 8,000 mg from two 4 g vials: 80 units, nothing discarded (JZ); 120 min = first hour + 60
    # extra minutes (> 30) → one 96370
    lines = b.suggest_lines(drugs["J1559"], D(8000), "sc", 120)
    assert summary(lines) == [("J1559", "JZ", 80), ("96369", "", 1), ("96370", "", 1)]


def test_d0003_subcutaneous_ig_at_home(drugs: dict[str, Drug]) -> None:
    # D0003: 200 mg/kg × 38 kg = 7,600 mg → 76 units of 100 mg; the least waste is 8,000 mg
    # (4 g + 4 g, or 4 g + 2 g + 2 g: ties keep the larger vials) → 400 mg = 4 JW units.
    # At home: no 96369/96370, but the nursing visit (95 min ≤ 2 h → 99601 alone) and the
    # immunotherapy per diem S9338 for the infusion day.
    lines = b.suggest_lines(drugs["J1559"], D(7600), "sc", 95, "home")
    assert summary(lines) == [
        ("J1559", "", 76),
        ("J1559", "JW", 4),
        ("99601", "", 1),
        ("S9338", "", 1),
    ]
    assert [line.kind for line in lines] == ["drug", "drug", "admin", "admin"]
    assert b.home_notes(drugs["J1559"]) == []


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        # 99601 covers up to 2 hours; +99602 for each added hour once the extra time passes
        # 30 minutes (the same rule as 96366): 150 min = 2 h + 30 → none; 151 → one;
        # 210 min = 2 h + 90 → one (90 − 30 = 60 → 1); 211 → two
        (15, [("99601", 1)]),
        (120, [("99601", 1)]),
        (150, [("99601", 1)]),
        (151, [("99601", 1), ("99602", 1)]),
        (210, [("99601", 1), ("99602", 1)]),
        (211, [("99601", 1), ("99602", 2)]),
    ],
)
def test_home_nursing_visit_boundaries(
    drugs: dict[str, Drug], minutes: int, expected: list[tuple[str, int]]
) -> None:
    lines = b.home_lines(drugs["J1745"], minutes)
    assert [(ln.code, ln.units) for ln in lines] == [*expected, ("S9359", 1)]


def test_home_infliximab_uses_the_anti_tnf_per_diem(drugs: dict[str, Drug]) -> None:
    # D0001's order given at home: 36 + JW 4 as at the center; 120 min → 99601; S9359
    lines = b.suggest_lines(drugs["J1745"], D(360), "iv", 120, "home")
    assert summary(lines) == [
        ("J1745", "", 36),
        ("J1745", "JW", 4),
        ("99601", "", 1),
        ("S9359", "", 1),
    ]


def test_home_drug_without_a_per_diem_code_gets_a_note(drugs: dict[str, Drug]) -> None:
    # ocrelizumab has no per-diem S-code in the list: nursing lines only, and a note says so
    lines = b.suggest_lines(drugs["J2350"], D(600), "iv", 210, "home")
    assert summary(lines) == [("J2350", "JZ", 600), ("99601", "", 1), ("99602", "", 1)]
    (note,) = b.home_notes(drugs["J2350"])
    assert "No home infusion per-diem S-code" in note and "ocrelizumab (Ocrevus)" in note


def test_unknown_site_or_per_diem_code_is_refused(drugs: dict[str, Drug]) -> None:
    with pytest.raises(ValueError, match="Unknown site of care"):
        b.suggest_lines(drugs["J1745"], D(360), "iv", 120, "moon")
    head = ",".join(b.DRUG_COLUMNS) + ",home_per_diem\n"
    with pytest.raises(ValueError, match=r"Line 2, column home_per_diem: “S1234”"):
        b.parse_drug_table(head + "x,,J1745,10,100,yes,therapeutic,iv,S1234\n")
    # the column is optional: a site's older list without it still loads
    (drug,) = b.parse_drug_table(
        ",".join(b.DRUG_COLUMNS) + "\nx,,J1745,10,100,yes,therapeutic,iv\n"
    )
    assert drug.home_per_diem == ""


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        # CPT: a subcutaneous infusion of 15 minutes or less is a subcutaneous injection
        (15, [("J1559", "JZ", 10), ("96372", "", 1)]),
        (16, [("J1559", "JZ", 10), ("96369", "", 1)]),
    ],
)
def test_subcutaneous_infusion_15_minute_boundary(
    drugs: dict[str, Drug], minutes: int, expected: list[tuple[str, str, int]]
) -> None:
    # 1,000 mg from one 1 g vial: 10 units, nothing discarded
    assert summary(b.suggest_lines(drugs["J1559"], D(1000), "sc", minutes)) == expected


def test_injectafer_675_mg_uses_the_100_mg_vials(drugs: dict[str, Drug]) -> None:
    # Vials 100, 750 and 1,000 mg (package insert). 675 mg: one 750 mg vial wastes 75 mg;
    # seven 100 mg vials (700 mg) waste 25 mg, the least → J1439 × 675 and JW × 25
    # (before the 100 mg vial was listed: JW × 75).
    assert drugs["J1439"].vial_sizes_mg == (D(100), D(750), D(1000))
    assert b.choose_vials(D(675), drugs["J1439"].vial_sizes_mg) == ({D(100): 7}, D(25))
    assert summary(b.drug_lines(drugs["J1439"], D(675))) == [
        ("J1439", "", 675),
        ("J1439", "JW", 25),
    ]


def test_d0005_suggestion(drugs: dict[str, Drug]) -> None:
    lines = b.suggest_lines(drugs["J1439"], D(750), "iv", 30)
    assert summary(lines) == [("J1439", "JZ", 750), ("96365", "", 1)]


def test_suggest_lines_rejects_a_route_the_table_does_not_list(drugs: dict[str, Drug]) -> None:
    with pytest.raises(ValueError, match="not sc"):
        b.suggest_lines(drugs["J1745"], D(360), "sc", 120)


# --- properties -------------------------------------------------------------------------------

DOSES = st.decimals(min_value=D("0.1"), max_value=D(200000), places=1)
DRUG = st.sampled_from(sorted(SHIPPED.values(), key=lambda d: d.hcpcs))


@settings(deadline=None)
@given(DRUG, DOSES)
def test_billed_units_cover_the_dose(drug: Drug, dose: Decimal) -> None:
    given_line = b.drug_lines(drug, dose)[0]
    assert given_line.modifier in ("", "JZ")
    assert given_line.units * drug.unit_mg >= dose
    assert (given_line.units - 1) * drug.unit_mg < dose


@settings(deadline=None)
@given(DRUG, DOSES)
def test_waste_is_less_than_the_smallest_vial(drug: Drug, dose: Decimal) -> None:
    plan, waste = b.choose_vials(dose, drug.vial_sizes_mg)
    assert D(0) <= waste < min(drug.vial_sizes_mg)
    assert sum(size * n for size, n in plan.items()) == dose + waste


@settings(deadline=None)
@given(DRUG, DOSES)
def test_given_plus_discarded_units_equal_the_vials_opened(drug: Drug, dose: Decimal) -> None:
    plan, waste = b.choose_vials(dose, drug.vial_sizes_mg)
    opened = sum((size * n for size, n in plan.items()), D(0))
    lines = b.drug_lines(drug, dose)
    billed = sum(line.units for line in lines)
    assert billed <= b.billing_units(opened, drug.unit_mg)  # never more than the vials opened
    if opened % drug.unit_mg == 0:
        assert billed == opened / drug.unit_mg
    modifiers = [line.modifier for line in lines]
    assert modifiers in (["JZ"], ["", "JW"])
    assert (modifiers == ["JZ"]) == (waste < drug.unit_mg)


CLASS_ROUTE = st.sampled_from(
    [("therapeutic", "iv"), ("chemo_complex", "iv"), ("subq_ig", "sc"), ("injection", "sc")]
)


@given(CLASS_ROUTE, st.integers(1, 24 * 60), st.integers(0, 600))
def test_admin_units_never_decrease_with_time(
    class_route: tuple[str, str], minutes: int, more: int
) -> None:
    admin_class, route = class_route
    shorter = b.admin_lines(route, minutes, admin_class)
    longer = b.admin_lines(route, minutes + more, admin_class)
    assert sum(line.units for line in shorter) <= sum(line.units for line in longer)
    assert len(shorter) <= len(longer)
