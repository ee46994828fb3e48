"""Global search: numbers, SKU codes and customers (email, any words of the name, the last
digits of the phone, an order number), each kind from an index, a page of five at a time.

Each kind the searcher may open is looked up with one indexed query (at most ``PER_KIND + 1``
rows, so a short prefix matching millions stops after five): on PostgreSQL ``LIKE 'term%'`` on
the column in the C collation, served by the ``COLLATE "C"`` indexes of migration 0002; on
SQLite a range on the binary-collated unique index (emails are matched as stored; staff and
seeded emails are lower-case). Names and phone digits are matched with ``LIKE '%word%'`` from
trigram indexes (migration 0008: pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite). No
query scans a table. A kind with more matches offers the next page of that kind alone, from a
signed cursor (the last key shown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, column, exists, func, or_, select, table

from mallconsole.core.errors import DomainError
from mallconsole.core.money import format_money
from mallconsole.core.roles import Permission
from mallconsole.core.text import LIKE_ESCAPE, like_pattern
from mallconsole.models import (
    Customer,
    Order,
    Payout,
    RefundRequest,
    ReturnRequest,
    Sku,
    SupportCase,
    User,
)
from mallconsole.services.customers.customer_view import mask_email, mask_phone

PER_KIND = 5
PAGE_OF_KIND = 20  # the next matches of one kind, when the searcher asks for more
MIN_LENGTH = 2
MAX_LENGTH = 120
NUMBER_PREFIX = re.compile(r"^(ORD|CAS|RMA|RR|PO)-", re.IGNORECASE)
PHONE_LIKE = re.compile(r"^[0-9+\-() ./]+$")
MIN_PHONE_DIGITS = 4
MIN_NAME_WORD = 3  # a trigram index needs three characters to narrow anything down
_TOP = "\U0010ffff"
CURSOR_SALT = "mallconsole.search-cursor"
# SQLite's full-text table of migration 0008 (trigram tokenizer: name, phone digits per user).
USER_SEARCH = table("shopping_mall_user_search", column("user_id"), column("name"),
                    column("phone_digits"))  # fmt: skip


class SearchCursorError(DomainError):
    """A "more results" link this server did not write for this search."""

    status = 400
    title = "Bad request"


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
    # The record's console screens, (endpoint, argument name) each, in the order of the
    # areas; a card links to the first one the searcher's roles reach, once it exists.
    screens: tuple[tuple[str, str], ...] = ()

    @property
    def screen(self) -> tuple[str, str] | None:
        return self.screens[0] if self.screens else None


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    permission: Permission
    model: type
    column: object
    number_prefix: str | None
    card: Callable
    screens: tuple[tuple[str, str], ...]
    lower: bool = False
    extra: tuple = ()
    # Number prefixes of other kinds that also find this kind (a customer by an order number).
    found_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultGroup:
    """The matches of one kind on this page, and the cursor of its next page (or None)."""

    kind: Kind
    cards: list[SearchCard]
    next_after: str | None = None


def _money(amount, currency) -> str:
    return format_money(amount, currency, code=True)


def _order_card(o: Order) -> SearchCard:
    return SearchCard(
        "order", "Order", o.id, o.order_number, o.status,
        [("Total", _money(o.grand_total, o.currency)), ("Ship to", o.shipping_recipient)],
        o.placed_at, "Placed", KINDS_BY_KEY["order"].screens,
    )  # fmt: skip


def _case_card(c: SupportCase) -> SearchCard:
    return SearchCard(
        "case", "Support case", c.id, c.case_number, c.status,
        [("Subject", c.subject), ("Priority", c.priority)],
        c.created_at, "Opened", KINDS_BY_KEY["case"].screens,
    )  # fmt: skip


def _return_card(r: ReturnRequest) -> SearchCard:
    return SearchCard(
        "return", "Return (RMA)", r.id, r.rma_code, r.status,
        [("Reason", r.reason_code)], r.created_at, "Requested", KINDS_BY_KEY["return"].screens,
    )  # fmt: skip


def _refund_card(r: RefundRequest) -> SearchCard:
    return SearchCard(
        "refund", "Refund request", r.id, r.refund_request_number, r.status,
        [("Requested", _money(r.total_requested_amount, r.currency)), ("Reason", r.reason_code)],
        r.created_at, "Requested", KINDS_BY_KEY["refund"].screens,
    )  # fmt: skip


def _payout_card(p: Payout) -> SearchCard:
    return SearchCard(
        "payout", "Payout", p.id, p.payout_number, p.status,
        [("Net", _money(p.net_amount, p.currency))],
        p.scheduled_for or p.created_at, "Scheduled for" if p.scheduled_for else "Created",
        KINDS_BY_KEY["payout"].screens,
    )  # fmt: skip


def _sku_card(s: Sku) -> SearchCard:
    return SearchCard(
        "sku", "SKU", s.id, s.sku_code, s.status,
        [("Price", _money(s.base_price, s.currency))]
        + ([("Seller code", s.seller_sku_code)] if s.seller_sku_code else []),
        s.created_at, "Created", KINDS_BY_KEY["sku"].screens,
    )  # fmt: skip


def _customer_card(u: User, order_number: str | None = None) -> SearchCard:
    """A customer's card: the name, the email and phone masked (revealing them is audited on
    the customer's screen, never done by a search)."""
    fields = [("Email", mask_email(u.email)), ("Phone", mask_phone(u.phone))]
    if order_number:
        fields.append(("Order", order_number))
    return SearchCard(
        "customer", "Customer", u.id, u.name or mask_email(u.email), u.status, fields,
        u.created_at, "Registered", KINDS_BY_KEY["customer"].screens,
    )  # fmt: skip


