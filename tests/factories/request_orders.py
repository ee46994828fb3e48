"""Orders ready for cancellation, return and refund requests: lines, a captured payment,
delivered shipments, and a support case of the same customer."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from decimal import Decimal

from mallconsole.models import (
    Order,
    OrderItem,
    OrderStatusHistory,
    Payment,
    PaymentCapture,
    PaymentRefund,
    SellerOrder,
    Shipment,
    ShipmentItem,
    SupportCase,
    utcnow,
)
from tests.factories.actors import make_customer
from tests.factories.records import build

_serial = itertools.count(1)


def make_order(
    session,
    *,
    status: str = "delivered",
    lines=((2, "20.00"), (1, "50.00")),
    captured: str | None = "90.00",
    delivered: dict[int, int] | None = None,
    currency: str = "USD",
    customer=None,
    history: tuple[str, ...] = (),
):
    """An order of ``lines`` ((quantity, unit price), …) with ``captured`` taken and, when
    ``delivered`` ({line index: units}) is given or the order is delivered, a delivered
    shipment carrying those units."""
    n = next(_serial)
    customer = customer or make_customer(session, f"buyer-{uuid.uuid4().hex[:10]}@example.test")
    total = sum((q * Decimal(p) for q, p in lines), Decimal(0))
    order = build(
        session,
        Order,
        shopping_mall_user_id=customer.id,
        order_number=f"ORD-20260101-{uuid.uuid4().int % 10**6:06d}{n}",
        status=status,
        currency=currency,
        subtotal=total,
        discount_total=Decimal(0),
        shipping_total=Decimal(0),
        tax_total=Decimal(0),
        grand_total=total,
        placed_at=utcnow(),
    )
    for position, state in enumerate(history):
        build(
            session,
            OrderStatusHistory,
            shopping_mall_order_id=order.id,
            status=state,
            recorded_at=utcnow().replace(microsecond=0)
            - timedelta(seconds=len(history) - position),
        )
    seller_order = build(
        session, SellerOrder, shopping_mall_order_id=order.id, currency=currency, status=status
    )
    items = [
        build(
            session,
            OrderItem,
            shopping_mall_order_id=order.id,
            shopping_mall_seller_order_id=seller_order.id,
            line_position=i + 1,
            product_name=f"Product {i + 1}",
            quantity=quantity,
            unit_price=Decimal(price),
            unit_discount=Decimal(0),
            unit_tax=Decimal(0),
            line_subtotal=quantity * Decimal(price),
            line_discount_total=Decimal(0),
            line_tax_total=Decimal(0),
            line_grand_total=quantity * Decimal(price),
            currency=currency,
        )
        for i, (quantity, price) in enumerate(lines)
    ]
    payment = build(
        session,
        Payment,
        shopping_mall_order_id=order.id,
        shopping_mall_user_id=customer.id,
        amount=total,
        currency=currency,
        status="captured" if captured else "authorized",
    )
    if captured:
        build(
            session,
            PaymentCapture,
            shopping_mall_payment_id=payment.id,
            amount=Decimal(captured),
            currency=currency,
            status="succeeded",
        )
    if delivered is None and status in ("delivered", "completed"):
        delivered = {i: item.quantity for i, item in enumerate(items)}
    if delivered:
        shipment = build(
            session, Shipment, shopping_mall_order_id=order.id, status="delivered",
            delivered_at=utcnow(),
        )  # fmt: skip
        for index, units in delivered.items():
            build(
                session,
                ShipmentItem,
                shopping_mall_shipment_id=shipment.id,
                shopping_mall_order_item_id=items[index].id,
                quantity=units,
            )
    return order, items, payment


def refund_paid(session, payment, amount: str, status: str = "succeeded"):
    """Money already given back on ``payment``."""
    return build(
        session,
        PaymentRefund,
        shopping_mall_payment_id=payment.id,
        amount=Decimal(amount),
        currency=payment.currency,
        status=status,
    )


def make_case(session, customer_id, **values):
    """An open support case of that customer."""
    values.setdefault("case_number", f"CAS-20260101-{uuid.uuid4().int % 10**6:06d}")
    return build(
        session,
        SupportCase,
        customer_user_id=customer_id,
        subject="Refund not received yet",
        status="open",
        priority="normal",
        **values,
    )
