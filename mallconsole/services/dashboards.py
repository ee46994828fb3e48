"""The queues on each role's home page, counted live from the database.

Counts follow docs/contract.md: exact up to 10,000, above that "10,000+". Each count reads at most
10,001 index entries (``LIMIT`` inside the count), whatever the size of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from mallconsole.models import (
    AdminAction,
    Chargeback,
    InventoryRecord,
    Order,
    Payout,
    RefundRequest,
    Review,
    ReviewReport,
    SellerPayoutAccount,
    SellerReply,
    utcnow,
)
from mallconsole.services.fulfilment import shipments
from mallconsole.services.kit import audit
from mallconsole.services.kit.pagination import QueueCount, capped_count
from mallconsole.services.orders import cancellations, order_list, returns
from mallconsole.services.support import case_queues


@dataclass(frozen=True)
class Queue:
    """One line of a home page: what is waiting, and how many."""

    key: str
    label: str
    count: QueueCount
    hint: str | None = None
    # Where the count leads: (endpoint, arguments) of the queue's list.
    link: tuple[str, dict] | None = None


def support_queues(session, *, actor=None, now: datetime | None = None) -> list[Queue]:
    """The case queues (mine, unassigned, SLA due, all), each linking to its list."""
    tabs = case_queues.queue_tabs(session, user_id=actor.id if actor is not None else None, now=now)
    return [
        Queue(
            f"cases_{tab.key}",
            tab.label,
            tab.count,
            tab.hint,
            link=("support.case_list", {"queue": tab.key}),
        )
        for tab in tabs
        if actor is not None or tab.key != "mine"
    ]


@dataclass(frozen=True)
class ModerationQueue(Queue):
    """A moderation queue with the age of its oldest item; ``queue`` names its list
    (``/moderation/reviews?queue=…``)."""

    oldest_at: datetime | None = None
    queue: str = ""


def moderation_queues(session) -> list[ModerationQueue]:
    """Pending reviews, reviews with open reports and seller replies awaiting moderation, each
    with its count and the age of its oldest item."""
    pending = (Review.state == "pending", Review.deleted_at.is_(None))
    # written as the partial index's predicate, so the index answers
    open_reports = (ReviewReport.resolved == False, ReviewReport.deleted_at.is_(None))  # noqa: E712
    replies = (SellerReply.state == "pending", SellerReply.deleted_at.is_(None))

    def card(key, label, hint, queue, ids, waiting_since, where):
        return ModerationQueue(
            key,
            label,
            capped_count(session, ids.where(*where)),
            hint,
            oldest_at=session.execute(select(func.min(waiting_since)).where(*where)).scalar_one(),
            queue=queue,
        )

    return [
        card(
            "reviews_pending",
            "Pending reviews",
            "Waiting for a first decision",
            "pending",
            select(Review.id),
            Review.created_at,
            pending,
        ),
        card(
            "reports_open",
            "Reported reviews",
            "Reviews with at least one open report; most reported first",
            "reported",
            select(ReviewReport.shopping_mall_review_id).distinct(),
            ReviewReport.created_at,
            open_reports,
        ),
        card(
            "replies_pending",
            "Seller replies pending",
            "Replies become public once approved",
            "replies",
            select(SellerReply.id),
            SellerReply.created_at,
            replies,
        ),
    ]


def finance_queues(session, *, now: datetime | None = None) -> list[Queue]:
    """Refund requests awaiting approval, payouts to send or approve, chargebacks to answer
    and payout accounts to verify."""
    from mallconsole.services.money.chargebacks import OPEN_STATES

    now = now or utcnow()

    def refunds(status):
        return capped_count(
            session,
            select(RefundRequest.id).where(
                RefundRequest.status == status, RefundRequest.deleted_at.is_(None)
            ),
        )

    scheduled = (Payout.status == "scheduled", Payout.deleted_at.is_(None))
    return [
        Queue(
            "refunds_pending",
            "Refund requests awaiting approval",
            refunds("pending"),
            link=("finance.refund_list", {"tab": "pending"}),
        ),
        Queue(
            "refunds_second_approval",
            "Refund requests awaiting a second approval",
            refunds("pending_second_approval"),
            "Above the dual-approval threshold",
            link=("finance.refund_list", {"tab": "pending_second_approval"}),
        ),
        Queue(
            "refunds_to_execute",
            "Approved refunds awaiting execution",
            refunds("approved"),
            "The money has not moved yet",
            link=("finance.refund_list", {"tab": "approved"}),
        ),
        Queue(
            "payouts_scheduled",
            "Payouts scheduled",
            capped_count(session, select(Payout.id).where(*scheduled)),
            link=("finance.payout_list", {"status": "scheduled"}),
        ),
        Queue(
            "payouts_due",
            "Scheduled payouts due now",
            capped_count(session, select(Payout.id).where(*scheduled, Payout.scheduled_for <= now)),
            "Their planned day has come: send them or ask for approval",
            link=("finance.payout_list", {"status": "scheduled"}),
        ),
        Queue(
            "payouts_second_approval",
            "Payouts awaiting a second approval",
            capped_count(
                session,
                select(AdminAction.id).where(
                    AdminAction.action_name == "approve_payout", AdminAction.status == "pending"
                ),
            ),
            "Above the payout approval threshold",
            link=("finance.approvals", {"kind": "approve_payout"}),
        ),
        Queue(
            "chargebacks_open",
            "Chargebacks waiting for a decision",
            capped_count(
                session,
                select(Chargeback.id).where(
                    Chargeback.status.in_(OPEN_STATES), Chargeback.deleted_at.is_(None)
                ),
            ),
            "Those waiting for evidence first, by deadline",
            link=("finance.chargeback_list", {}),
        ),
        Queue(
            "payout_accounts_unverified",
            "Payout accounts to verify",
            capped_count(
                session,
                select(SellerPayoutAccount.id).where(
                    SellerPayoutAccount.status == "unverified",
                    SellerPayoutAccount.deleted_at.is_(None),
                ),
            ),
            "Their sellers cannot be paid until then",
            link=("finance.payout_account_list", {}),
        ),
    ]


# The cancellations and returns waiting for operations on its home: (key, state, words, hint).
CANCELLATION_QUEUES = (  # fmt: skip
    (
        "cancellations_to_decide",
        "pending",
        "Cancellations to decide",
        "Approve while nothing shipped",
    ),
    (
        "cancellations_to_execute",
        "approved",
        "Cancellations to execute",
        "Cancel the order, raise its refund",
    ),
)
RETURN_QUEUES = (
    ("returns_to_decide", "pending", "Returns to decide", "Approve or reject each item"),
    ("returns_to_inspect", "received", "Returns to inspect", "Received: inspect, then close"),
)


def operations_queues(session, *, now: datetime | None = None) -> list[Queue]:
    """Orders held, under review or expiring within the hour, returns to decide and to
    inspect, shipment exceptions, and SKUs at or below their safety stock."""
    now = now or utcnow()

    def orders(status):
        return capped_count(
            session, select(Order.id).where(Order.status == status, Order.deleted_at.is_(None))
        )

    low = (
        select(InventoryRecord.shopping_mall_sku_id)
        .where(
            # written as ix_inventory_records_low_stock's predicate, so that index answers
            # (SQLite matches a partial index only on the same shape of comparison)
            InventoryRecord.deleted_at.is_(None),
            InventoryRecord.safety_stock_threshold
            >= InventoryRecord.on_hand - InventoryRecord.non_sellable,
        )
        .distinct()
    )
    returns_waiting = returns.home_queues(session)
    cancellations_waiting = cancellations.waiting_counts(session)
    return [
        Queue(
            "orders_on_hold",
            "Orders on hold",
            orders("on_hold"),
            link=("operations.order_list", {"queue": "on_hold"}),
        ),
        Queue(
            "orders_under_review",
            "Orders under review",
            orders("under_review"),
            link=("operations.order_list", {"queue": "under_review"}),
        ),
        Queue(
            "orders_expiring",
            "Unpaid orders expiring within the hour",
            capped_count(session, select(Order.id).where(*order_list.expiring_condition(now))),
            "Canceled when their time runs out",
            link=("operations.order_list", {"queue": "expiring"}),
        ),
        *(
            Queue(
                key,
                label,
                cancellations_waiting[state],
                hint,
                link=("operations.cancellation_list", {"queue": state}),
            )  # fmt: skip
            for key, state, label, hint in CANCELLATION_QUEUES
        ),
        *(
            Queue(
                key,
                label,
                returns_waiting[state],
                hint,
                link=("operations.return_list", {"queue": state}),
            )  # fmt: skip
            for key, state, label, hint in RETURN_QUEUES
        ),
        Queue(
            "shipment_exceptions",
            "Shipment exceptions",
            shipments.count_exceptions(session),
            "Carrier exceptions, failed deliveries, parcels going back, and no carrier news",
            link=("operations.shipment_list", {"queue": "exceptions"}),
        ),
        Queue(
            "skus_low_stock",
            "Low-stock SKUs",
            capped_count(session, low),
            "Sellable stock (on hand − non-sellable) at or below the safety threshold",
        ),
    ]


def admin_queues(session) -> list[Queue]:
    """Admin actions waiting for approval."""
    return [
        Queue(
            "admin_actions_pending",
            "Admin actions awaiting approval",
            capped_count(
                session,
                select(AdminAction.id).where(
                    AdminAction.status == "pending", AdminAction.deleted_at.is_(None)
                ),
            ),
        )
    ]


def recent_audit_events(session, *, limit: int = 10):
    """The latest audit events, for the admin home."""
    return audit.recent_events(session, limit=limit)
