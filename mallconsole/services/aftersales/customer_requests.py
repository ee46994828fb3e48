"""Cancellation, return and refund requests raised for a customer, from an order (and a case).

Support raises them; operations and finance decide them. Every rule of raising one lives here:

* a cancellation only while nothing has shipped (``states.ORDER_BEFORE_SHIPPED``, or an order
  on hold / under review that interrupted such a state), and never a second while one is open;
* a return (RMA) only for delivered units: per line, up to what was delivered minus what is
  already in a return request that was not rejected (its approved units once decided);
* a refund raised when a return closes (``return_id``) is linked to it, for the reason
  ``returned``, within the same ceilings as any other;
* a refund never above what was captured, minus what was refunded, minus what refund requests
  still waiting (pending, pending second approval, approved) ask for; and per order line,
  never above its line total minus what refund requests took or ask for on that line.

Each raise locks the order row first (``versions.lock``: ``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serializes writers), so two agents raising at once read each other's
requests and cannot together pass a ceiling. The request, its lines, its number, its audit
event and the case's ``request_raised`` event are written in the caller's transaction: a
refused line refuses the whole request and nothing is kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select

from mallconsole.core import money, states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.money import currency_digits
from mallconsole.models import (
    CancellationRequest,
    Order,
    OrderItem,
    OrderStatusHistory,
    Payment,
    PaymentCapture,
    PaymentRefund,
    RefundItem,
    RefundRequest,
    ReturnItem,
    ReturnRequest,
    Shipment,
    ShipmentItem,
    SupportCase,
    SupportCaseEvent,
    UserBalance,
    UserBalanceRecord,
    utcnow,
)
from mallconsole.services.kit import audit, numbering, versions

NOTE_MAX = 2000
ZERO = Decimal(0)
# Cancellation requests that still stand in the way of another one.
CANCELLATION_OPEN = ("pending", "approved")
# Refund requests whose amount is asked for but not yet paid out (executed ones are payment
# refunds by then, counted as refunded).
REFUND_WAITING = ("pending", "pending_second_approval", "approved")
# What a refund line has taken of its order line: waiting or paid out.
REFUND_LINE_TAKEN = (*REFUND_WAITING, "executed")
RETURN_NOT_COUNTED = ("rejected",)
# The units a return line holds: those approved once it is decided, else those asked for.
RETURN_UNITS = func.coalesce(ReturnItem.approved_quantity, ReturnItem.requested_quantity)
# The reason of a refund raised when a return (RMA) closes, with what its inspection passed.
RETURN_REFUND_REASON = "returned"
CAPTURE_SUCCEEDED = "succeeded"
PAYMENT_REFUND_NOT_COUNTED = ("failed", "canceled")
SHIPMENT_DELIVERED = "delivered"
# The tone of a request's state label (SCREENS.md's colour families).
STATUS_TONES = {
    "pending": "info",
    "pending_second_approval": "warning",
    "approved": "success",
    "executed": "success",
    "received": "success",
    "in_transit_back": "info",
    "rejected": "danger",
}


@dataclass(frozen=True)
class Kind:
    """One kind of request: its words, number prefix, table and state machine."""

    key: str
    label: str
    prefix: str
    model: type
    number_column: str
    machine: states.Machine
    reasons: tuple[str, ...]


CANCELLATION = Kind(
    "cancellation",
    "Cancellation request",
    "CAN",
    CancellationRequest,
    "cancellation_request_number",
    states.CANCELLATION_REQUEST_MACHINE,
    states.CANCELLATION_REASONS,
)
RETURN = Kind(
    "return",
    "Return request",
    "RMA",
    ReturnRequest,
    "rma_code",
    states.RETURN_REQUEST_MACHINE,
    states.RETURN_REASONS,
)
REFUND = Kind(
    "refund",
    "Refund request",
    "RR",
    RefundRequest,
    "refund_request_number",
    states.REFUND_REQUEST_MACHINE,
    states.REFUND_REQUEST_REASONS,
)
KINDS = {k.key: k for k in (CANCELLATION, RETURN, REFUND)}
# A refund raised for a return's inspected items: a refund request of its one reason.
RETURNED_REFUND = replace(REFUND, reasons=(RETURN_REFUND_REASON,))
# A refund raised because a cancellation was carried out: for what was captured.
CANCELLATION_REFUND_REASON = "canceled"
CANCELED_REFUND = replace(REFUND, reasons=(CANCELLATION_REFUND_REASON,))


def reason_label(code: str) -> str:
    """A reason code in words ("not_as_described" -> "Not as described")."""
    return code.replace("_", " ").capitalize()


def amount_field(order_item_id: str | None) -> str:
    """The form field (and field-error key) of a refund line's amount."""
    return f"amount_{order_item_id or 'order'}"


