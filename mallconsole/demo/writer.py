"""Bulk writing of the demo rows: executemany through SQLAlchemy Core, COPY on PostgreSQL.

On PostgreSQL, checking foreign keys row by row and updating every secondary index per row
cost more than the COPY itself; ``bulk_writer`` drops them for the load and adds them back
at the end of the same transaction. Adding a foreign key back validates every row at once,
and rebuilding a unique index re-checks uniqueness, so nothing goes unchecked. Statistics
are left to autovacuum, which analyzes the new tables within its next rounds.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import JSON, text
from sqlalchemy.engine import Connection

from mallconsole.models import MATERIALIZED_VIEWS, Base

# Core executemany batches; big enough to amortize, small enough to keep memory flat.
BATCH = 5000
TABLES = [t for t in Base.metadata.sorted_tables if t.name not in MATERIALIZED_VIEWS]


def make_writer(connection: Connection, copier: _Copier | None = None):
    """A function writing ``{table name: [row dicts]}`` on ``connection`` in FK order (on
    PostgreSQL through ``copier``, which may send the rows while the caller goes on)."""

    def write(rows_by_table: dict[str, list[dict]]) -> None:
        for table in TABLES:
            rows = rows_by_table.get(table.name)
            if not rows:
                continue
            columns = [c.name for c in table.columns]
            _fill_defaults(table, rows)
            if copier is not None:
                copier.send(table, columns, _copy_values(table, columns, rows))
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
    """``make_writer`` for a whole load; on PostgreSQL without FK checks, secondary indexes
    and the schema's triggers until the load is done (same transaction, re-validated at the
    end; what the triggers keep is the caller's to complete: ``demo.reviews``)."""
    if connection.dialect.name != "postgresql":
        yield make_writer(connection)
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
    # The schema's own triggers (a review's summary of its open reports) would look rows up
    # without the dropped indexes, once per row: the caller completes what they keep instead.
    for table in names:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    copier = _Copier(connection)
    try:
        yield make_writer(connection, copier)
    except BaseException:
        copier.close(raise_error=False)  # the caller's error is the one to see
        raise
    copier.close()  # waits for the rows still on their way; raises what went wrong there
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for table in names:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def _copy_values(table, columns: list[str], rows: list[dict]) -> list[list]:
    """The rows as ``COPY`` values, taken now: the caller may go on changing its dicts."""
    from psycopg.types.json import Jsonb

    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    if not json_columns:
        return [list(map(r.get, columns)) for r in rows]
    return [
        [Jsonb(r[c]) if c in json_columns and r.get(c) is not None else r.get(c) for c in columns]
        for r in rows
    ]


class _Copier:
    """``COPY … FROM STDIN`` on the connection's own transaction, from one thread beside the
    caller: the server parses and stores one batch while the caller builds the next (the
    driver releases the GIL while it waits). One batch in flight at a time, in order; an
    error in the thread is raised to the caller at its next ``send`` or at ``close``."""

    _DONE = object()

    def __init__(self, connection: Connection):
        self._driver = connection.connection.driver_connection
        self._batches: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="demo-copy", daemon=True)
        self._thread.start()

    def send(self, table, columns: list[str], values: list[list]) -> None:
        self._raise()
        self._batches.put((table, columns, values))

    def close(self, *, raise_error: bool = True) -> None:
        self._batches.put(self._DONE)
        self._thread.join()
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while (batch := self._batches.get()) is not self._DONE:
            if self._error is None:  # after a failure, drain without writing
                try:
                    _copy(self._driver, *batch)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc


def _copy(driver_connection, table, columns: list[str], values: list[list]) -> None:
    """One table's rows through psycopg 3's ``COPY … FROM STDIN``."""
    names = ", ".join(f'"{c}"' for c in columns)
    with driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            write_row = copy.write_row
            for row in values:
                write_row(row)
