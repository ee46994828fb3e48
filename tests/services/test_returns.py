"""Returns (RMA): every move and every refusal, the quantity and amount rules, closing's one
refund request and restock, and what the queue and the return screen read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from mallconsole.models import (
    AuditEvent,
    InventoryAdjustment,
    InventoryRecord,
    RefundItem,
    RefundRequest,
    ReturnItem,
    ReturnShipment,
    SellerOrder,
    Store,
    SupportCaseEvent,
    User,
)
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.services.orders import returns
from tests.factories import returns as rf
from tests.factories.records import build
from tests.factories.request_orders import refund_paid

USD = "USD\xa0"


@pytest.fixture
def people(session):
    return rf.staff(session)


@pytest.fixture
def agent(people):
    return people[0]


@pytest.fixture
def ops(people):
    return people[1]


def line_id(session, rma, order_item):
    return rf.item_of(session, rma, order_item).id


def events(session, rma, action=None):
    where = [AuditEvent.entity_table == returns.TABLE, AuditEvent.entity_id == rma.id]
    if action:
        where.append(AuditEvent.action == action)
    return session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.created_at)).all()


def decide(session, rma, ops, approvals, reason=None, version=None):
    return returns.decide(session, rma.rma_code, approvals, reason=reason, actor=ops,
                          expected_version=version or rma.version)  # fmt: skip


# ---- deciding ----------------------------------------------------------------------------------


def test_approving_every_unit_approves_the_return(session, agent, ops):
    rma, order, items, _, case = rf.make_return(session, agent, ops, with_case=True)
    done = decide(session, rma, ops, {line_id(session, rma, items[0]): "2"})
    assert rma.status == "approved" and rma.decided_at is not None and rma.version == 2
    assert rf.item_of(session, rma, items[0]).approved_quantity == 2
    assert done.message == f"Return {rma.rma_code}: approved 2 units of 2."
    (event,) = events(session, rma, "return.approved")
    assert event.changes["before"] == {"status": "pending", "version": 1}
    assert event.changes["after"] == {"status": "approved", "items": {"Product 1": "2 of 2"},
                                      "version": 2}  # fmt: skip
    told = session.scalars(
        select(SupportCaseEvent).where(
            SupportCaseEvent.shopping_mall_support_case_id == case.id,
            SupportCaseEvent.event_type == "request_decided",
        )
    ).all()
    assert [e.body for e in told] == [f"Return {rma.rma_code}: approved 2 units of 2."]


def test_approving_some_units_needs_a_reason_kept_by_the_audit_event(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, units={0: 2, 1: 1})
    approvals = {line_id(session, rma, items[0]): "1", line_id(session, rma, items[1]): "0"}
    with pytest.raises(ValidationError) as refused:
        decide(session, rma, ops, approvals)
    assert refused.value.field_errors == {
        "reason": ["Say why units are refused: the agent tells the customer."]
    }
    assert rma.status == "pending" and rma.version == 1
    decide(session, rma, ops, approvals, reason="One unit was used.")
    assert rma.status == "approved"
    assert [rf.item_of(session, rma, i).approved_quantity for i in items] == [1, 0]
    (event,) = events(session, rma, "return.approved")
    assert event.reason == "One unit was used."
    assert event.summary == "Approved 1 unit of 3"
    assert returns.load(session, rma.id).decision_reason == "One unit was used."


def test_refusing_every_unit_rejects_the_return(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops)
    approvals = {line_id(session, rma, items[0]): "0"}
    with pytest.raises(ValidationError, match="why the return is rejected"):
        decide(session, rma, ops, approvals)
    done = decide(session, rma, ops, approvals, reason="Outside the return window.")
    assert rma.status == "rejected" and rma.decided_at is not None
    assert done.message == f"Return {rma.rma_code}: rejected all 2 units."
    assert events(session, rma, "return.rejected")[0].reason == "Outside the return window."
    # a rejected return no longer holds its units: they can be returned again
    order = rma.shopping_mall_order_id
    assert cr.return_lines(session, cr.find_order(session, order))[0].returnable == 2


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("3", "At most 2: the customer asked to return 2 units."),
        ("-1", "Enter how many units of Product 1 to approve (0 refuses them)."),
        ("two", "Enter how many units of Product 1 to approve (0 refuses them)."),
        ("", "Enter how many units of Product 1 to approve (0 refuses them)."),
        (None, "Enter how many units of Product 1 to approve (0 refuses them)."),
    ],
)
def test_units_approved_are_a_whole_number_up_to_those_asked(session, agent, ops, raw, words):
    rma, _, items, _, _ = rf.make_return(session, agent, ops)
    key = line_id(session, rma, items[0])
    with pytest.raises(ValidationError) as refused:
        decide(session, rma, ops, {key: raw} if raw is not None else {}, reason="x")
    assert refused.value.field_errors[returns.approve_field(key)] == [words]
    assert rma.status == "pending"


def test_units_approved_leave_room_for_the_orders_other_returns(session, agent, ops):
    rma, order, items, _, _ = rf.make_return(session, agent, ops, units={0: 1})
    # another return (raised before the rule counted its units) holds both delivered units
    other = build(session, "shopping_mall_return_requests", shopping_mall_order_id=order.id,
                  status="approved", rma_code="RMA-20260101-999999")  # fmt: skip
    build(session, ReturnItem, shopping_mall_return_request_id=other.id,
          shopping_mall_order_item_id=items[0].id, requested_quantity=2,
          approved_quantity=2)  # fmt: skip
    key = line_id(session, rma, items[0])
    with pytest.raises(ValidationError) as refused:
        decide(session, rma, ops, {key: "1"})
    assert refused.value.field_errors[returns.approve_field(key)] == [
        "At most 0 of Product 1: 2 delivered, 2 already in other returns."
    ]


def test_an_item_of_another_return_is_refused(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops)
    with pytest.raises(ValidationError) as refused:
        decide(session, rma, ops, {line_id(session, rma, items[0]): "2", "elsewhere": "1"})
    assert refused.value.field_errors["items"] == ["That item is not part of this return."]


def test_a_return_is_decided_once(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="approved")
    with pytest.raises(InvalidTransition, match="cannot go from Approved to Approved|already"):
        decide(session, rma, ops, {line_id(session, rma, items[0]): "2"})


def test_a_stale_decision_says_what_changed(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="approved")
    with pytest.raises(StaleRecord) as stale:
        decide(session, rma, ops, {line_id(session, rma, items[0]): "2"}, version=1)
    assert stale.value.current_version == rma.version
    assert "it is approved now, so this was not saved" in stale.value.message
    assert ("State", "approved") in [(c.label, c.value) for c in stale.value.changes]


def test_an_unknown_return_is_not_found(session, ops):
    for reference in ("RMA-20260101-000000", "", "bad ref\x00", "x" * 80):
        with pytest.raises(NotFound):
            returns.load(session, reference)
    with pytest.raises(NotFound):
        returns.decide(session, "nope", {}, reason=None, actor=ops, expected_version=1)


# ---- the parcel --------------------------------------------------------------------------------


def test_recording_the_parcel_puts_the_return_in_transit(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops, state="approved")
    carrier = rf.carrier(session, "Parcel Express")
    done = returns.record_shipment(session, rma.rma_code, carrier_id=carrier.id,
                                   tracking_number=" rt-0001234 ", actor=ops,
                                   expected_version=rma.version)  # fmt: skip
    assert rma.status == "in_transit_back"
    parcel = session.scalars(
        select(ReturnShipment).where(ReturnShipment.shopping_mall_return_request_id == rma.id)
    ).one()
    assert (parcel.tracking_number, parcel.status) == ("RT-0001234", "in_transit")
    assert parcel.shopping_mall_carrier_id == carrier.id and parcel.shipped_at is not None
    assert done.message == f"Return {rma.rma_code} is on its way back: Parcel Express RT-0001234."
    view = returns.load(session, rma.id)
    assert view.carrier.name == "Parcel Express"
    assert view.tracking_link == "https://track.example/RT-0001234"


def test_a_parcel_needs_an_active_carrier_and_a_tracking_number(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops, state="approved")
    retired = build(session, "shopping_mall_carriers", active=False)
    with pytest.raises(ValidationError) as refused:
        returns.record_shipment(session, rma.id, carrier_id=retired.id, tracking_number="a b",
                                actor=ops, expected_version=rma.version)  # fmt: skip
    assert set(refused.value.field_errors) == {"carrier", "tracking_number"}
    with pytest.raises(ValidationError):
        returns.record_shipment(session, rma.id, carrier_id=None, tracking_number="RT1234",
                                actor=ops, expected_version=rma.version)  # fmt: skip
    assert rma.status == "approved"


def test_only_an_approved_return_is_sent_back(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops)
    with pytest.raises(InvalidTransition, match="cannot go from Pending to On its way back"):
        returns.record_shipment(session, rma.id, carrier_id=rf.carrier(session).id,
                                tracking_number="RT1234", actor=ops,
                                expected_version=rma.version)  # fmt: skip


def test_receiving_the_parcel_checks_it_in_and_waits_for_inspection(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="in_transit_back")
    done = returns.mark_received(session, rma.id, actor=ops, expected_version=rma.version)
    assert rma.status == "received"
    parcel = returns.load(session, rma.id).shipment
    assert parcel.status == "received" and parcel.received_at is not None
    assert parcel.delivered_at is not None
    assert rf.item_of(session, rma, items[0]).inspection_status == "pending"
    assert done.message == f"Return {rma.rma_code} received: inspect its 2 units."


def test_a_return_handed_in_without_a_parcel_is_received_from_approved(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops, state="approved")
    returns.mark_received(session, rma.id, actor=ops, expected_version=rma.version)
    assert rma.status == "received" and returns.load(session, rma.id).shipment is None


def test_a_pending_return_is_not_received(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops)
    with pytest.raises(InvalidTransition):
        returns.mark_received(session, rma.id, actor=ops, expected_version=rma.version)


# ---- inspecting --------------------------------------------------------------------------------


def test_inspecting_an_item_records_its_outcome(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    done = rf.inspect(session, rma, items[0], ops, amount="35.50", note="Scuffed box only.")
    item = rf.item_of(session, rma, items[0])
    assert (item.inspection_status, item.received_condition) == ("passed", "as_new")
    assert (
        item.refundable_amount == Decimal("35.50") and item.inspection_note == "Scuffed box only."
    )
    assert done.message == f"Inspected Product 1: passed, as new, refund {USD}35.50."
    (event,) = events(session, rma, "return.inspected")
    assert event.changes["before"]["inspection_status"] == "pending"
    assert event.changes["after"]["refundable_amount"] == "35.50"
    assert event.changes["after"]["currency"] == "USD"
    rf.inspect(session, rma, items[0], ops, outcome="failed", condition="damaged")  # again
    item = rf.item_of(session, rma, items[0])
    assert item.inspection_status == "failed" and item.refundable_amount == 0


@pytest.mark.parametrize(
    ("outcome", "amount", "field", "words"),
    [
        ("passed", "40.01", "refundable_amount", f"At most {USD}40.00"),
        ("passed", "", "refundable_amount", "above zero"),
        ("passed", "0", "refundable_amount", "above zero"),
        ("passed", "ten", "refundable_amount", "Enter an amount"),
        ("passed", "1.005", "refundable_amount", ""),
        ("failed", "5.00", "refundable_amount", "A failed item refunds nothing"),
        ("pending", "", "outcome", "passed or failed"),
    ],
)
def test_inspections_are_refused_with_field_errors(session, agent, ops, outcome, amount, field,
                                                   words):  # fmt: skip
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    with pytest.raises(ValidationError) as refused:
        returns.inspect(session, rma.id, line_id(session, rma, items[0]), condition="as_new",
                        outcome=outcome, note=None, refundable=amount, actor=ops,
                        expected_version=rma.version)  # fmt: skip
    assert words in refused.value.field_errors[field][0]
    assert rf.item_of(session, rma, items[0]).inspection_status == "pending"


def test_a_condition_from_the_list_and_a_short_note(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    with pytest.raises(ValidationError) as refused:
        returns.inspect(session, rma.id, line_id(session, rma, items[0]), condition="mint",
                        outcome="passed", note="x" * 1001, refundable="10", actor=ops,
                        expected_version=rma.version)  # fmt: skip
    assert {"condition", "note"} <= set(refused.value.field_errors)


def test_what_an_item_can_refund_counts_other_refunds_and_the_order(session, agent, ops):
    # line 1: 2 × 20.00 returned; another refund already asks 15.00 of that line
    rma, order, items, payment, _ = rf.make_return(session, agent, ops, state="received",
                                                  captured="60.00")  # fmt: skip
    cr.raise_refund(session, order.id, [(items[0].id, "15.00")], reason_code="damaged",
                    note="", actor=agent)  # fmt: skip
    view = returns.load(session, rma.id)
    assert view.lines[0].can_refund == Decimal("25.00")  # the line's 40.00 less 15.00
    refund_paid(session, payment, "30.00")  # the order: 60 captured − 30 refunded − 15 asked
    assert returns.load(session, rma.id).lines[0].can_refund == Decimal("15.00")
    with pytest.raises(ValidationError, match=f"At most {USD}15.00"):
        rf.inspect(session, rma, items[0], ops, amount="15.01")


def test_only_a_received_return_and_its_approved_items_are_inspected(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="in_transit_back")
    with pytest.raises(Conflict, match="once the return is received"):
        rf.inspect(session, rma, items[0], ops)
    rma2, _, items2, _, _ = rf.make_return(session, agent, ops, state="received",
                                           units={0: 2, 1: 1}, approve={0: 2})  # fmt: skip
    with pytest.raises(Conflict, match="No unit of Product 2 was approved"):
        rf.inspect(session, rma2, items2[1], ops, amount="10.00")
    with pytest.raises(NotFound):
        returns.inspect(session, rma2.id, "not-a-line", condition="as_new", outcome="passed",
                        note=None, refundable="1", actor=ops,
                        expected_version=rma2.version)  # fmt: skip


def test_an_inspection_on_an_old_version_is_refused(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    seen = rma.version
    rf.inspect(session, rma, items[0], ops, amount="30.00")
    with pytest.raises(StaleRecord) as stale:
        returns.inspect(session, rma.id, line_id(session, rma, items[0]), condition="opened",
                        outcome="passed", note=None, refundable="20.00", actor=ops,
                        expected_version=seen)  # fmt: skip
    assert ("Refundable", "30.00") in [(c.label, c.value) for c in stale.value.changes]


# ---- closing -----------------------------------------------------------------------------------


def refunds_of(session, rma):
    return session.scalars(
        select(RefundRequest).where(RefundRequest.shopping_mall_return_request_id == rma.id)
    ).all()


def test_closing_raises_one_refund_and_restocks_what_passed(session, agent, ops):
    rma, order, items, _, case = rf.make_return(
        session, agent, ops, state="received", units={0: 2, 1: 1}, with_case=True
    )
    rf.inspect(session, rma, items[0], ops, amount="38.00")
    rf.inspect(session, rma, items[1], ops, outcome="failed", condition="damaged")
    desk = rf.location(session, items[0], name="Returns desk")
    rf.location(session, items[0], name="Main warehouse")
    stock = build(session, InventoryRecord, shopping_mall_sku_id=items[0].shopping_mall_sku_id,
                  shopping_mall_inventory_location_id=desk.id, on_hand=5, non_sellable=0,
                  safety_stock_threshold=1)  # fmt: skip
    view = returns.load(session, rma.id)
    assert [s.units for s in view.stores] == [2] and len(view.stores[0].locations) == 2
    assert view.to_refund == Decimal("38.00")
    done = returns.close(session, rma.rma_code, locations=[desk.id], actor=ops,
                         expected_version=rma.version)  # fmt: skip
    assert rma.status == "closed"
    (refund,) = refunds_of(session, rma)
    assert done.refund is refund
    assert (refund.status, refund.reason_code) == ("pending", "returned")
    assert refund.total_requested_amount == Decimal("38.00")
    assert refund.shopping_mall_support_case_id == case.id
    lines = session.scalars(
        select(RefundItem).where(RefundItem.shopping_mall_refund_request_id == refund.id)
    ).all()
    assert [(line.shopping_mall_order_item_id, line.amount) for line in lines] == [
        (items[0].id, Decimal("38.00"))
    ]
    assert stock.on_hand == 7
    (adjustment,) = session.scalars(
        select(InventoryAdjustment).where(
            InventoryAdjustment.shopping_mall_sku_id == items[0].shopping_mall_sku_id
        )
    ).all()
    assert (adjustment.delta, adjustment.reason_category) == (2, "return")
    assert adjustment.adjustment_reference == f"{rma.rma_code}/1"
    assert done.message == (
        f"Return {rma.rma_code} closed: refund request {refund.refund_request_number} raised "
        f"for {USD}38.00, 2 units back in stock."
    )
    (event,) = events(session, rma, "return.closed")
    assert event.changes["after"]["refund"] == refund.refund_request_number
    assert event.changes["after"]["restocked"] == {"Product 1": "2 units at Returns desk"}
    assert returns.load(session, rma.id).refund.id == refund.id


def test_a_passed_damaged_item_is_refunded_but_not_restocked(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, condition="damaged", amount="40.00")
    assert returns.load(session, rma.id).stores == []  # nothing to put back: no location asked
    done = returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    assert done.refund.total_requested_amount == Decimal("40.00")
    assert "nothing back in stock" in done.message
    assert session.scalars(select(InventoryAdjustment)).all() == []


def test_a_first_return_to_a_location_makes_its_stock_record(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, condition="opened", amount="30.00")
    desk = rf.location(session, items[0], name="Returns desk")
    returns.close(session, rma.id, locations=[desk.id], actor=ops, expected_version=rma.version)
    record = session.scalars(
        select(InventoryRecord).where(
            InventoryRecord.shopping_mall_inventory_location_id == desk.id
        )
    ).one()
    assert record.on_hand == 2


def test_nothing_passed_closes_without_a_refund_or_restock(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, outcome="failed", condition="damaged")
    done = returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    assert done.refund is None and refunds_of(session, rma) == []
    assert done.message == (
        f"Return {rma.rma_code} closed: nothing to refund, nothing back in stock."
    )


def test_closing_needs_every_approved_item_inspected(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received", units={0: 2, 1: 1})
    rf.inspect(session, rma, items[0], ops, amount="10.00")
    with pytest.raises(Conflict, match="Product 2 is not inspected yet"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    assert rma.status == "received" and refunds_of(session, rma) == []


def test_closing_needs_a_location_of_each_restocking_store(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, amount="10.00")
    with pytest.raises(ValidationError, match="has no active location"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    mine = rf.location(session, items[0])
    with pytest.raises(ValidationError, match="Choose where .* puts the 2 units back in stock"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    foreign = build(session, "shopping_mall_inventory_locations", active=True)
    for wrong in ([foreign.id], [mine.id, mine.id], ["nowhere"]):
        with pytest.raises(ValidationError) as refused:
            returns.close(session, rma.id, locations=wrong, actor=ops,
                          expected_version=rma.version)  # fmt: skip
        assert "location" in refused.value.field_errors
    assert rma.status == "received" and refunds_of(session, rma) == []


def test_a_return_closes_once(session, agent, ops):
    rma, _, items, _, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, condition="damaged", amount="40.00")
    returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    with pytest.raises(InvalidTransition, match="already Closed"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    with pytest.raises(StaleRecord, match="it is closed now"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version - 1)
    assert len(refunds_of(session, rma)) == 1


def test_closing_refuses_amounts_the_order_can_no_longer_refund(session, agent, ops):
    rma, _, items, payment, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, condition="damaged", amount="40.00")
    refund_paid(session, payment, "80.00")  # meanwhile: only 10.00 of the 90.00 is left
    with pytest.raises(Conflict, match="The refund cannot be raised as inspected") as refused:
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    assert f"{USD}10.00" in refused.value.message
    assert rma.status == "received"


def test_an_approved_return_never_sent_back_closes_with_nothing(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops, state="approved")
    done = returns.close(session, rma.id, actor=ops, expected_version=rma.version)
    assert rma.status == "closed" and done.refund is None
    assert done.message == f"Return {rma.rma_code} closed: the parcel never came back."
    assert refunds_of(session, rma) == []


def test_a_return_on_its_way_back_is_not_closed(session, agent, ops):
    rma, *_ = rf.make_return(session, agent, ops, state="in_transit_back")
    with pytest.raises(InvalidTransition, match="cannot go from On its way back to Closed"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)


def test_a_standing_refund_of_the_return_is_not_raised_twice(session, agent, ops):
    rma, order, items, _, _ = rf.make_return(session, agent, ops, state="received")
    rf.inspect(session, rma, items[0], ops, condition="damaged", amount="40.00")
    cr.raise_refund(session, order.id, [(items[0].id, "5.00")], reason_code="returned",
                    note="", actor=agent, return_id=rma.id)  # fmt: skip
    with pytest.raises(Conflict, match="was already raised for"):
        returns.close(session, rma.id, actor=ops, expected_version=rma.version)


# ---- raising a refund for a return (customer_requests) -----------------------------------------


def test_a_refund_for_a_return_is_linked_and_only_for_returned_items(session, agent, ops):
    rma, order, items, _, _ = rf.make_return(session, agent, ops)
    with pytest.raises(ValidationError) as refused:
        cr.raise_refund(session, order.id, [(items[0].id, "5.00")], reason_code="damaged",
                        note="", actor=agent, return_id=rma.id)  # fmt: skip
    assert "reason_code" in refused.value.field_errors
    other, *_ = rf.make_return(session, agent, ops)
    with pytest.raises(NotFound):
        cr.raise_refund(session, order.id, [(items[0].id, "5.00")], reason_code="returned",
                        note="", actor=agent, return_id=other.id)  # fmt: skip
    with pytest.raises(ValidationError):  # without a return, "returned" is no customer reason
        cr.raise_refund(session, order.id, [(items[0].id, "5.00")], reason_code="returned",
                        note="", actor=agent)  # fmt: skip


def test_a_decided_return_holds_its_approved_units_only(session, agent, ops):
    rma, order, items, _, _ = rf.make_return(session, agent, ops, state="approved",
                                            approve={0: 1})  # fmt: skip
    line = cr.return_lines(session, order)[0]
    assert (line.delivered, line.in_returns, line.returnable) == (2, 1, 1)


# ---- the queue and the screen ------------------------------------------------------------------


def page(session, tab="all", **filters):
    ordering = returns.RETURN_SORTS[0]
    from mallconsole.services.kit.pagination import Ordering

    return returns.return_page(session, tab, filters, Ordering(ordering, True, returns.RETURN_ID),
                               cursor=None, limit=50)  # fmt: skip


def test_the_queue_reads_its_tabs_filters_and_rows(session, agent, ops):
    waiting, order, items, _, _ = rf.make_return(session, agent, ops, units={0: 2, 1: 1})
    rf.make_return(session, agent, ops, state="approved", approve={0: 1})
    received, *_ = rf.make_return(session, agent, ops, state="received")
    counts = {tab.key: tab.count.value for tab in returns.tabs(session)}
    assert counts["pending"] >= 1 and counts["received"] >= 1
    assert counts["all"] >= 3
    rows = {row.request.id: row for row in page(session, "pending").rows}
    row = rows[waiting.id]
    assert (row.order_number, row.requested, row.approved) == (order.order_number, 3, None)
    buyer = session.get(User, order.shopping_mall_user_id)
    assert row.status_label == "Pending" and row.customer == (buyer.name or buyer.nickname)
    seller_order = session.get(SellerOrder, items[0].shopping_mall_seller_order_id)
    assert row.stores == [session.get(Store, seller_order.shopping_mall_store_id).name]
    assert received.id not in rows
    assert received.id in {r.request.id for r in page(session, "all", status="received").rows}
    assert waiting.id not in {r.request.id for r in page(session, "all", status="closed").rows}
    assert waiting.id in {r.request.id for r in page(session, "all", reason="damaged").rows}
    assert waiting.id not in {r.request.id for r in page(session, "all", reason="too_small").rows}
    assert page(session, "all", store="no store is called this").rows == []
    assert returns.count_returns(session, "pending", {"reason": "too_small"}).value == 0


def test_the_return_screen_reads_each_lines_units(session, agent, ops):
    rma, order, items, _, case = rf.make_return(session, agent, ops, state="approved",
                                                units={0: 2, 1: 1}, approve={0: 1, 1: 1},
                                                with_case=True)  # fmt: skip
    view = returns.load(session, rma.rma_code.lower())
    assert view.request.id == rma.id and view.case.id == case.id
    first, second = view.lines
    assert (first.order_item.quantity, first.delivered, first.elsewhere) == (2, 2, 0)
    assert (first.item.requested_quantity, first.item.approved_quantity) == (2, 1)
    assert first.can_refund == Decimal("20.00") and second.can_refund == Decimal("50.00")
    assert view.requested_units == 3 and view.approved_units == 2
    assert view.moves == ("in_transit_back", "received", "closed")
    assert [c.name for c in view.carriers] == [c.name for c in returns.active_carriers(session)]
    assert view.requester.email == agent.email
    assert [e.event.action for e in view.history] == ["return.approved", "return.raised"]
