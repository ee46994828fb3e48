"""The order's status moves: hold, review and release through the order machine, each with
its status history step (who, why) and audit event; illegal moves and stale versions refused."""

import pytest
from sqlalchemy import select

from mallconsole.core.errors import InvalidTransition, NotFound, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, OrderStatusHistory, SellerOrder
from mallconsole.services.customers import order_status as status
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff
from tests.factories.request_orders import make_order


@pytest.fixture
def ops(session):
    return make_staff(session, "ops-status@example.test", roles=(Role.OPERATIONS_MANAGER,))


def steps(session, order):
    return session.execute(
        select(OrderStatusHistory.status, OrderStatusHistory.business_status,
               OrderStatusHistory.reason, OrderStatusHistory.triggered_by_user_id)
        .where(OrderStatusHistory.shopping_mall_order_id == order.id)
        .order_by(OrderStatusHistory.recorded_at, OrderStatusHistory.id)
    ).all()  # fmt: skip


def test_a_hold_records_who_and_why_and_a_release_returns_to_the_interrupted_state(session, ops):
    order, *_ = make_order(
        session,
        status="confirmed",
        history=("pending_payment", "pending_confirmation", "confirmed"),
    )
    held = status.interrupt(
        session, order.order_number, "on_hold", reason="Address check", actor=ops,
        expected_version=order.version,
    )  # fmt: skip
    assert held.message == f"{order.order_number} is on hold."
    assert (order.status, order.business_status) == ("on_hold", "payment_risk_review")
    assert steps(session, order)[-1] == ("on_hold", "payment_risk_review", "Address check", ops.id)
    assert status.actions_for(session, order) == ["release"]

    seller_order = session.scalars(
        select(SellerOrder).where(SellerOrder.shopping_mall_order_id == order.id)
    ).one()
    assert seller_order.status == "on_hold"  # it followed the order
    released = status.release(
        session, order.id, reason="Address confirmed", actor=ops, expected_version=order.version
    )
    assert order.status == "confirmed" and order.business_status is None
    assert seller_order.status == "confirmed"
    assert released.message == f"{order.order_number} is released: it is confirmed again."
    assert steps(session, order)[-1] == ("confirmed", None, "Address confirmed", ops.id)
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == order.id)
        .order_by(AuditEvent.created_at)
    ).all()  # fmt: skip
    assert events == ["order.on_hold", "order.released"]


def test_a_review_stores_its_business_status(session, ops):
    path = ("pending_payment", "pending_confirmation")
    order, *_ = make_order(session, status="pending_confirmation", history=path)
    status.interrupt(session, order.id, "under_review", reason="Velocity", actor=ops,
                     expected_version=order.version)  # fmt: skip
    assert (order.status, order.business_status) == ("under_review", "fraud_check")
    assert status.actions_for(session, order) == ["release"]


@pytest.mark.parametrize("state", ["completed", "canceled", "refunded"])
def test_an_order_past_its_last_interruptible_state_cannot_be_held(session, ops, state):
    order, *_ = make_order(session, status=state, history=(state,))
    assert status.actions_for(session, order) == []
    with pytest.raises(InvalidTransition):
        status.interrupt(session, order.id, "on_hold", reason="x", actor=ops,
                         expected_version=order.version)  # fmt: skip
    assert steps(session, order) == [(state, None, None, None)]


def test_releasing_an_order_that_is_not_held_is_refused(session, ops):
    order, *_ = make_order(session, status="confirmed", history=("confirmed",))
    with pytest.raises(InvalidTransition, match="only an order on hold or under review"):
        status.release(session, order.id, reason="x", actor=ops, expected_version=order.version)


def test_a_hold_needs_a_reason_and_a_known_kind(session, ops):
    order, *_ = make_order(session, status="confirmed", history=("confirmed",))
    with pytest.raises(ValidationError) as refused:
        status.interrupt(session, order.id, "on_hold", reason="  ", actor=ops,
                         expected_version=order.version)  # fmt: skip
    assert "reason" in refused.value.field_errors
    with pytest.raises(ValidationError):
        status.interrupt(session, order.id, "canceled", reason="x", actor=ops,
                         expected_version=order.version)  # fmt: skip
    assert order.status == "confirmed"


def test_a_stale_version_is_refused(session, ops):
    order, *_ = make_order(session, status="confirmed", history=("confirmed",))
    seen = order.version
    status.interrupt(session, order.id, "on_hold", reason="First", actor=ops, expected_version=seen)
    with pytest.raises(StaleRecord):
        status.release(session, order.id, reason="Second", actor=ops, expected_version=seen)
    assert order.status == "on_hold"


def test_an_unknown_order_is_not_found(session, ops):
    with pytest.raises(NotFound):
        status.interrupt(session, "ORD-19990101-000001", "on_hold", reason="x", actor=ops,
                         expected_version=1)  # fmt: skip
