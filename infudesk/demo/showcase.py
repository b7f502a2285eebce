"""The demo database: the showcase patients of shared/demo-patients.md plus generated ones."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.demo.care import seed_demo_care
from infudesk.demo.morning import seed_demo_morning
from infudesk.demo.seed import seed_patients
from infudesk.domain.patients import PatientData
from infudesk.services import patients as ps
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import Patient

DEMO_GENERATED = 200
DEMO_RNG_SEED = 20260101

SHOWCASE: tuple[PatientData, ...] = (
    PatientData(
        mrn="D0001",
        first_name="María",
        middle_name="Elena",
        last_name="García-López",
        birth_date=date(1968, 4, 12),
        sex="F",
        preferred_language="es",
        phone_mobile="7735550101",
        email="maria.garcia@example.org",
        address_line1="2318 W Cermak Rd",
        city="Chicago",
        state="IL",
        zip_code="60608",
        emergency_name="Jorge García",
        emergency_relationship="Husband",
        emergency_phone="7735550102",
        notes="Prefers Spanish for letters and calls.",
    ),
    PatientData(
        mrn="D0002",
        first_name="An",
        middle_name="Văn",
        last_name="Nguyễn",
        birth_date=date(1951, 9, 30),
        sex="M",
        preferred_language="vi",
        phone_home="3125550103",
        address_line1="4941 N Sheridan Rd",
        city="Chicago",
        state="IL",
        zip_code="60640",
        emergency_name="Nguyễn Thị Lan",
        emergency_relationship="Daughter",
        emergency_phone="3125550104",
    ),
    PatientData(
        mrn="D0003",
        first_name="Zoë",
        last_name="O'Brien",
        birth_date=date(2014, 6, 2),
        sex="F",
        preferred_language="en",
        phone_home="6305550105",
        address_line1="88 Maple Ave",
        city="Naperville",
        state="IL",
        zip_code="60540",
        guardian_name="Siobhan O'Brien",
        guardian_relationship="Mother",
        guardian_phone="6305550106",
        emergency_name="Siobhan O'Brien",
        emergency_relationship="Mother",
        emergency_phone="6305550106",
        notes="Home infusion; mother is the contact for all scheduling.",
    ),
    PatientData(
        mrn="D0004",
        first_name="秀英",
        last_name="王",
        preferred_name="Wang Xiuying",
        name_on_card="Wang Xiuying",
        birth_date=date(1979, 11, 23),
        sex="F",
        preferred_language="zh",
        phone_mobile="2245550107",
        email="xiuying.wang@example.com",
        address_line1="2150 S China Pl",
        city="Chicago",
        state="IL",
        zip_code="60616",
    ),
    PatientData(
        mrn="D0005",
        first_name="James",
        last_name="Carter",
        birth_date=date(1985, 2, 17),
        sex="M",
        preferred_language="en",
        phone_mobile="8475550108",
        email="jcarter@example.net",
        address_line1="1402 Elm St",
        city="Evanston",
        state="IL",
        zip_code="60201",
        notes="Uninsured: self-pay; ask about the sliding scale.",
    ),
    PatientData(
        mrn="D0006",
        first_name="Олена",
        last_name="Коваленко",
        preferred_name="Olena Kovalenko",
        birth_date=date(1990, 7, 8),
        sex="F",
        preferred_language="uk",
        phone_mobile="7085550109",
        email="olena.k@example.org",
        address_line1="2247 W Chicago Ave",
        city="Chicago",
        state="IL",
        zip_code="60622",
        emergency_name="Andrii Kovalenko",
        emergency_relationship="Husband",
        emergency_phone="7085550110",
    ),
)


def seed_demo(
    session: Session, actor: Actor, *, today: date, generated: int = DEMO_GENERATED
) -> int:
    """Create the showcase and ``generated`` other patients unless already there; returns rows
    added. Every date of the showcase is worked out from ``today``, the seed day."""
    require(actor, Permission.SEED)
    if session.scalar(select(Patient.id).where(Patient.mrn == "D0001")) is not None:
        return 0
    for data in SHOWCASE:
        ps.create_patient(session, actor, data, today=today, allow_look_alike=True)
    added = seed_patients(session, actor, generated, rng=random.Random(DEMO_RNG_SEED), today=today)
    seed_demo_care(session, actor, today=today)
    seed_demo_morning(session, actor, today=today)
    return len(SHOWCASE) + added
