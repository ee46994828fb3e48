"""Customer 360: what support sees of one customer, with personal data masked by default.

``load`` reads the profile and every section of the screen with one query per section (a fixed
number whatever the customer's history); ``order_page`` reads one keyset page of the orders.
``reveal`` shows the unmasked contact details for a reason and records that it did: reading
protected data on purpose is audited (CONTRACT.md, "Audit").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.models import (
    Consent,
    Coupon,
    CouponRedemption,
    Customer,
    Order,
    Product,
    Promotion,
    Review,
    SupportCase,
    User,
    UserAddress,
    UserBalance,
    UserBalanceRecord,
    UserSecurityEvent,
    utcnow,
)
from mallconsole.services.kit import audit
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page

RECENT_SECURITY_EVENTS = 10
RECENT_BALANCE_RECORDS = 20
RECENT_COUPONS = 20
RECENT_REVIEWS = 10
RECENT_CASES = 10
REASON_MAX = 500

ORDER_SORTS = (
    SortKey("placed", "Placed", Order.placed_at, kind=datetime),
    SortKey("total", "Total", Order.grand_total, kind=Decimal),
)
ORDER_ID = Order.id


# --- masking ------------------------------------------------------------------------------------


def mask_email(email: str | None) -> str:
    """``jane.doe@example.com`` → ``j***@example.com``: the first letter and the domain."""
    if not email:
        return "—"
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str:
    """``+1-555-234-5678`` → ``•••• 5678``: only the last four digits."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return "—"
    return f"•••• {digits[-4:]}" if len(digits) > 4 else "••••"


def masked_place(address) -> str:
    """An address masked to where it is: the city, the region and the country."""
    return ", ".join(part for part in (address.city, address.region, address.country) if part)


def full_address(address) -> str:
    """An address on one line, as revealed."""
    parts = (
        address.recipient,
        address.address_line1,
        address.address_line2,
        address.city,
        address.region,
        address.postal_code,
        address.country,
    )
    return ", ".join(part for part in parts if part)


# --- the screen's sections -----------------------------------------------------------------------


@dataclass(frozen=True)
class CouponRow:
    coupon: Coupon
    promotion_name: str | None


@dataclass(frozen=True)
class RedemptionRow:
    redemption: CouponRedemption
    code: str
    order_number: str | None
    order_id: str | None


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    product_name: str | None


@dataclass(frozen=True)
class CustomerProfile:
    """Everything the customer screen shows besides the orders list."""

    user: User
    role: Customer
    addresses: list[UserAddress]
    consents: list[Consent]
    security_events: list[UserSecurityEvent]
    balances: list[UserBalance]
    balance_records: list[UserBalanceRecord]
    coupons: list[CouponRow]
    redemptions: list[RedemptionRow]
    reviews: list[ReviewRow]
    cases: list[SupportCase]

    @property
    def locked(self) -> bool:
        """Whether too many failed sign-ins keep the customer out right now."""
        until = self.user.lockout_until
        return until is not None and until > utcnow()

    @property
    def masked_email(self) -> str:
        return mask_email(self.user.email)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.user.phone)

    def currency_of(self, record: UserBalanceRecord) -> str:
        for balance in self.balances:
            if balance.id == record.shopping_mall_user_balance_id:
                return balance.currency
        return ""


def find_customer(session, customer_id: str) -> tuple[User, Customer]:
    """The customer user and their customer role row; NotFound for anyone else."""
    row = session.execute(
        select(User, Customer)
        .join(Customer, Customer.shopping_mall_user_id == User.id)
        .where(User.id == customer_id, User.deleted_at.is_(None))
    ).first()
    if row is None:
        raise NotFound("There is no customer with this id.")
    return row[0], row[1]


