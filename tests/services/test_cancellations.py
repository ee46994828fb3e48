"""Cancellation requests in operations: approve only while nothing has shipped (recording who
and when), reject with a reason, execute (reservations released, one refund request for what
was captured, the order canceled with its history); illegal moves and stale versions refused."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, InvalidTransition, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import (
    AuditEvent,
    InventoryReservation,
    OrderStatusHistory,
    RefundRequest,
    utcnow,
)
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.services.orders import cancellations
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.request_orders import make_order

PATH = ("pending_payment", "pending_confirmation", "confirmed")


@pytest.fixture
def agent(session):
    return make_staff(session, "cancel-agent@test.mall", (Role.SUPPORT_AGENT,))


@pytest.fixture
def ops(session):
    return make_staff(session, "cancel-ops@test.mall", (Role.OPERATIONS_MANAGER,))


def requested(session, agent, *, captured="90.00", status="confirmed"):
    order, items, _ = make_order(session, status=status, history=PATH, captured=captured)
    build(session, InventoryReservation, shopping_mall_order_id=order.id, status="active",
          quantity=1, reservation_expires_at=utcnow())  # fmt: skip
    request = cr.raise_cancellation(session, order.id, reason_code="changed_mind", note="",
                                    actor=agent)  # fmt: skip
    return request, order


def test_approve_then_execute_cancels_the_order_and_raises_its_refund(session, agent, ops):
    request, order = requested(session, agent)
    approved = cancellations.approve(session, request.id, actor=ops,
                                     expected_version=request.version)  # fmt: skip
    assert request.status == "approved" and request.approved_by_user_id == ops.id
    assert request.decided_at is not None and "execute it" in approved.message
    done = cancellations.execute(session, request.cancellation_request_number, actor=ops,
                                 expected_version=request.version)  # fmt: skip
    assert request.status == "executed" and order.status == "canceled"
    refund = session.scalars(
        select(RefundRequest).where(RefundRequest.shopping_mall_order_id == order.id)
    ).one()
    assert (refund.status, refund.reason_code) == ("pending", "canceled")
    assert refund.total_requested_amount == Decimal("90.00")
    assert refund.refund_request_number in done.message
    reservations = session.scalars(
        select(InventoryReservation.status).where(
            InventoryReservation.shopping_mall_order_id == order.id)
    ).all()  # fmt: skip
    assert reservations == ["released"]
    step = session.scalars(
        select(OrderStatusHistory).where(OrderStatusHistory.shopping_mall_order_id == order.id)
        .order_by(OrderStatusHistory.recorded_at.desc())
    ).first()  # fmt: skip
    assert (step.status, step.triggered_by_user_id) == ("canceled", ops.id)
    view = cancellations.load(session, request.id)
    assert view.refund == refund.refund_request_number
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == request.id)
        .order_by(AuditEvent.created_at)
    ).all()  # fmt: skip
    assert actions[-2:] == ["cancellation.approved", "cancellation.executed"]


def test_nothing_captured_raises_no_refund(session, agent, ops):
    request, order = requested(session, agent, captured=None)
    cancellations.approve(session, request.id, actor=ops, expected_version=request.version)
    done = cancellations.execute(session, request.id, actor=ops,
                                 expected_version=request.version)  # fmt: skip
    assert "nothing was captured" in done.message and order.status == "canceled"
    assert (
        session.scalars(
            select(RefundRequest).where(RefundRequest.shopping_mall_order_id == order.id)
        ).all()
        == []
    )


def test_once_something_shipped_it_is_neither_approved_nor_executed(session, agent, ops):
    request, order = requested(session, agent)
    order.status = "shipped"  # a shipment went out after the request was raised
    session.flush()
    with pytest.raises(Conflict, match="can be canceled only before anything ships"):
        cancellations.approve(session, request.id, actor=ops, expected_version=request.version)
    assert request.status == "pending"

    other, order2 = requested(session, agent)
    cancellations.approve(session, other.id, actor=ops, expected_version=other.version)
    order2.status = "shipped"
    session.flush()
    with pytest.raises(Conflict):
        cancellations.execute(session, other.id, actor=ops, expected_version=other.version)
    assert other.status == "approved"


def test_reject_needs_a_reason_and_ends_the_request(session, agent, ops):
    request, _ = requested(session, agent)
    with pytest.raises(ValidationError) as refused:
        cancellations.reject(session, request.id, reason=" ", actor=ops,
                             expected_version=request.version)  # fmt: skip
    assert "reason" in refused.value.field_errors
    cancellations.reject(session, request.id, reason="Already packed", actor=ops,
                         expected_version=request.version)  # fmt: skip
    assert request.status == "rejected"
    with pytest.raises(InvalidTransition):
        cancellations.approve(session, request.id, actor=ops, expected_version=request.version)


def test_executing_a_pending_request_is_refused(session, agent, ops):
    request, order = requested(session, agent)
    with pytest.raises(InvalidTransition):
        cancellations.execute(session, request.id, actor=ops, expected_version=request.version)
    assert order.status == "confirmed"


def test_a_stale_version_is_refused(session, agent, ops):
    request, _ = requested(session, agent)
    seen = request.version
    cancellations.approve(session, request.id, actor=ops, expected_version=seen)
    with pytest.raises(StaleRecord):
        cancellations.execute(session, request.id, actor=ops, expected_version=seen)


def test_the_queue_lists_the_tab(session, agent, ops, app):
    from mallconsole.services.kit.pagination import parse_ordering

    waiting, _ = requested(session, agent)
    approved, _ = requested(session, agent)
    cancellations.approve(session, approved.id, actor=ops, expected_version=approved.version)
    ordering = parse_ordering(None, cancellations.CANCELLATION_SORTS, "requested",
                              cancellations.CANCELLATION_ID)  # fmt: skip
    with app.test_request_context():
        page = cancellations.cancellation_page(session, "pending", {}, ordering, cursor=None,
                                               limit=50)  # fmt: skip
    assert [row.request.id for row in page.rows] == [waiting.id]
    counts = {t.key: t.count.value for t in cancellations.tabs(session)}
    assert (counts["pending"], counts["approved"]) == (1, 1)
