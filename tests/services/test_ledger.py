"""The one way to write a seller ledger entry: running balances, ordering, reconciliation."""

from datetime import timedelta
from decimal import Decimal

import pytest

from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.models import Seller, SellerLedgerEntry, utcnow
from mallconsole.services.money import ledger
from tests.factories.records import build


@pytest.fixture
def seller(session):
    return build(session, Seller)


def _post(session, seller, amount, kind="sale", source="capture", **extra):
    return ledger.post(
        session,
        seller_id=seller.id,
        currency="USD",
        amount=Decimal(amount),
        entry_type=kind,
        source_type=source,
        **extra,
    )


def test_each_entry_carries_the_running_balance(session, seller):
    first = _post(session, seller, "100.00")
    second = _post(session, seller, "-12.50", kind="fee")
    third = _post(session, seller, "-30.00", kind="refund", source="refund")
    assert [first.balance_after, second.balance_after, third.balance_after] == [
        Decimal("100.00"), Decimal("87.50"), Decimal("57.50"),
    ]  # fmt: skip
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("57.50")
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_entries_are_strictly_ordered_even_within_one_clock_tick(session, seller):
    at = utcnow()
    a = _post(session, seller, "1", occurred_at=at)
    b = _post(session, seller, "2", occurred_at=at)
    c = _post(session, seller, "3", occurred_at=at - timedelta(seconds=5))
    assert a.occurred_at < b.occurred_at < c.occurred_at


def test_currencies_keep_separate_balances(session, seller):
    _post(session, seller, "10")
    ledger.post(session, seller_id=seller.id, currency="KRW", amount=Decimal("5000"),
                entry_type="sale", source_type="capture")  # fmt: skip
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("10")
    assert ledger.balance(session, seller.id, "KRW").amount == Decimal("5000")
    assert ledger.balance(session, seller.id, "EUR").amount == Decimal("0")


def test_reconcile_flags_the_entry_where_the_balance_breaks(session, seller):
    _post(session, seller, "100")
    broken = _post(session, seller, "-10", kind="fee")
    after = _post(session, seller, "5")
    broken.balance_after = Decimal("80")  # someone wrote it by hand
    session.flush()
    gaps = ledger.reconcile(session, seller.id, "USD")
    # The edited entry, and the next one, whose balance no longer follows from the one before.
    assert [(g.entry_id, g.expected, g.recorded) for g in gaps] == [
        (broken.id, Decimal("90"), Decimal("80")),
        (after.id, Decimal("85"), Decimal("95")),
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"entry_type": "gift"}, "kind of ledger entry"),
        ({"source_type": "magic"}, "source of ledger entries"),
        ({"amount": 1.5}, "exact decimal"),
        ({"amount": Decimal("NaN")}, "exact decimal"),
        ({"currency": "US"}, "currency code"),
    ],
)
def test_bad_entries_are_refused(session, seller, values, message):
    arguments = dict(seller_id=seller.id, currency="USD", amount=Decimal("1"),
                     entry_type="sale", source_type="capture")  # fmt: skip
    arguments.update(values)
    with pytest.raises(ValidationError, match=message):
        ledger.post(session, **arguments)
    written = session.query(SellerLedgerEntry).filter_by(shopping_mall_seller_id=seller.id)
    assert written.count() == 0


def test_an_unknown_seller_is_not_found(session):
    with pytest.raises(NotFound):
        ledger.post(session, seller_id="0" * 36, currency="USD", amount=Decimal("1"),
                    entry_type="sale", source_type="capture")  # fmt: skip


def test_a_lower_case_currency_continues_the_same_running_balance(session, seller):
    _post(session, seller, "10")
    entry = ledger.post(session, seller_id=seller.id, currency="usd", amount=Decimal("5"),
                        entry_type="sale", source_type="capture")  # fmt: skip
    assert (entry.currency, entry.balance_after) == ("USD", Decimal("15"))
    assert ledger.reconcile(session, seller.id, "USD") == []
