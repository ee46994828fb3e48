"""An order's status: every change goes through the order machine, appends the status history
(who, why) and writes its audit event. Holds and reviews interrupt a state; a release returns
to the state they interrupted, read from the status history. It sits beside the order's read
service, below the orders and aftersales packages, which both move orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from mallconsole.core import states
from mallconsole.core.errors import InvalidTransition, ValidationError
from mallconsole.models import Order, OrderStatusHistory, SellerOrder, utcnow
from mallconsole.services.customers.order_view import find_order
from mallconsole.services.kit import audit, versions

TABLE = Order.__tablename__
MACHINE = states.ORDER_MACHINE
REASON_MAX = 500
# What an interruption is for, in the business status it stores.
INTERRUPTION_STATUSES = states.ORDER_INTERRUPTION_BUSINESS_STATUS


def status_history(session, order_id: str) -> list[str]:
    """The order's states, oldest first, as its status history records them."""
    return list(
        session.scalars(
            select(OrderStatusHistory.status)
            .where(
                OrderStatusHistory.shopping_mall_order_id == order_id,
                OrderStatusHistory.deleted_at.is_(None),
            )
            .order_by(OrderStatusHistory.recorded_at, OrderStatusHistory.id)
        )
    )


def history_if_needed(session, order: Order) -> list[str] | None:
    """The status history when the order's state needs it to be left (an interruption)."""
    if order.status in MACHINE.interruptions:
        return status_history(session, order.id)
    return None


def lock_order(session, reference: str) -> Order:
    """The order with this id or ORD- number, row-locked for this transaction."""
    order = find_order(session, reference)
    return versions.lock(session, Order, order.id, what="order")


def move(
    session,
    order: Order,
    target: str,
    *,
    actor,
    action: str,
    summary: str,
    reason: str | None = None,
    note: str | None = None,
    business_status: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move the (locked) order to ``target``: refused (409) when the machine does not allow it;
    appends the status history with the actor and reason, raises the version, audits. Its
    seller orders in the order's state move with it."""
    now = now or utcnow()
    states.check_move(MACHINE, order.status, target, history=history_if_needed(session, order))
    before = {"status": order.status}
    after = {"status": target}
    if order.business_status is not None or business_status is not None:
        before["business_status"], after["business_status"] = order.business_status, business_status
    # Its seller orders in the same state follow it (one seller's part may have moved on).
    session.execute(
        update(SellerOrder)
        .where(
            SellerOrder.shopping_mall_order_id == order.id,
            SellerOrder.status == order.status,
            SellerOrder.deleted_at.is_(None),
        )
        .values(status=target, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    order.status = target
    order.business_status = business_status
    order.version += 1
    order.updated_at = now
    session.add(
        OrderStatusHistory(
            shopping_mall_order_id=order.id,
            triggered_by_user_id=actor.id if actor is not None else None,
            status=target,
            business_status=business_status,
            reason=reason,
            note=note,
            recorded_at=now,
        )
    )
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=order.id, action=action,
        summary=summary, reason=reason, before=before,
        after={**after, "version": order.version},
    )  # fmt: skip
    session.flush()


def _reason(raw) -> str:
    reason = (raw or "").strip()
    if not reason:
        message = "Say why: the reason is kept in the order's status history."
        raise ValidationError(message, field_errors={"reason": [message]})
    if len(reason) > REASON_MAX:
        message = f"Keep the reason under {REASON_MAX} characters."
        raise ValidationError(message, field_errors={"reason": [message]})
    return reason


@dataclass(frozen=True)
class Moved:
    order: Order
    message: str


def interrupt(
    session,
    reference: str,
    kind: str,
    *,
    reason: str,
    actor,
    expected_version: int,
    now: datetime | None = None,
) -> Moved:
    """Put the order on hold or under review (``kind``), with a reason."""
    if kind not in INTERRUPTION_STATUSES:
        raise ValidationError("Choose to put the order on hold or under review.")
    reason = _reason(reason)
    order = lock_order(session, reference)
    versions.check_version(session, order, expected_version, entity_table=TABLE)
    words = states.label(MACHINE, kind).lower()
    move(
        session, order, kind, actor=actor, action=f"order.{kind}",
        summary=f"{order.order_number} {words}", reason=reason,
        business_status=INTERRUPTION_STATUSES[kind], now=now,
    )  # fmt: skip
    return Moved(order, f"{order.order_number} is {words}.")


def release(
    session,
    reference: str,
    *,
    reason: str,
    actor,
    expected_version: int,
    now: datetime | None = None,
) -> Moved:
    """Release a held or reviewed order: it returns to the state it interrupted."""
    reason = _reason(reason)
    order = lock_order(session, reference)
    versions.check_version(session, order, expected_version, entity_table=TABLE)
    if order.status not in MACHINE.interruptions:
        raise InvalidTransition(
            f"{order.order_number} is {states.label(MACHINE, order.status).lower()}: only an "
            "order on hold or under review can be released."
        )
    resumed = states.interrupted_state(MACHINE, status_history(session, order.id))
    if resumed is None:
        raise InvalidTransition(
            f"{order.order_number}'s status history shows no state to return to."
        )
    words = states.label(MACHINE, resumed).lower()
    move(
        session, order, resumed, actor=actor, action="order.released",
        summary=f"{order.order_number} released to {words}", reason=reason, now=now,
    )  # fmt: skip
    return Moved(order, f"{order.order_number} is released: it is {words} again.")


def actions_for(session, order: Order) -> list[str]:
    """The status actions the order offers: ``on_hold``, ``under_review``, ``release``."""
    history = history_if_needed(session, order)
    found = [
        kind
        for kind in INTERRUPTION_STATUSES
        if states.can_move(MACHINE, order.status, kind, history=history)
    ]
    if order.status in MACHINE.interruptions:
        found.append("release")
    return found
