"""ORM models (SQLAlchemy 2 typed declarative). Data only: no business methods here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, cast

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every dialect (SQLite stores them naive)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return cast(datetime, value).replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
Str20 = Annotated[str, mapped_column(String(20))]
Str50 = Annotated[str, mapped_column(String(50))]
Str100 = Annotated[str, mapped_column(String(100))]
Str200 = Annotated[str, mapped_column(String(200))]
Money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
Created = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow)]
Updated = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)]


def byte_order(length: int) -> String:
    """A folded key (search token, sort key) compared byte by byte on every engine
    (SQLite's default; COLLATE "C" on PostgreSQL, migration 0012)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Tracked:
    """Who created and last changed a row, when, and its version (a stale save is refused)."""

    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
    created_by: Mapped[Str100] = mapped_column(default="")
    updated_by: Mapped[Str100] = mapped_column(default="")
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {str: String(200), date: Date, bool: Boolean, datetime: UTCDateTime}


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[IntPK]
    mrn: Mapped[Str20] = mapped_column(unique=True)
    first_name: Mapped[Str100]
    middle_name: Mapped[Str100] = mapped_column(default="")
    last_name: Mapped[Str100]
    suffix: Mapped[Str20] = mapped_column(default="")
    preferred_name: Mapped[Str100] = mapped_column(default="")
    name_on_card: Mapped[Str200] = mapped_column(default="")  # "": same as the legal name
    birth_date: Mapped[date] = mapped_column(index=True)
    sex: Mapped[str] = mapped_column(String(1), default="U")
    phone_mobile: Mapped[Str20] = mapped_column(default="")
    phone_home: Mapped[Str20] = mapped_column(default="")
    email: Mapped[Str200] = mapped_column(default="")
    address_line1: Mapped[Str200] = mapped_column(default="")
    address_line2: Mapped[Str200] = mapped_column(default="")
    city: Mapped[Str100] = mapped_column(default="", index=True)
    state: Mapped[str] = mapped_column(String(2), default="")
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    guardian_name: Mapped[Str200] = mapped_column(default="")
    guardian_relationship: Mapped[Str50] = mapped_column(default="")
    guardian_phone: Mapped[Str20] = mapped_column(default="")
    emergency_name: Mapped[Str200] = mapped_column(default="")
    emergency_relationship: Mapped[Str50] = mapped_column(default="")
    emergency_phone: Mapped[Str20] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    inactive_reason: Mapped[Str200] = mapped_column(default="")
    # folded (case- and accent-free) copies for sorting
    sort_last: Mapped[str] = mapped_column(byte_order(100), default="")
    sort_first: Mapped[str] = mapped_column(byte_order(100), default="")
    sort_phone: Mapped[str] = mapped_column(
        byte_order(20), default="", index=True
    )  # mobile, else home
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
    created_by: Mapped[Str100] = mapped_column(default="")
    updated_by: Mapped[Str100] = mapped_column(default="")
    version: Mapped[int] = mapped_column(default=1)

    tokens: Mapped[list[PatientToken]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_patients_sort_name", "sort_last", "sort_first"),)


class PatientToken(Base):
    """A folded word a patient can be found by (name part, phone digits, MRN)."""

    __tablename__ = "patient_tokens"

    id: Mapped[IntPK]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(byte_order(100))

    patient: Mapped[Patient] = relationship(back_populates="tokens")

    # covering: a search collects patient ids from the index alone
    __table_args__ = (Index("ix_patient_tokens_token", "token", "patient_id"),)


class AuditEvent(Base):
    """Who did what to which record, when (kept inside the encrypted database).

    Append-only and chained: ``seq`` numbers the entries 1, 2, 3… and ``chain_hash`` is a keyed
    hash (HMAC-SHA256, audit key in the keychain) over the previous entry's hash and this
    entry's fields; both are set when the entry is written (services/audit.py). Triggers made
    by migration 0009 refuse deleting an entry or changing one that is chained.
    """

    __tablename__ = "audit_events"

    id: Mapped[IntPK]
    at: Mapped[Created]
    actor: Mapped[Str100]
    workstation: Mapped[Str100] = mapped_column(default="")
    action: Mapped[Str50]
    entity: Mapped[Str50]
    entity_id: Mapped[int | None] = mapped_column(index=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    detail: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int | None] = mapped_column(nullable=True, unique=True, index=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditChainTail(Base):
    """The one row that says where the audit chain ends (its last entry's sequence, id and
    hash), with its own keyed hash: deleting the newest entries shows as a tail mismatch."""

    __tablename__ = "audit_chain_tail"

    id: Mapped[IntPK]
    seq: Mapped[int]
    last_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class StoreState(Base):
    """The one row (id 1) that names the database and counts the transactions that wrote
    (migration 0012): a workstation polls ``changes`` to see that another changed something."""

    __tablename__ = "store_state"

    id: Mapped[IntPK]
    store_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    changes: Mapped[int] = mapped_column(default=0, server_default="0")
    kdf_salt: Mapped[str] = mapped_column(String(64), default="", server_default="")
    key_check: Mapped[str] = mapped_column(String(64), default="", server_default="")
    audit_key_wrapped: Mapped[str] = mapped_column(String(64), default="", server_default="")


class ChangeLog(Base):
    """Whose records each counted transaction changed (migration 0014): one row per patient
    under the transaction's number in ``store_state.changes``; patient_id 0 when it changed no
    patient's records, NULL when it may have changed anyone's (a payer, a setting, the
    assistance directory). A list built at one number catches up with a newer one by working
    out again only those patients (services.worklist); old rows are pruned
    (store/changes.py)."""

    __tablename__ = "change_log"

    id: Mapped[IntPK]
    token: Mapped[int] = mapped_column(index=True)
    patient_id: Mapped[int | None] = mapped_column(default=None)


class WorklistSnapshot(Base):
    """A worklist kept from one run to the next (migration 0015): the visit rows and tasks
    (before their assignments) of one day and window, built at ``token`` by the rules whose
    code hashes to ``rules`` (each version its own row), as compressed JSON (services/worklist_kept.py). A start loads it
    and catches up from the change log instead of working out every visit and case again;
    a check behind the screen builds the same afresh and replaces it if it ever differs.
    Derived data: dropped, stale or of other rules, it is simply built again."""

    __tablename__ = "worklist_snapshot"

    day: Mapped[date] = mapped_column(primary_key=True)
    days: Mapped[int] = mapped_column(primary_key=True)
    unrecorded_days: Mapped[int] = mapped_column(primary_key=True)
    rules: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


Rate = Annotated[Decimal, mapped_column(Numeric(7, 4))]
MoneyOpt = Annotated[Decimal | None, mapped_column(Numeric(12, 2), nullable=True)]


class Setting(Base):
    """A site setting (JSON value), e.g. how many days before a visit to re-verify."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="null")
    updated_at: Mapped[Updated]
    updated_by: Mapped[Str100] = mapped_column(default="")


class Payer(Base):
    """An insurer or plan administrator in the site's payer directory."""

    __tablename__ = "payers"

    id: Mapped[IntPK]
    name: Mapped[Str200] = mapped_column(unique=True)
    plan_types: Mapped[Str200] = mapped_column(default="")  # comma-separated PlanType values
    phone: Mapped[Str20] = mapped_column(default="")
    fax: Mapped[Str20] = mapped_column(default="")
    portal: Mapped[Str200] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    # the payer's own internal-appeal window in days; None: the coverage's plan type's rule
    appeal_days: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class PayerNote(Base):
    """A payer policy change that applies from a date (e.g. a new site-of-care rule)."""

    __tablename__ = "payer_notes"

    id: Mapped[IntPK]
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"), index=True)
    effective_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Created]
    created_by: Mapped[Str100] = mapped_column(default="")


class Coverage(Tracked, Base):
    """One insurance plan of a patient, at a rank (1 primary, 2 secondary, 3 tertiary).

    A replaced plan keeps its row (status 'replaced', an end date): history is never erased.
    """

    __tablename__ = "coverages"

    id: Mapped[IntPK]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[int] = mapped_column(default=1)
    plan_name: Mapped[Str200] = mapped_column(default="")
    plan_type: Mapped[str] = mapped_column(String(30))
    medigap_plan: Mapped[str] = mapped_column(String(3), default="")  # A..N, HDF, HDG
    member_id: Mapped[Str50] = mapped_column(default="")
    group_number: Mapped[Str50] = mapped_column(default="")
    subscriber_name: Mapped[Str200] = mapped_column(default="")
    subscriber_relationship: Mapped[str] = mapped_column(String(20), default="self")
    subscriber_birth_date: Mapped[date | None] = mapped_column(default=None)
    network: Mapped[str] = mapped_column(String(3), default="in")
    effective_on: Mapped[date]
    terminates_on: Mapped[date | None] = mapped_column(default=None)
    plan_year_start: Mapped[str] = mapped_column(String(5), default="01-01")
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("coverages.id", ondelete="SET NULL"), default=None
    )
    changed_on: Mapped[date | None] = mapped_column(default=None)  # last edit by a person


class BenefitTerms(Base):
    """The cost-sharing terms of a coverage as recorded at a moment (append-only history)."""

    __tablename__ = "benefit_terms"

    id: Mapped[IntPK]
    coverage_id: Mapped[int] = mapped_column(
        ForeignKey("coverages.id", ondelete="CASCADE"), index=True
    )
    as_of: Mapped[date]
    source: Mapped[Str50] = mapped_column(default="manual")
    deductible: Mapped[MoneyOpt]
    deductible_met: Mapped[Money] = mapped_column(default=Decimal("0"))
    oop_max: Mapped[MoneyOpt]
    oop_met: Mapped[Money] = mapped_column(default=Decimal("0"))
    coinsurance: Mapped[Rate] = mapped_column(default=Decimal("0"))
    copay: Mapped[Money] = mapped_column(default=Decimal("0"))
    copay_applies: Mapped[str] = mapped_column(String(20), default="none")
    copay_after_deductible: Mapped[bool] = mapped_column(default=False)
    copay_counts_toward_deductible: Mapped[bool] = mapped_column(default=False)
    deductible_applies: Mapped[bool] = mapped_column(default=True)
    family_deductible: Mapped[MoneyOpt]
    family_deductible_met: Mapped[MoneyOpt]
    family_oop_max: Mapped[MoneyOpt]
    family_oop_met: Mapped[MoneyOpt]
    # the person's deductible counts inside the family one (the name predates the OOP flag)
    family_embedded: Mapped[bool] = mapped_column(default=True)
    family_oop_embedded: Mapped[bool] = mapped_column(default=True)
    recorded_at: Mapped[Created]
    recorded_by: Mapped[Str100] = mapped_column(default="")


class TherapyOrder(Tracked, Base):
    """What a patient is to receive, how often, where, and who ordered it."""

    __tablename__ = "therapy_orders"

    id: Mapped[IntPK]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    drug_name: Mapped[Str100]
    drug_hcpcs: Mapped[str] = mapped_column(String(5))
    dose: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    dose_per_kg: Mapped[bool] = mapped_column(default=False)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), default=None)
    route: Mapped[str] = mapped_column(String(2))
    minutes: Mapped[int]
    every_days: Mapped[int]
    visit_count: Mapped[int]
    start_on: Mapped[date]
    diagnosis: Mapped[str] = mapped_column(String(10))
    provider_name: Mapped[Str200]
    provider_npi: Mapped[str] = mapped_column(String(10))
    site_of_care: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="active")
    notes: Mapped[str] = mapped_column(Text, default="")
    changed_on: Mapped[date | None] = mapped_column(default=None)  # last edit by a person

    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="OrderLine.position", passive_deletes=True
    )
    visits: Mapped[list[PlannedVisit]] = relationship(
        cascade="all, delete-orphan", order_by="PlannedVisit.on", passive_deletes=True
    )


