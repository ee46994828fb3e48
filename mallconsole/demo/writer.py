"""Bulk writing of the demo rows: executemany through SQLAlchemy Core, COPY on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import JSON
from sqlalchemy.engine import Connection

from ..models import MATERIALIZED_VIEWS, Base

# Core executemany batches; big enough to amortize, small enough to keep memory flat.
BATCH = 5000


def _columns(table) -> list[str]:
    return [c.name for c in table.columns]


def make_writer(connection: Connection):
    """A function writing ``{table name: [row dicts]}`` on ``connection`` in FK order."""
    postgres = connection.dialect.name == "postgresql"
    tables = [t for t in Base.metadata.sorted_tables if t.name not in MATERIALIZED_VIEWS]

    def write(rows_by_table: dict[str, list[dict]]) -> None:
        for table in tables:
            rows = rows_by_table.get(table.name)
            if not rows:
                continue
            columns = _columns(table)
            if postgres:
                _copy(connection, table, columns, rows)
            else:
                for start in range(0, len(rows), BATCH):
                    chunk = [{c: r.get(c) for c in columns} for r in rows[start : start + BATCH]]
                    connection.execute(table.insert(), chunk)

    return write


def _copy(connection: Connection, table, columns: list[str], rows: list[dict]) -> None:
    """``COPY … FROM STDIN`` through psycopg 3 on the connection's own transaction."""
    from psycopg.types.json import Jsonb

    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    cursor = connection.connection.driver_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        if json_columns:
            for r in rows:
                copy.write_row(
                    [
                        Jsonb(r[c]) if c in json_columns and r.get(c) is not None else r.get(c)
                        for c in columns
                    ]
                )
        else:
            for r in rows:
                copy.write_row([r.get(c) for c in columns])
    cursor.close()
