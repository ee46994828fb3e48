"""Reading refund requests: the finance queue (a tab per state, filters, keyset pages) and
everything the request screen shows.

The queue is one query per page whatever its depth (``keyset_page`` over the request table,
ordered by raise time or amount, the id breaking ties), plus one query for the order numbers
and customers and one for the stores of the rows on the page. Tabs count with
``capped_count`` (exact to 10,000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from mallconsole.core import states
from mallconsole.models import (
    AdminAction,
    MakerCheckerApproval,
    Order,
    OrderItem,
    PaymentRefund,
    RefundItem,
    RefundRequest,
    ReturnItem,
    ReturnRequest,
    SellerOrder,
    Store,
    SupportCase,
    User,
    utcnow,
)
from mallconsole.services import approvals
from mallconsole.services.aftersales.refund_decisions import (
    ACTION,
    TABLE,
    Room,
    latest_action,
    proposed_amount,
    request_lines,
    room_for,
    threshold,
)
from mallconsole.services.aftersales.refund_execution import capture_room, wallet_refunded
from mallconsole.services.customers import order_view
from mallconsole.services.customers.order_view import in_store
from mallconsole.services.kit import audit
from mallconsole.services.kit.pagination import (
    SortKey,
    Tab,
    capped_count,
    counted_tabs,
    keyset_page,
)

MACHINE = states.REFUND_REQUEST_MACHINE
# The queue's tabs: the states of the contract, "approved" read as waiting for execution.
TABS = (
    ("pending", "Pending", "Waiting for a first finance decision"),
    ("pending_second_approval", "Second approval", "Approved once, above the threshold"),
    ("approved", "Awaiting execution", "Approved: the money has not moved yet"),
    ("executed", "Executed", "Money moved"),
    ("rejected", "Rejected", None),
    ("canceled", "Canceled", None),
    ("all", "All", None),
)
TAB_KEYS = tuple(key for key, _, _ in TABS)
# How old a request is: (filter value, words, (newer than, older than) in days).
AGES = {
    "1d": ("Raised today", (None, 1)),
    "7d": ("Raised in the last 7 days", (None, 7)),
    "30d": ("Raised in the last 30 days", (None, 30)),
    "older": ("Waiting more than 7 days", (7, None)),
}
STATUS_TONES = {
    "pending": "info",
    "pending_second_approval": "warning",
    "approved": "success",
    "executed": "neutral",
    "rejected": "danger",
    "canceled": "neutral",
}
REFUND_SORTS = (
    SortKey("raised", "Raised", RefundRequest.created_at, kind=datetime),
    SortKey("amount", "Amount", RefundRequest.total_requested_amount, kind=Decimal),
)
REFUND_ID = RefundRequest.id
# Work waiting: oldest first; what is done: newest first.
DEFAULT_SORTS = {"pending": "raised", "pending_second_approval": "raised", "approved": "raised"}
DEFAULT_SORT = "-raised"


def default_sort(tab: str) -> str:
    return DEFAULT_SORTS.get(tab, DEFAULT_SORT)


def status_label(status: str) -> str:
    return states.label(MACHINE, status)


def _conditions(tab: str, filters: dict, *, now: datetime) -> list:
    where = [RefundRequest.deleted_at.is_(None)]
    if tab != "all":
        where.append(RefundRequest.status == tab)
    if filters.get("min_amount") is not None:
        where.append(RefundRequest.total_requested_amount >= filters["min_amount"])
    if filters.get("max_amount") is not None:
        where.append(RefundRequest.total_requested_amount <= filters["max_amount"])
    if filters.get("currency"):
        where.append(RefundRequest.currency == filters["currency"])
    if filters.get("reason"):
        where.append(RefundRequest.reason_code == filters["reason"])
    age = AGES.get(filters.get("age") or "")
    if age:
        older_than, newer_than = age[1]
        if newer_than is not None:
            where.append(RefundRequest.created_at >= now - timedelta(days=newer_than))
        if older_than is not None:
            where.append(RefundRequest.created_at < now - timedelta(days=older_than))
    if filters.get("store"):
        where.append(in_store(RefundRequest.shopping_mall_order_id, filters["store"]))
    return where


@dataclass
class QueueRow:
    request: RefundRequest
    order_number: str | None = None
    stores: list[str] = field(default_factory=list)
    has_case: bool = False
    customer: str | None = None  # the customer's display name

    @property
    def status_label(self) -> str:
        return status_label(self.request.status)

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.request.status, "neutral")

    @property
    def amount(self) -> Decimal:
        return (
            self.request.approved_amount
            if self.request.approved_amount is not None
            else self.request.total_requested_amount
        )


def refund_page(session, tab, filters, ordering, *, cursor, limit, now=None):
    """One page of the queue; its rows are ``QueueRow``s."""
    now = now or utcnow()
    statement = select(RefundRequest).where(*_conditions(tab, filters, now=now))
    page = keyset_page(session, statement, ordering, cursor=cursor, limit=limit)
    rows = [QueueRow(request) for request in page.rows]
    order_ids = {row.request.shopping_mall_order_id for row in rows}
    if order_ids:
        orders = {
            order_id: (number, name or nickname)
            for order_id, number, name, nickname in session.execute(
                select(Order.id, Order.order_number, User.name, User.nickname)
                .outerjoin(User, User.id == Order.shopping_mall_user_id)
                .where(Order.id.in_(order_ids))
            )
        }
        stores: dict[str, list[str]] = {}
        for order_id, name in session.execute(
            select(SellerOrder.shopping_mall_order_id, Store.name)
            .join(Store, Store.id == SellerOrder.shopping_mall_store_id)
            .where(SellerOrder.shopping_mall_order_id.in_(order_ids))
            .order_by(Store.name)
        ):
            stores.setdefault(order_id, []).append(name)
        for row in rows:
            row.order_number, row.customer = orders.get(
                row.request.shopping_mall_order_id, (None, None)
            )
            row.stores = stores.get(row.request.shopping_mall_order_id, [])
            row.has_case = bool(row.request.shopping_mall_support_case_id)
    page.rows = rows
    return page


def count_requests(session, tab, filters, *, now=None):
    now = now or utcnow()
    return capped_count(
        session, select(RefundRequest.id).where(*_conditions(tab, filters, now=now))
    )


def tabs(session) -> list[Tab]:
    """The state tabs with their counts (a capped count per state, all in one statement)."""

    def ids(key):
        where = [RefundRequest.deleted_at.is_(None)]
        if key != "all":
            where.append(RefundRequest.status == key)
        return select(RefundRequest.id).where(*where)

    return counted_tabs(session, TABS, ids)


# ---- the request screen ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    line: RefundItem
    item: OrderItem | None

    @property
    def what(self) -> str:
        return self.item.product_name if self.item else "Whole order"


@dataclass(frozen=True)
class CaptureRoom:
    capture: object
    left: Decimal


@dataclass(frozen=True)
class ReturnView:
    request: ReturnRequest
    items: list  # (ReturnItem, product name)


@dataclass(frozen=True)
class ApprovalStep:
    """A decision given on the second-approval action: who, what, when, why."""

    approver: str
    decision: str
    decided_at: datetime
    reason: str | None
    revision: int


@dataclass
class RefundView:
    request: RefundRequest
    order: order_view.OrderView
    lines: list[LineView]
    requester: User | None
    first_approver: User | None
    case: SupportCase | None
    return_view: ReturnView | None
    room: Room
    captures: list[CaptureRoom]
    refunds: list[PaymentRefund]
    to_store_credit: Decimal
    action: AdminAction | None
    approvals: list[ApprovalStep]
    history: list
    threshold: Decimal | None

    @property
    def status_label(self) -> str:
        return status_label(self.request.status)

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.request.status, "neutral")

    @property
    def proposed(self) -> Decimal | None:
        return proposed_amount(self.request, self.action)

    @property
    def waiting_action(self) -> AdminAction | None:
        if self.action is not None and self.action.status == "pending":
            return self.action
        return None

    @property
    def waiting_for(self) -> str | None:
        """Who the waiting second approval waits for, in words: "another finance manager"."""
        return approvals.waiting_for(self.waiting_action) if self.waiting_action else None

    @property
    def approved_lines_total(self) -> Decimal:
        return sum(
            (v.line.amount for v in self.lines if v.line.approval_status != "rejected"), Decimal(0)
        )


def load(session, reference: str) -> RefundView:
    from mallconsole.services.aftersales.refund_decisions import find_request

    request = find_request(session, reference)
    view = order_view.load(session, request.shopping_mall_order_id)
    lines = request_lines(session, request.id)
    items = {item.id: item for item in view.items}
    people = {
        user.id: user
        for user in session.scalars(
            select(User).where(
                User.id.in_(
                    [u for u in (request.requested_by_user_id, request.approved_by_user_id) if u]
                )
            )
        )
    }
    case = (
        session.get(SupportCase, request.shopping_mall_support_case_id)
        if request.shopping_mall_support_case_id
        else None
    )
    return_view = None
    if request.shopping_mall_return_request_id:
        rma = session.get(ReturnRequest, request.shopping_mall_return_request_id)
        if rma is not None:
            rows = session.execute(
                select(ReturnItem, OrderItem.product_name)
                .join(OrderItem, OrderItem.id == ReturnItem.shopping_mall_order_item_id)
                .where(ReturnItem.shopping_mall_return_request_id == rma.id)
                .order_by(OrderItem.line_position)
            ).all()
            return_view = ReturnView(rma, [tuple(row) for row in rows])
    payment = view.payment.payment if view.payment else None
    captures = (
        [CaptureRoom(c, left) for c, left in capture_room(session, payment.id)] if payment else []
    )
    refunds = list(
        session.scalars(
            select(PaymentRefund)
            .where(PaymentRefund.shopping_mall_refund_request_id == request.id)
            .order_by(PaymentRefund.created_at, PaymentRefund.id)
        )
    )
    action = latest_action(session, request.id)
    steps = []
    if action is not None:
        steps = [
            ApprovalStep(email or "Someone", decision, decided_at, reason, revision)
            for decision, decided_at, reason, revision, email in session.execute(
                select(
                    MakerCheckerApproval.decision,
                    MakerCheckerApproval.decided_at,
                    MakerCheckerApproval.reason,
                    MakerCheckerApproval.revision,
                    User.email,
                )
                .outerjoin(User, User.id == MakerCheckerApproval.approver_user_id)
                .join(
                    AdminAction,
                    AdminAction.id == MakerCheckerApproval.shopping_mall_admin_action_id,
                )
                .where(
                    AdminAction.action_name == ACTION,
                    AdminAction.target_entity_id == request.id,
                )
                .order_by(MakerCheckerApproval.decided_at)
            )
        ]
    order = session.get(Order, request.shopping_mall_order_id)
    return RefundView(
        request=request,
        order=view,
        lines=[LineView(line, items.get(line.shopping_mall_order_item_id)) for line in lines],
        requester=people.get(request.requested_by_user_id),
        first_approver=people.get(request.approved_by_user_id),
        case=case,
        return_view=return_view,
        room=room_for(session, order, request),
        captures=captures,
        refunds=refunds,
        to_store_credit=wallet_refunded(session, request.id),
        action=action,
        approvals=steps,
        history=audit.history(session, TABLE, request.id),
        threshold=threshold(session, request.currency),
    )