def quantity_field(order_item_id: str) -> str:
    """The form field (and field-error key) of a return line's quantity."""
    return f"quantity_{order_item_id}"


def raised_body(kind: Kind, number: str, *, amount=None, currency=None, units=None) -> str:
    """The body of a case's ``request_raised`` event ("Refund request RR-… raised for USD
    25.00"); the demo world writes the same sentence."""
    body = f"{kind.label} {number} raised"
    if amount is not None:
        return f"{body} for {_words(Decimal(amount), currency)}"
    if units is not None:
        return f"{body} for {units} {'unit' if units == 1 else 'units'}"
    return body


# ---- reading an order ----------------------------------------------------------------------


def find_order(session, reference: str) -> Order:
    """The order with this id or number (ORD-…); 404 when there is none."""
    reference = (reference or "").strip()
    column = Order.order_number if reference.upper().startswith("ORD-") else Order.id
    value = reference.upper() if column is Order.order_number else reference
    order = session.scalar(select(Order).where(column == value, Order.deleted_at.is_(None)))
    if order is None:
        raise NotFound("That order does not exist (any more).")
    return order


def order_items(session, order_id: str) -> list[OrderItem]:
    """The order's lines in their order."""
    return list(
        session.scalars(
            select(OrderItem)
            .where(OrderItem.shopping_mall_order_id == order_id, OrderItem.deleted_at.is_(None))
            .order_by(OrderItem.line_position)
        )
    )


def _sum_by(rows) -> dict:
    totals: dict = defaultdict(lambda: ZERO)
    for key, value in rows:
        totals[key] += value or 0
    return totals


def _sum_per_item(session, order_id, child, value, parent, parent_key, *conditions) -> dict:
    """``value`` summed per order item over the live ``child`` rows (shipment, return or
    refund lines) of the order's live ``parent`` rows that meet ``conditions``."""
    return _sum_by(
        session.execute(
            select(child.shopping_mall_order_item_id, value)
            .join(parent, parent.id == parent_key)
            .where(
                parent.shopping_mall_order_id == order_id,
                parent.deleted_at.is_(None),
                child.deleted_at.is_(None),
                *conditions,
            )
        )
    )


def cancellation_refusal(session, order: Order) -> str | None:
    """Why the order cannot be canceled now (shipped, or a cancellation already open)."""
    shipped = shipped_refusal(session, order)
    if shipped:
        return shipped
    open_number = session.scalar(
        select(CancellationRequest.cancellation_request_number).where(
            CancellationRequest.shopping_mall_order_id == order.id,
            CancellationRequest.status.in_(CANCELLATION_OPEN),
            CancellationRequest.deleted_at.is_(None),
        )
    )
    if open_number:
        return f"Cancellation request {open_number} is already open for this order."
    return None


def shipped_refusal(session, order: Order) -> str | None:
    """Why the order can no longer be canceled: something of it has shipped (a held order is
    judged by the state its hold interrupted)."""
    status = order.status
    if status in states.ORDER_INTERRUPTIONS:
        history = session.scalars(
            select(OrderStatusHistory.status)
            .where(OrderStatusHistory.shopping_mall_order_id == order.id)
            .order_by(OrderStatusHistory.recorded_at, OrderStatusHistory.id)
        ).all()
        status = states.interrupted_state(states.ORDER_MACHINE, history) or status
    if status not in states.ORDER_BEFORE_SHIPPED:
        return (
            f"Order {order.order_number} is {states.label(states.ORDER_MACHINE, order.status)}: "
            "it can be canceled only before anything ships. Raise a return instead."
        )
    return None


@dataclass
class ReturnLine:
    """An order line as the return form shows it."""

    item: OrderItem
    delivered: int
    in_returns: int

    @property
    def returnable(self) -> int:
        return max(0, self.delivered - self.in_returns)


