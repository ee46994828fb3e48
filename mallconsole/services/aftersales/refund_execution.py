"""Executing an approved refund request: the money moves once.

``execute`` takes the order's and the request's row locks (``SELECT … FOR UPDATE`` on
PostgreSQL, the order first as everywhere), so concurrent executions of one request take turns:
the first moves the money and sets the request ``executed``; every later one finds it executed
and changes nothing (``Execution.created`` False, "already executed"). Each payment refund also
carries an idempotency key (``refund:<RR number>``, ``refund:<RR number>:<n>`` for a further
capture) under a unique index, and the gateway is asked with that key: a second refund of the
same request cannot be stored, nor made twice at the gateway.

What one execution writes, in the caller's transaction:

* destination ``payment``: a ``shopping_mall_payment_refunds`` row per capture it draws on
  (oldest capture first, each up to what is left of it), ``pending`` until the gateway
  (``payment_provider``) answers, then ``succeeded``, with a ``refund.succeeded`` payment event;
  the payment becomes ``partially_refunded`` or ``refunded``, and the order ``refunded`` once
  everything captured is refunded (where its state machine allows it);
* destination ``wallet``: a ``refund`` record in the customer's store-credit wallet
  (``wallets.post``);
* per seller: a ``refund`` ledger entry (the seller's share, negative) and a ``fee_reversal``
  entry giving back the same share of the fee charged on the order (positive), both through
  ``ledger.post``; the reversal is also a ``shopping_mall_fees`` row of type ``fee_reversal``
  with a negative amount, linked to the payment refund;
* the request ``approved → executed``, its audit event, and a ``request_decided`` event on the
  case that raised it.

The approved amount is spread over the approved lines in proportion to what they asked; a line
of an order item belongs to that item's seller, a line for the whole order is shared by the
sellers in proportion to their part of the order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.money import currency_digits
from mallconsole.models import (
    Fee,
    Order,
    OrderItem,
    Payment,
    PaymentCapture,
    PaymentEvent,
    PaymentRefund,
    RefundRequest,
    SellerOrder,
    Store,
    UserBalanceRecord,
    utcnow,
)
from mallconsole.services.aftersales.customer_requests import (
    CAPTURE_SUCCEEDED,
    PAYMENT_REFUND_NOT_COUNTED,
)
from mallconsole.services.aftersales.payment_provider import (
    SUCCEEDED,
    PaymentProvider,
    current_provider,
)
from mallconsole.services.aftersales.refund_decisions import (
    MACHINE,
    TABLE,
    ZERO,
    case_event,
    lock_request,
    money_text,
    plain_amount,
    request_lines,
)
from mallconsole.services.customers import order_status
from mallconsole.services.kit import audit
from mallconsole.services.money import ledger, wallets

DESTINATION_LABELS = {"payment": "the original payment", "wallet": "store credit"}
DESTINATION_WORDS = {"payment": "Original payment", "wallet": "Store credit"}


@dataclass(frozen=True)
class Execution:
    request: RefundRequest
    created: bool
    message: str
    refunds: tuple = ()


def _step(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(currency))


def split(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """``total`` in parts proportional to ``weights``, in the currency's minor unit; the last
    part takes what rounding left, so the parts always sum to ``total``."""
    step = _step(currency)
    whole = sum(weights, ZERO)
    if whole <= 0:
        raise ValueError("weights must sum above zero")
    parts = [(total * w / whole).quantize(step, rounding=ROUND_DOWN) for w in weights[:-1]]
    return [*parts, total - sum(parts, ZERO)]


# ---- who pays what ---------------------------------------------------------------------------


def _sellers_of_order(session, order_id: str) -> dict[str, Decimal]:
    """Each seller's part of the order (their seller orders' grand totals), oldest first."""
    rows = session.execute(
        select(Store.shopping_mall_seller_id, SellerOrder.grand_total)
        .join(Store, Store.id == SellerOrder.shopping_mall_store_id)
        .where(SellerOrder.shopping_mall_order_id == order_id, SellerOrder.deleted_at.is_(None))
        .order_by(SellerOrder.created_at, SellerOrder.id)
    ).all()
    parts: dict[str, Decimal] = {}
    for seller_id, total in rows:
        parts[seller_id] = parts.get(seller_id, ZERO) + (total or ZERO)
    return parts


def seller_shares(session, order: Order, request: RefundRequest, amount: Decimal) -> dict:
    """{seller id: share of ``amount``}: the approved lines' sellers, in proportion."""
    lines = [
        line for line in request_lines(session, request.id) if line.approval_status != "rejected"
    ]
    if not lines:
        raise Conflict("No line of this request is approved, so nothing can be refunded.")
    per_line = split(amount, [line.amount for line in lines], order.currency)
    item_ids = [
        line.shopping_mall_order_item_id for line in lines if line.shopping_mall_order_item_id
    ]
    seller_of_item = dict(
        session.execute(
            select(OrderItem.id, Store.shopping_mall_seller_id)
            .join(SellerOrder, SellerOrder.id == OrderItem.shopping_mall_seller_order_id)
            .join(Store, Store.id == SellerOrder.shopping_mall_store_id)
            .where(OrderItem.id.in_(item_ids))
        ).all()
    ) if item_ids else {}  # fmt: skip
    order_parts = None
    shares: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line, value in zip(lines, per_line, strict=True):
        if line.shopping_mall_order_item_id:
            shares[seller_of_item[line.shopping_mall_order_item_id]] += value
            continue
        if order_parts is None:
            order_parts = _sellers_of_order(session, order.id)
            if not order_parts or sum(order_parts.values(), ZERO) <= 0:
                raise Conflict("This order has no seller to debit for the refund.")
        for seller_id, part in zip(
            order_parts, split(value, list(order_parts.values()), order.currency), strict=True
        ):
            shares[seller_id] += part
    return {seller: share for seller, share in shares.items() if share}