class OrderLine(Base):
    """A billing line of every visit of an order (suggested, then editable)."""

    __tablename__ = "order_lines"

    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(5))
    modifier: Mapped[str] = mapped_column(String(2), default="")
    units: Mapped[int]
    label: Mapped[Str200] = mapped_column(default="")
    kind: Mapped[str] = mapped_column(String(5), default="drug")
    edited: Mapped[bool] = mapped_column(default=False)


class PlannedVisit(Base):
    """A date on which a visit of the order is planned, and what became of it (status
    planned | arrived | given | cancelled, when, by whom, why; the date it was moved from)."""

    __tablename__ = "planned_visits"

    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_orders.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(10), default="planned")
    # the day the visit was put on the calendar (a Good Faith Estimate's clock); None: unknown
    scheduled_on: Mapped[date | None] = mapped_column(default=None)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    status_by: Mapped[Str100] = mapped_column(default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    rescheduled_from: Mapped[date | None] = mapped_column(default=None)


class Verification(Tracked, Base):
    """A benefits-verification checklist for one coverage and one therapy order."""

    __tablename__ = "verifications"

    id: Mapped[IntPK]
    coverage_id: Mapped[int] = mapped_column(
        ForeignKey("coverages.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapy_orders.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="not_started", index=True)
    template: Mapped[str] = mapped_column(Text, default="")  # the checklist as used (JSON)
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON, typed text per item key
    problem: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None] = mapped_column(default=None)


Price = Annotated[Decimal | None, mapped_column(Numeric(12, 4), nullable=True)]


class FeeScheduleRow(Base):
    """What one billing unit of a code is allowed (per payer and site) or charged.

    ``payer_id`` None is the center's own row: its billed charge and self-pay price.
    ``site`` "" applies to every site of care.
    """

    __tablename__ = "fee_schedule"

    id: Mapped[IntPK]
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("payers.id", ondelete="CASCADE"), index=True, default=None
    )
    site: Mapped[str] = mapped_column(String(20), default="")
    code: Mapped[str] = mapped_column(String(5), index=True)
    allowed: Mapped[Price]
    charge: Mapped[Price]
    self_pay: Mapped[Price]
    updated_at: Mapped[Updated]
    updated_by: Mapped[Str100] = mapped_column(default="")


class AssistanceDirectoryEntry(Base):
    """A program in the center's directory, shared across patients: a manufacturer copay
    card, a foundation fund or the center's own discount, and its rules."""

    __tablename__ = "assistance_directory"

    id: Mapped[IntPK]
    kind: Mapped[str] = mapped_column(String(20))  # copay_card | foundation_grant | discount
    name: Mapped[Str200]
    sponsor: Mapped[Str200] = mapped_column(default="")  # manufacturer, foundation, the center
    drugs: Mapped[str] = mapped_column(Text, default="")  # comma-separated HCPCS or drug names
    diagnoses: Mapped[str] = mapped_column(Text, default="")  # comma-separated ICD-10 prefixes
    no_government: Mapped[bool] = mapped_column(default=False)  # not with Medicare/Medicaid/…
    fpl_limit: Mapped[int | None] = mapped_column(default=None)  # income up to this % of FPL
    per_visit_max: Mapped[MoneyOpt]
    annual_max: Mapped[MoneyOpt]
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4), default=None)
    counts_toward_accumulators: Mapped[bool] = mapped_column(default=True)
    renewal: Mapped[str] = mapped_column(String(20), default="calendar_year")
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Created]
    created_by: Mapped[Str100] = mapped_column(default="")