def return_lines(session, order: Order, *, leaving_out: str | None = None) -> list[ReturnLine]:
    """Each line with the units delivered and the units already in (not rejected) returns: the
    units approved once a return is decided, the units asked for until then. ``leaving_out``
    names a return whose own units are not counted (the one being decided)."""
    delivered = _sum_per_item(
        session, order.id, ShipmentItem, ShipmentItem.quantity,
        Shipment, ShipmentItem.shopping_mall_shipment_id, Shipment.status == SHIPMENT_DELIVERED,
    )  # fmt: skip
    others = () if leaving_out is None else (ReturnRequest.id != leaving_out,)
    returning = _sum_per_item(
        session, order.id, ReturnItem, RETURN_UNITS,
        ReturnRequest, ReturnItem.shopping_mall_return_request_id,
        ReturnRequest.status.not_in(RETURN_NOT_COUNTED), *others,
    )  # fmt: skip
    return [
        ReturnLine(item, int(delivered[item.id]), int(returning[item.id]))
        for item in order_items(session, order.id)
    ]


@dataclass
class RefundLine:
    """An order line as the refund form shows it: what is left to refund on it."""

    item: OrderItem
    taken: Decimal  # refunded or asked for on this line

    @property
    def ceiling(self) -> Decimal:
        return max(ZERO, self.item.line_grand_total - self.taken)


@dataclass
class RefundRoom:
    """What can still be refunded on an order: in total and per line."""

    currency: str
    captured: Decimal
    refunded: Decimal
    requested: Decimal
    lines: list[RefundLine] = field(default_factory=list)

    @property
    def ceiling(self) -> Decimal:
        return max(ZERO, self.captured - self.refunded - self.requested)

    def up_to(self, line: RefundLine) -> Decimal:
        """The most one line may ask for now: its own ceiling, within the order's."""
        return min(line.ceiling, self.ceiling)


def store_credit_refunded(session, order: Order) -> Decimal:
    """What refund requests of the order have paid to the customer's store credit."""
    paid = session.scalar(
        select(func.coalesce(func.sum(UserBalanceRecord.amount), 0))
        .join(UserBalance, UserBalance.id == UserBalanceRecord.shopping_mall_user_balance_id)
        .where(
            UserBalanceRecord.shopping_mall_order_id == order.id,
            UserBalanceRecord.type == "refund",
            UserBalanceRecord.shopping_mall_refund_request_id.is_not(None),
            UserBalance.currency == order.currency,
        )
    )
    return Decimal(paid)


def refund_room(session, order: Order) -> RefundRoom:
    """Captured − refunded (to the payment or to store credit) − requested for the order, and
    each line's own ceiling."""
    payments = select(Payment.id).where(Payment.shopping_mall_order_id == order.id)
    captured = session.scalars(
        select(PaymentCapture.amount).where(
            PaymentCapture.shopping_mall_payment_id.in_(payments),
            PaymentCapture.status == CAPTURE_SUCCEEDED,
            PaymentCapture.deleted_at.is_(None),
        )
    ).all()
    refunded = session.scalars(
        select(PaymentRefund.amount).where(
            PaymentRefund.shopping_mall_payment_id.in_(payments),
            PaymentRefund.status.not_in(PAYMENT_REFUND_NOT_COUNTED),
            PaymentRefund.deleted_at.is_(None),
        )
    ).all()
    requested = session.scalars(
        select(RefundRequest.total_requested_amount).where(
            RefundRequest.shopping_mall_order_id == order.id,
            RefundRequest.status.in_(REFUND_WAITING),
            RefundRequest.deleted_at.is_(None),
        )
    ).all()
    taken = _sum_per_item(
        session, order.id, RefundItem, RefundItem.amount,
        RefundRequest, RefundItem.shopping_mall_refund_request_id,
        RefundRequest.status.in_(REFUND_LINE_TAKEN),
        RefundItem.shopping_mall_order_item_id.is_not(None),
    )  # fmt: skip
    return RefundRoom(
        currency=order.currency,
        captured=sum(captured, ZERO),
        refunded=sum(refunded, ZERO) + store_credit_refunded(session, order),
        requested=sum(requested, ZERO),
        lines=[RefundLine(item, taken[item.id]) for item in order_items(session, order.id)],
    )


# ---- raising -------------------------------------------------------------------------------


_ROOM_PARTS = ("ceiling", "captured", "refunded", "requested")


