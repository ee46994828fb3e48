"""Store-credit wallets (one per customer and currency): one way to move a balance.

``post`` appends a record to a customer's wallet in one currency and moves the balance with it.
It takes the customer's row lock first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write
lock serializes writers anyway), so two movements of one wallet never read the same balance
and none is lost; it creates the wallet on its first record; it refuses a movement that would
take the balance below zero (and the database refuses it too: ``balance_not_negative``).
Refunds to store credit and manual adjustments both post through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.money import format_money
from mallconsole.models import User, UserBalance, UserBalanceRecord
from mallconsole.services.kit import versions

ZERO = Decimal("0")


@dataclass(frozen=True)
class Movement:
    """What ``post`` wrote: the record and the wallet after it."""

    record: UserBalanceRecord
    wallet: UserBalance


def wallet(session, user_id: str, currency: str) -> UserBalance | None:
    """The customer's wallet in ``currency`` (None before its first record)."""
    return session.scalars(
        select(UserBalance).where(
            UserBalance.shopping_mall_user_id == user_id,
            UserBalance.currency == currency.upper(),
        )
    ).first()


def post(
    session,
    *,
    user_id: str,
    currency: str,
    amount: Decimal,
    record_type: str,
    actor_id: str | None = None,
    reason: str | None = None,
    order_id: str | None = None,
    payment_id: str | None = None,
    refund_request_id: str | None = None,
) -> Movement:
    """Move the wallet by the signed ``amount`` (credits positive) and return what was written.

    The caller's transaction commits it with the change that caused it, or neither.
    """
    if record_type not in states.WALLET_RECORD_TYPES:
        raise ValidationError(f"{record_type!r} is not a kind of store-credit movement.")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount == ZERO:
        raise ValidationError("A store-credit movement must be an exact, non-zero amount.")
    if not currency or len(currency) != 3 or not currency.isalpha():
        raise ValidationError(f"{currency!r} is not a currency code.")
    currency = currency.upper()
    versions.lock(session, User, user_id, what="customer")
    account = wallet(session, user_id, currency)
    if account is None:
        account = UserBalance(shopping_mall_user_id=user_id, currency=currency, balance=ZERO)
        session.add(account)
    after = account.balance + amount
    if after < ZERO:
        raise ValidationError(
            f"The store credit is {format_money(account.balance, currency, code=True)}: taking "
            f"{format_money(-amount, currency, code=True)} would leave it below zero."
        )
    account.balance = after
    session.flush()  # a new wallet gets its id before its first record points at it
    record = UserBalanceRecord(
        shopping_mall_user_balance_id=account.id,
        type=record_type,
        amount=amount,
        balance_after=after,
        shopping_mall_order_id=order_id,
        shopping_mall_payment_id=payment_id,
        shopping_mall_refund_request_id=refund_request_id,
        actor_user_id=actor_id,
        reason=reason,
    )
    session.add(record)
    session.flush()
    return Movement(record=record, wallet=account)
