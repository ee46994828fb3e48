"""Returns (RMA) in each state, reached through the services: an order delivered, a return
raised by an agent, then decided, sent back, received and inspected by an operations manager;
and stock locations of the stores whose SKUs the order sold."""

from __future__ import annotations

import uuid

from mallconsole.models import Carrier, InventoryLocation, OrderItem, Product, Sku
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.orders import returns
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.request_orders import make_case, make_order

# The states a return is taken to, in order.
PATH = ("pending", "approved", "in_transit_back", "received")


def staff(session):
    """An agent who raises returns and an operations manager who works them."""
    tag = uuid.uuid4().hex[:8]
    return (
        make_staff(session, f"agent-rma-{tag}@test.mall", ("support_agent",)),
        make_staff(session, f"ops-rma-{tag}@test.mall", ("operations_manager",), name="Ola Ops"),
    )


def carrier(session, name="Parcel Express"):
    return build(
        session,
        Carrier,
        code=f"PX{uuid.uuid4().hex[:6]}",
        name=name,
        active=True,
        tracking_url_template="https://track.example/{tracking_number}",
    )


def store_of(session, order_item: OrderItem) -> str:
    """The store whose SKU the line sold (its stock lives at that store's locations)."""
    sku = session.get(Sku, order_item.shopping_mall_sku_id)
    return session.get(Product, sku.shopping_mall_product_id).shopping_mall_store_id


def location(session, order_item: OrderItem, name="Austin warehouse", **values):
    """An active stock location of the store of ``order_item``'s SKU."""
    values.setdefault("code", f"L{uuid.uuid4().hex[:6]}")
    return build(session, InventoryLocation, shopping_mall_store_id=store_of(session, order_item),
                 name=name, active=True, **values)  # fmt: skip


def make_return(session, agent, manager, *, state="pending", units=None, approve=None,
                with_case=False, **order_values):  # fmt: skip
    """A return of an order (``make_order``'s: line 1 two units of 20.00, line 2 one of 50.00)
    asking ``units`` ({line index: units}, default every delivered unit of line 1) and taken to
    ``state`` by ``manager`` (approving ``approve`` {line index: units}, default all asked)."""
    order, items, payment = make_order(session, **order_values)
    units = units or {0: items[0].quantity}
    case = make_case(session, order.shopping_mall_user_id) if with_case else None
    rma = cr.raise_return(
        session, order.id, {items[i].id: str(n) for i, n in units.items()},
        reason_code="damaged", note="The box was crushed.", actor=agent,
        case_id=case.id if case else None,
    )  # fmt: skip
    lines = {line.order_item.id: line for line in returns.load(session, rma.id).lines}
    if PATH.index(state) >= 1:
        chosen = approve if approve is not None else units
        approvals = {lines[items[i].id].item.id: str(chosen.get(i, 0)) for i in units}
        returns.decide(session, rma.id, approvals, reason="Only what was damaged.",
                       actor=manager, expected_version=rma.version)  # fmt: skip
    if PATH.index(state) >= 2:
        returns.record_shipment(session, rma.id, carrier_id=carrier(session).id,
                                tracking_number="RT000123456789", actor=manager,
                                expected_version=rma.version)  # fmt: skip
    if PATH.index(state) >= 3:
        returns.mark_received(session, rma.id, actor=manager, expected_version=rma.version)
    return rma, order, items, payment, case


def item_of(session, rma, order_item):
    """The return line of ``order_item``."""
    return next(
        line.item for line in returns.load(session, rma.id).lines
        if line.order_item.id == order_item.id
    )  # fmt: skip


def inspect(session, rma, order_item, manager, *, outcome="passed", condition="as_new",
            amount="40.00", note=None):  # fmt: skip
    return returns.inspect(
        session, rma.id, item_of(session, rma, order_item).id, condition=condition,
        outcome=outcome, note=note, refundable=amount if outcome == "passed" else "",
        actor=manager, expected_version=rma.version,
    )  # fmt: skip