def _words(amount: Decimal, currency: str) -> str:
    return money.format_money(amount, currency, code=True)


def parse_amount(raw, currency: str) -> Decimal | None:
    """A form's amount as a Decimal in ``currency``'s minor digits; None when left empty.
    Raises ``ValueError`` with what is expected (``core.money.parse_amount``'s rules)."""
    value = money.parse_amount(raw, currency)
    if value is None:
        return None
    if value <= 0:
        raise ValueError("Enter an amount above zero, or leave the line empty.")
    return value.quantize(Decimal(1).scaleb(-currency_digits(currency)))


def _check_common(kind: Kind, reason_code, note) -> tuple[str, str | None, dict]:
    errors: dict[str, list[str]] = {}
    if reason_code not in kind.reasons:
        errors["reason_code"] = ["Choose a reason from the list."]
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        errors["note"] = [f"Keep the note under {NOTE_MAX} characters."]
    return reason_code, note, errors


def find_case(session, reference) -> SupportCase | None:
    """The case with this id or number (CAS-…), or None."""
    if not reference:
        return None
    return session.scalar(
        select(SupportCase).where(
            or_(SupportCase.id == reference, SupportCase.case_number == str(reference).upper()),
            SupportCase.deleted_at.is_(None),
        )
    )


def case_for_order(session, case_ref, order: Order) -> SupportCase | None:
    """The case a request is raised from (None for none): it must be about this order's
    customer (or this order), else a 422 on the ``case`` field."""
    if case_ref in (None, ""):
        return None
    case = find_case(session, case_ref)
    if case is None:
        raise ValidationError(
            "That case does not exist (any more).",
            field_errors={"case": ["That case does not exist (any more)."]},
        )
    same_customer = (
        case.customer_user_id is not None and case.customer_user_id == order.shopping_mall_user_id
    )
    if not (same_customer or case.order_id == order.id):
        message = (
            f"Case {case.case_number} is not about the customer of order {order.order_number}."
        )
        raise ValidationError(message, field_errors={"case": [message]})
    return case


def _refuse(errors: dict[str, list[str]]):
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationError(first, field_errors=errors)


def _record(session, kind: Kind, request, order: Order, case, actor, *, after: dict, body: str):
    """The audit event of a raised request and, when raised from a case, the case's event."""
    number = getattr(request, kind.number_column)
    audit.record(
        session,
        actor=actor,
        entity_table=kind.model.__tablename__,
        entity_id=request.id,
        action=f"{kind.key}.raised",
        summary=f"{body} on order {order.order_number}",
        reason=request.reason_note,
        before=None,
        after={
            "number": number,
            "status": request.status,
            "order": order.order_number,
            "reason_code": request.reason_code,
            "case": case.case_number if case else None,
            **after,
        },
    )
    if case is None:
        return
    now = utcnow()
    session.add(
        SupportCaseEvent(
            shopping_mall_support_case_id=case.id,
            actor_user_id=actor.id,
            event_type="request_raised",
            visibility="internal",
            body=body,
            occurred_at=now,
        )
    )
    if case.last_event_at is None or case.last_event_at < now:
        case.last_event_at = now


def _start(session, order_ref: str, kind: Kind, reason_code, note, case_ref):
    """Lock the order, check the fields every kind has; (order, case, reason, note, errors)."""
    order = find_order(session, order_ref)
    order = versions.lock(session, Order, order.id, what="order")
    reason_code, note, errors = _check_common(kind, reason_code, note)
    try:
        case = case_for_order(session, case_ref, order)
    except ValidationError as refused:  # said together with the other fields' errors
        case = None
        errors.update(refused.field_errors)
    return order, case, reason_code, note, errors


def _new_request(session, kind: Kind, order: Order, case, actor, reason_code, note, **columns):
    """A pending request of ``kind`` with its number, raised by ``actor``."""
    request = kind.model(
        shopping_mall_order_id=order.id,
        requested_by_user_id=actor.id,
        status="pending",
        reason_code=reason_code,
        reason_note=note,
        shopping_mall_support_case_id=case.id if case else None,
        **{kind.number_column: numbering.next_number(session, kind.prefix)},
        **columns,
    )
    session.add(request)
    session.flush()  # the request's id, for its lines and its audit event
    return request


