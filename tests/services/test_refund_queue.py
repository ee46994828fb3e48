"""The refund queue's read model: one query per page at any size, tabs, filters."""

from decimal import Decimal

from mallconsole.models import RefundRequest
from mallconsole.services.aftersales import refund_queue
from mallconsole.services.kit.pagination import parse_ordering
from tests.factories.records import build
from tests.factories.request_orders import make_order
from tests.query_counts import assert_constant_queries


def ordering(name="-raised"):
    return parse_ordering(name, refund_queue.REFUND_SORTS, name, refund_queue.REFUND_ID)


def test_a_page_runs_as_many_statements_for_100_rows_as_for_10(session, count_queries):
    order, *_ = make_order(session)

    def add(n):
        for _ in range(n):
            build(session, RefundRequest, shopping_mall_order_id=order.id, status="pending",
                  total_requested_amount=Decimal("5.00"), currency="USD")  # fmt: skip

    def read(limit):
        page = refund_queue.refund_page(
            session, "pending", {}, ordering(), cursor=None, limit=limit
        )
        assert len(page.rows) == limit
        assert all(row.order_number == order.order_number for row in page.rows)

    assert_constant_queries(count_queries, add, read)


def test_the_amount_sort_and_range(session):
    order, *_ = make_order(session)
    for amount in ("5.00", "50.00", "500.00"):
        build(session, RefundRequest, shopping_mall_order_id=order.id, status="approved",
              total_requested_amount=Decimal(amount), currency="USD")  # fmt: skip
    filters = {"min_amount": Decimal("10"), "max_amount": Decimal("499.99")}
    page = refund_queue.refund_page(
        session, "approved", filters, ordering("-amount"), cursor=None, limit=25
    )
    assert [r.request.total_requested_amount for r in page.rows] == [Decimal("50.00")]
    everything = refund_queue.refund_page(
        session, "approved", {}, ordering("-amount"), cursor=None, limit=25
    )
    amounts = [r.request.total_requested_amount for r in everything.rows]
    assert amounts == sorted(amounts, reverse=True)
    counts = {t.key: t.count.value for t in refund_queue.tabs(session)}
    assert counts["approved"] >= 3 and counts["all"] >= counts["approved"]
