"""The order list of operations: tabs (every order, held, under review, expiring within the
hour), filters (status, business status, store, placed between, amount between, currency,
country), the exact order-number look-up, and keyset pages at any depth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from mallconsole.core import states
from mallconsole.models import Order, User, utcnow
from mallconsole.services.customers.order_view import in_store
from mallconsole.services.kit.pagination import (
    SortKey,
    Tab,
    capped_count,
    counted_tabs,
    pair_page,
)

MACHINE = states.ORDER_MACHINE
ORDER_ID = Order.id
ORDER_SORTS = (
    SortKey("placed", "Placed", Order.placed_at, kind=datetime),
    SortKey("total", "Total", Order.grand_total, kind=Decimal),
    SortKey("expires", "Expires", Order.expires_at, nullable=True, kind=datetime),
    SortKey("number", "Number", Order.order_number),
)
EXPIRING_WITHIN = timedelta(hours=1)
# (key, words, hint) of the tabs.
TABS = (
    ("all", "All orders", None),
    ("on_hold", "On hold", "Held for a payment risk review"),
    ("under_review", "Under review", "Waiting for a fraud check"),
    ("expiring", "Expiring within the hour", "Unpaid, and canceled when their time runs out"),
)
TAB_KEYS = tuple(key for key, _, _ in TABS)
DEFAULT_SORTS = {"expiring": "expires"}
DEFAULT_SORT = "-placed"


def status_label(status: str) -> str:
    return states.label(MACHINE, status)


# What a row shows (and sorts by): the rest of an order is not read for the list.
LISTED = (
    Order.order_number, Order.status, Order.business_status, Order.currency, Order.grand_total,
    Order.placed_at, Order.expires_at, Order.shipping_city, Order.shipping_country,
)  # fmt: skip


def default_sort(tab: str) -> str:
    return DEFAULT_SORTS.get(tab, DEFAULT_SORT)


def expiring_condition(now: datetime, within: timedelta = EXPIRING_WITHIN):
    """Unpaid orders whose time runs out within ``within`` of ``now`` (not yet expired)."""
    return (
        Order.status == "pending_payment",
        Order.expires_at > now,
        Order.expires_at <= now + within,
    )


def _tab_conditions(tab: str, now: datetime) -> list:
    where = [Order.deleted_at.is_(None)]
    if tab == "expiring":
        where.extend(expiring_condition(now))
    elif tab != "all":
        where.append(Order.status == tab)
    return where


def _conditions(tab: str, filters: dict, now: datetime) -> list:
    where = _tab_conditions(tab, now)
    for name, column in (
        ("status", Order.status),
        ("business_status", Order.business_status),
        ("currency", Order.currency),
        ("country", Order.shipping_country),
    ):
        if filters.get(name):
            where.append(column == filters[name])
    if filters.get("since"):
        where.append(Order.placed_at >= filters["since"])
    if filters.get("until"):
        where.append(Order.placed_at < filters["until"])
    if filters.get("min_amount") is not None:
        where.append(Order.grand_total >= filters["min_amount"])
    if filters.get("max_amount") is not None:
        where.append(Order.grand_total <= filters["max_amount"])
    if filters.get("store"):
        where.append(in_store(Order.id, filters["store"]))
    return where


@dataclass(frozen=True)
class OrderRow:
    order: Order
    customer: str | None


def _statement(tab: str, filters: dict, now: datetime):
    return (
        select(Order, func.coalesce(User.name, User.nickname))
        .outerjoin(User, User.id == Order.shopping_mall_user_id)
        .where(*_conditions(tab, filters, now))
        .options(load_only(*LISTED))
    )


def order_page(session, tab, filters, ordering, *, cursor, limit, now=None):
    """One page of the tab's orders; rows are ``OrderRow``s (one query)."""
    statement = _statement(tab, filters, now or utcnow())
    return pair_page(session, statement, ordering, cursor=cursor, limit=limit, wrap=OrderRow)


def count_orders(session, tab, filters, *, now=None):
    return capped_count(
        session, select(Order.id).where(*_conditions(tab, filters, now or utcnow())), estimate=True
    )


def tabs(session, *, now=None) -> list[Tab]:
    """The tabs with their counts (capped; one statement)."""
    now = now or utcnow()
    return counted_tabs(session, TABS, lambda key: select(Order.id).where(
        *_tab_conditions(key, now)))  # fmt: skip


def find_number(session, words: str | None) -> str | None:
    """The id of the order whose number is exactly ``words`` (any case), or None."""
    words = (words or "").strip().upper()
    if not words.startswith("ORD-") or len(words) > 64:
        return None
    return session.scalar(
        select(Order.id).where(Order.order_number == words, Order.deleted_at.is_(None))
    )
