"""Cancellation requests (CAN-…) as operations works them: the queue, one request's screen,
and its moves (docs/contract.md): pending → approved (only while nothing of the order has
shipped; records who approved and when), rejected (with a reason) or withdrawn; approved →
executed: the order's stock reservations are released, a refund request is raised for what was
captured (finance decides and executes it, as for every refund) and the order is canceled,
with a step in its status history.

Every move locks the order first, then the request: the order row is what a shipment and a
cancellation meet on, so one of them waits for the other and reads what it did."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.models import (
    CancellationRequest,
    InventoryReservation,
    Order,
    User,
    utcnow,
)
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.customers import order_status, order_view
from mallconsole.services.customers.order_view import in_store
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import (
    SortKey,
    Tab,
    capped_count,
    capped_counts,
    counted_tabs,
    pair_page,
)

MACHINE = states.CANCELLATION_REQUEST_MACHINE
TABLE = CancellationRequest.__tablename__
CANCELLATION_ID = CancellationRequest.id
REFERENCE = re.compile(r"[0-9A-Za-z-]{1,64}")
REASON_MAX = 500
# The reservation states a cancellation gives back.
HELD = ("active", "extended")
LABELS = {"status": "State", "approved_by_user_id": "Approved by", "decided_at": "Decided"}
TABS = (
    ("pending", "To decide", "Approve while nothing has shipped, or reject with a reason"),
    ("approved", "To execute", "Approved: cancel the order and raise its refund"),
    ("all", "All", None),
)
TAB_KEYS = tuple(key for key, _, _ in TABS)
CANCELLATION_SORTS = (
    SortKey("requested", "Requested", CancellationRequest.created_at, kind=datetime),
    SortKey("decided", "Decided", CancellationRequest.decided_at, nullable=True, kind=datetime),
)
DEFAULT_SORTS = {"pending": "requested", "approved": "decided"}
DEFAULT_SORT = "-requested"


def status_label(status: str) -> str:
    return states.label(MACHINE, status)


def default_sort(tab: str) -> str:
    return DEFAULT_SORTS.get(tab, DEFAULT_SORT)


def reason_choices() -> dict[str, str]:
    return {code: cr.reason_label(code) for code in states.CANCELLATION_REASONS}


# ---- the queue ---------------------------------------------------------------------------------


def _tab_conditions(tab: str) -> list:
    where = [CancellationRequest.deleted_at.is_(None)]
    if tab != "all":
        where.append(CancellationRequest.status == tab)
    return where


def _conditions(tab: str, filters: dict) -> list:
    where = _tab_conditions(tab)
    if filters.get("status"):
        where.append(CancellationRequest.status == filters["status"])
    if filters.get("reason"):
        where.append(CancellationRequest.reason_code == filters["reason"])
    if filters.get("since"):
        where.append(CancellationRequest.created_at >= filters["since"])
    if filters.get("until"):
        where.append(CancellationRequest.created_at < filters["until"])
    if filters.get("store"):
        where.append(in_store(CancellationRequest.shopping_mall_order_id, filters["store"]))
    return where


@dataclass(frozen=True)
class QueueRow:
    request: CancellationRequest
    order_number: str
    order_status: str
    total: object
    currency: str
    customer: str | None


def cancellation_page(session, tab, filters, ordering, *, cursor, limit):
    """One page of the tab; rows are ``QueueRow``s (one statement)."""
    statement = (
        select(
            CancellationRequest, Order.order_number, Order.status, Order.grand_total,
            Order.currency, func.coalesce(User.name, User.nickname),
        )
        .join(Order, Order.id == CancellationRequest.shopping_mall_order_id)
        .outerjoin(User, User.id == Order.shopping_mall_user_id)
        .where(*_conditions(tab, filters))
    )  # fmt: skip
    return pair_page(session, statement, ordering, cursor=cursor, limit=limit, wrap=QueueRow)


def count_cancellations(session, tab, filters):
    return capped_count(session, select(CancellationRequest.id).where(*_conditions(tab, filters)))


def tabs(session) -> list[Tab]:
    return counted_tabs(
        session, TABS, lambda key: select(CancellationRequest.id).where(*_tab_conditions(key))
    )


def waiting_counts(session) -> dict[str, object]:
    """The home's counts: to decide and to execute (one statement)."""
    counted = {key: select(CancellationRequest.id).where(*_tab_conditions(key))
               for key in ("pending", "approved")}  # fmt: skip
    return capped_counts(session, counted)[0]


# ---- one request --------------------------------------------------------------------------------


def find_cancellation(session, reference: str) -> CancellationRequest:
    """The request with this id or CAN- number; 404 when there is none."""
    reference = (reference or "").strip()
    if not REFERENCE.fullmatch(reference):
        raise NotFound("There is no cancellation request with this id or number.")
    found = session.scalar(
        select(CancellationRequest).where(
            or_(
                CancellationRequest.id == reference,
                CancellationRequest.cancellation_request_number == reference.upper(),
            ),
            CancellationRequest.deleted_at.is_(None),
        )
    )
    if found is None:
        raise NotFound("There is no cancellation request with this id or number.")
    return found


@dataclass(frozen=True)
class CancellationView:
    request: CancellationRequest
    order: order_view.OrderView
    requester: User | None
    approver: User | None
    shipped: str | None  # why it can no longer be canceled, when something shipped
    captured: object  # what a refund would be raised for on execution
    refund: str | None  # the number of the refund request raised on execution
    history: list

    @property
    def status_label(self) -> str:
        return status_label(self.request.status)


