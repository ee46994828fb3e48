"""A generic record factory: any model, with every required column filled in.

``build(session, Model, **values)`` fills each non-null column without a default from its
type (unique strings, zero numbers, now for timestamps) and creates required parents through
their foreign keys, so tests name only the columns they care about.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Integer, Numeric, String
from sqlalchemy.types import DateTime

from mallconsole.models import Base, utcnow

_serial = itertools.count(1)


def _model_of_table(table_name: str):
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper.class_
    raise LookupError(table_name)


def _value_for(session, column, depth: int):
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table.name
        return build(session, _model_of_table(target), _depth=depth + 1).id
    impl = getattr(column.type, "impl", column.type)
    if isinstance(column.type, Boolean) or isinstance(impl, Boolean):
        return False
    if isinstance(impl, DateTime) or column.type.python_type is datetime:
        return utcnow()
    if isinstance(impl, Numeric) or column.type.python_type is Decimal:
        return Decimal("0")
    if isinstance(impl, Integer):
        return 0
    if isinstance(impl, String):
        return f"{column.name}-{next(_serial)}-{uuid.uuid4().hex[:8]}"
    if column.type.python_type is dict:
        return {}
    raise TypeError(f"no default for {column.table.name}.{column.name} ({column.type!r})")


def build(session, model, *, _depth: int = 0, **values):
    """Add and flush one ``model`` row with ``values`` and defaults for the rest."""
    if _depth > 12:
        raise RecursionError(f"foreign keys too deep at {model.__tablename__}")
    for column in model.__table__.columns:
        if column.key in values or column.nullable or column.default is not None:
            continue
        if column.primary_key:
            continue
        values[column.key] = _value_for(session, column, _depth)
    row = model(**values)
    session.add(row)
    session.flush()  # callers and child rows need the id
    return row
