"""Raising cancellation, return and refund requests: ceilings, quantities, cases, numbers."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.models import (
    AuditEvent,
    CancellationRequest,
    RefundItem,
    RefundRequest,
    ReturnItem,
    ReturnRequest,
    SupportCaseEvent,
    utcnow,
)
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.kit import numbering
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.request_orders import make_case, make_order, refund_paid


@pytest.fixture
def agent(session):
    return make_staff(session, "agent-requests@test.mall")


def refund(session, order, lines, agent, **kw):
    return cr.raise_refund(
        session, order.id, lines, reason_code="damaged", note="", actor=agent, **kw
    )


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def existing_refund(session, order, amount, status, item=None):
    request = build(
        session, RefundRequest, shopping_mall_order_id=order.id, status=status,
        reason_code="damaged", total_requested_amount=Decimal(amount), currency="USD",
    )  # fmt: skip
    build(
        session, RefundItem, shopping_mall_refund_request_id=request.id,
        shopping_mall_order_item_id=item.id if item else None, amount=Decimal(amount),
        reason_code="damaged",
    )  # fmt: skip
    return request


# ---- refunds --------------------------------------------------------------------------------


def test_a_refund_request_is_pending_numbered_itemized_and_audited(session, agent):
    order, items, _ = make_order(session)
    request = refund(session, order, [(items[0].id, "25.00"), (None, "5.50")], agent)
    assert request.status == "pending" and request.currency == "USD"
    assert request.total_requested_amount == Decimal("30.50")
    assert request.requested_by_user_id == agent.id
    day = utcnow().strftime("%Y%m%d")
    assert (
        request.refund_request_number
        == f"RR-{day}-{numbering.last_allocated(session, 'RR', day):06d}"
    )
    lines = session.scalars(
        select(RefundItem).where(RefundItem.shopping_mall_refund_request_id == request.id)
    ).all()
    assert sorted((i.shopping_mall_order_item_id or "", i.amount) for i in lines) == sorted(
        [(items[0].id, Decimal("25.00")), ("", Decimal("5.50"))]
    )
    assert all(i.reason_code == "damaged" for i in lines)
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_id == request.id))
    assert event.action == "refund.raised" and event.actor_user_id == agent.id
    assert event.changes["after"]["total_requested_amount"] == "30.50"
    assert event.changes["after"]["status"] == "pending"


def test_numbers_follow_each_other(session, agent):
    order, items, _ = make_order(session)
    first = refund(session, order, [(None, "1.00")], agent)
    second = refund(session, order, [(None, "1.00")], agent)
    a, b = (int(r.refund_request_number.rsplit("-", 1)[1]) for r in (first, second))
    assert b == a + 1


def test_the_ceiling_is_captured_minus_refunded_minus_requested(session, agent):
    order, items, payment = make_order(session, captured="90.00")
    refund_paid(session, payment, "10.00")
    refund_paid(session, payment, "7.00", status="failed")  # gave nothing back
    existing_refund(session, order, "15.00", "pending")
    existing_refund(session, order, "5.00", "pending_second_approval")
    existing_refund(session, order, "6.00", "approved")
    existing_refund(session, order, "40.00", "rejected")  # no longer asked for
    existing_refund(session, order, "40.00", "canceled")
    existing_refund(session, order, "10.00", "executed")  # counted once: the payment refund
    room = cr.refund_room(session, order)
    assert (room.captured, room.refunded, room.requested) == (
        Decimal("90.00"), Decimal("10.00"), Decimal("26.00"),
    )  # fmt: skip
    assert room.ceiling == Decimal("54.00")
    with pytest.raises(ValidationError) as refused:
        refund(session, order, [(None, "54.01")], agent)
    assert "USD\xa054.00" in refused.value.field_errors["lines"][0]
    assert refund(session, order, [(None, "54.00")], agent).total_requested_amount == Decimal("54")
    with pytest.raises(ValidationError, match="USD\xa00.00"):
        refund(session, order, [(None, "0.01")], agent)


def test_the_total_of_several_lines_is_held_to_the_ceiling(session, agent):
    order, items, _ = make_order(session, captured="60.00")
    with pytest.raises(ValidationError) as refused:
        refund(session, order, [(items[0].id, "40.00"), (items[1].id, "20.01")], agent)
    assert set(refused.value.field_errors) == {"lines"}


def test_a_line_never_above_its_total_minus_what_it_gave_or_asks(session, agent):
    order, items, _ = make_order(session, captured="500.00")  # lines of 40.00 and 50.00
    existing_refund(session, order, "15.00", "executed", item=items[0])
    existing_refund(session, order, "5.00", "pending", item=items[0])
    existing_refund(session, order, "30.00", "rejected", item=items[0])
    line = {li.item.id: li for li in cr.refund_room(session, order).lines}[items[0].id]
    assert line.taken == Decimal("20.00") and line.ceiling == Decimal("20.00")
    with pytest.raises(ValidationError) as refused:
        refund(session, order, [(items[0].id, "20.01"), (items[1].id, "1.00")], agent)
    key = cr.amount_field(items[0].id)
    assert set(refused.value.field_errors) == {key}
    assert "At most USD\xa020.00 on Product 1" in refused.value.field_errors[key][0]
    assert refund(session, order, [(items[0].id, "20.00")], agent).total_requested_amount == 20


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "above zero"),
        ("-5", "above zero"),
        ("1.234", "at most 2 decimals"),
        ("ten", "at most 2 decimals"),
        ("1e3", "at most 2 decimals"),
    ],
)
def test_amounts_are_positive_with_the_currency_digits(session, agent, raw, message):
    order, items, _ = make_order(session)
    with pytest.raises(ValidationError) as refused:
        refund(session, order, [(items[0].id, raw)], agent)
    assert message in refused.value.field_errors[cr.amount_field(items[0].id)][0]


def test_a_currency_without_minor_unit_takes_whole_amounts(session, agent):
    order, items, _ = make_order(session, currency="JPY", lines=((1, "5000"),), captured="5000")
    with pytest.raises(ValidationError, match="whole amount in JPY"):
        refund(session, order, [(items[0].id, "100.5")], agent)
    assert refund(session, order, [(items[0].id, "100")], agent).total_requested_amount == 100


def test_a_refused_line_refuses_the_whole_request(session, agent):
    order, items, _ = make_order(session)
    before = (count(session, RefundRequest), count(session, RefundItem), count(session, AuditEvent))
    day = utcnow().strftime("%Y%m%d")
    allocated = numbering.last_allocated(session, "RR", day)
    with pytest.raises(ValidationError):
        refund(session, order, [(items[0].id, "10.00"), (items[1].id, "99.00")], agent)
    after = (count(session, RefundRequest), count(session, RefundItem), count(session, AuditEvent))
    assert after == before
    assert numbering.last_allocated(session, "RR", day) == allocated


def test_foreign_lines_empty_requests_and_reasons_are_refused(session, agent):
    order, items, _ = make_order(session)
    _, other_items, _ = make_order(session)
    with pytest.raises(ValidationError) as refused:
        refund(session, order, [(other_items[0].id, "1.00")], agent)
    assert (
        "not part of this order"
        in refused.value.field_errors[cr.amount_field(other_items[0].id)][0]
    )
    with pytest.raises(ValidationError, match="at least one line"):
        refund(session, order, [(items[0].id, "  ")], agent)
    with pytest.raises(ValidationError) as refused:
        cr.raise_refund(session, order.id, [(None, "1")], reason_code="nope", note="", actor=agent)
    assert "reason_code" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        cr.raise_refund(
            session, order.id, [(None, "1")], reason_code="damaged", note="x" * 2001, actor=agent
        )
    assert "note" in refused.value.field_errors


def test_an_unknown_order_is_not_found_and_a_number_finds_it(session, agent):
    with pytest.raises(NotFound):
        cr.raise_refund(session, "no-such-order", [], reason_code="damaged", note="", actor=agent)
    order, items, _ = make_order(session)
    request = cr.raise_refund(
        session, order.order_number, [(None, "2.00")], reason_code="goodwill", note="", actor=agent
    )
    assert request.shopping_mall_order_id == order.id


# ---- returns --------------------------------------------------------------------------------


def rma(session, order, items, agent, **kw):
    return cr.raise_return(
        session, order.id, items, reason_code="damaged", note="", actor=agent, **kw
    )


def test_a_return_takes_delivered_units_not_already_returning(session, agent):
    order, items, _ = make_order(
        session, status="partially_delivered", lines=((3, "10.00"), (2, "5.00")), delivered={0: 2}
    )
    lines = {li.item.id: li for li in cr.return_lines(session, order)}
    assert (lines[items[0].id].delivered, lines[items[1].id].delivered) == (2, 0)
    first = rma(session, order, {items[0].id: "1"}, agent)
    assert first.status == "pending" and first.rma_code.startswith("RMA-")
    assert first.original_shipment_id is not None
    (line,) = session.scalars(
        select(ReturnItem).where(ReturnItem.shopping_mall_return_request_id == first.id)
    ).all()
    assert (line.requested_quantity, line.refundable_amount) == (1, Decimal("10.00"))
    with pytest.raises(ValidationError) as refused:
        rma(session, order, {items[0].id: "2"}, agent)
    message = refused.value.field_errors[cr.quantity_field(items[0].id)][0]
    assert message == "At most 1 of Product 1: 2 delivered, 1 already in a return."
    with pytest.raises(ValidationError, match="At most 0 of Product 2"):
        rma(session, order, {items[1].id: "1"}, agent)
    assert rma(session, order, {items[0].id: "1"}, agent).status == "pending"
    assert cr.return_lines(session, order)[0].returnable == 0


def test_a_rejected_return_gives_its_units_back(session, agent):
    order, items, _ = make_order(session, lines=((2, "10.00"),))
    first = rma(session, order, {items[0].id: "2"}, agent)
    with pytest.raises(ValidationError):
        rma(session, order, {items[0].id: "1"}, agent)
    first.status = "rejected"
    session.flush()
    assert rma(session, order, {items[0].id: "2"}, agent).status == "pending"


@pytest.mark.parametrize("raw", ["-1", "1.5", "two"])
def test_return_quantities_are_whole_units(session, agent, raw):
    order, items, _ = make_order(session)
    with pytest.raises(ValidationError, match="whole number"):
        rma(session, order, {items[0].id: raw}, agent)


def test_a_return_needs_a_unit_and_refuses_all_of_it_on_one_bad_line(session, agent):
    order, items, _ = make_order(session)
    with pytest.raises(ValidationError, match="at least one delivered unit"):
        rma(session, order, {items[0].id: "0", items[1].id: ""}, agent)
    before = (count(session, ReturnRequest), count(session, ReturnItem))
    with pytest.raises(ValidationError):
        rma(session, order, {items[0].id: "1", items[1].id: "9"}, agent)
    assert (count(session, ReturnRequest), count(session, ReturnItem)) == before


# ---- cancellations --------------------------------------------------------------------------


def cancel(session, order, agent, **kw):
    return cr.raise_cancellation(
        session, order.id, reason_code="changed_mind", note="", actor=agent, **kw
    )


@pytest.mark.parametrize("status", ["pending_payment", "pending_confirmation", "confirmed"])
def test_a_cancellation_before_shipment(session, agent, status):
    order, _, _ = make_order(session, status=status)
    request = cancel(session, order, agent)
    assert request.status == "pending" and request.cancellation_request_number.startswith("CAN-")
    assert request.requested_by_user_id == agent.id


@pytest.mark.parametrize("status", ["partially_shipped", "shipped", "delivered", "canceled"])
def test_a_cancellation_after_shipment_is_refused(session, agent, status):
    order, _, _ = make_order(session, status=status)
    with pytest.raises(Conflict, match="only before anything ships"):
        cancel(session, order, agent)
    assert count(session, CancellationRequest) == 0


def test_an_order_on_hold_is_judged_by_the_state_it_interrupted(session, agent):
    waiting, _, _ = make_order(
        session, status="on_hold", history=("pending_payment", "confirmed", "on_hold")
    )
    assert cancel(session, waiting, agent).status == "pending"
    shipped, _, _ = make_order(
        session, status="on_hold", history=("confirmed", "shipped", "on_hold")
    )
    with pytest.raises(Conflict):
        cancel(session, shipped, agent)


def test_never_two_cancellations_open_at_once(session, agent):
    order, _, _ = make_order(session, status="confirmed")
    first = cancel(session, order, agent)
    with pytest.raises(Conflict, match=first.cancellation_request_number):
        cancel(session, order, agent)
    first.status = "approved"  # approved, not yet carried out: still open
    session.flush()
    with pytest.raises(Conflict):
        cancel(session, order, agent)
    first.status = "withdrawn"
    session.flush()
    assert cancel(session, order, agent).status == "pending"


# ---- the case it is raised from -------------------------------------------------------------


def test_raised_from_a_case_links_it_and_tells_the_case(session, agent):
    order, items, _ = make_order(session)
    case = make_case(session, order.shopping_mall_user_id)
    request = refund(session, order, [(items[1].id, "25")], agent, case_id=case.case_number)
    assert request.shopping_mall_support_case_id == case.id
    (event,) = session.scalars(
        select(SupportCaseEvent).where(SupportCaseEvent.shopping_mall_support_case_id == case.id)
    ).all()
    assert event.event_type == "request_raised" and event.visibility == "internal"
    assert event.body == f"Refund request {request.refund_request_number} raised for USD\xa025.00"
    assert event.actor_user_id == agent.id
    assert case.last_event_at == event.occurred_at
    audit_event = session.scalar(select(AuditEvent).where(AuditEvent.entity_id == request.id))
    assert audit_event.changes["after"]["case"] == case.case_number
    (listed,) = cr.for_case(session, case.id)
    assert (listed.kind, listed.number, listed.status, listed.amount) == (
        "Refund request", request.refund_request_number, "Pending", Decimal("25.00"),
    )  # fmt: skip


def test_return_and_cancellation_events_say_what_was_raised(session, agent):
    order, items, _ = make_order(session)
    case = make_case(session, order.shopping_mall_user_id)
    request = rma(session, order, {items[0].id: "2"}, agent, case_id=case.id)
    body = session.scalar(
        select(SupportCaseEvent.body).where(
            SupportCaseEvent.shopping_mall_support_case_id == case.id
        )
    )
    assert body == f"Return request {request.rma_code} raised for 2 units"
    confirmed, _, _ = make_order(session, status="confirmed", customer=None)
    own = make_case(session, confirmed.shopping_mall_user_id)
    can = cancel(session, confirmed, agent, case_id=own.id)
    body = session.scalar(
        select(SupportCaseEvent.body).where(
            SupportCaseEvent.shopping_mall_support_case_id == own.id
        )
    )
    assert body == f"Cancellation request {can.cancellation_request_number} raised"


def test_a_case_of_another_customer_is_refused(session, agent):
    order, items, _ = make_order(session)
    other, _, _ = make_order(session)
    case = make_case(session, other.shopping_mall_user_id)
    for attempt in (
        lambda: refund(session, order, [(None, "1")], agent, case_id=case.id),
        lambda: rma(session, order, {items[0].id: "1"}, agent, case_id=case.id),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.field_errors["case"] == [
            f"Case {case.case_number} is not about the customer of order {order.order_number}."
        ]
    with pytest.raises(ValidationError, match="does not exist"):
        refund(session, order, [(None, "1")], agent, case_id="CAS-19990101-000001")
    assert count(session, RefundRequest) == count(session, ReturnRequest) == 0
    assert count(session, SupportCaseEvent) == 0


def test_a_case_about_the_order_itself_is_accepted(session, agent):
    order, items, _ = make_order(session)
    case = make_case(session, None, order_id=order.id)
    assert (
        refund(session, order, [(None, "1")], agent, case_id=case.id).shopping_mall_support_case_id
        == case.id
    )


def test_for_order_lists_every_kind_in_words(session, agent):
    order, items, _ = make_order(session)
    rma(session, order, {items[0].id: "1"}, agent)
    existing_refund(session, order, "9.00", "pending_second_approval")
    found = {r.kind: r for r in cr.for_order(session, order.id)}
    assert found["Return request"].units == 1 and found["Return request"].amount is None
    assert found["Refund request"].status == "Pending second approval"
    assert found["Refund request"].tone == "warning"


def test_a_refused_case_is_said_with_the_other_fields(session, agent):
    order, items, _ = make_order(session)
    other, _, _ = make_order(session)
    case = make_case(session, other.shopping_mall_user_id)
    with pytest.raises(ValidationError) as refused:
        cr.raise_refund(
            session, order.id, [(items[0].id, "99")], reason_code="", note="", actor=agent,
            case_id=case.id,
        )  # fmt: skip
    assert set(refused.value.field_errors) == {"case", "reason_code", cr.amount_field(items[0].id)}


def test_a_line_may_ask_up_to_the_smaller_of_its_own_and_the_orders_room(session, agent):
    order, items, _ = make_order(session, captured="90.00")
    existing_refund(session, order, "80.00", "pending")  # on the whole order
    room = cr.refund_room(session, order)
    assert [room.up_to(line) for line in room.lines] == [Decimal("10.00"), Decimal("10.00")]


def test_what_was_refunded_to_store_credit_is_no_longer_refundable(session, agent):
    from mallconsole.services.money import wallets

    order, _, _ = make_order(session, captured="90.00")
    paid = existing_refund(session, order, "30.00", "executed")
    wallets.post(session, user_id=order.shopping_mall_user_id, currency="USD",
                 amount=Decimal("30.00"), record_type="refund", order_id=order.id,
                 refund_request_id=paid.id)  # fmt: skip
    room = cr.refund_room(session, order)
    assert (room.refunded, room.ceiling) == (Decimal("30.00"), Decimal("60.00"))
    with pytest.raises(ValidationError, match="USD\xa060.00"):
        refund(session, order, [(None, "60.01")], agent)
