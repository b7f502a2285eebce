"""ORM models (SQLAlchemy 2 typed declarative). Data only: no business methods here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


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
        return value.replace(tzinfo=UTC)


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

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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
    sort_last: Mapped[Str100] = mapped_column(default="")
    sort_first: Mapped[Str100] = mapped_column(default="")
    sort_phone: Mapped[Str20] = mapped_column(default="", index=True)  # mobile, else home
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
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    token: Mapped[Str100]

    patient: Mapped[Patient] = relationship(back_populates="tokens")

    # covering: a search collects patient ids from the index alone
    __table_args__ = (Index("ix_patient_tokens_token", "token", "patient_id"),)


class AuditEvent(Base):
    """Who did what to which record, when (kept inside the encrypted database)."""

    __tablename__ = "audit_events"

    id: Mapped[IntPK]
    at: Mapped[Created]
    actor: Mapped[Str100]
    action: Mapped[Str50]
    entity: Mapped[Str50]
    entity_id: Mapped[int | None] = mapped_column(index=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    detail: Mapped[str] = mapped_column(Text, default="")
