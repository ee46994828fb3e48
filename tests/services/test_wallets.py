"""The one way to move a store-credit wallet: created on first use, running balance, never
below zero."""

from decimal import Decimal

import pytest

from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.models import User, UserBalanceRecord
from mallconsole.services.money import wallets
from tests.factories.records import build


@pytest.fixture
def customer(session):
    return build(session, User)


def _post(session, customer, amount, kind="adjust", currency="USD"):
    return wallets.post(
        session,
        user_id=customer.id,
        currency=currency,
        amount=Decimal(amount),
        record_type=kind,
        reason="goodwill",
    )


def test_the_first_movement_opens_the_wallet_and_each_record_carries_the_balance(session, customer):
    assert wallets.wallet(session, customer.id, "USD") is None
    first = _post(session, customer, "25.00", kind="refund")
    second = _post(session, customer, "-10.50", kind="use")
    assert first.wallet.id == second.wallet.id
    assert [first.record.balance_after, second.record.balance_after] == [
        Decimal("25.00"), Decimal("14.50"),
    ]  # fmt: skip
    assert wallets.wallet(session, customer.id, "usd").balance == Decimal("14.50")
    total = sum(r.amount for r in session.query(UserBalanceRecord).all())
    assert total == Decimal("14.50")


def test_a_movement_below_zero_is_refused_and_writes_nothing(session, customer):
    _post(session, customer, "5")
    with pytest.raises(ValidationError, match="below zero"):
        _post(session, customer, "-5.01")
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("5")
    assert session.query(UserBalanceRecord).count() == 1


def test_currencies_are_separate_wallets(session, customer):
    _post(session, customer, "5")
    _post(session, customer, "7000", currency="KRW")
    assert wallets.wallet(session, customer.id, "KRW").balance == Decimal("7000")
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("5")


@pytest.mark.parametrize(
    ("amount", "kind", "currency"),
    [("0", "adjust", "USD"), ("1", "gift", "USD"), ("1", "adjust", "US"), ("NaN", "adjust", "USD")],
)
def test_bad_movements_are_refused(session, customer, amount, kind, currency):
    with pytest.raises(ValidationError):
        _post(session, customer, amount, kind=kind, currency=currency)


def test_an_unknown_customer_is_not_found(session):
    with pytest.raises(NotFound):
        wallets.post(session, user_id="nobody", currency="USD", amount=Decimal("1"),
                     record_type="adjust")  # fmt: skip


def test_each_customer_has_their_own_wallet_in_a_currency(session, customer):
    other = build(session, User)
    _post(session, customer, "30")
    moved = _post(session, other, "4")
    assert moved.record.balance_after == Decimal("4")  # not 34: the other's wallet is apart
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("30")
    assert wallets.wallet(session, other.id, "USD").balance == Decimal("4")
    assert wallets.wallet(session, other.id, "USD").id == moved.wallet.id