def raise_cancellation(session, order_id, *, reason_code, note, actor, case_id=None):
    """A pending cancellation request (CAN-…) for an order nothing of which has shipped."""
    order, case, reason_code, note, errors = _start(
        session, order_id, CANCELLATION, reason_code, note, case_id
    )
    refusal = cancellation_refusal(session, order)
    if refusal:
        raise Conflict(refusal)
    _refuse(errors)
    request = _new_request(session, CANCELLATION, order, case, actor, reason_code, note)
    body = raised_body(CANCELLATION, request.cancellation_request_number)
    _record(session, CANCELLATION, request, order, case, actor, after={}, body=body)
    session.flush()
    return request


def raise_return(session, order_id, items, *, reason_code, note, actor, case_id=None):
    """A pending return request (RMA-…) for ``items`` = {order_item_id: quantity}: delivered
    units not already in a return."""
    order, case, reason_code, note, errors = _start(
        session, order_id, RETURN, reason_code, note, case_id
    )
    lines = {line.item.id: line for line in return_lines(session, order)}
    wanted: dict[str, int] = {}
    for item_id, raw in (items or {}).items():
        line = lines.get(item_id)
        key = quantity_field(item_id)
        if line is None:
            errors[key] = ["That item is not part of this order."]
            continue
        text = "" if raw is None else str(raw).strip()
        if text in ("", "0"):
            continue
        if not text.isdigit():
            errors[key] = ["Enter a whole number of units."]
            continue
        quantity = int(text)
        if quantity > line.returnable:
            errors[key] = [
                f"At most {line.returnable} of {line.item.product_name}: {line.delivered} "
                f"delivered, {line.in_returns} already in a return."
            ]
            continue
        wanted[item_id] = quantity
    if not wanted and not errors:
        errors["items"] = ["Choose at least one delivered unit to return."]
    _refuse(errors)
    shipment_id = session.scalar(
        select(Shipment.id)
        .where(
            Shipment.shopping_mall_order_id == order.id,
            Shipment.status == SHIPMENT_DELIVERED,
            Shipment.deleted_at.is_(None),
        )
        .order_by(Shipment.delivered_at, Shipment.id)
        .limit(1)
    )
    request = _new_request(
        session, RETURN, order, case, actor, reason_code, note, original_shipment_id=shipment_id
    )
    for item_id, quantity in wanted.items():
        item = lines[item_id].item
        session.add(
            ReturnItem(
                shopping_mall_return_request_id=request.id,
                shopping_mall_order_item_id=item_id,
                requested_quantity=quantity,
                refundable_amount=(item.unit_price - item.unit_discount + item.unit_tax) * quantity,
            )
        )
    units = sum(wanted.values())
    body = raised_body(RETURN, request.rma_code, units=units)
    after = {"items": {lines[i].item.product_name: q for i, q in wanted.items()}}
    _record(session, RETURN, request, order, case, actor, after=after, body=body)
    session.flush()
    return request