class AssistanceEnrollment(Base):
    """A patient's enrollment in a directory program: ids, dates, what was approved, used
    (from given visits) and is left, and where the application stands."""

    __tablename__ = "assistance_enrollments"

    id: Mapped[IntPK]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_directory.id", ondelete="RESTRICT"), index=True
    )
    # screening | applied | approved | denied | expired
    status: Mapped[str] = mapped_column(String(12), default="approved", index=True)
    member_id: Mapped[Str50] = mapped_column(default="")
    group_id: Mapped[Str50] = mapped_column(default="")  # card's group / BIN / PCN, grant id
    applied_on: Mapped[date | None] = mapped_column(default=None)
    approved_on: Mapped[date | None] = mapped_column(default=None)
    amount_approved: Mapped[MoneyOpt]
    used: Mapped[Money] = mapped_column(default=Decimal("0"))
    balance: Mapped[MoneyOpt]
    expires: Mapped[date | None] = mapped_column(default=None)
    reenroll_on: Mapped[date | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)  # the desk switched it on or off
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Created]
    created_by: Mapped[Str100] = mapped_column(default="")
    updated_at: Mapped[Updated]
    updated_by: Mapped[Str100] = mapped_column(default="")


class AssistanceUsage(Base):
    """What an enrollment paid for one code of a given visit."""

    __tablename__ = "assistance_usages"

    id: Mapped[IntPK]
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_enrollments.id", ondelete="CASCADE"), index=True
    )
    planned_visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_visits.id", ondelete="SET NULL"), default=None, index=True
    )
    on: Mapped[date]
    code: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Money]
    recorded_at: Mapped[Created]
    recorded_by: Mapped[Str100] = mapped_column(default="")


