"""The demo world's returns (RMA): work waiting in every state operations acts on, quantities
the return service would allow, parcels, inspections, refunds and restocks that agree with
each return's state; and a waiting return can be worked to the end by the services."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.models import ReturnRequest, User
from mallconsole.services.orders import returns
from tests.demo.test_demo_states import rows


def test_returns_wait_in_every_state_operations_works(demo):
    found = dict(rows(demo, "SELECT status, COUNT(*) FROM shopping_mall_return_requests "
                            "GROUP BY status"))  # fmt: skip
    assert set(found) == set(states.RETURN_REQUEST)
    for waiting in ("pending", "approved", "in_transit_back", "received"):
        assert found[waiting] >= 1, waiting


def test_return_quantities_keep_the_rules(demo):
    delivered = defaultdict(int)
    for item_id, units in rows(
        demo,
        "SELECT si.shopping_mall_order_item_id, si.quantity FROM shopping_mall_shipment_items si "
        "JOIN shopping_mall_shipments s ON s.id = si.shopping_mall_shipment_id "
        "WHERE s.status = 'delivered'",
    ):
        delivered[item_id] += units
    held = defaultdict(int)
    lines = rows(
        demo,
        "SELECT r.rma_code, r.status, i.shopping_mall_order_item_id, i.requested_quantity, "
        "i.approved_quantity, i.inspection_status, i.received_condition, i.refundable_amount "
        "FROM shopping_mall_return_items i "
        "JOIN shopping_mall_return_requests r ON r.id = i.shopping_mall_return_request_id",
    )
    assert lines
    for number, status, item_id, asked, approved, inspection, condition, refundable in lines:
        assert asked >= 1, number
        decided = status not in ("pending",)
        assert (approved is not None) == decided, number
        if approved is not None:
            assert 0 <= approved <= asked, number
        if status == "rejected":
            assert approved == 0, number
        if status != "rejected":
            held[item_id] += approved if approved is not None else asked
        if status in ("received", "closed") and approved:
            assert inspection in states.RETURN_INSPECTIONS, number
        else:
            assert inspection is None and condition is None, number
        if status == "closed" and approved and inspection is not None:
            assert inspection in ("passed", "failed"), number  # closing needs every inspection
        if inspection == "failed":
            assert Decimal(str(refundable)) == 0, number
        if inspection in ("passed", "failed"):
            assert condition in states.RETURN_CONDITIONS, number
    for item_id, units in held.items():
        assert units <= delivered[item_id], item_id


def test_parcels_refunds_and_restocks_follow_each_returns_state(demo):
    parcels = {
        return_id: (status, received_at)
        for return_id, status, received_at in rows(
            demo,
            "SELECT shopping_mall_return_request_id, status, received_at "
            "FROM shopping_mall_return_shipments",
        )
    }
    refunds = defaultdict(list)
    for return_id, reason, amount in rows(
        demo,
        "SELECT shopping_mall_return_request_id, reason_code, total_requested_amount "
        "FROM shopping_mall_refund_requests WHERE shopping_mall_return_request_id IS NOT NULL",
    ):
        refunds[return_id].append((reason, Decimal(str(amount))))
    passed = defaultdict(Decimal)
    for return_id, amount in rows(
        demo,
        "SELECT shopping_mall_return_request_id, refundable_amount FROM shopping_mall_return_items "
        "WHERE inspection_status = 'passed'",
    ):
        passed[return_id] += Decimal(str(amount))
    for return_id, number, status in rows(
        demo, "SELECT id, rma_code, status FROM shopping_mall_return_requests"
    ):
        parcel = parcels.get(return_id)
        if status == "in_transit_back":
            assert parcel is not None and parcel[0] == "in_transit" and parcel[1] is None, number
        elif parcel is not None:
            assert status in ("received", "closed") and parcel[0] == "received", number
            assert parcel[1] is not None, number
        if status == "closed" and passed[return_id]:
            assert refunds[return_id] == [("returned", passed[return_id])], number
        else:
            assert refunds[return_id] == [], number
    restocks = rows(
        demo,
        "SELECT a.adjustment_reference, a.delta FROM shopping_mall_inventory_adjustments a "
        "WHERE a.reason_category = 'return'",
    )
    assert restocks
    expected = {
        f"{number}/{position}": approved
        for number, position, approved in rows(
            demo,
            "SELECT r.rma_code, o.line_position, i.approved_quantity "
            "FROM shopping_mall_return_items i "
            "JOIN shopping_mall_return_requests r ON r.id = i.shopping_mall_return_request_id "
            "JOIN shopping_mall_order_items o ON o.id = i.shopping_mall_order_item_id "
            "WHERE r.status = 'closed' AND i.inspection_status = 'passed' "
            "AND i.received_condition <> 'damaged'",
        )
    }
    assert dict(restocks) == expected


def test_adjustments_move_stock_the_way_their_reason_says(demo):
    for reason, delta in rows(
        demo, "SELECT reason_category, delta FROM shopping_mall_inventory_adjustments"
    ):
        assert delta != 0
        if reason in states.ADJUSTMENT_ADDS:
            assert delta > 0, (reason, delta)
        if reason in states.ADJUSTMENT_REMOVES:
            assert delta < 0, (reason, delta)


def test_a_waiting_return_is_worked_to_the_end_by_the_services(seeded):
    """Every demo return reads; a received one is inspected and closed by the services (and
    rolled back): the demo world's quantities and amounts are ones the rules accept."""
    _, engine, _, _ = seeded
    with Session(engine) as session:
        ops = SimpleNamespace(
            id=session.scalar(select(User.id).where(User.email == "ops@demo.mall"))
        )
        for reference in session.scalars(select(ReturnRequest.rma_code)):
            returns.load(session, reference)
        rma = session.scalars(
            select(ReturnRequest).where(ReturnRequest.status == "received").limit(1)
        ).one()
        view = returns.load(session, rma.id)
        for line in view.waiting_inspection:
            returns.inspect(session, rma.id, line.item.id, condition="as_new", outcome="passed",
                            note=None, refundable=str(line.can_refund), actor=ops,
                            expected_version=rma.version)  # fmt: skip
        view = returns.load(session, rma.id)
        chosen = [store.locations[0].id for store in view.stores]
        done = returns.close(session, rma.id, locations=chosen, actor=ops,
                             expected_version=rma.version)  # fmt: skip
        assert rma.status == "closed"
        assert (done.refund is not None) == (view.to_refund > 0)
        session.rollback()
