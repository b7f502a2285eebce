"""`infudesk quote --json FILE|-` run as a subprocess: the contract's worked examples, hand-checked
cases for every switch, and requests it must refuse (exit 2, one line naming the JSON path)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
VISIT_KEYS = (
    "date",
    "plan_year",
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
TOTAL_KEYS = (
    "allowed",
    "primary_paid",
    "secondary_paid",
    "assistance_paid",
    "balance_bill",
    "patient_owes_before_assistance",
    "patient_owes",
)

J5000 = [{"code": "J1745", "units": 1, "unit_price": "5000.00"}]
# 35 × 84.12 = 2,944.20 plus 160.00 = 3,104.20
INFLIX = [
    {"code": "J1745", "units": 35, "unit_price": "84.12"},
    {"code": "96365", "units": 1, "unit_price": "160.00"},
]
PART_B = {"plan_type": "medicare_part_b", "deductible": "283.00", "coinsurance": "0.20"}
ONE = ["2026-03-02"]


def one_line(price: str) -> list[dict[str, Any]]:
    return [{"code": "J1745", "units": 1, "unit_price": price}]


def run_quote(request: object, *, json_arg: str = "-") -> subprocess.CompletedProcess[str]:
    """`python -m infudesk quote --json -` with the request on stdin."""
    text = request if isinstance(request, str) else json.dumps(request)
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "infudesk", "quote", "--json", json_arg],
        input=text,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def check_contract(doc: dict[str, Any]) -> None:
    """Keys, formats, and the per-visit identity the contract promises."""
    assert {"visits", "totals", "warnings"} <= set(doc)
    assert isinstance(doc["warnings"], list)
    for v in doc["visits"]:
        for key in VISIT_KEYS:
            assert key in v, key
        assert DATE.match(v["date"])
        for key in VISIT_KEYS[2:]:
            assert MONEY.match(v[key]), (key, v[key])
        d = {k: Decimal(v[k]) for k in VISIT_KEYS[2:]}
        assert d["allowed"] + d["balance_bill"] == (
            d["primary_paid"] + d["secondary_paid"] + d["assistance_paid"] + d["patient_owes"]
        )
        assert d["patient_owes_before_assistance"] - d["assistance_paid"] == d["patient_owes"]
        assert min(d.values()) >= 0
        assert isinstance(v["explanation"], list) and v["explanation"]
    for key in TOTAL_KEYS:
        assert MONEY.match(doc["totals"][key])
        assert Decimal(doc["totals"][key]) == sum(Decimal(v[key]) for v in doc["visits"])


def quote_ok(request: object, **kw: str) -> dict[str, Any]:
    result = run_quote(request, **kw)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    check_contract(doc)
    assert isinstance(doc, dict)
    return doc


def case(
    name: str,
    request: dict[str, Any],
    visits: list[dict[str, str]],
    *,
    warnings: tuple[str, ...] = (),
    no_warnings: bool = False,
    extra: dict[str, Any] | None = None,
) -> Any:
    return pytest.param(request, visits, warnings, no_warnings, extra or {}, id=name)


CASES = [
    # --- the contract's worked examples ---
    # A = 5,000; deductible 1,500 − 500 met = 1,000; 20% of 4,000 = 800; OOP room 3,000 → 1,800
    case(
        "contract-1-commercial",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1500.00",
                "deductible_met": "500.00",
                "coinsurance": "0.20",
                "oop_max": "6000.00",
                "oop_met": "3000.00",
            },
        },
        [
            {
                "deductible": "1000.00",
                "coinsurance": "800.00",
                "primary_paid": "3200.00",
                "patient_owes": "1800.00",
            }
        ],
        no_warnings=True,
    ),
    # same, OOP room 6,000 − 4,500 = 1,500 < 1,800: the cap takes 300 off the coinsurance
    case(
        "contract-2-oop-cap",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1500.00",
                "deductible_met": "500.00",
                "coinsurance": "0.20",
                "oop_max": "6000.00",
                "oop_met": "4500.00",
            },
        },
        [
            {
                "deductible": "1000.00",
                "coinsurance": "500.00",
                "primary_paid": "3500.00",
                "patient_owes": "1500.00",
            }
        ],
    ),
    # self-pay: 2 × 400.00 = 800.00, all the patient's
    case(
        "contract-3-self-pay",
        {"service_dates": ONE, "lines": [{"code": "J1745", "units": 2, "unit_price": "400.00"}]},
        [{"allowed": "800.00", "primary_paid": "0.00", "patient_owes": "800.00"}],
    ),
    # --- Medicare ---
    # Part B 2026: deductible 283; 20% of (3,104.20 − 283) = 564.24; Medicare pays
    # 3,104.20 − 847.24 = 2,256.96; Plan G pays the 564.24, not the deductible → patient 283
    case(
        "part-b-medigap-g-contract-example",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": PART_B,
            "secondary": {"plan_type": "medigap", "medigap_plan": "G"},
        },
        [
            {
                "date": "2026-03-02",
                "plan_year": "2026",
                "allowed": "3104.20",
                "deductible": "283.00",
                "coinsurance": "564.24",
                "copay": "0.00",
                "primary_paid": "2256.96",
                "secondary_paid": "564.24",
                "balance_bill": "0.00",
                "patient_owes_before_assistance": "283.00",
                "assistance_paid": "0.00",
                "patient_owes": "283.00",
            }
        ],
        no_warnings=True,
    ),
    # Plan F pays deductible and coinsurance: 283 + 564.24 = 847.24 → patient 0
    case(
        "part-b-medigap-f",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": PART_B,
            "secondary": {"plan_type": "medigap", "medigap_plan": "F"},
        },
        [{"primary_paid": "2256.96", "secondary_paid": "847.24", "patient_owes": "0.00"}],
    ),
    # Plan C: same as F
    case(
        "part-b-medigap-c",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": PART_B,
            "secondary": {"plan_type": "medigap", "medigap_plan": "C"},
        },
        [{"deductible": "283.00", "secondary_paid": "847.24", "patient_owes": "0.00"}],
    ),
    # deductible already met: 20% of 3,104.20 = 620.84, all paid by Plan G
    case(
        "part-b-met-medigap-g",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": {**PART_B, "deductible_met": "283.00"},
            "secondary": {"plan_type": "medigap", "medigap_plan": "G"},
        },
        [
            {
                "coinsurance": "620.84",
                "primary_paid": "2483.36",
                "secondary_paid": "620.84",
                "patient_owes": "0.00",
            }
        ],
    ),
    # inflation-rebate drug at 15%: 2,944.20 × 0.15 = 441.63 + 160 × 0.20 = 32.00 → 473.63;
    # Original Medicare has no OOP max: the 100.00 given is ignored (warning), no cap
    case(
        "part-b-line-coinsurance-no-oop",
        {
            "service_dates": ONE,
            "lines": [{**INFLIX[0], "coinsurance": "0.15"}, INFLIX[1]],
            "primary": {**PART_B, "deductible_met": "283.00", "oop_max": "100.00"},
        },
        [{"coinsurance": "473.63", "primary_paid": "2630.57", "patient_owes": "473.63"}],
        warnings=("primary.oop_max", "no out-of-pocket maximum"),
    ),
    # across New Year with the 2025 deductible 257: 257 + 20% of 2,847.20 (569.44) = 826.44
    # in each year (the accumulators reset; the same terms are assumed, with warnings)
    case(
        "part-b-across-years",
        {
            "service_dates": ["2025-12-15", "2026-01-12"],
            "lines": INFLIX,
            "primary": {**PART_B, "deductible": "257.00"},
        },
        [
            {
                "plan_year": "2025",
                "deductible": "257.00",
                "coinsurance": "569.44",
                "patient_owes": "826.44",
            },
            {
                "plan_year": "2026",
                "deductible": "257.00",
                "coinsurance": "569.44",
                "primary_paid": "2277.76",
                "patient_owes": "826.44",
            },
        ],
        warnings=("Part B deductible for 2026 is $283.00", "plan year 2026"),
    ),
    # Medicare Advantage 2025: 20% of 3,104.20 = 620.84, OOP room 9,500 − 9,300 = 200;
    # 9,500 is above the 2025 MA in-network limit of 9,350 (warning)
    case(
        "medicare-advantage-oop",
        {
            "service_dates": ["2025-06-02"],
            "lines": INFLIX,
            "primary": {
                "plan_type": "medicare_advantage",
                "coinsurance": "0.20",
                "oop_max": "9500.00",
                "oop_met": "9300.00",
            },
        },
        [
            {
                "plan_year": "2025",
                "coinsurance": "200.00",
                "primary_paid": "2904.20",
                "patient_owes": "200.00",
            }
        ],
        warnings=("$9,350.00",),
    ),
    # --- commercial switches ---
    # copay 50 first, then deductible 1,000, then 20% of 3,950 = 790 → 1,840
    case(
        "copay-before-deductible",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "copay": "50.00",
                "deductible": "1000.00",
                "coinsurance": "0.20",
            },
        },
        [
            {
                "copay": "50.00",
                "deductible": "1000.00",
                "coinsurance": "790.00",
                "primary_paid": "3160.00",
                "patient_owes": "1840.00",
            }
        ],
    ),
    # copay counts toward the deductible: 50 + 950 deductible, 20% of 4,000 = 800 → 1,800
    case(
        "copay-counts-toward-deductible",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "copay": "50.00",
                "deductible": "1000.00",
                "coinsurance": "0.20",
                "copay_counts_toward_deductible": True,
            },
        },
        [
            {
                "copay": "50.00",
                "deductible": "950.00",
                "coinsurance": "800.00",
                "patient_owes": "1800.00",
            }
        ],
        extra={"accumulators": [{"deductible_met": "1000.00"}]},
    ),
    # copay after deductible, A = 1,000, deductible 1,500: visit 1 all deductible, no copay;
    # visit 2: 500 deductible (met) → copay 50 → 20% of 450 = 90 → 640
    case(
        "copay-after-deductible",
        {
            "service_dates": ["2026-03-02", "2026-03-30"],
            "lines": one_line("1000.00"),
            "primary": {
                "plan_type": "commercial",
                "copay": "50.00",
                "deductible": "1500.00",
                "coinsurance": "0.20",
                "copay_after_deductible": True,
            },
        },
        [
            {
                "deductible": "1000.00",
                "copay": "0.00",
                "coinsurance": "0.00",
                "patient_owes": "1000.00",
            },
            {
                "deductible": "500.00",
                "copay": "50.00",
                "coinsurance": "90.00",
                "patient_owes": "640.00",
            },
        ],
    ),
    # deductible waived for these services: 20% of 5,000 = 1,000; nothing credited
    case(
        "deductible-does-not-apply",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1000.00",
                "coinsurance": "0.20",
                "deductible_applies": False,
            },
        },
        [
            {
                "deductible": "0.00",
                "coinsurance": "1000.00",
                "primary_paid": "4000.00",
                "patient_owes": "1000.00",
            }
        ],
        extra={"accumulators": [{"deductible_met": "0.00"}]},
    ),
    # embedded family: deductible room min(1,500, 3,000 − 2,800) = 200; 20% of 4,800 = 960;
    # OOP room min(6,000, 12,000 − 11,500) = 500 → cap takes 660 off coinsurance (300 left)
    case(
        "family-embedded",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1500.00",
                "coinsurance": "0.20",
                "oop_max": "6000.00",
                "family": {
                    "deductible": "3000.00",
                    "deductible_met": "2800.00",
                    "oop_max": "12000.00",
                    "oop_met": "11500.00",
                    "embedded": True,
                },
            },
        },
        [
            {
                "deductible": "200.00",
                "coinsurance": "300.00",
                "primary_paid": "4500.00",
                "patient_owes": "500.00",
            }
        ],
        extra={
            "accumulators": [
                {
                    "deductible_met": "200.00",
                    "oop_met": "500.00",
                    "family_deductible_met": "3000.00",
                    "family_oop_met": "12000.00",
                }
            ]
        },
    ),
    # non-embedded: the person's met deductible does not count, only the family's 2,000 left;
    # 2,000 + 20% of 3,000 = 2,600
    case(
        "family-non-embedded",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1500.00",
                "deductible_met": "1500.00",
                "coinsurance": "0.20",
                "family": {"deductible": "3000.00", "deductible_met": "1000.00", "embedded": False},
            },
        },
        [
            {
                "deductible": "2000.00",
                "coinsurance": "600.00",
                "primary_paid": "2400.00",
                "patient_owes": "2600.00",
            }
        ],
    ),
    # out of network: allowed 10 × 100 + 160 = 1,160; balance bill (150 − 100) × 10 = 500 (the
    # 96365 charge is below its price: none); 40% of 1,160 = 464 capped at the 100 OOP room;
    # the balance bill does not count toward OOP (oop_met ends at 2,000)
    case(
        "out-of-network-balance-bill",
        {
            "service_dates": ONE,
            "lines": [
                {"code": "J1745", "units": 10, "unit_price": "100.00", "charge": "150.00"},
                {"code": "96365", "units": 1, "unit_price": "160.00", "charge": "120.00"},
            ],
            "primary": {
                "plan_type": "commercial",
                "network": "out",
                "coinsurance": "0.40",
                "oop_max": "2000.00",
                "oop_met": "1900.00",
            },
        },
        [
            {
                "allowed": "1160.00",
                "balance_bill": "500.00",
                "coinsurance": "100.00",
                "primary_paid": "1060.00",
                "patient_owes_before_assistance": "600.00",
                "patient_owes": "600.00",
            }
        ],
        extra={"accumulators": [{"oop_met": "2000.00"}]},
    ),
    # in network the charge does not matter: 20% of 1,160 = 232, no balance bill
    case(
        "in-network-no-balance-bill",
        {
            "service_dates": ONE,
            "lines": [
                {"code": "J1745", "units": 10, "unit_price": "100.00", "charge": "150.00"},
                {"code": "96365", "units": 1, "unit_price": "160.00"},
            ],
            "primary": {"plan_type": "commercial", "coinsurance": "0.20"},
        },
        [
            {
                "balance_bill": "0.00",
                "coinsurance": "232.00",
                "primary_paid": "928.00",
                "patient_owes": "232.00",
            }
        ],
    ),
    # --- secondary coverage ---
    # primary leaves 1,800; secondary as primary: 2,000 + 50% of 3,000 = 3,500 → would pay
    # 1,500; standard COB pays the smaller of 1,500 and 1,800 → patient 300
    case(
        "secondary-standard-cob",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {"plan_type": "commercial", "deductible": "1000.00", "coinsurance": "0.20"},
            "secondary": {
                "plan_type": "commercial",
                "deductible": "2000.00",
                "coinsurance": "0.50",
            },
        },
        [{"primary_paid": "3200.00", "secondary_paid": "1500.00", "patient_owes": "300.00"}],
    ),
    # non-duplication: normal benefit 90% of 5,000 = 4,500 minus the 3,200 paid → 1,300
    case(
        "secondary-non-duplication",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {"plan_type": "commercial", "deductible": "1000.00", "coinsurance": "0.20"},
            "secondary": {
                "plan_type": "commercial",
                "coinsurance": "0.10",
                "cob_method": "non_duplication",
            },
        },
        [{"secondary_paid": "1300.00", "patient_owes": "500.00"}],
    ),
    # non-duplication whose normal benefit (1,500) is below what the primary paid: nothing
    case(
        "secondary-non-duplication-zero",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {"plan_type": "commercial", "deductible": "1000.00", "coinsurance": "0.20"},
            "secondary": {
                "plan_type": "commercial",
                "deductible": "2000.00",
                "coinsurance": "0.50",
                "cob_method": "non_duplication",
            },
        },
        [{"secondary_paid": "0.00", "patient_owes": "1800.00"}],
    ),
    # the secondary keeps its books as if primary: visit 1 its 1,500 deductible takes the whole
    # 1,000 (pays 0); visit 2 only 500 deductible left → would pay 500 → pays min(500, 500)
    case(
        "secondary-accumulators-carry",
        {
            "service_dates": ["2026-03-02", "2026-03-30"],
            "lines": one_line("1000.00"),
            "primary": {"plan_type": "commercial", "coinsurance": "0.50"},
            "secondary": {"plan_type": "commercial", "deductible": "1500.00"},
        },
        [
            {"secondary_paid": "0.00", "patient_owes": "500.00"},
            {"secondary_paid": "500.00", "patient_owes": "0.00"},
        ],
    ),
    # Medicaid as secondary with no cost sharing pays all the primary left (1,800)
    case(
        "medicaid-secondary",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {"plan_type": "commercial", "deductible": "1000.00", "coinsurance": "0.20"},
            "secondary": {"plan_type": "medicaid"},
        },
        [{"secondary_paid": "1800.00", "patient_owes": "0.00"}],
    ),
    # --- courses and plan years ---
    # A = 600, deductible 1,000: 600; then 400 + 20% of 200 = 440; January: 600 again
    case(
        "plan-year-reset-january",
        {
            "service_dates": ["2026-11-16", "2026-12-14", "2027-01-11"],
            "lines": one_line("600.00"),
            "primary": {"plan_type": "commercial", "deductible": "1000.00", "coinsurance": "0.20"},
        },
        [
            {"plan_year": "2026", "deductible": "600.00", "patient_owes": "600.00"},
            {
                "plan_year": "2026",
                "deductible": "400.00",
                "coinsurance": "40.00",
                "patient_owes": "440.00",
            },
            {"plan_year": "2027", "deductible": "600.00", "patient_owes": "600.00"},
        ],
        warnings=("plan year 2027",),
        extra={
            "plan_years": [
                ("2026", "2026-01-01", "2026-12-31", "1040.00", 2),
                ("2027", "2027-01-01", "2027-12-31", "600.00", 1),
            ]
        },
    ),
    # plan year from 07-01, 900 of 1,000 met: 100 + 20% of 500 = 200; from July 600 again
    case(
        "plan-year-reset-july",
        {
            "service_dates": ["2026-06-15", "2026-07-13"],
            "lines": one_line("600.00"),
            "primary": {
                "plan_type": "commercial",
                "deductible": "1000.00",
                "deductible_met": "900.00",
                "coinsurance": "0.20",
                "plan_year_start": "07-01",
            },
        },
        [
            {
                "plan_year": "2025-2026",
                "deductible": "100.00",
                "coinsurance": "100.00",
                "patient_owes": "200.00",
            },
            {"plan_year": "2026-2027", "deductible": "600.00", "patient_owes": "600.00"},
        ],
        extra={
            "plan_years": [
                ("2025-2026", "2025-07-01", "2026-06-30", "200.00", 1),
                ("2026-2027", "2026-07-01", "2027-06-30", "600.00", 1),
            ]
        },
    ),
    # every 56 days from 2026-03-02, 6 visits of 100.00 self-pay
    case(
        "schedule",
        {
            "schedule": {"start": "2026-03-02", "every_days": 56, "count": 6},
            "lines": one_line("100.00"),
        },
        [
            {"date": d, "patient_owes": "100.00"}
            for d in (
                "2026-03-02",
                "2026-04-27",
                "2026-06-22",
                "2026-08-17",
                "2026-10-12",
                "2026-12-07",
            )
        ],
        extra={"totals": {"patient_owes": "600.00", "visits": 6}},
    ),
    # dates out of order, money as JSON numbers (84.12 read exactly): 03-02 first:
    # 1,000 + 20% of 2,104.20 = 1,420.84; then 20% of 3,104.20 = 620.84
    case(
        "unsorted-dates-numbers",
        {
            "service_dates": ["2026-05-01", "2026-03-02"],
            "lines": [
                {"code": "J1745", "units": 35, "unit_price": 84.12},
                {"code": "96365", "units": 1, "unit_price": 160},
            ],
            "primary": {"plan_type": "commercial", "deductible": 1000, "coinsurance": 0.2},
        },
        [
            {
                "date": "2026-03-02",
                "allowed": "3104.20",
                "coinsurance": "420.84",
                "patient_owes": "1420.84",
            },
            {"date": "2026-05-01", "coinsurance": "620.84", "patient_owes": "620.84"},
        ],
    ),
    # OOP already met: the plan pays everything
    case(
        "oop-already-met",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "coinsurance": "0.20",
                "oop_max": "6000.00",
                "oop_met": "6000.00",
            },
        },
        [{"primary_paid": "5000.00", "patient_owes": "0.00"}],
    ),
    # a copay larger than the visit is at most the visit (60.00)
    case(
        "copay-at-most-allowed",
        {
            "service_dates": ONE,
            "lines": one_line("60.00"),
            "primary": {"plan_type": "commercial", "copay": "100.00"},
        },
        [{"copay": "60.00", "primary_paid": "0.00", "patient_owes": "60.00"}],
    ),
    # 35 × 84.125 = 2,944.375 → 2,944.38; 15% = 441.657 → 441.66 (half up); plan 2,502.72
    case(
        "rounding-half-up",
        {
            "service_dates": ONE,
            "lines": [{"code": "J1745", "units": 35, "unit_price": "84.125"}],
            "primary": {"plan_type": "commercial", "coinsurance": "0.15"},
        },
        [{"allowed": "2944.38", "coinsurance": "441.66", "primary_paid": "2502.72"}],
    ),
    # --- assistance ---
    # 1,800 owed; the card pays its per-visit maximum 500 → 1,300
    case(
        "copay-card-per-visit-max",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1000.00",
                "coinsurance": "0.20",
                "oop_max": "6000.00",
            },
            "assistance": [
                {
                    "kind": "copay_card",
                    "name": "Acme",
                    "per_visit_max": "500.00",
                    "annual_max": "15000.00",
                    "used": "0.00",
                }
            ],
        },
        [
            {
                "patient_owes_before_assistance": "1800.00",
                "assistance_paid": "500.00",
                "patient_owes": "1300.00",
            }
        ],
    ),
    # 14,000 of 15,000 used: visit 1 pays 1,000 (the rest of the year's maximum) → 800;
    # visit 2 (20% of 5,000 = 1,000) gets nothing
    case(
        "copay-card-annual-max",
        {
            "service_dates": ["2026-03-02", "2026-03-30"],
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1000.00",
                "coinsurance": "0.20",
                "oop_max": "6000.00",
            },
            "assistance": [
                {
                    "kind": "copay_card",
                    "per_visit_max": "1500.00",
                    "annual_max": "15000.00",
                    "used": "14000.00",
                }
            ],
        },
        [
            {"assistance_paid": "1000.00", "patient_owes": "800.00"},
            {
                "patient_owes_before_assistance": "1000.00",
                "assistance_paid": "0.00",
                "patient_owes": "1000.00",
            },
        ],
    ),
    # the card's yearly 600 starts again in January (plan year from July: no plan reset)
    case(
        "copay-card-calendar-reset",
        {
            "service_dates": ["2026-12-14", "2027-01-11"],
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "coinsurance": "0.20",
                "plan_year_start": "07-01",
            },
            "assistance": [{"kind": "copay_card", "annual_max": "600.00"}],
        },
        [
            {"assistance_paid": "600.00", "patient_owes": "400.00"},
            {"assistance_paid": "600.00", "patient_owes": "400.00"},
        ],
    ),
    # accumulator adjustment: visit 1 share 1,800, card 800 → accumulators move by 1,000 − 800
    # = 200 (deductible) and 1,800 − 800 = 1,000 (OOP); visit 2: 800 deductible + 20% of 4,200
    # = 1,640 capped at the 1,000 OOP room (coinsurance 840 → 200); card 800 → 200
    case(
        "copay-card-accumulator-adjustment",
        {
            "service_dates": ["2026-03-02", "2026-03-30"],
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "deductible": "1000.00",
                "coinsurance": "0.20",
                "oop_max": "2000.00",
            },
            "assistance": [
                {
                    "kind": "copay_card",
                    "per_visit_max": "800.00",
                    "counts_toward_accumulators": False,
                }
            ],
        },
        [
            {
                "patient_owes_before_assistance": "1800.00",
                "assistance_paid": "800.00",
                "patient_owes": "1000.00",
            },
            {
                "deductible": "800.00",
                "coinsurance": "200.00",
                "assistance_paid": "800.00",
                "patient_owes": "200.00",
            },
        ],
        extra={
            "accumulators": [
                {"deductible_met": "200.00", "oop_met": "1000.00"},
                {"deductible_met": "200.00", "oop_met": "1200.00"},
            ]
        },
    ),
    # copay card with Original Medicare: refused (warning), the patient owes 847.24
    case(
        "copay-card-refused-part-b",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": PART_B,
            "assistance": [{"kind": "copay_card", "name": "Acme", "per_visit_max": "500.00"}],
        },
        [{"assistance_paid": "0.00", "patient_owes": "847.24"}],
        warnings=("assistance[0] (Acme)", "Medicare"),
    ),
    # Medicaid primary, 4.00 copay: card refused
    case(
        "copay-card-refused-medicaid",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": {"plan_type": "medicaid", "copay": "4.00"},
            "assistance": [{"kind": "copay_card"}],
        },
        [{"copay": "4.00", "assistance_paid": "0.00", "patient_owes": "4.00"}],
        warnings=("assistance[0]", "Medicaid"),
    ),
    # Medicare Advantage: 20% of 3,104.20 = 620.84; card refused
    case(
        "copay-card-refused-advantage",
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": {"plan_type": "medicare_advantage", "coinsurance": "0.20"},
            "assistance": [{"kind": "copay_card"}],
        },
        [{"assistance_paid": "0.00", "patient_owes": "620.84"}],
        warnings=("assistance[0]", "Medicare"),
    ),
    # no insurance: card refused, 800 self-pay
    case(
        "copay-card-refused-self-pay",
        {
            "service_dates": ONE,
            "lines": [{"code": "J1745", "units": 2, "unit_price": "400.00"}],
            "assistance": [{"kind": "copay_card"}],
        },
        [{"assistance_paid": "0.00", "patient_owes": "800.00"}],
        warnings=("assistance[0]", "no insurance"),
    ),
    # grant 1,000 until 2026-04-01: visit 1 (847.24) paid in full; visit 2 (620.84) after expiry
    case(
        "grant-expires",
        {
            "service_dates": ["2026-03-02", "2026-04-27"],
            "lines": INFLIX,
            "primary": PART_B,
            "assistance": [
                {
                    "kind": "foundation_grant",
                    "name": "PAN",
                    "balance": "1000.00",
                    "expires": "2026-04-01",
                }
            ],
        },
        [
            {"assistance_paid": "847.24", "patient_owes": "0.00"},
            {"assistance_paid": "0.00", "patient_owes": "620.84"},
        ],
        warnings=("assistance[0] (PAN)", "2026-04-01"),
    ),
    # no expiry: 1,000 − 847.24 = 152.76 left for visit 2 → 620.84 − 152.76 = 468.08
    case(
        "grant-runs-out",
        {
            "service_dates": ["2026-03-02", "2026-04-27"],
            "lines": INFLIX,
            "primary": PART_B,
            "assistance": [{"kind": "foundation_grant", "balance": "1000.00"}],
        },
        [
            {"assistance_paid": "847.24", "patient_owes": "0.00"},
            {"assistance_paid": "152.76", "patient_owes": "468.08"},
        ],
    ),
    # 50% of 100.01 = 50.005 → 50.01 (half up) → 50.00 left
    case(
        "discount-rounding",
        {
            "service_dates": ONE,
            "lines": one_line("100.01"),
            "assistance": [{"kind": "discount", "name": "Charity care", "percent": "0.50"}],
        },
        [{"assistance_paid": "50.01", "patient_owes": "50.00"}],
    ),
    # in order: grant 300 of 1,000 → 700; discount 50% of 700 = 350 → 350
    case(
        "assistance-in-order",
        {
            "service_dates": ONE,
            "lines": one_line("1000.00"),
            "assistance": [
                {"kind": "foundation_grant", "balance": "300.00"},
                {"kind": "discount", "percent": "0.50"},
            ],
        },
        [{"assistance_paid": "650.00", "patient_owes": "350.00"}],
        extra={"assistance": [[("foundation_grant", "300.00"), ("discount", "350.00")]]},
    ),
    # 2026 OOP 11,000 (> 10,600) and family 22,000 (> 21,200): warnings, figures unchanged
    case(
        "federal-ceiling-warnings",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "commercial",
                "coinsurance": "0.20",
                "oop_max": "11000.00",
                "family": {"oop_max": "22000.00"},
            },
        },
        [{"patient_owes": "1000.00"}],
        warnings=("$10,600.00", "$21,200.00"),
    ),
    # --- issue 9 ---
    # Part B with no terms: the law's 2026 figures: 283.00 + 20% × (3,968 − 283) = 737.00
    # → 1,020.00; Medicare pays 2,948.00 (before: $0.00 owed)
    case(
        "part-b-terms-by-law",
        {
            "service_dates": ONE,
            "lines": one_line("3968.00"),
            "primary": {"plan_type": "medicare_part_b"},
        },
        [
            {
                "deductible": "283.00",
                "coinsurance": "737.00",
                "primary_paid": "2948.00",
                "patient_owes": "1020.00",
            }
        ],
        no_warnings=True,
    ),
    # Medigap K on that visit: pays 50% × 737 = 368.50; patient 283 + 368.50 = 651.50
    case(
        "part-b-medigap-k",
        {
            "service_dates": ONE,
            "lines": one_line("3968.00"),
            "primary": {"plan_type": "medicare_part_b"},
            "secondary": {"plan_type": "medigap", "medigap_plan": "K"},
        },
        [{"secondary_paid": "368.50", "patient_owes": "651.50"}],
        no_warnings=True,
    ),
    # family OOP embedded though the deductible is not: 6,800 + 20% × 13,200 = 9,440, capped at
    # the person's 7,000 (before: 9,440)
    case(
        "family-oop-embedded",
        {
            "service_dates": ONE,
            "lines": one_line("20000.00"),
            "primary": {
                "plan_type": "commercial",
                "coinsurance": "0.20",
                "oop_max": "7000.00",
                "family": {"deductible": "6800.00", "oop_max": "14000.00", "embedded": False},
            },
        },
        [{"deductible": "6800.00", "coinsurance": "200.00", "patient_owes": "7000.00"}],
    ),
    # $50 per line × 3 lines = 150.00 (before: one $50)
    case(
        "copay-per-line",
        {
            "service_dates": ONE,
            "lines": [
                {"code": "J1745", "units": 1, "unit_price": "1000.00"},
                {"code": "96365", "units": 1, "unit_price": "200.00"},
                {"code": "96366", "units": 1, "unit_price": "60.00"},
            ],
            "primary": {"plan_type": "commercial", "copay": "50.00", "copay_applies": "line"},
        },
        [{"copay": "150.00", "patient_owes": "150.00"}],
    ),
    # 2026 Medicare Advantage ceiling 9,250: 9,500 warns (20% × 5,000 = 1,000 either way)
    case(
        "medicare-advantage-2026-ceiling",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "medicare_advantage",
                "coinsurance": "0.20",
                "oop_max": "9500.00",
            },
        },
        [{"patient_owes": "1000.00"}],
        warnings=("$9,250.00",),
    ),
    case(
        "medicare-advantage-under-the-ceiling",
        {
            "service_dates": ONE,
            "lines": J5000,
            "primary": {
                "plan_type": "medicare_advantage",
                "coinsurance": "0.20",
                "oop_max": "9000.00",
            },
        },
        [{"patient_owes": "1000.00"}],
        no_warnings=True,
    ),
]


@pytest.mark.parametrize(("request_", "visits", "warnings", "no_warnings", "extra"), CASES)
def test_quote(
    request_: dict[str, Any],
    visits: list[dict[str, str]],
    warnings: tuple[str, ...],
    no_warnings: bool,
    extra: dict[str, Any],
) -> None:
    doc = quote_ok(request_)
    assert len(doc["visits"]) == len(visits)
    for got, want in zip(doc["visits"], visits, strict=True):
        assert {k: got[k] for k in want} == want
    text = " | ".join(doc["warnings"])
    for needle in warnings:
        assert needle in text
    if no_warnings:
        assert doc["warnings"] == []
    for got, want in zip(doc["visits"], extra.get("accumulators", []), strict=False):
        assert {k: got["accumulators_after"][k] for k in want} == want
    if "plan_years" in extra:
        years = [
            (y["plan_year"], y["start"], y["end"], y["patient_owes"], y["visits"])
            for y in doc["plan_years"]
        ]
        assert years == extra["plan_years"]
    for key, value in extra.get("totals", {}).items():
        assert doc["totals"][key] == value
    for got, want in zip(doc["visits"], extra.get("assistance", []), strict=False):
        assert [(a["kind"], a["paid"]) for a in got["assistance"]] == want


def test_contract_example_explains_itself() -> None:
    doc = quote_ok(
        {
            "service_dates": ONE,
            "lines": INFLIX,
            "primary": PART_B,
            "secondary": {"plan_type": "medigap", "medigap_plan": "G"},
        }
    )
    lines = doc["visits"][0]["explanation"]
    assert "Deductible: $283.00 of the $283.00 left this plan year." in lines
    assert "Coinsurance: 20% of $2,821.20 = $564.24." in lines
    assert any("Plan G" in line and "$564.24" in line for line in lines)
    assert lines[-1] == "Patient owes $283.00."


def test_quote_from_a_file_touches_no_data_folder_and_imports_no_qt(tmp_path: Path) -> None:
    """The quote path creates no folders or logs, opens no database and never imports Qt."""
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"service_dates": ONE, "lines": J5000}), encoding="utf-8")
    data = tmp_path / "data-never-made"
    code = (
        "import sys\n"
        "from infudesk.cli import main\n"
        f"rc = main(['--data-dir', {str(data)!r}, 'quote', '--json', {str(request)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'sqlalchemy', 'sqlcipher3', 'keyring', 'reportlab', 'alembic'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    env = dict(os.environ, INFUDESK_DATA_DIR=str(tmp_path / "env-never-made"))
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr
    assert json.loads(result.stdout)["visits"][0]["patient_owes"] == "5000.00"
    assert not data.exists()
    assert not (tmp_path / "env-never-made").exists()


# --- refused requests ------------------------------------------------------------------------

GOOD: dict[str, Any] = {
    "service_dates": ONE,
    "lines": INFLIX,
    "primary": {"plan_type": "commercial", "coinsurance": "0.20"},
}


def bad(name: str, path: str, change: dict[str, Any] | str, *words: str) -> Any:
    """A request (``change`` merged over GOOD, or raw text) refused at ``path``."""
    return pytest.param(change, path, words, id=name)


def with_primary(**kw: Any) -> dict[str, Any]:
    return {"primary": {**GOOD["primary"], **kw}}


def with_line(**kw: Any) -> dict[str, Any]:
    return {"lines": [{**INFLIX[0], **kw}, INFLIX[1]]}


BAD = [
    bad("unknown-top", "servce_dates", {"servce_dates": ONE}, "unknown", "service_dates"),
    bad("unknown-coverage", "primary.deductable", with_primary(deductable="5"), "deductible"),
    bad(
        "unknown-family",
        "primary.family.embeded",
        with_primary(family={"embeded": True}),
        "unknown",
    ),
    bad("unknown-line", "lines[0].price", with_line(price="1"), "unknown"),
    bad(
        "unknown-schedule",
        "schedule.every",
        {"service_dates": None, "schedule": {"start": "2026-03-02", "every": 7, "count": 2}},
        "unknown",
    ),
    bad(
        "unknown-program-field",
        "assistance[0].balance",
        {"assistance": [{"kind": "copay_card", "balance": "5"}]},
        "unknown",
    ),
    bad(
        "field-twice",
        "primary.coinsurance",
        '{"service_dates": ["2026-03-02"], "lines": [{"units": 1, "unit_price": "1"}], '
        '"primary": {"plan_type": "commercial", "coinsurance": "0.1", "coinsurance": "0.2"}}',
        "twice",
    ),
    bad("negative-money", "primary.deductible", with_primary(deductible="-5.00"), "negative"),
    bad("non-numeric-money", "lines[0].unit_price", with_line(unit_price="abc"), "money"),
    bad("dollar-sign", "lines[0].unit_price", with_line(unit_price="$84.12"), "money"),
    bad("bool-money", "primary.copay", with_primary(copay=True), "money"),
    bad("too-many-decimals", "primary.copay", with_primary(copay="10.001"), "decimals"),
    bad("rate-above-1", "primary.coinsurance", with_primary(coinsurance="1.5"), "between 0 and 1"),
    bad("rate-negative", "lines[0].coinsurance", with_line(coinsurance=-0.1), "between 0 and 1"),
    bad(
        "discount-above-1",
        "assistance[0].percent",
        {"assistance": [{"kind": "discount", "percent": 50}]},
        "between 0 and 1",
    ),
    bad(
        "met-above-deductible",
        "primary.deductible_met",
        with_primary(deductible="1000.00", deductible_met="1200.00"),
        "more than",
    ),
    bad(
        "family-met-above-max",
        "primary.family.oop_met",
        with_primary(family={"oop_max": "1000", "oop_met": "1000.01"}),
        "more than",
    ),
    bad(
        "card-used-above-max",
        "assistance[0].used",
        {"assistance": [{"kind": "copay_card", "annual_max": "100", "used": "200"}]},
        "more than",
    ),
    bad(
        "date-not-existing",
        "service_dates[1]",
        {"service_dates": ["2026-03-02", "2026-02-30"]},
        "2026-02-30",
        "exist",
    ),
    bad("date-format", "service_dates[0]", {"service_dates": ["03/02/2026"]}, "YYYY-MM-DD"),
    bad(
        "expires-not-existing",
        "assistance[0].expires",
        {"assistance": [{"kind": "foundation_grant", "balance": "1", "expires": "2026-04-31"}]},
        "exist",
    ),
    bad("date-twice", "service_dates[1]", {"service_dates": ["2026-03-02", "2026-03-02"]}, "twice"),
    bad(
        "dates-and-schedule",
        "schedule",
        {"schedule": {"start": "2026-03-02", "every_days": 28, "count": 3}},
        "not both",
    ),
    bad("neither-dates-nor-schedule", "service_dates", {"service_dates": None}, "schedule"),
    bad("zero-dates", "service_dates", {"service_dates": []}, "at least one"),
    bad(
        "zero-count",
        "schedule.count",
        {"service_dates": None, "schedule": {"start": "2026-03-02", "every_days": 28, "count": 0}},
        "1 to 366",
    ),
    bad(
        "schedule-too-long",
        "schedule.count",
        {"service_dates": None, "schedule": {"start": "2026-03-02", "every_days": 7, "count": 367}},
        "366",
    ),
    bad("bad-plan-type", "primary.plan_type", with_primary(plan_type="ppo"), "commercial"),
    bad(
        "bad-medigap-plan",
        "secondary.medigap_plan",
        # issue 9: every standardized letter is quoted now (N included); "E" is not a letter
        {"primary": PART_B, "secondary": {"plan_type": "medigap", "medigap_plan": "E"}},
        "HDG",
    ),
    bad(
        "medigap-needs-letter",
        "secondary.medigap_plan",
        {"primary": PART_B, "secondary": {"plan_type": "medigap"}},
        "letter",
    ),
    bad(
        "medigap-primary",
        "primary.plan_type",
        {"primary": {"plan_type": "medigap", "medigap_plan": "G"}},
        "secondary",
    ),
    bad(
        "medigap-after-commercial",
        "secondary.plan_type",
        {"secondary": {"plan_type": "medigap", "medigap_plan": "G"}},
        "Original Medicare",
    ),
    bad(
        "secondary-without-primary",
        "secondary",
        {"primary": None, "secondary": {"plan_type": "commercial"}},
        "primary",
    ),
    bad("bad-network", "primary.network", with_primary(network="outside"), "in, out"),
    bad(
        "bad-cob-method",
        "secondary.cob_method",
        {"secondary": {"plan_type": "commercial", "cob_method": "coordinated"}},
        "standard",
    ),
    bad(
        "bad-plan-year-start",
        "primary.plan_year_start",
        with_primary(plan_year_start="13-01"),
        "not a day",
    ),
    bad("units-fraction", "lines[0].units", with_line(units=1.5), "whole number"),
    bad("units-zero", "lines[0].units", with_line(units=0), "whole number"),
    bad(
        "bool-flag",
        "primary.copay_after_deductible",
        with_primary(copay_after_deductible="yes"),
        "true or false",
    ),
    bad("no-lines", "lines", {"lines": []}, "at least one"),
    bad("not-an-object", "request", "[1, 2]", "JSON object"),
    bad("invalid-json", "request", '{"service_dates": ["2026-03-02"],', "not valid JSON"),
    bad("nan", "request", '{"service_dates": ["2026-03-02"], "lines": NaN}', "not valid JSON"),
]


@pytest.mark.parametrize(("change", "path", "words"), BAD)
def test_refused(change: dict[str, Any] | str, path: str, words: tuple[str, ...]) -> None:
    if isinstance(change, str):
        request: object = change
    else:
        merged = {**GOOD, **change}
        request = {k: v for k, v in merged.items() if v is not None or k in ("primary",)}
    result = run_quote(request)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith(f"infudesk quote: {path}: "), message
    for word in words:
        assert word in message, message


def test_unreadable_file_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run_quote("", json_arg=str(missing))
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "Traceback" not in message and "\n" not in message
    assert str(missing) in message and "cannot read" in message
    result = run_quote("", json_arg=str(tmp_path))  # a folder
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr
