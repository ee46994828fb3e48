"""Engine set-up that makes SQLite behave: foreign keys on, real transactions, savepoints.

Python's ``sqlite3`` driver starts transactions on its own and breaks SAVEPOINT handling; as
SQLAlchemy's pysqlite notes recommend, autocommit is turned off at the driver level and
SQLAlchemy emits ``BEGIN`` itself. ``BEGIN IMMEDIATE`` takes the write lock at the start of
every transaction, so two writers queue (up to the busy timeout) instead of failing midway:
SQLite serializes writers, it has no row locks.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15000


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


# An execution option marking a bind that only reads (a download streamed as it is read): on
# SQLite its transactions begin without taking the write lock, so writers do not wait on it.
READ_ONLY = "mallconsole_read_only"


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection):
    if connection.dialect.name == "sqlite":
        reads_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def read_only(bind):
    """``bind`` (an engine) for a session that only reads; a connection is given back as it
    is (already in its transaction: the tests' shared connection)."""
    return bind.execution_options(**{READ_ONLY: True}) if isinstance(bind, Engine) else bind


def is_postgresql(bind) -> bool:
    """Whether the session or connection talks to PostgreSQL (row locks, SKIP LOCKED)."""
    return bind.dialect.name == "postgresql"


def dialect_insert(bind, model):
    """``INSERT`` into ``model`` in the bind's own dialect, so ``on_conflict_do_update`` (an
    upsert keyed on a unique constraint) is available on both PostgreSQL and SQLite."""
    if is_postgresql(bind):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


# Results read a batch at a time (a server-side cursor on PostgreSQL) that a session holds open
# until ``close_streamed``: a download that breaks off closes them at once.
STREAMED = "mallconsole.streamed_results"


def streamed(session, statement, batch: int):
    """``statement``'s rows, read ``batch`` at a time; closed by ``close_streamed(session)``."""
    result = session.execute(statement.execution_options(yield_per=batch))
    session.info.setdefault(STREAMED, []).append(result)
    return result


def close_streamed(session) -> None:
    """Close every result ``streamed`` opened on ``session``."""
    for result in session.info.pop(STREAMED, []):
        result.close()
