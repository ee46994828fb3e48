"""The plans PostgreSQL chooses over analyzed tables big enough to choose (100,000 support
cases and customers grown from a seeded demo world): every case queue, a page reached by a
deep cursor, a filtered queue and the global search read indexes, never a whole big table.

Sequential scans stay allowed here: the planner picks what production would pick.
"""

from __future__ import annotations

from datetime import UTC, datetime

import flask_migrate
import pytest
from sqlalchemy import func, select

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import SupportCase, User
from mallconsole.services.customers.search import search
from mallconsole.services.kit.pagination import decode_cursor, encode_cursor, parse_ordering
from mallconsole.services.support import case_queues
from tests.databases import make_test_app, new_database
from tests.query_plans import query_plans

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("big-data")]

ROWS = 100_000
BIG_TABLES = ("shopping_mall_support_cases", "shopping_mall_users")


def _grow(connection) -> None:
    """Copies of the seeded cases and customers (new ids, numbers and emails) up to ROWS."""
    for table, unique in (
        ("shopping_mall_support_cases", "case_number"),
        ("shopping_mall_users", "email"),
    ):
        columns = [
            name
            for (name,) in connection.exec_driver_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %(t)s "
                "ORDER BY ordinal_position",
                {"t": table},
            )
            if name not in ("id", unique)
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        copied = ", ".join(f'o."{c}"' for c in columns)
        made = (
            "'CAS-' || to_char(o.created_at, 'YYYYMMDD') || '-9' || lpad(g::text, 5, '0') "
            "|| '-' || substr(o.id, 1, 4)"
            if unique == "case_number"
            else "'grown' || g || '.' || o.email"
        )
        source = (
            "SELECT * FROM shopping_mall_users WHERE email NOT LIKE '%%@demo.mall'"
            if table == "shopping_mall_users"
            else f"SELECT * FROM {table}"
        )
        have = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
        originals = connection.exec_driver_sql(f"SELECT count(*) FROM ({source}) s").scalar()
        rounds = -(-(ROWS - have) // originals)
        connection.exec_driver_sql(
            f"INSERT INTO {table} (id, {unique}, {names}) "
            f"SELECT gen_random_uuid()::text, {made}, {copied} "
            f"FROM ({source}) o CROSS JOIN generate_series(1, {rounds}) g "
            f"LIMIT {ROWS - have}"
        )


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    directory = tmp_path_factory.mktemp("big")
    url, drop = new_database(directory, "big")
    app = make_test_app(url, directory / "instance", "big-data-secret")
    app.config["UPLOAD_DIR"] = str(directory / "uploads")
    with app.app_context():
        flask_migrate.upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "0.05"])
        assert result.exit_code == 0, result.output
        with db.engine.begin() as connection:
            _grow(connection)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


def _big_scans(plans: list[str]) -> list[str]:
    return [
        line.strip()
        for plan in plans
        for line in plan.splitlines()
        if "Seq Scan on" in line and any(f"on {t}" in line for t in BIG_TABLES)
    ]


@pytest.fixture
def in_big(big):
    with big.app_context():
        yield db.session
        db.session.rollback()


def test_the_tables_are_big_enough_for_the_planner_to_choose(in_big):
    assert in_big.scalar(select(func.count()).select_from(SupportCase)) == ROWS
    assert in_big.scalar(select(func.count()).select_from(User)) == ROWS


@pytest.mark.parametrize("queue", list(case_queues.QUEUES))
def test_each_case_queue_and_its_deep_page_read_indexes(in_big, queue):
    session = in_big
    agent = session.scalar(select(User.id).where(User.email == "support@demo.mall"))
    ordering = parse_ordering(
        None, case_queues.CASE_SORTS, case_queues.DEFAULT_SORTS[queue], case_queues.CASE_ID
    )
    now = datetime.now(UTC)

    def page(cursor=None):
        return case_queues.case_page(
            session, queue, {}, ordering, user_id=agent, cursor=cursor, limit=25, now=now
        )

    plans = query_plans(session, page, as_chosen=True)
    assert plans and not _big_scans(plans), plans
    ids = case_queues.queue_statement(
        queue, {}, user_id=agent, now=now, columns=(ordering.key.column, SupportCase.id)
    )
    total = session.scalar(select(func.count()).select_from(ids.subquery()))
    row = session.execute(
        ids.order_by(*ordering.order_by()).offset(max(total // 2, 1)).limit(1)
    ).first()
    cursor = decode_cursor(encode_cursor(ordering, row[0], row[1]), ordering)
    deep = query_plans(session, lambda: page(cursor), as_chosen=True)
    assert deep and not _big_scans(deep), deep


def test_a_filtered_queue_reads_indexes(in_big):
    session = in_big
    ordering = parse_ordering(None, case_queues.CASE_SORTS, "-activity", case_queues.CASE_ID)
    plans = query_plans(
        session,
        lambda: case_queues.case_page(
            session, "all", {"status": "open", "priority": "urgent"}, ordering,
            user_id=None, cursor=None, limit=25,
        ),
        as_chosen=True,
    )  # fmt: skip
    assert plans and not _big_scans(plans), plans


def test_the_global_search_reads_indexes(in_big):
    session = in_big
    number = session.scalar(select(SupportCase.case_number).order_by(SupportCase.id).limit(1))
    customer = session.execute(
        select(User.email, User.name)
        .where(User.name.is_not(None), User.email.like("grown%"))
        .order_by(User.id)
        .limit(1)
    ).one()
    for term in (number, customer.email, customer.name, customer.email.split("@")[0][:9]):
        plans = query_plans(
            session, lambda t=term: search(session, t, permissions=frozenset(Permission)),
            as_chosen=True,
        )  # fmt: skip
        assert plans and not _big_scans(plans), (term, plans)


# --- statements per list page ----------------------------------------------------------------

LISTS = {
    "support@demo.mall": [f"/support/cases?queue={queue}" for queue in case_queues.QUEUES]
    + ["/support/cases?queue=all&status=open"],
    "moderator@demo.mall": [
        "/moderation/reviews?queue=pending",
        "/moderation/reviews?queue=reported",
        "/moderation/reviews?queue=decided",
    ],
    "finance@demo.mall": ["/finance/refunds?tab=all", "/finance/ledgers", "/finance/payouts"],
}


def _statements_of(client, engine, path: str) -> tuple[int, list[str], bytes]:
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen), seen, response.data


def _next_link(html: bytes) -> str | None:
    from bs4 import BeautifulSoup

    link = BeautifulSoup(html, "html.parser").select_one('a[href*="after="]')
    return link["href"] if link is not None else None


@pytest.mark.parametrize("email", sorted(LISTS))
def test_a_list_page_runs_as_many_statements_deep_and_wide_as_first(big, email):
    from mallconsole.demo.staff import DEMO_PASSWORD
    from tests.conftest import sign_in

    client = big.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    with big.app_context():
        engine = db.engine
    checked = 0
    for path in LISTS[email]:
        _statements_of(client, engine, path)  # warm: the minute's counts and estimates
        first, statements, html = _statements_of(client, engine, path)
        wide, _, _ = _statements_of(
            client, engine, path + ("&" if "?" in path else "?") + "limit=100"
        )
        assert wide == first, (path, first, wide)
        # No exact count of a big table: every count stops at the cap.
        counts = [s for s in statements if "count(" in s.lower()]
        assert all("LIMIT" in s.upper() for s in counts), counts
        after = _next_link(html)
        if after is None:
            continue
        deep, _, _ = _statements_of(client, engine, after)
        assert deep == first, (path, first, deep)
        checked += 1
    assert checked >= 1
