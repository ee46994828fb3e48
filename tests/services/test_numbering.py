import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from mallconsole.core.errors import ValidationError
from mallconsole.models import NumberSequence, OrderSequence
from mallconsole.services.kit.numbering import PREFIXES, last_allocated, next_number

DAY = datetime(2026, 3, 14, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_numbers_count_up_per_prefix_and_day(session, prefix):
    first = next_number(session, prefix, at=DAY)
    second = next_number(session, prefix, at=DAY)
    assert first == f"{prefix}-20260314-000001"
    assert second == f"{prefix}-20260314-000002"
    assert next_number(session, prefix, at=datetime(2026, 3, 15, tzinfo=UTC)).endswith(
        "-20260315-000001"
    )
    assert last_allocated(session, prefix, "20260314") == 2


def test_prefixes_have_separate_counters(session):
    assert next_number(session, "CAS", at=DAY) == "CAS-20260314-000001"
    assert next_number(session, "RMA", at=DAY) == "RMA-20260314-000001"
    assert next_number(session, "CAS", at=DAY) == "CAS-20260314-000002"


def test_unknown_prefix_is_refused(session):
    with pytest.raises(ValidationError, match="unknown number prefix"):
        next_number(session, "XYZ")


def test_day_is_the_utc_day(session):
    from datetime import timedelta, timezone

    seoul = timezone(timedelta(hours=9))
    # 2026-03-15 05:00 in Seoul is still 2026-03-14 in UTC.
    number = next_number(session, "PO", at=datetime(2026, 3, 15, 5, 0, tzinfo=seoul))
    assert re.fullmatch(r"PO-20260314-\d{6}", number)


@pytest.mark.postgres_only
@pytest.mark.parametrize("prefix", ["ORD", "CAS"])
def test_twenty_parallel_callers_never_share_a_number(committed_engine, prefix):
    at = datetime(2031, 1, 2, tzinfo=UTC)
    callers = 20
    barrier = threading.Barrier(callers)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def allocate():
        try:
            with Session(committed_engine) as s:
                barrier.wait(timeout=30)
                got = [next_number(s, prefix, at=at) for _ in range(5)]
                s.commit()
            with lock:
                numbers.extend(got)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=allocate) for _ in range(callers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert len(numbers) == callers * 5
        assert len(set(numbers)) == len(numbers)
        assert sorted(int(n[-6:]) for n in numbers) == list(range(1, callers * 5 + 1))
    finally:
        with Session(committed_engine) as s:
            s.execute(delete(OrderSequence).where(OrderSequence.sequence_yyyymmdd == "20310102"))
            s.execute(delete(NumberSequence).where(NumberSequence.day == "20310102"))
            s.commit()