def _raised_refund(history) -> str | None:
    """The number of the refund request its execution raised (kept in its audit event)."""
    for entry in history:
        raised = ((entry.event.changes or {}).get("after") or {}).get("refund")
        if raised:
            return raised
    return None


def load(session, reference: str) -> CancellationView:
    request = find_cancellation(session, reference)
    view = order_view.load(session, request.shopping_mall_order_id)
    room = cr.refund_room(session, view.order)
    history = audit.history(session, TABLE, request.id)
    return CancellationView(
        request=request,
        order=view,
        requester=session.get(User, request.requested_by_user_id),
        approver=session.get(User, request.approved_by_user_id)
        if request.approved_by_user_id
        else None,
        shipped=cr.shipped_refusal(session, view.order),
        captured=room.ceiling,
        refund=_raised_refund(history),
        history=history,
    )


# ---- the moves -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    request: CancellationRequest
    message: str


def _begin(session, reference, expected_version: int, target: str):
    """Lock the order, then the request; check the version seen and the move."""
    found = find_cancellation(session, reference)
    order = versions.lock(session, Order, found.shopping_mall_order_id, what="order")
    request = versions.lock(session, CancellationRequest, found.id, what="cancellation request")
    versions.check_version(session, request, expected_version, entity_table=TABLE, labels=LABELS)
    states.check_move(MACHINE, request.status, target)
    return order, request


def _nothing_shipped(session, order: Order, request: CancellationRequest) -> None:
    shipped = cr.shipped_refusal(session, order)
    if shipped:
        raise Conflict(f"{request.cancellation_request_number} cannot go ahead. {shipped}")


def _move(session, request, target, *, actor, summary, reason=None, extra=None, now):
    before = {"status": request.status}
    request.status = target
    request.version += 1
    request.updated_at = now
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=request.id,
        action=f"cancellation.{target}", summary=summary, reason=reason, before=before,
        after={"status": target, "version": request.version, **(extra or {})},
    )  # fmt: skip
    session.flush()


def approve(session, reference, *, actor, expected_version, now: datetime | None = None) -> Moved:
    """Approve while nothing of the order has shipped; records who approved and when."""
    now = now or utcnow()
    order, request = _begin(session, reference, expected_version, "approved")
    _nothing_shipped(session, order, request)
    request.approved_by_user_id = actor.id
    request.decided_at = now
    number = request.cancellation_request_number
    _move(session, request, "approved", actor=actor, now=now,
          summary=f"{number} approved", extra={"approved_by_user_id": actor.id})  # fmt: skip
    return Moved(request, f"{number} is approved: execute it to cancel {order.order_number}.")


def reject(session, reference, *, reason, actor, expected_version, now=None) -> Moved:
    """Reject with a reason (the customer is told by support)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = (
            "Say why the cancellation is rejected: support tells the customer."
            if not reason
            else f"Keep the reason under {REASON_MAX} characters."
        )
        raise ValidationError(message, field_errors={"reason": [message]})
    _, request = _begin(session, reference, expected_version, "rejected")
    request.decided_at = now
    number = request.cancellation_request_number
    _move(session, request, "rejected", actor=actor, now=now, reason=reason,
          summary=f"{number} rejected")  # fmt: skip
    return Moved(request, f"{number} is rejected.")


def _release_reservations(session, order: Order, now: datetime) -> int:
    held = session.scalars(
        select(InventoryReservation)
        .where(
            InventoryReservation.shopping_mall_order_id == order.id,
            InventoryReservation.status.in_(HELD),
        )
        .with_for_update()
    ).all()
    for reservation in held:
        states.check_move(states.INVENTORY_RESERVATION_MACHINE, reservation.status, "released")
        reservation.status = "released"
        reservation.updated_at = now
    return len(held)


def execute(session, reference, *, actor, expected_version, now=None) -> Moved:
    """Cancel the order: reservations released, a refund request raised for what was
    captured, the order canceled with its history. Refused once anything has shipped."""
    now = now or utcnow()
    order, request = _begin(session, reference, expected_version, "executed")
    _nothing_shipped(session, order, request)
    number = request.cancellation_request_number
    released = _release_reservations(session, order, now)
    room = cr.refund_room(session, order)
    refund = None
    if room.ceiling > 0:
        refund = cr.raise_refund(
            session, order.id, [(None, room.ceiling)],
            reason_code=cr.CANCELLATION_REFUND_REASON,
            note=f"Cancellation {number}", actor=actor,
            case_id=request.shopping_mall_support_case_id, cancellation=request,
        )  # fmt: skip
    order_status.move(
        session, order, "canceled", actor=actor, action="order.canceled",
        summary=f"{order.order_number} canceled by {number}", reason=f"Cancellation {number}",
        now=now,
    )  # fmt: skip
    extra = {"reservations_released": released,
             "refund": refund.refund_request_number if refund else None}  # fmt: skip
    _move(session, request, "executed", actor=actor, now=now, extra=extra,
          summary=f"{number} executed: {order.order_number} canceled")  # fmt: skip
    if refund is None:
        return Moved(request, f"{order.order_number} is canceled; nothing was captured to refund.")
    return Moved(
        request,
        f"{order.order_number} is canceled; refund request {refund.refund_request_number} "
        "is raised for finance.",
    )
