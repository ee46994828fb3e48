"""A generic record factory: ``build(session, Model, **values)`` makes a valid row of any table.

Required columns not given are filled with plausible values (unique strings, small numbers, now
for timestamps) and a required foreign key gets a parent row made the same way, so a test names
only the columns it is about. ``Model`` may be a mapped class or a table name.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect

from mallconsole.models import Base, UTCDateTime, utcnow

_serial = itertools.count(1)


def model_for_table(table_name: str):
    """The mapped class of ``table_name``."""
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper.class_
    raise LookupError(table_name)


def _filler(column):
    if isinstance(column.type, UTCDateTime):
        return utcnow()
    python_type = column.type.python_type
    if python_type is str:
        if column.name == "currency":
            return "USD"
        if column.name == "email":
            return f"person-{next(_serial)}-{uuid.uuid4().hex[:8]}@example.test"
        return f"{column.name}-{next(_serial)}-{uuid.uuid4().hex[:8]}"
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    if python_type is Decimal:
        return Decimal("1")
    if python_type is date:
        return utcnow().date()
    if python_type is dict:
        return {}
    raise TypeError(f"no filler for {column.table.name}.{column.name} ({column.type!r})")


def build(session, model, *, _depth: int = 0, **values):
    """Add and flush one row of ``model`` with ``values`` and plausible values for the rest."""
    if isinstance(model, str):
        model = model_for_table(model)
    if _depth > 12:
        raise RecursionError(f"foreign keys too deep at {model.__tablename__}")
    for column in sa_inspect(model).local_table.columns:
        if column.key in values or column.nullable or column.default is not None:
            continue
        if column.key == "uri_hash":  # derived from uri by the model
            continue
        if column.foreign_keys:
            target = next(iter(column.foreign_keys)).column
            parent = build(session, target.table.name, _depth=_depth + 1)
            values[column.key] = getattr(parent, target.key)
        else:
            values[column.key] = _filler(column)
    row = model(**values)
    session.add(row)
    session.flush()  # ids and constraint errors now, where the test can see them
    return row