def raise_refund(
    session, order_id, lines, *, reason_code, note, actor, case_id=None, return_id=None,
    cancellation=None,
):  # fmt: skip
    """A pending refund request (RR-…) for ``lines`` = [(order_item_id or None, amount)],
    within the order's ceiling (captured − refunded − requested) and each line's.

    ``return_id``: the return (RMA) of the order whose inspection the refund is for; it is
    linked to it, and its reason is ``returned`` (the customers' own reasons are for the rest).
    ``cancellation``: the executed cancellation request it refunds (reason ``canceled``)."""
    kind = RETURNED_REFUND if return_id is not None else REFUND
    if cancellation is not None:
        kind = CANCELED_REFUND
    order, case, reason_code, note, errors = _start(
        session, order_id, kind, reason_code, note, case_id
    )
    if return_id is not None:
        rma = session.get(ReturnRequest, return_id)
        if rma is None or rma.shopping_mall_order_id != order.id:
            raise NotFound("That return does not exist for this order.")
    room = refund_room(session, order)
    by_item = {line.item.id: line for line in room.lines}
    currency = order.currency
    wanted: list[tuple[str | None, Decimal]] = []
    seen: set[str | None] = set()
    for item_id, raw in lines or ():
        key = amount_field(item_id)
        if item_id is not None and item_id not in by_item:
            errors[key] = ["That item is not part of this order."]
            continue
        if item_id in seen:
            errors[key] = ["Each line can be refunded once per request."]
            continue
        seen.add(item_id)
        try:
            amount = parse_amount(raw, currency)
        except ValueError as error:
            errors[key] = [str(error)]
            continue
        if amount is None:
            continue
        if item_id is not None and amount > by_item[item_id].ceiling:
            line = by_item[item_id]
            errors[key] = [
                f"At most {_words(line.ceiling, currency)} on {line.item.product_name}: "
                f"its total is {_words(line.item.line_grand_total, currency)} and "
                f"{_words(line.taken, currency)} is already refunded or requested."
            ]
            continue
        wanted.append((item_id, amount))
    total = sum((amount for _, amount in wanted), ZERO)
    if not wanted and not errors:
        errors["lines"] = ["Enter an amount on at least one line."]
    elif total > room.ceiling:
        parts = {name: _words(getattr(room, name), currency) for name in _ROOM_PARTS}
        errors["lines"] = [
            f"The total {_words(total, currency)} is above what can still be refunded: "
            f"{parts['ceiling']} (captured {parts['captured']}, refunded {parts['refunded']}, "
            f"requested {parts['requested']})."
        ]
    _refuse(errors)
    request = _new_request(
        session, REFUND, order, case, actor, reason_code, note,
        total_requested_amount=total, currency=currency,
        shopping_mall_return_request_id=return_id,
    )  # fmt: skip
    for item_id, amount in wanted:
        session.add(
            RefundItem(
                shopping_mall_refund_request_id=request.id,
                shopping_mall_order_item_id=item_id,
                amount=amount,
                reason_code=reason_code,
            )
        )
    body = raised_body(REFUND, request.refund_request_number, amount=total, currency=currency)
    after = {
        **({"return": rma.rma_code} if return_id is not None else {}),
        **(
            {"cancellation": cancellation.cancellation_request_number}
            if cancellation is not None
            else {}
        ),
        "total_requested_amount": total,
        "currency": currency,
        "lines": {
            (by_item[i].item.product_name if i else "Whole order"): amount for i, amount in wanted
        },
    }
    _record(session, REFUND, request, order, case, actor, after=after, body=body)
    session.flush()
    return request


# ---- what was raised -----------------------------------------------------------------------


@dataclass(frozen=True)
class RaisedRequest:
    """A request as the order and case screens list it, in words."""

    kind: str  # "Refund request"
    number: str
    status: str  # in words: "Pending second approval"
    status_key: str
    tone: str
    amount: Decimal | None
    currency: str | None
    units: int | None
    created_at: datetime
    order_id: str
    case_id: str | None


def _raised(session, where_order=None, where_case=None) -> list[RaisedRequest]:
    found: list[RaisedRequest] = []
    for kind in KINDS.values():
        model = kind.model
        condition = (
            model.shopping_mall_order_id == where_order
            if where_order is not None
            else model.shopping_mall_support_case_id == where_case
        )
        rows = session.scalars(select(model).where(condition, model.deleted_at.is_(None))).all()
        units: dict = {}
        if kind is RETURN and rows:
            units = _sum_by(
                session.execute(
                    select(
                        ReturnItem.shopping_mall_return_request_id, ReturnItem.requested_quantity
                    ).where(
                        ReturnItem.shopping_mall_return_request_id.in_([r.id for r in rows]),
                        ReturnItem.deleted_at.is_(None),
                    )
                )
            )
        for row in rows:
            found.append(
                RaisedRequest(
                    kind=kind.label,
                    number=getattr(row, kind.number_column),
                    status=states.label(kind.machine, row.status),
                    status_key=row.status,
                    tone=STATUS_TONES.get(row.status, "neutral"),
                    amount=getattr(row, "total_requested_amount", None),
                    currency=getattr(row, "currency", None),
                    units=int(units[row.id]) if kind is RETURN else None,
                    created_at=row.created_at,
                    order_id=row.shopping_mall_order_id,
                    case_id=row.shopping_mall_support_case_id,
                )
            )
    found.sort(key=lambda r: (r.created_at, r.number), reverse=True)
    return found


def for_order(session, order_id: str) -> list[RaisedRequest]:
    """Every cancellation, return and refund request of an order, newest first."""
    return _raised(session, where_order=order_id)


def for_case(session, case_id: str) -> list[RaisedRequest]:
    """The requests raised from a case, newest first."""
    return _raised(session, where_case=case_id)
