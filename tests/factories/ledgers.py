"""Sellers with ledgers for the payout, reserve and chargeback tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from mallconsole.models import Configuration, Seller, SellerPayoutAccount, utcnow
from mallconsole.services.money import ledger
from tests.factories.records import build


def seller_with_account(session, *, status="verified", currency="USD", name=None) -> Seller:
    """A seller whose primary payout account has ``status``."""
    seller = build(session, Seller, display_name=name or "Harbor Goods", state="active")
    build(
        session,
        SellerPayoutAccount,
        shopping_mall_seller_id=seller.id,
        status=status,
        account_holder_name=seller.display_name,
        bank_name="Union Bank",
        account_number_masked="****1234",
        currency=currency,
        primary=True,
        verified_at=utcnow() if status == "verified" else None,
    )
    return seller


def post(session, seller, amount, kind="sale", *, days_ago=30, currency="USD", **extra):
    """A ledger entry ``days_ago`` days old."""
    source = {"sale": "capture", "fee": "capture", "refund": "refund",
              "fee_reversal": "refund"}.get(kind, "chargeback")  # fmt: skip
    if kind.startswith("reserve"):
        source = "reserve"
    return ledger.post(
        session,
        seller_id=seller.id,
        currency=currency,
        amount=Decimal(amount),
        entry_type=kind,
        source_type=source,
        occurred_at=utcnow() - timedelta(days=days_ago),
        **extra,
    )


def set_setting(session, key, value, scope=None):
    session.add(Configuration(key=key, scope=scope, value=str(value), description=key))
    session.flush()
