"""The demo world's bulk writer: whole or not at all, with the indexes and foreign keys back.

On PostgreSQL the rows travel through ``COPY`` from a thread beside the caller, so a row the
server refuses surfaces at the caller's next write or at the end of the load, never lost.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select, text

from mallconsole.demo.writer import bulk_writer
from mallconsole.models import Base

USERS = Base.metadata.tables["shopping_mall_users"]
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


def _user(n: int) -> dict:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "email": f"writer-{n}@example.test",
        "password_hash": "x",
        "email_verified": False,
        "mfa_enabled": False,
        "status": "active",
        "name": f"Writer {n}",
        "created_at": MOMENT,
        "updated_at": MOMENT,
    }


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(USERS))


def _index_names(engine) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes(USERS.name)}


def test_rows_written_in_batches_all_arrive(private_engine):
    indexes = _index_names(private_engine)
    with private_engine.begin() as connection, bulk_writer(connection) as write:
        for batch in range(3):
            write({USERS.name: [_user(batch * 100 + n) for n in range(50)]})
    assert _count(private_engine) == 150
    assert _index_names(private_engine) == indexes


def test_a_refused_row_rolls_back_the_whole_load(private_engine):
    indexes = _index_names(private_engine)
    with pytest.raises(Exception, match="(?i)duplicate key|unique constraint"):
        with private_engine.begin() as connection, bulk_writer(connection) as write:
            write({USERS.name: [_user(n) for n in range(50)]})
            # The same ids again: the primary key refuses them (at once, or when the copy
            # thread reports it at the next write or at the end).
            write({USERS.name: [_user(n) for n in range(50)]})
            write({USERS.name: [_user(1000 + n) for n in range(5)]})
    assert _count(private_engine) == 0
    assert _index_names(private_engine) == indexes
    with private_engine.connect() as connection:  # the connection pool is still usable
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
