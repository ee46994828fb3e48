"""Global search: exact and prefix matches on indexed numbers, SKU codes and customer emails.

Each kind the searcher may open is looked up with one indexed query (at most
``PER_KIND`` rows, in index order, so a short prefix matching millions stops after five): on
PostgreSQL ``LIKE 'term%'`` on the column in the C collation, served by the ``COLLATE "C"``
indexes of migration 0002; on SQLite a range on the binary-collated unique index (emails are
matched as stored; staff and seeded emails are lower-case). No query scans a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select

from ..authz import Permission
from ..models import (
    Customer,
    Order,
    Payout,
    RefundRequest,
    ReturnRequest,
    Sku,
    SupportCase,
    User,
)

PER_KIND = 5
MIN_LENGTH = 2
MAX_LENGTH = 120
NUMBER_PREFIX = re.compile(r"^(ORD|CAS|RMA|RR|PO)-", re.IGNORECASE)
_TOP = "\U0010ffff"


@dataclass(frozen=True)
class SearchCard:
    """One match, as a summary card."""

    kind: str
    kind_label: str
    record_id: str
    number: str
    status: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    at: datetime | None = None
    at_label: str = "Created"
    # The record's own console screen: (endpoint, argument name); linked once it exists.
    screen: tuple[str, str] | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    permission: Permission
    model: type
    column: object
    number_prefix: str | None
    card: Callable
    screen: tuple[str, str]
    lower: bool = False
    extra: tuple = ()


def _money(amount, currency) -> str:
    return "—" if amount is None else f"{amount:,.2f} {currency}"


def _order_card(o: Order) -> SearchCard:
    return SearchCard(
        "order", "Order", o.id, o.order_number, o.status,
        [("Total", _money(o.grand_total, o.currency)), ("Ship to", o.shipping_recipient)],
        o.placed_at, "Placed", KINDS_BY_KEY["order"].screen,
    )  # fmt: skip


def _case_card(c: SupportCase) -> SearchCard:
    return SearchCard(
        "case", "Support case", c.id, c.case_number, c.status,
        [("Subject", c.subject), ("Priority", c.priority)],
        c.created_at, "Opened", KINDS_BY_KEY["case"].screen,
    )  # fmt: skip


def _return_card(r: ReturnRequest) -> SearchCard:
    return SearchCard(
        "return", "Return (RMA)", r.id, r.rma_code, r.status,
        [("Reason", r.reason_code)], r.created_at, "Requested", KINDS_BY_KEY["return"].screen,
    )  # fmt: skip


def _refund_card(r: RefundRequest) -> SearchCard:
    return SearchCard(
        "refund", "Refund request", r.id, r.refund_request_number, r.status,
        [("Requested", _money(r.total_requested_amount, r.currency)), ("Reason", r.reason_code)],
        r.created_at, "Requested", KINDS_BY_KEY["refund"].screen,
    )  # fmt: skip


def _payout_card(p: Payout) -> SearchCard:
    return SearchCard(
        "payout", "Payout", p.id, p.payout_number, p.status,
        [("Net", _money(p.net_amount, p.currency))],
        p.scheduled_for or p.created_at, "Scheduled for" if p.scheduled_for else "Created",
        KINDS_BY_KEY["payout"].screen,
    )  # fmt: skip


def _sku_card(s: Sku) -> SearchCard:
    return SearchCard(
        "sku", "SKU", s.id, s.sku_code, s.status,
        [("Price", _money(s.base_price, s.currency))]
        + ([("Seller code", s.seller_sku_code)] if s.seller_sku_code else []),
        s.created_at, "Created", KINDS_BY_KEY["sku"].screen,
    )  # fmt: skip


def _customer_card(u: User) -> SearchCard:
    return SearchCard(
        "customer", "Customer", u.id, u.email, u.status,
        [("Name", u.name or "—")], u.created_at, "Registered", KINDS_BY_KEY["customer"].screen,
    )  # fmt: skip


P = Permission
KINDS = (
    Kind("order", "Orders", P.ORDERS_VIEW, Order, Order.order_number, "ORD", _order_card,
         ("operations.order_detail", "order_id")),
    Kind("case", "Support cases", P.CASES_VIEW, SupportCase, SupportCase.case_number, "CAS",
         _case_card, ("support.case_detail", "case_id")),
    Kind("return", "Returns", P.RETURNS_VIEW, ReturnRequest, ReturnRequest.rma_code, "RMA",
         _return_card, ("operations.return_detail", "return_id")),
    Kind("refund", "Refund requests", P.REFUNDS_VIEW, RefundRequest,
         RefundRequest.refund_request_number, "RR", _refund_card,
         ("finance.refund_detail", "refund_id")),
    Kind("payout", "Payouts", P.PAYOUTS_VIEW, Payout, Payout.payout_number, "PO", _payout_card,
         ("finance.payout_detail", "payout_id")),
    Kind("sku", "SKUs", P.SKUS_VIEW, Sku, Sku.sku_code, None, _sku_card,
         ("operations.sku_detail", "sku_id")),
    Kind("customer", "Customers", P.CUSTOMERS_VIEW, User, User.email, None, _customer_card,
         ("support.customer_detail", "customer_id"), lower=True,
         extra=(exists().where(Customer.shopping_mall_user_id == User.id,
                               Customer.revoked_at.is_(None)),)),
)  # fmt: skip
KINDS_BY_KEY = {k.key: k for k in KINDS}


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_key(session, column, *, lower: bool = False):
    """The expression the search indexes hold: on PostgreSQL the (lower-cased) column in the
    C collation, on SQLite the column itself."""
    if session.get_bind().dialect.name == "postgresql":
        return (func.lower(column) if lower else column).collate("C")
    return column


def prefix_match(session, column, term: str, *, lower: bool = False):
    """``column`` starts with ``term`` (equality included), answerable from an index."""
    key = search_key(session, column, lower=lower)
    if session.get_bind().dialect.name == "postgresql":
        return key.like(_escape_like(term) + "%", escape="\\")
    return and_(key >= term, key < term + _TOP)


def kinds_for(term: str, permissions) -> list[Kind]:
    """The kinds worth looking in for ``term`` that the searcher may open."""
    allowed = [k for k in KINDS if k.permission in permissions]
    if "@" in term:
        return [k for k in allowed if k.key == "customer"]
    numbered = NUMBER_PREFIX.match(term)
    if numbered:
        prefix = numbered.group(1).upper()
        return [k for k in allowed if k.number_prefix == prefix]
    return allowed


def search(session, term: str, *, permissions) -> list[SearchCard]:
    """Summary cards of the records matching ``term`` among those the searcher may open."""
    term = (term or "").strip()
    if len(term) < MIN_LENGTH:
        return []
    term = term[:MAX_LENGTH]
    cards: list[SearchCard] = []
    for kind in kinds_for(term, permissions):
        if kind.lower:
            value = term.lower()
        elif kind.number_prefix:
            value = term.upper()
        else:
            value = term
        condition = prefix_match(session, kind.column, value, lower=kind.lower)
        rows = session.execute(
            select(kind.model)
            .where(condition, kind.model.deleted_at.is_(None), *kind.extra)
            .order_by(search_key(session, kind.column, lower=kind.lower))
            .limit(PER_KIND)
        ).scalars()
        cards.extend(kind.card(row) for row in rows)
    return cards
