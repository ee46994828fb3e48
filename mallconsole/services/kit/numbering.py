"""Human numbers ``<PREFIX>-<YYYYMMDD>-<NNNNNN>``, one counter per prefix and UTC day.

Each number comes from one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``):
the counter row is locked for the rest of the caller's transaction, so parallel callers get
distinct values and a rolled-back caller gives its value back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from mallconsole.core.errors import ValidationError
from mallconsole.models import NumberSequence, OrderSequence, new_id, utcnow

# Orders keep the seed's own sequence table; every other kind shares number_sequences.
PREFIXES = ("ORD", "CAS", "CAN", "RMA", "RR", "PO", "EXP", "SHP")


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def next_number(session, prefix: str, *, at: datetime | None = None) -> str:
    """Allocate the next number for ``prefix`` on the UTC day of ``at`` (default: now)."""
    if prefix not in PREFIXES:
        raise ValidationError(f"unknown number prefix {prefix!r}; expected one of {PREFIXES}")
    day = (at or utcnow()).astimezone(UTC).strftime("%Y%m%d")
    insert = _insert(session)
    if prefix == "ORD":
        now = utcnow()
        stmt = insert(OrderSequence).values(
            id=new_id(), sequence_yyyymmdd=day, last_value=1, created_at=now, updated_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[OrderSequence.sequence_yyyymmdd],
            set_={"last_value": OrderSequence.last_value + 1, "updated_at": now},
        ).returning(OrderSequence.last_value)
    else:
        stmt = insert(NumberSequence).values(prefix=prefix, day=day, last_value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[NumberSequence.prefix, NumberSequence.day],
            set_={"last_value": NumberSequence.last_value + 1},
        ).returning(NumberSequence.last_value)
    value = session.execute(stmt).scalar_one()
    return format_number(prefix, day, value)


def format_number(prefix: str, day: str, value: int) -> str:
    """``ORD-20261122-000042``."""
    return f"{prefix}-{day}-{value:06d}"


def last_allocated(session, prefix: str, day: str) -> int:
    """The last value handed out for ``prefix`` on ``day`` (0 when none)."""
    if prefix == "ORD":
        stmt = select(OrderSequence.last_value).where(OrderSequence.sequence_yyyymmdd == day)
    else:
        stmt = select(NumberSequence.last_value).where(
            NumberSequence.prefix == prefix, NumberSequence.day == day
        )
    return session.execute(stmt).scalar_one_or_none() or 0