class WorkTask(Base):
    """Who a worklist task is assigned to and whether it is done, under the task's stable key
    (the tasks themselves are computed from the records each time)."""

    __tablename__ = "work_tasks"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    updated_at: Mapped[Updated]
    updated_by: Mapped[Str100] = mapped_column(default="")


class SavedQuote(Base):
    """An immutable snapshot of a quote: the request (contract JSON) and its result."""

    __tablename__ = "quotes"

    id: Mapped[IntPK]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapy_orders.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]  # version per patient and order: 1, 2, …
    title: Mapped[Str200] = mapped_column(default="")
    request: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="{}")  # coverages, site, programs used
    patient_owes: Mapped[Money]
    created_at: Mapped[Created]
    created_by: Mapped[Str100] = mapped_column(default="")


class PriorAuthCase(Tracked, Base):
    """A prior authorization for one patient, therapy order and coverage."""

    __tablename__ = "prior_auth_cases"

    id: Mapped[IntPK]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapy_orders.id", ondelete="RESTRICT"), index=True
    )
    coverage_id: Mapped[int] = mapped_column(
        ForeignKey("coverages.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    auth_number: Mapped[Str50] = mapped_column(default="", index=True)
    approved_visits: Mapped[int | None] = mapped_column(default=None)
    start_on: Mapped[date | None] = mapped_column(default=None)
    end_on: Mapped[date | None] = mapped_column(default=None, index=True)
    site: Mapped[str] = mapped_column(String(20), default="")
    follow_up: Mapped[date | None] = mapped_column(default=None, index=True)
    submitted_on: Mapped[date | None] = mapped_column(default=None)
    denied_on: Mapped[date | None] = mapped_column(default=None)
    denial_reason: Mapped[str] = mapped_column(Text, default="")
    appeal_submitted_on: Mapped[date | None] = mapped_column(default=None)
    final_internal_denial_on: Mapped[date | None] = mapped_column(default=None)
    appeal_days: Mapped[int | None] = mapped_column(default=None)  # stated on the denial letter
    notes: Mapped[str] = mapped_column(Text, default="")


class PriorAuthLine(Base):
    """An approved code with its units."""

    __tablename__ = "prior_auth_lines"

    id: Mapped[IntPK]
    case_id: Mapped[int] = mapped_column(
        ForeignKey("prior_auth_cases.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(8))
    units: Mapped[int]


class PriorAuthEvent(Base):
    """A change of state, kept for good: who, when, what, why."""

    __tablename__ = "prior_auth_events"

    id: Mapped[IntPK]
    case_id: Mapped[int] = mapped_column(
        ForeignKey("prior_auth_cases.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date]
    at: Mapped[Created]
    by: Mapped[Str100]
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class PriorAuthUsage(Base):
    """Units (and a visit) used under an approval."""

    __tablename__ = "prior_auth_usages"

    id: Mapped[IntPK]
    case_id: Mapped[int] = mapped_column(
        ForeignKey("prior_auth_cases.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date]
    code: Mapped[str] = mapped_column(String(8))
    units: Mapped[int]
    visit: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    planned_visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_visits.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[Created]
    recorded_by: Mapped[Str100] = mapped_column(default="")


class PriorAuthDocument(Base):
    """A file attached to a case, kept inside the encrypted database (never as a plain copy)."""

    __tablename__ = "prior_auth_documents"

    id: Mapped[IntPK]
    case_id: Mapped[int] = mapped_column(
        ForeignKey("prior_auth_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    doc_date: Mapped[date]
    filename: Mapped[Str200]
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_at: Mapped[Created]
    added_by: Mapped[Str100] = mapped_column(default="")
    removed: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    removed_by: Mapped[Str100] = mapped_column(default="")
    removed_reason: Mapped[str] = mapped_column(Text, default="")


class Staff(Base):
    """A staff member who signs in: role, Argon2id password hash, failed-attempt counter."""

    __tablename__ = "staff"

    id: Mapped[IntPK]
    username: Mapped[Str100] = mapped_column(unique=True)  # stored casefolded
    display_name: Mapped[Str100]
    role: Mapped[Str20]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
    created_by: Mapped[Str100] = mapped_column(default="")
    updated_by: Mapped[Str100] = mapped_column(default="")