P = Permission
ACTIVE_CUSTOMER = exists().where(
    Customer.shopping_mall_user_id == User.id, Customer.revoked_at.is_(None)
)
KINDS = (
    Kind("order", "Orders", P.ORDERS_VIEW, Order, Order.order_number, "ORD", _order_card,
         (("operations.order_detail", "order_id"), ("support.order_detail", "order_id"))),
    Kind("case", "Support cases", P.CASES_VIEW, SupportCase, SupportCase.case_number, "CAS",
         _case_card, (("support.case_detail", "case_id"),)),
    Kind("return", "Returns", P.RETURNS_VIEW, ReturnRequest, ReturnRequest.rma_code, "RMA",
         _return_card, (("operations.return_detail", "return_id"),)),
    Kind("refund", "Refund requests", P.REFUNDS_VIEW, RefundRequest,
         RefundRequest.refund_request_number, "RR", _refund_card,
         (("finance.refund_detail", "refund_id"),)),
    Kind("payout", "Payouts", P.PAYOUTS_VIEW, Payout, Payout.payout_number, "PO", _payout_card,
         (("finance.payout_detail", "payout_id"),)),
    Kind("sku", "SKUs", P.SKUS_VIEW, Sku, Sku.sku_code, None, _sku_card,
         (("operations.sku_detail", "sku_id"),)),
    Kind("customer", "Customers", P.CUSTOMERS_VIEW, User, User.email, None, _customer_card,
         (("support.customer_detail", "customer_id"),), lower=True, extra=(ACTIVE_CUSTOMER,),
         found_by=("ORD",)),
)  # fmt: skip
KINDS_BY_KEY = {k.key: k for k in KINDS}


def _postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def search_key(session, column, *, lower: bool = False):
    """The expression the search indexes hold: on PostgreSQL the (lower-cased) column in the
    C collation, on SQLite the column itself."""
    if _postgres(session):
        return (func.lower(column) if lower else column).collate("C")
    return column


def prefix_match(session, column, term: str, *, lower: bool = False):
    """``column`` starts with ``term`` (equality included), answerable from an index."""
    key = search_key(session, column, lower=lower)
    if _postgres(session):
        return key.like(like_pattern(term, prefix=True), escape=LIKE_ESCAPE)
    return and_(key >= term, key < term + _TOP)


def kinds_for(term: str, permissions) -> list[Kind]:
    """The kinds worth looking in for ``term`` that the searcher may open."""
    allowed = [k for k in KINDS if k.permission in permissions]
    if "@" in term:
        return [k for k in allowed if k.key == "customer"]
    numbered = NUMBER_PREFIX.match(term)
    if numbered:
        prefix = numbered.group(1).upper()
        return [k for k in allowed if k.number_prefix == prefix or prefix in k.found_by]
    return allowed


# --- how customers are found -------------------------------------------------------------------


def customer_mode(term: str) -> str:
    """How a term finds customers: ``email`` (prefix), ``order`` (an order number's prefix),
    ``phone`` (the last digits) or ``name`` (every word, any order, any case)."""
    if "@" in term or ("." in term and " " not in term):
        return "email"
    if NUMBER_PREFIX.match(term):
        return "order"
    if PHONE_LIKE.fullmatch(term) and len(phone_digits(term)) >= MIN_PHONE_DIGITS:
        return "phone"
    return "name"


def phone_digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def name_words(term: str) -> list[str]:
    """The words of a name search, lower-cased, without LIKE wildcards (names have none)."""
    words = [re.sub(r"[%_\\]", "", w) for w in term.lower().split()]
    return [w for w in dict.fromkeys(words) if w][:6]


def _customer_sort_key():
    return func.coalesce(func.lower(User.name), "")


def _after_name(after):
    """Past the (lower-cased name, id) of the last card shown."""
    if after is None:
        return True
    name, user_id = after
    key = _customer_sort_key()
    return or_(key > name, and_(key == name, User.id > user_id))


def _trigram_matches(session, column_name: str, patterns: list[str]):
    """Users whose ``name`` / ``phone_digits`` matches every LIKE pattern, from the trigram
    index of migration 0008."""
    if _postgres(session):
        expression = (
            func.lower(User.name)
            if column_name == "name"
            else func.regexp_replace(User.phone, "[^0-9]", "", "g")
        )
        return and_(*(expression.like(p) for p in patterns))
    fts_column = USER_SEARCH.c[column_name]
    return User.id.in_(select(USER_SEARCH.c.user_id).where(*(fts_column.like(p) for p in patterns)))