def _fee_reversal(session, order: Order, seller_id: str, share: Decimal) -> Decimal:
    """The part of the fee charged to ``seller_id`` on this order that ``share`` gives back:
    fee × share / the seller's part of the order, never more than is left unreversed."""
    charged, reversed_ = (
        session.scalar(
            select(func.coalesce(func.sum(Fee.amount), 0)).where(
                Fee.shopping_mall_order_id == order.id,
                Fee.shopping_mall_seller_id == seller_id,
                Fee.deleted_at.is_(None),
                condition,
            )
        )
        for condition in (Fee.fee_type != states.FEE_REVERSAL, Fee.fee_type == states.FEE_REVERSAL)
    )
    charged, left = Decimal(charged), Decimal(charged) + Decimal(reversed_)
    if charged <= 0 or left <= 0:
        return ZERO
    part = _sellers_of_order(session, order.id).get(seller_id, ZERO)
    if part <= 0:
        return ZERO
    value = (charged * share / part).quantize(_step(order.currency), rounding=ROUND_DOWN)
    return min(value, left)


# ---- the payment side ------------------------------------------------------------------------


def capture_room(session, payment_id: str) -> list[tuple[PaymentCapture, Decimal]]:
    """Each succeeded capture with what is left to refund on it, oldest first (refunds not
    tied to a capture draw on the oldest captures first)."""
    captures = list(
        session.scalars(
            select(PaymentCapture)
            .where(
                PaymentCapture.shopping_mall_payment_id == payment_id,
                PaymentCapture.status == CAPTURE_SUCCEEDED,
                PaymentCapture.deleted_at.is_(None),
            )
            .order_by(PaymentCapture.captured_at, PaymentCapture.created_at, PaymentCapture.id)
        )
    )
    refunded = session.execute(
        select(PaymentRefund.shopping_mall_payment_capture_id, PaymentRefund.amount).where(
            PaymentRefund.shopping_mall_payment_id == payment_id,
            PaymentRefund.status.not_in(PAYMENT_REFUND_NOT_COUNTED),
            PaymentRefund.deleted_at.is_(None),
        )
    ).all()
    taken: dict = defaultdict(lambda: ZERO)
    loose = ZERO
    for capture_id, amount in refunded:
        if capture_id is None:
            loose += amount
        else:
            taken[capture_id] += amount
    room = []
    for capture in captures:
        left = max(ZERO, capture.amount - taken[capture.id])
        used = min(left, loose)
        loose -= used
        room.append((capture, left - used))
    return room


