"""One order as staff read it: the read model behind the order screen of every area.

``load(session, order_id)`` reads the order (by id or by its ORD- number) and everything the
screen shows with one query per section, so the screen costs the same for an order of one line
and one of a hundred: items, status history, seller orders, the payment with its
authorizations, captures and refunds, shipments with their carrier events, the cancellation,
return and refund requests, and the support cases about it. Nothing here changes anything.
``in_store`` is the one condition by which lists of orders, and of their requests (refunds,
returns), are filtered to a store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Numeric, String, exists, func, literal, null, or_, select, union_all

from mallconsole.core.errors import NotFound
from mallconsole.core.people import Person
from mallconsole.models import (
    CancellationRequest,
    Carrier,
    Order,
    OrderItem,
    OrderStatusHistory,
    Payment,
    PaymentAuthorization,
    PaymentCapture,
    PaymentRefund,
    RefundRequest,
    ReturnRequest,
    SellerOrder,
    Shipment,
    ShipmentEvent,
    Store,
    SupportCase,
    User,
)
from mallconsole.services.fulfilment.carriers import tracking_link

# What may name an order: its id or its number, letters, digits and dashes.
REFERENCE = re.compile(r"[0-9A-Za-z-]{1,64}")


@dataclass(frozen=True)
class HistoryStep:
    """One step of the order's status history."""

    step: OrderStatusHistory
    by: Person | None  # the staff member or customer; None for the system


@dataclass(frozen=True)
class SellerOrderRow:
    seller_order: SellerOrder
    store_name: str | None


@dataclass
class ShipmentRow:
    shipment: Shipment
    carrier_name: str | None
    tracking_link: str | None
    events: list[ShipmentEvent] = field(default_factory=list)


@dataclass(frozen=True)
class RequestRow:
    """A cancellation, return or refund request about the order, as the screen lists it."""

    kind: str  # "cancellation", "return", "refund"
    kind_label: str
    number: str
    status: str
    reason_code: str
    created_at: object
    record_id: str
    amount: object = None
    currency: str | None = None


@dataclass(frozen=True)
class PaymentView:
    payment: Payment
    authorizations: list[PaymentAuthorization]
    captures: list[PaymentCapture]
    refunds: list[PaymentRefund]


@dataclass(frozen=True)
class OrderView:
    order: Order
    customer: User | None
    items: list[OrderItem]
    history: list[HistoryStep]
    seller_orders: list[SellerOrderRow]
    payment: PaymentView | None
    shipments: list[ShipmentRow]
    requests: list[RequestRow]
    cases: list[SupportCase]

    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)


def _reference(order_id: str):
    """The condition naming the order ``order_id`` (its id or ORD- number); NotFound for
    anything that cannot name one."""
    if not REFERENCE.fullmatch(order_id or ""):
        # nothing else names an order (a NUL byte would not even reach PostgreSQL)
        raise NotFound("There is no order with this id or number.")
    return or_(Order.id == order_id, Order.order_number == order_id.upper())


def find_order(session, order_id: str) -> Order:
    """The order with this id or ORD- number; NotFound otherwise."""
    order = session.scalars(
        select(Order).where(_reference(order_id), Order.deleted_at.is_(None))
    ).first()
    if order is None:
        raise NotFound("There is no order with this id or number.")
    return order


def in_store(order_id_column, words: str):
    """The orders with a seller order of a store named ``words`` (its code, or part of its
    name): a condition on ``order_id_column``."""
    words = words.strip()
    return (
        exists()
        .where(
            SellerOrder.shopping_mall_order_id == order_id_column,
            Store.id == SellerOrder.shopping_mall_store_id,
        )
        .where(
            or_(
                Store.store_code == words.upper(),
                Store.store_code == words,
                func.lower(Store.name).contains(words.lower(), autoescape=True),
            )
        )
    )