def _customers_by_trigram(session, condition, after, limit):
    rows = session.execute(
        select(User)
        .where(condition, _after_name(after), User.deleted_at.is_(None), ACTIVE_CUSTOMER)
        .order_by(_customer_sort_key(), User.id)
        .limit(limit)
    ).scalars()
    return [(_customer_card(u), [(u.name or "").lower(), u.id]) for u in rows]


def _customers_by_name(session, term, after, limit):
    words = name_words(term)
    indexed = [w for w in words if len(w) >= MIN_NAME_WORD]
    if not indexed:
        return []
    condition = _trigram_matches(session, "name", [f"%{w}%" for w in indexed])
    # Words too short for the index only filter the rows it found.
    contains = func.strpos if _postgres(session) else func.instr
    short = [contains(func.lower(User.name), w) > 0 for w in words if w not in indexed]
    return _customers_by_trigram(session, and_(condition, *short), after, limit)


def _customers_by_phone(session, term, after, limit):
    condition = _trigram_matches(session, "phone_digits", [f"%{phone_digits(term)}"])
    return _customers_by_trigram(session, condition, after, limit)


def _customers_by_order(session, term, after, limit):
    key = search_key(session, Order.order_number)
    statement = (
        select(User, Order.order_number)
        .join(Order, Order.shopping_mall_user_id == User.id)
        .where(
            prefix_match(session, Order.order_number, term.upper()),
            Order.deleted_at.is_(None),
            User.deleted_at.is_(None),
            ACTIVE_CUSTOMER,
        )
        .order_by(key)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(key > after)
    return [(_customer_card(u, number), number) for u, number in session.execute(statement)]


def _by_prefix(kind: Kind):
    def find(session, term, after, limit):
        if kind.lower:
            value = term.lower()
        elif kind.number_prefix:
            value = term.upper()
        else:
            value = term
        key = search_key(session, kind.column, lower=kind.lower)
        statement = (
            select(kind.model)
            .where(
                prefix_match(session, kind.column, value, lower=kind.lower),
                kind.model.deleted_at.is_(None),
                *kind.extra,
            )
            .order_by(key)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(key > after)
        rows = session.execute(statement).scalars()
        return [(kind.card(row), _key_value(session, kind, row)) for row in rows]

    return find


def _key_value(session, kind: Kind, row) -> str:
    value = getattr(row, kind.column.key)
    return value.lower() if kind.lower and _postgres(session) else value


_CUSTOMER_FINDERS = {
    "name": _customers_by_name,
    "phone": _customers_by_phone,
    "order": _customers_by_order,
}


def _finder(kind: Kind, term: str):
    if kind.key == "customer":
        mode = customer_mode(term)
        if mode in _CUSTOMER_FINDERS:
            return _CUSTOMER_FINDERS[mode]
    return _by_prefix(kind)


# --- "more" cursors ---------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CURSOR_SALT)


def encode_after(kind: str, term: str, key) -> str:
    """The signed cursor of the next page of ``kind`` for ``term``, after ``key``."""
    return _serializer().dumps({"k": kind, "q": term, "v": key})


def decode_after(token: str, kind: str, term: str):
    """The key in ``token``, refused unless this server wrote it for this kind and term."""
    refusal = SearchCursorError("This “more results” link is broken or out of date. Search again.")
    if not isinstance(token, str) or len(token) > 1000:
        raise refusal
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise refusal from None
    if not isinstance(data, dict) or data.get("k") != kind or data.get("q") != term:
        raise refusal
    value = data.get("v")
    if isinstance(value, str) or (
        isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
    ):
        return value
    raise refusal


# --- the search -------------------------------------------------------------------------------


def _clean(term: str | None) -> str:
    return (term or "").strip()[:MAX_LENGTH]


def search_groups(
    session, term: str, *, permissions, kind: str | None = None, after: str | None = None
) -> list[ResultGroup]:
    """The matches of ``term`` per kind among the records the searcher may open: five of each
    kind, or, with ``kind`` (and the ``after`` cursor of its "more" link), the next page of
    that kind alone."""
    term = _clean(term)
    if len(term) < MIN_LENGTH:
        return []
    kinds = kinds_for(term, permissions)
    limit = PER_KIND
    after_key = None
    if kind is not None:
        kinds = [k for k in kinds if k.key == kind]
        limit = PAGE_OF_KIND
        if after:
            after_key = decode_after(after, kind, term)
    groups = []
    for each in kinds:
        found = _finder(each, term)(session, term, after_key, limit + 1)
        next_after = (
            encode_after(each.key, term, found[limit - 1][1]) if len(found) > limit else None
        )
        cards = [card for card, _ in found[:limit]]
        if cards:
            groups.append(ResultGroup(each, cards, next_after))
    return groups


def search(session, term: str, *, permissions) -> list[SearchCard]:
    """Summary cards of the records matching ``term`` among those the searcher may open."""
    groups = search_groups(session, term, permissions=permissions)
    return [card for group in groups for card in group.cards]
