"""Bulk writing of the demo rows: executemany through SQLAlchemy Core, COPY on PostgreSQL.

On PostgreSQL, checking foreign keys row by row and updating every secondary index per row
cost more than the COPY itself; ``bulk_writer`` drops them for the load and adds them back
at the end of the same transaction. Adding a foreign key back validates every row at once,
and rebuilding a unique index re-checks uniqueness, so nothing goes unchecked. Statistics
are left to autovacuum, which analyzes the new tables within its next rounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import JSON, text
from sqlalchemy.engine import Connection

from mallconsole.models import MATERIALIZED_VIEWS, Base

# Core executemany batches; big enough to amortize, small enough to keep memory flat.
BATCH = 5000
TABLES = [t for t in Base.metadata.sorted_tables if t.name not in MATERIALIZED_VIEWS]


def make_writer(connection: Connection):
    """A function writing ``{table name: [row dicts]}`` on ``connection`` in FK order."""
    postgres = connection.dialect.name == "postgresql"

    def write(rows_by_table: dict[str, list[dict]]) -> None:
        for table in TABLES:
            rows = rows_by_table.get(table.name)
            if not rows:
                continue
            columns = [c.name for c in table.columns]
            _fill_defaults(table, rows)
            if postgres:
                _copy(connection, table, columns, rows)
            else:
                for start in range(0, len(rows), BATCH):
                    chunk = [{c: r.get(c) for c in columns} for r in rows[start : start + BATCH]]
                    connection.execute(table.insert(), chunk)

    return write


def _fill_defaults(table, rows: list[dict]) -> None:
    """Give rows the scalar column defaults they leave out (``version`` = 1): bulk inserts and
    COPY name every column, so the database's own defaults never apply."""
    defaults = {
        c.name: c.default.arg
        for c in table.columns
        if c.default is not None and c.default.is_scalar and not c.primary_key
    }
    missing = {name: value for name, value in defaults.items() if name not in rows[0]}
    if missing:
        for row in rows:
            for name, value in missing.items():
                row.setdefault(name, value)


@contextmanager
def bulk_writer(connection: Connection) -> Iterator:
    """``make_writer`` for a whole load; on PostgreSQL without FK checks and secondary
    indexes until the load is done (same transaction, re-validated at the end)."""
    write = make_writer(connection)
    if connection.dialect.name != "postgresql":
        yield write
        return
    names = [t.name for t in TABLES]
    foreign_keys = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' "
            "AND c.conrelid::regclass::text = ANY(:names) ORDER BY 1, 2"
        ),
        {"names": names},
    ).all()
    indexes = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(:names) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
        ),
        {"names": names},
    ).all()
    for table, name, _ in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield write
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


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
            write_row = copy.write_row
            for r in rows:
                write_row(list(map(r.get, columns)))
    cursor.close()