def load(session, order_id: str) -> OrderView:
    """The order and every section of its screen (a fixed number of queries)."""
    found = session.execute(
        select(Order, User)
        .outerjoin(User, User.id == Order.shopping_mall_user_id)
        .where(_reference(order_id), Order.deleted_at.is_(None))
    ).first()
    if found is None:
        raise NotFound("There is no order with this id or number.")
    order, customer = found
    oid = order.id
    items = session.scalars(
        select(OrderItem)
        .where(OrderItem.shopping_mall_order_id == oid, OrderItem.deleted_at.is_(None))
        .order_by(OrderItem.line_position)
    ).all()
    # Staff by name with their email on hover; the customer by name only (their address is
    # revealed on purpose, on the customer screen).
    history = [
        HistoryStep(
            step,
            None
            if email is None
            else Person(name or "The customer", None)
            if step.triggered_by_user_id == order.shopping_mall_user_id
            else Person(name, email),
        )
        for step, email, name in session.execute(
            select(OrderStatusHistory, User.email, User.name)
            .outerjoin(User, User.id == OrderStatusHistory.triggered_by_user_id)
            .where(
                OrderStatusHistory.shopping_mall_order_id == oid,
                OrderStatusHistory.deleted_at.is_(None),
            )
            .order_by(OrderStatusHistory.recorded_at, OrderStatusHistory.id)
        )
    ]
    seller_orders = [
        SellerOrderRow(seller_order, name)
        for seller_order, name in session.execute(
            select(SellerOrder, Store.name)
            .outerjoin(Store, Store.id == SellerOrder.shopping_mall_store_id)
            .where(SellerOrder.shopping_mall_order_id == oid, SellerOrder.deleted_at.is_(None))
            .order_by(SellerOrder.seller_order_number)
        )
    ]
    return OrderView(
        order=order,
        customer=customer,
        items=list(items),
        history=history,
        seller_orders=seller_orders,
        payment=_payment(session, oid),
        shipments=_shipments(session, oid),
        requests=_requests(session, oid),
        cases=list(
            session.scalars(
                select(SupportCase)
                .where(SupportCase.order_id == oid, SupportCase.deleted_at.is_(None))
                .order_by(SupportCase.created_at, SupportCase.id)
            )
        ),
    )


def _payment(session, order_id: str) -> PaymentView | None:
    payment = session.scalars(
        select(Payment).where(
            Payment.shopping_mall_order_id == order_id, Payment.deleted_at.is_(None)
        )
    ).first()
    if payment is None:
        return None

    def rows(model, moment):
        return list(
            session.scalars(
                select(model)
                .where(model.shopping_mall_payment_id == payment.id, model.deleted_at.is_(None))
                .order_by(moment, model.created_at, model.id)
            )
        )

    return PaymentView(
        payment,
        rows(PaymentAuthorization, PaymentAuthorization.authorized_at),
        rows(PaymentCapture, PaymentCapture.captured_at),
        rows(PaymentRefund, PaymentRefund.refunded_at),
    )


def _shipments(session, order_id: str) -> list[ShipmentRow]:
    shipments = [
        ShipmentRow(
            shipment,
            carrier_name,
            tracking_link(template, shipment.tracking_number, shipment.tracking_url),
        )
        for shipment, carrier_name, template in session.execute(
            select(Shipment, Carrier.name, Carrier.tracking_url_template)
            .outerjoin(Carrier, Carrier.id == Shipment.shopping_mall_carrier_id)
            .where(Shipment.shopping_mall_order_id == order_id, Shipment.deleted_at.is_(None))
            .order_by(Shipment.created_at, Shipment.id)
        )
    ]
    by_id = {row.shipment.id: row for row in shipments}
    if by_id:
        events = session.scalars(
            select(ShipmentEvent)
            .where(ShipmentEvent.shopping_mall_shipment_id.in_(by_id))
            .order_by(ShipmentEvent.event_at, ShipmentEvent.id)
        )
        for event in events:
            by_id[event.shopping_mall_shipment_id].events.append(event)
    return shipments


# (kind, words, model, the number's column) of the requests an order can have.
_REQUEST_KINDS = (
    ("cancellation", "Cancellation", CancellationRequest, "cancellation_request_number"),
    ("return", "Return", ReturnRequest, "rma_code"),
    ("refund", "Refund", RefundRequest, "refund_request_number"),
)


def _requests(session, order_id: str) -> list[RequestRow]:
    """The cancellation, return and refund requests about the order, oldest first (one
    statement: the three kinds side by side)."""
    parts = []
    for kind, _label, model, number in _REQUEST_KINDS:
        amount = getattr(model, "total_requested_amount", None)
        currency = getattr(model, "currency", None)
        parts.append(
            select(
                literal(kind).label("kind"),
                getattr(model, number).label("number"),
                model.status,
                model.reason_code,
                model.created_at,
                model.id,
                (amount if amount is not None else null().cast(Numeric(18, 4))).label("amount"),
                (currency if currency is not None else null().cast(String)).label("currency"),
            ).where(model.shopping_mall_order_id == order_id, model.deleted_at.is_(None))
        )
    words = {kind: label for kind, label, _, _ in _REQUEST_KINDS}
    found = [
        RequestRow(row.kind, words[row.kind], row.number, row.status, row.reason_code,
                   row.created_at, row.id, row.amount, row.currency)
        for row in session.execute(union_all(*parts))
    ]  # fmt: skip
    found.sort(key=lambda row: (row.created_at, row.number))
    return found
