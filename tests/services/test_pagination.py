"""Keyset pages: every row once, in order, both ways; forged cursors refused; capped counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from mallconsole.models import JobRun, new_id, utcnow
from mallconsole.services.kit import pagination
from mallconsole.services.kit.pagination import (
    COUNT_CAP,
    CursorError,
    Ordering,
    SortKey,
    capped_count,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from tests.query_counts import assert_constant_queries

QUEUED = SortKey("queued", "Queued", JobRun.queued_at, kind=type(utcnow()))
STARTED = SortKey("started", "Started", JobRun.started_at, nullable=True, kind=type(utcnow()))
NAME = SortKey("job", "Job", JobRun.job_name)
T0 = utcnow().replace(microsecond=0) - timedelta(days=1)


def runs(session, count, *, prefix="job"):
    """``count`` runs with repeated queue times (ties) and some never started (nulls)."""
    rows = []
    for n in range(count):
        rows.append(
            JobRun(
                job_name=f"{prefix}-{n % 4}",
                trigger="schedule",
                status="succeeded",
                queued_at=T0 + timedelta(minutes=n // 3),
                started_at=None if n % 5 == 0 else T0 + timedelta(minutes=(n * 7) % 11),
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def expected(rows, ordering: Ordering):
    """The ordering computed in Python: empty values last, id breaks ties the same way."""
    attribute = ordering.key.column.key

    def sort_key(row):
        value = getattr(row, attribute)
        return (value is None, value if value is not None else 0)

    present = [r for r in rows if getattr(r, attribute) is not None]
    empty = [r for r in rows if getattr(r, attribute) is None]
    present.sort(key=lambda r: (getattr(r, attribute), r.id), reverse=ordering.descending)
    empty.sort(key=lambda r: r.id, reverse=ordering.descending)
    assert sort_key  # documented above
    return [r.id for r in present + empty]


def walk(session, ordering, limit):
    """All pages forwards, then all pages backwards from the last one."""
    statement = select(JobRun)
    forward, pages, cursor = [], [], None
    while True:
        page = keyset_page(session, statement, ordering, cursor=cursor, limit=limit)
        pages.append([r.id for r in page.rows])
        forward += pages[-1]
        if page.next_cursor is None:
            break
        cursor = decode_cursor(page.next_cursor, ordering)
    backward_pages = [pages[-1]]
    while page.previous_cursor is not None:
        page = keyset_page(
            session,
            statement,
            ordering,
            cursor=decode_cursor(page.previous_cursor, ordering),
            limit=limit,
        )
        backward_pages.append([r.id for r in page.rows])
    return forward, pages, list(reversed(backward_pages))


@pytest.mark.parametrize("key", [QUEUED, STARTED, NAME], ids=lambda k: k.name)
@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
def test_pages_give_every_row_once_in_order_both_ways(session, key, descending):
    rows = runs(session, 23)
    ordering = Ordering(key, descending, JobRun.id)
    forward, pages, backward = walk(session, ordering, limit=5)
    assert forward == expected(rows, ordering)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert backward == pages


def test_a_row_inserted_meanwhile_neither_repeats_nor_hides_others(session):
    rows = runs(session, 12)
    ordering = Ordering(QUEUED, True, JobRun.id)
    first = keyset_page(session, select(JobRun), ordering, cursor=None, limit=5)
    # a newer run arrives while the reader looks at page one
    runs(session, 1, prefix="late")[0].queued_at = T0 + timedelta(days=2)
    session.flush()
    second = keyset_page(
        session,
        select(JobRun),
        ordering,
        cursor=decode_cursor(first.next_cursor, ordering),
        limit=5,
    )
    seen = [r.id for r in first.rows + second.rows]
    assert seen == expected(rows, ordering)[:10]


def test_first_and_last_pages_have_no_way_further(session):
    runs(session, 4)
    page = keyset_page(
        session, select(JobRun), Ordering(QUEUED, True, JobRun.id), cursor=None, limit=10
    )
    assert len(page.rows) == 4
    assert page.next_cursor is None and page.previous_cursor is None and not page.from_cursor


def test_a_cursor_cannot_be_forged_or_reused_for_another_order(session):
    ordering = Ordering(QUEUED, True, JobRun.id)
    token = encode_cursor(ordering, T0, new_id())
    assert decode_cursor(token, ordering).value == T0
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, "not-a-cursor", "", "x" * 2000):
        with pytest.raises(CursorError):
            decode_cursor(bad, ordering)
    with pytest.raises(CursorError):
        decode_cursor(token, Ordering(QUEUED, False, JobRun.id))  # written for descending
    # a signed cursor whose value has the wrong type for the key (a string for a time)
    wrong_type = pagination._serializer().dumps({"o": "-queued", "v": "1=1", "i": new_id()})
    with pytest.raises(CursorError):
        decode_cursor(wrong_type, ordering)
    sql_id = pagination._serializer().dumps({"o": "-queued", "v": None, "i": "x' OR '1'='1"})
    with pytest.raises(CursorError):
        decode_cursor(sql_id, ordering)


def _bulk_runs(session, count):
    now = utcnow()
    session.execute(
        insert(JobRun),
        [
            {
                "id": new_id(),
                "job_name": "count",
                "trigger": "schedule",
                "status": "succeeded",
                "queued_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for _ in range(count)
        ],
    )


def test_counts_are_exact_up_to_the_cap_and_capped_above(session):
    ids = select(JobRun.id).where(JobRun.job_name == "count")
    _bulk_runs(session, COUNT_CAP)
    exact = capped_count(session, ids)
    assert (exact.value, exact.capped, exact.display) == (COUNT_CAP, False, "10,000")
    _bulk_runs(session, 1)
    over = capped_count(session, ids)
    assert (over.value, over.capped, over.display) == (COUNT_CAP, True, "10,000+")


def test_a_count_seen_over_the_cap_is_not_read_again_within_the_minute(
    session, monkeypatch, count_queries
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    clock = [1000.0]
    monkeypatch.setattr(pagination.time, "monotonic", lambda: clock[0])
    runs_of = select(JobRun.id).where(JobRun.job_name == "count")
    none = select(JobRun.id).where(JobRun.job_name == "nothing")
    _bulk_runs(session, 5)
    first, _ = pagination.capped_counts(session, {"runs": runs_of, "none": none})
    assert first["runs"].display == "3+" and first["none"].display == "0"
    session.execute(JobRun.__table__.delete().where(JobRun.job_name == "count"))
    with count_queries() as statements:
        again, _ = pagination.capped_counts(session, {"runs": runs_of, "none": none})
    # Still "3+" from the minute's memory; only the small count was read again.
    assert again["runs"].display == "3+" and again["none"].display == "0"
    assert len(statements) == 1 and statements[0].count("count(") == 1
    clock[0] += pagination.OVER_CAP_SECONDS
    later, _ = pagination.capped_counts(session, {"runs": runs_of, "none": none})
    assert later["runs"].display == "0"


def test_a_count_over_the_cap_can_carry_postgresqls_estimate(session, dialect):
    ids = select(JobRun.id).where(JobRun.job_name == "count")
    _bulk_runs(session, COUNT_CAP + 5)
    count = capped_count(session, ids, estimate=True)
    assert count.capped
    if dialect == "postgresql":
        assert count.estimate is not None and count.estimate >= 0
        shown = count.display
        assert shown.startswith("≈") or shown == "10,000+"
    else:
        assert count.estimate is None and count.display == "10,000+"
    assert pagination.QueueCount(5, True, 12_345).display == "≈12,345"
    assert pagination.QueueCount(5, True, 900).display == "10,000+"


def test_a_page_runs_one_query_whatever_its_size(session, count_queries):
    ordering = Ordering(QUEUED, True, JobRun.id)
    small, large = assert_constant_queries(
        count_queries,
        lambda n: runs(session, n),
        lambda size: keyset_page(session, select(JobRun), ordering, cursor=None, limit=size),
    )
    assert small == large == 1


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Decimal, {"d": "12.50"}, [{"d": 12.5}, "12.50", {"x": "1"}]),
        (bool, True, [1, "true", 0]),
        (int, 7, [True, "7", 7.5]),
        (str, "Ana", [7, {"t": "x"}, ["Ana"]]),
    ],
)
def test_cursor_values_are_read_back_only_as_their_keys_type(session, kind, good, bad):
    key = SortKey("probe", "Probe", JobRun.job_name, kind=kind)
    ordering = Ordering(key, False, JobRun.id)
    token = pagination._serializer().dumps({"o": "probe", "v": good, "i": new_id()})
    value = decode_cursor(token, ordering).value
    assert isinstance(value, kind) and value == (Decimal("12.50") if kind is Decimal else good)
    for wrong in bad:
        forged = pagination._serializer().dumps({"o": "probe", "v": wrong, "i": new_id()})
        with pytest.raises(CursorError):
            decode_cursor(forged, ordering)


@pytest.mark.parametrize("key", [QUEUED, STARTED], ids=lambda k: k.name)
@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
def test_each_range_is_a_row_comparison_an_index_can_answer(session, key, descending, backwards):
    """``(key, id) > (value, id)``, never ``key > value OR (key = value AND …)``, which the
    planner answers by filtering every row before the cursor (a deep page as slow as OFFSET)."""
    ordering = Ordering(key, descending, JobRun.id)
    cursor = pagination.Cursor(T0, new_id(), backwards)
    for where, _order in ordering.ranges(cursor, reverse=backwards):
        sql = str(select(JobRun.id).where(where).compile(session.get_bind()))
        assert " OR " not in sql.upper(), sql
    first, _ = ordering.ranges(cursor, reverse=backwards)[0]
    sql = str(select(JobRun.id).where(first).compile(session.get_bind()))
    assert f"(shopping_mall_job_runs.{key.column.key}, shopping_mall_job_runs.id)" in sql


def test_a_page_crossing_into_the_empty_values_reads_two_ranges(session, count_queries):
    rows = runs(session, 10)  # two of them never started
    ordering = Ordering(STARTED, False, JobRun.id)
    started = [r for r in rows if r.started_at is not None]
    with count_queries() as queries:
        page = keyset_page(session, select(JobRun), ordering, cursor=None, limit=len(started) + 1)
    assert len(queries) == 2  # the started ones, then the empty block for the last row
    assert [r.id for r in page.rows] == expected(rows, ordering)[: len(started) + 1]
    with count_queries() as queries:
        keyset_page(session, select(JobRun), ordering, cursor=None, limit=len(started) - 1)
    assert len(queries) == 1


def test_a_screens_tab_counts_are_read_in_one_statement(session, count_queries):
    from sqlalchemy import func

    from mallconsole.services.kit.pagination import capped_counts

    runs(session, 12, prefix="tabbed")
    counted = {
        "all": select(JobRun.id),
        "started": select(JobRun.id).where(JobRun.started_at.is_not(None)),
        "none": select(JobRun.id).where(JobRun.job_name == "nothing"),
    }
    with count_queries() as statements:
        counts, also = capped_counts(
            session, counted, also={"first": select(func.min(JobRun.queued_at)).scalar_subquery()}
        )
    assert len(statements) == 1
    for name, ids in counted.items():
        assert counts[name] == capped_count(session, ids), name
    assert counts["none"].value == 0 and counts["all"].value >= 12
    assert also["first"] == session.scalar(select(func.min(JobRun.queued_at)))


def test_the_estimate_of_a_count_is_asked_once_a_minute(session, dialect, monkeypatch):
    if dialect != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's")
    asked = []
    monkeypatch.setattr(pagination, "planner_estimate", lambda s, st: asked.append(st) or 123456)
    monkeypatch.setattr(pagination, "_estimates", {})
    statement = select(JobRun.id).where(JobRun.job_name == "estimated")
    assert pagination.cached_estimate(session, statement) == 123456
    assert pagination.cached_estimate(session, statement) == 123456
    assert len(asked) == 1
    monkeypatch.setattr(pagination, "ESTIMATE_SECONDS", 0)
    pagination.cached_estimate(session, statement)
    assert len(asked) == 2
