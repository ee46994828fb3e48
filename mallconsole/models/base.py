"""The declarative base, shared column types and the constraint naming convention.

Two types make both databases behave alike:

* ``UTCDateTime`` stores UTC and always returns timezone-aware UTC datetimes (SQLite hands
  back naive ones otherwise).
* ``Exact`` keeps money and other exact quantities as ``Decimal``. PostgreSQL stores them as
  ``NUMERIC`` exactly; SQLite, the embedded demo database, has no decimal type, so values are
  quantized back to the column's scale when read. PostgreSQL is the ledger of record.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from sqlalchemy import Boolean, Integer, MetaData, Numeric, String, text
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator

SEED_PREFIX = "shopping_mall_"


def _short_name(constraint, table) -> str:
    """A deterministic constraint name under PostgreSQL's 63-character limit."""
    columns = "_".join(c.name.removeprefix(SEED_PREFIX) for c in constraint.columns)
    name = f"{table.name.removeprefix(SEED_PREFIX)}_{columns}"
    if len(name) > 56:
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        name = f"{name[:47]}_{digest}"
    return name


NAMING_CONVENTION = {
    "short_name": _short_name,
    "ix": "ix_%(short_name)s",
    "uq": "uq_%(short_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(short_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A new application-generated primary key: a 36-character UUID string."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def uri_digest(uri: str) -> str:
    """The SHA-256 of a URI, indexed instead of URIs too long for a B-tree index."""
    return hashlib.sha256(uri.encode()).hexdigest()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and returned timezone-aware on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Exact(TypeDecorator):
    """An exact decimal quantity (money, rates, measures) returned as ``Decimal``."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 19, scale: int = 4):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            # No decimal type: read floats and quantize them below, without the lossy
            # float->Decimal conversion (and its warning) of Numeric(asdecimal=True).
            return dialect.type_descriptor(
                Numeric(self.impl.precision, self.impl.scale, asdecimal=False)
            )
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"float {value!r} for an exact column: use Decimal")
        value = Decimal(value).quantize(self.quantum)
        if value.adjusted() >= self.impl.precision - self.impl.scale:
            # PostgreSQL refuses it; refuse it on SQLite too rather than store it.
            raise ValueError(
                f"{value} does not fit NUMERIC({self.impl.precision}, {self.impl.scale})"
            )
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            value = Decimal(repr(value))
        return Decimal(value).quantize(self.quantum)

    @property
    def python_type(self):
        return Decimal


Money = Exact(19, 4)

uuid_pk = Annotated[str, mapped_column(String(36), primary_key=True, default=new_id)]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
updated_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)]
deleted_at = Annotated[datetime | None, mapped_column(UTCDateTime())]
# The version a staff edit was based on (services/kit/versions.py): raised by every business change,
# so an edit against an older version is refused with what changed since.
record_version = Annotated[int, mapped_column(default=1, server_default=text("1"))]


class Base(DeclarativeBase):
    """Declarative base of every Mall Console table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: String(),
        int: Integer(),
        bool: Boolean(),
        datetime: UTCDateTime(),
        Decimal: Money,
    }