def _pay_back(session, order, request, payment, amount, provider: PaymentProvider, actor, now):
    """Payment refunds against the captures, confirmed by the gateway; the payment's and the
    order's states follow."""
    room = [(capture, left) for capture, left in capture_room(session, payment.id) if left > 0]
    if sum((left for _, left in room), ZERO) < amount:
        left = money_text(sum((part for _, part in room), ZERO), order.currency)
        raise Conflict(
            f"The payment has only {left} "
            "left to refund on its captures. Refund to store credit instead, or reject the rest."
        )
    refunds = []
    remaining = amount
    number = request.refund_request_number
    for capture, left in room:
        if remaining <= 0:
            break
        part = min(left, remaining)
        remaining -= part
        key = f"refund:{number}" if not refunds else f"refund:{number}:{len(refunds) + 1}"
        refund = PaymentRefund(
            shopping_mall_payment_id=payment.id,
            shopping_mall_payment_capture_id=capture.id,
            shopping_mall_refund_request_id=request.id,
            amount=part,
            currency=order.currency,
            status="pending",
            reason_category=request.reason_code,
            idempotency_key=key,
        )
        session.add(refund)
        session.flush()
        answer = provider.refund(
            capture_reference=capture.provider_reference,
            amount=part,
            currency=order.currency,
            idempotency_key=key,
        )
        if answer.status != SUCCEEDED:
            raise Conflict(
                "The payment provider refused the refund "
                f"({answer.failure_category or 'no reason given'}). Nothing was changed; try "
                "again, or refund to store credit."
            )
        refund.status = SUCCEEDED
        refund.provider_reference = answer.reference
        refund.refunded_at = now
        session.add(
            PaymentEvent(
                shopping_mall_payment_id=payment.id,
                shopping_mall_payment_capture_id=capture.id,
                shopping_mall_payment_refund_id=refund.id,
                type=states.PAYMENT_EVENT_REFUND_SUCCEEDED,
                raw_type=states.PAYMENT_EVENT_REFUND_SUCCEEDED,
                provider_event_id=answer.event_id,
                idempotency_key=f"{key}:succeeded",
                status="processed",
                occurred_at=now,
                processed=True,
            )
        )
        refunds.append(refund)
    session.flush()
    _follow_payment(session, order, payment, actor, now)
    return refunds


def _follow_payment(session, order, payment, actor, now) -> None:
    left = sum((left for _, left in capture_room(session, payment.id)), ZERO)
    target = "refunded" if left <= 0 else "partially_refunded"
    if payment.status != target:
        states.check_move(states.PAYMENT_MACHINE, payment.status, target)
        before = payment.status
        payment.status = target
        payment.updated_at = now
        audit.record(
            session, actor=actor, entity_table=Payment.__tablename__, entity_id=payment.id,
            action="payment.refunded", summary=f"Payment of {order.order_number} "
            f"{states.label(states.PAYMENT_MACHINE, target).lower()}",
            before={"status": before}, after={"status": target},
        )  # fmt: skip
    # Deliberately conditional (can_move, not check_move): the one state change that is not
    # refused when the table does not allow it. By now the money has gone back to the customer,
    # and a refund is never refused for the order's sake: an order refunded in full while its
    # state cannot lead to refunded (shipped, on hold, under review, ...) keeps that state and
    # goes on its own way; delivered, completed and canceled orders become refunded.
    if target == "refunded" and states.can_move(states.ORDER_MACHINE, order.status, "refunded"):
        order_status.move(
            session, order, "refunded", actor=actor, action="order.refunded",
            summary=f"{order.order_number} refunded in full", reason="refunded in full", now=now,
        )  # fmt: skip


# ---- execute ---------------------------------------------------------------------------------


def _already(session, request: RefundRequest) -> Execution:
    went = "store credit"
    paid = session.scalar(
        select(func.count())
        .select_from(PaymentRefund)
        .where(PaymentRefund.shopping_mall_refund_request_id == request.id)
    )
    if paid:
        went = "the original payment"
    when = f" on {request.updated_at:%Y-%m-%d %H:%M} UTC" if request.updated_at else ""
    return Execution(
        request,
        False,
        f"{request.refund_request_number} was already executed{when} to {went}; nothing was "
        "done again.",
    )


