"""Factories: ``make(session, Model, **values)`` builds a valid row of any table.

Required columns not given are filled with plausible values; a required foreign key gets a
parent row made the same way, so a test names only what it is about.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect

from mallconsole.models import Base, UTCDateTime, utcnow

_counter = itertools.count(1)


def model_for_table(table_name: str):
    """The mapped class of ``table_name``."""
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper.class_
    raise KeyError(table_name)


def _filler(column, n: int):
    if isinstance(column.type, UTCDateTime):
        return utcnow()
    python_type = column.type.python_type
    if python_type is str:
        if column.name == "currency":
            return "USD"
        if column.name == "email":
            return f"person{n}@example.test"
        length = getattr(column.type, "length", None) or 64
        return f"{column.name}-{n}"[: min(length, 64)]
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    if python_type is Decimal:
        return Decimal("1")
    if python_type is datetime:
        return utcnow()
    if python_type is date:
        return utcnow().date()
    if python_type is dict:
        return {}
    raise TypeError(f"no filler for {column}")


def make(session, model, **values):
    """Add and flush a row of ``model`` (class or table name) with ``values`` and filled gaps."""
    if isinstance(model, str):
        model = model_for_table(model)
    n = next(_counter)
    table = sa_inspect(model).local_table
    for column in table.columns:
        if column.key in values or column.nullable or column.default is not None:
            continue
        if column.key == "uri_hash":  # derived from uri by the model
            continue
        if column.primary_key and column.default is None and column.foreign_keys == set():
            values[column.key] = _filler(column, n)
            continue
        fks = list(column.foreign_keys)
        if fks:
            parent = make(session, fks[0].column.table.name)
            values[column.key] = getattr(parent, fks[0].column.key)
        else:
            values[column.key] = _filler(column, n)
    row = model(**values)
    session.add(row)
    session.flush()  # ids and constraint errors now, where the test can see them
    return row