def load(session, customer_id: str) -> CustomerProfile:
    """The customer screen's sections (one query each)."""
    user, role = find_customer(session, customer_id)
    uid = user.id
    addresses = session.scalars(
        select(UserAddress)
        .where(UserAddress.shopping_mall_user_id == uid, UserAddress.deleted_at.is_(None))
        .order_by(UserAddress.default_shipping.desc(), UserAddress.created_at, UserAddress.id)
    ).all()
    consents = session.scalars(
        select(Consent).where(Consent.shopping_mall_user_id == uid).order_by(Consent.scope)
    ).all()
    security_events = session.scalars(
        select(UserSecurityEvent)
        .where(UserSecurityEvent.shopping_mall_user_id == uid)
        .order_by(UserSecurityEvent.occurred_at.desc(), UserSecurityEvent.id)
        .limit(RECENT_SECURITY_EVENTS)
    ).all()
    balances = session.scalars(
        select(UserBalance)
        .where(UserBalance.shopping_mall_user_id == uid)
        .order_by(UserBalance.currency)
    ).all()
    balance_records = session.scalars(
        select(UserBalanceRecord)
        .join(UserBalance, UserBalance.id == UserBalanceRecord.shopping_mall_user_balance_id)
        .where(UserBalance.shopping_mall_user_id == uid)
        .order_by(UserBalanceRecord.created_at.desc(), UserBalanceRecord.id)
        .limit(RECENT_BALANCE_RECORDS)
    ).all()
    coupons = [
        CouponRow(coupon, name)
        for coupon, name in session.execute(
            select(Coupon, Promotion.name)
            .outerjoin(Promotion, Promotion.id == Coupon.shopping_mall_promotion_id)
            .where(Coupon.shopping_mall_customer_id == role.id, Coupon.deleted_at.is_(None))
            .order_by(Coupon.issued_at.desc(), Coupon.id)
            .limit(RECENT_COUPONS)
        )
    ]
    redeemed_order = aliased(Order)
    redemptions = [
        RedemptionRow(redemption, code, number, order_id)
        for redemption, code, number, order_id in session.execute(
            select(CouponRedemption, Coupon.code, redeemed_order.order_number, redeemed_order.id)
            .join(Coupon, Coupon.id == CouponRedemption.shopping_mall_coupon_id)
            .outerjoin(redeemed_order, redeemed_order.id == CouponRedemption.shopping_mall_order_id)
            .where(
                CouponRedemption.shopping_mall_customer_id == role.id,
                CouponRedemption.deleted_at.is_(None),
            )
            .order_by(CouponRedemption.redeemed_at.desc(), CouponRedemption.id)
            .limit(RECENT_COUPONS)
        )
    ]
    reviews = _reviews(session, uid)
    cases = session.scalars(
        select(SupportCase)
        .where(SupportCase.customer_user_id == uid, SupportCase.deleted_at.is_(None))
        .order_by(SupportCase.created_at.desc(), SupportCase.id)
        .limit(RECENT_CASES)
    ).all()
    return CustomerProfile(
        user, role, list(addresses), list(consents), list(security_events), list(balances),
        list(balance_records), coupons, redemptions, reviews, list(cases),
    )  # fmt: skip


def _reviews(session, user_id: str) -> list[ReviewRow]:
    return [
        ReviewRow(review, product_name)
        for review, product_name in session.execute(
            select(Review, Product.title)
            .outerjoin(Product, Product.id == Review.product_id)
            .where(Review.author_user_id == user_id, Review.deleted_at.is_(None))
            .order_by(Review.created_at.desc(), Review.id)
            .limit(RECENT_REVIEWS)
        )
    ]


def _orders_of(statement, user_id: str, status: str | None):
    statement = statement.where(Order.shopping_mall_user_id == user_id, Order.deleted_at.is_(None))
    return statement.where(Order.status == status) if status else statement


def order_page(session, customer_id: str, ordering, *, cursor, limit, status=None):
    """One keyset page of the customer's orders, of one status if given (one query)."""
    statement = _orders_of(select(Order), customer_id, status)
    return keyset_page(session, statement, ordering, cursor=cursor, limit=limit)


def count_orders(session, customer_id: str, *, status=None):
    """How many orders the customer placed (exact to the cap)."""
    return capped_count(session, _orders_of(select(Order.id), customer_id, status))


# --- revealing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevealedContact:
    """The unmasked contact details shown for one response (never kept in the session)."""

    email: str
    phone: str | None
    addresses: list[tuple[str, str]]  # (type, the address on one line)


def reveal(session, customer_id: str, *, reason: str | None, actor) -> RevealedContact:
    """The customer's email, phone and addresses in full, for ``reason`` (required): the
    reading is audited with its reason."""
    user, _role = find_customer(session, customer_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Say why you need to see the contact details.",
            field_errors={"reason": ["Say why you need to see the contact details."]},
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            "The reason is too long.",
            field_errors={"reason": [f"Keep the reason under {REASON_MAX} characters."]},
        )
    addresses = session.scalars(
        select(UserAddress)
        .where(UserAddress.shopping_mall_user_id == user.id, UserAddress.deleted_at.is_(None))
        .order_by(UserAddress.default_shipping.desc(), UserAddress.created_at, UserAddress.id)
    ).all()
    audit.record(
        session,
        actor=actor,
        entity_table="shopping_mall_users",
        entity_id=user.id,
        action="customer_contact_revealed",
        summary=f"Revealed the contact details of {user.name or mask_email(user.email)}.",
        reason=reason,
        before=None,
        after={"revealed": ["email", "phone", "addresses"]},
    )
    session.flush()
    return RevealedContact(user.email, user.phone, [(a.type, full_address(a)) for a in addresses])
