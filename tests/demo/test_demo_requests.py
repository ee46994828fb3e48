"""The demo world's cancellation, return and refund requests and the cases that raised them:
each request a case mentions names that case, was raised by a support agent, and shows on the
case's timeline; and every order keeps the ceilings the request service enforces."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mallconsole.models import Order
from mallconsole.services.aftersales import customer_requests as cr
from tests.demo.test_demo_states import at, rows

TABLES = {
    "shopping_mall_cancellation_requests": ("cancellation_request_number", cr.CANCELLATION),
    "shopping_mall_return_requests": ("rma_code", cr.RETURN),
    "shopping_mall_refund_requests": ("refund_request_number", cr.REFUND),
}


def test_requests_the_cases_mention_name_their_case_and_its_timeline_says_so(demo):
    agents = {
        r[0]
        for r in rows(
            demo,
            "SELECT shopping_mall_user_id FROM shopping_mall_supportagent WHERE revoked_at IS NULL",
        )
    }
    linked = {}
    for table, (number_column, kind) in TABLES.items():
        found = rows(
            demo,
            f"SELECT r.{number_column}, r.shopping_mall_support_case_id, r.requested_by_user_id, "
            f"r.created_at, c.description, c.customer_user_id, o.shopping_mall_user_id, "
            f"c.created_at, c.last_event_at FROM {table} r "
            "JOIN shopping_mall_orders o ON o.id = r.shopping_mall_order_id "
            "LEFT JOIN shopping_mall_support_cases c ON c.id = r.shopping_mall_support_case_id",
        )
        for (
            number,
            case_id,
            requester,
            raised_at,
            description,
            case_customer,
            buyer,
            opened,
            last,
        ) in found:
            if case_id is None:
                continue
            linked[number] = (kind, case_id)
            assert number in description, (number, description)
            assert case_customer == buyer, number
            assert requester in agents, number
            assert at(opened) <= at(raised_at) <= at(last), number
        assert any(kind is k for k, _ in linked.values()), f"no {kind.label} raised from a case"
    events = rows(
        demo,
        "SELECT shopping_mall_support_case_id, body, visibility, actor_user_id "
        "FROM shopping_mall_support_case_events WHERE event_type = 'request_raised'",
    )
    assert len(events) == len(linked)
    by_case = {case_id: (body, visibility, actor) for case_id, body, visibility, actor in events}
    for number, (kind, case_id) in linked.items():
        body, visibility, actor = by_case[case_id]
        assert body.startswith(f"{kind.label} {number} raised"), body
        assert visibility == "internal" and actor in agents
    # Every case that names a request in its description is linked from that request.
    for (description,) in rows(
        demo,
        "SELECT description FROM shopping_mall_support_cases "
        "WHERE description LIKE '%Reference: %'",
    ):
        reference = description.rsplit("Reference: ", 1)[1].rstrip(".")
        if reference.startswith(("CAN-", "RMA-", "RR-")):
            assert reference in linked, reference


def test_refund_bodies_name_the_amount(demo):
    found = rows(
        demo,
        "SELECT r.refund_request_number, r.total_requested_amount, e.body "
        "FROM shopping_mall_refund_requests r JOIN shopping_mall_support_case_events e "
        "ON e.shopping_mall_support_case_id = r.shopping_mall_support_case_id "
        "AND e.event_type = 'request_raised'",
    )
    assert found
    for number, amount, body in found:
        assert body == cr.raised_body(cr.REFUND, number, amount=str(amount), currency="USD")


def test_every_order_keeps_the_ceilings_of_the_request_service(seeded):
    _, engine, _, _ = seeded
    with Session(engine) as session:
        orders = session.scalars(select(Order)).all()
        assert orders
        for order in orders:
            room = cr.refund_room(session, order)
            assert room.refunded + room.requested <= room.captured, order.order_number
            for line in room.lines:
                assert line.taken <= line.item.line_grand_total, order.order_number
            for line in cr.return_lines(session, order):
                assert line.in_returns <= line.delivered, order.order_number