def execute(
    session,
    reference: str,
    *,
    destination: str = "payment",
    actor,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
) -> Execution:
    """Move the approved amount once, to ``destination`` (``payment`` or ``wallet``)."""
    now = now or utcnow()
    destination = (destination or "payment").strip()
    if destination not in states.REFUND_DESTINATIONS:
        message = "Choose where the money goes: the original payment or store credit."
        raise ValidationError(message, field_errors={"destination": [message]})
    order, request = lock_request(session, reference)
    if request.status == "executed":
        return _already(session, request)
    states.check_move(MACHINE, request.status, "executed")
    amount = request.approved_amount
    if amount is None or amount <= 0:
        raise Conflict("This request has no approved amount to refund.")
    shares = seller_shares(session, order, request, amount)
    payment = session.scalar(
        select(Payment).where(Payment.shopping_mall_order_id == order.id).with_for_update()
    )
    if payment is None:
        raise Conflict(f"Order {order.order_number} has no payment to refund.")
    refunds = []
    if destination == "payment":
        refunds = _pay_back(
            session, order, request, payment, amount, provider or current_provider(), actor, now
        )
    else:
        wallets.post(
            session,
            user_id=order.shopping_mall_user_id,
            currency=order.currency,
            amount=amount,
            record_type="refund",
            actor_id=actor.id,
            reason=f"Refund {request.refund_request_number}",
            order_id=order.id,
            payment_id=payment.id,
            refund_request_id=request.id,
        )
    refund_id = refunds[0].id if refunds else None
    number = request.refund_request_number
    for seller_id, share in shares.items():
        ledger.post(
            session, seller_id=seller_id, currency=order.currency, amount=-share,
            entry_type="refund", source_type="refund", occurred_at=now, order_id=order.id,
            refund_id=refund_id, source_reference=number,
            note=f"Refund {number} to {DESTINATION_LABELS[destination]}",
        )  # fmt: skip
        fee_back = _fee_reversal(session, order, seller_id, share)
        if fee_back > 0:
            ledger.post(
                session, seller_id=seller_id, currency=order.currency, amount=fee_back,
                entry_type="fee_reversal", source_type="refund", occurred_at=now,
                order_id=order.id, refund_id=refund_id, source_reference=number,
                note=f"Fee given back on refund {number}",
            )  # fmt: skip
            session.add(
                Fee(
                    shopping_mall_seller_id=seller_id,
                    shopping_mall_order_id=order.id,
                    shopping_mall_payment_refund_id=refund_id,
                    fee_type=states.FEE_REVERSAL,
                    basis="refund",
                    amount=-fee_back,
                    currency=order.currency,
                    description=f"Fee given back on refund {number}",
                    assessed_at=now,
                )
            )
    text = money_text(amount, order.currency)
    where = DESTINATION_LABELS[destination]
    before = {"status": request.status, "version": request.version}
    request.status = "executed"
    request.version += 1
    request.updated_at = now
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=request.id,
        action="refund.executed", summary=f"Executed {number}: {text} to {where}",
        before=before,
        after={"status": "executed", "version": request.version,
               "destination": DESTINATION_WORDS[destination],
               "amount": plain_amount(amount, order.currency), "payment_refunds": len(refunds),
               "sellers_debited": len(shares)},
    )  # fmt: skip
    case_event(session, request, f"Refund request {number} executed: {text} to {where}.",
                actor=actor, now=now)  # fmt: skip
    session.flush()
    return Execution(request, True, f"{number} is executed: {text} to {where}.", tuple(refunds))


def wallet_refunded(session, request_id: str) -> Decimal:
    """What this request paid into store credit."""
    return Decimal(
        session.scalar(
            select(func.coalesce(func.sum(UserBalanceRecord.amount), 0)).where(
                UserBalanceRecord.shopping_mall_refund_request_id == request_id,
                UserBalanceRecord.type == "refund",
            )
        )
    )
