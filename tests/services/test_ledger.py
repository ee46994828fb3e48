"""The one way to write a seller ledger entry: running balances, ordering, reconciliation."""

from datetime import timedelta
from decimal import Decimal

import pytest

from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.models import Seller, SellerLedgerEntry, utcnow
from mallconsole.services.kit import pagination
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


def test_an_entry_keeps_its_time_and_what_it_came_from(session, seller):
    from mallconsole.models import Chargeback, Order, PaymentCapture, PaymentRefund

    order = build(session, Order)
    chargeback = build(session, Chargeback, shopping_mall_seller_id=seller.id)
    capture, refund = build(session, PaymentCapture), build(session, PaymentRefund)
    at = utcnow() - timedelta(days=3)
    entry = _post(session, seller, "-4.00", kind="chargeback", source="chargeback",
                  occurred_at=at, order_id=order.id, chargeback_id=chargeback.id,
                  capture_id=capture.id, refund_id=refund.id,
                  source_reference="CB-1", note="opened")  # fmt: skip
    session.expire_all()
    stored = session.get(SellerLedgerEntry, entry.id)
    assert stored.occurred_at == at
    assert (stored.entry_type, stored.source_type, stored.amount) == (
        "chargeback", "chargeback", Decimal("-4.00"),
    )  # fmt: skip
    assert (stored.shopping_mall_order_id, stored.shopping_mall_chargeback_id) == (
        order.id, chargeback.id,
    )  # fmt: skip
    assert (stored.source_reference, stored.note) == ("CB-1", "opened")
    assert (stored.shopping_mall_payment_capture_id, stored.shopping_mall_payment_refund_id) == (
        capture.id, refund.id,
    )  # fmt: skip
    assert ledger.balance(session, seller.id, "USD").as_of == at


def test_an_entry_at_the_same_moment_goes_one_microsecond_later(session, seller):
    at = utcnow()
    a = _post(session, seller, "1", occurred_at=at)
    b = _post(session, seller, "2", occurred_at=at)
    later = _post(session, seller, "3", occurred_at=at + timedelta(seconds=1))
    assert b.occurred_at - a.occurred_at == timedelta(microseconds=1)
    assert later.occurred_at == at + timedelta(seconds=1)  # after the newest: kept as given


def test_a_deleted_entry_counts_for_no_balance(session, seller):
    _post(session, seller, "100")
    removed = _post(session, seller, "50")
    removed.deleted_at = utcnow()
    session.flush()
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("100")
    after = _post(session, seller, "1")
    assert after.balance_after == Decimal("101")
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_reconcile_reads_one_currency_and_resumes_from_the_recorded_balance(session, seller):
    _post(session, seller, "100")
    broken = _post(session, seller, "-10", kind="fee")
    _post(session, seller, "5")
    ledger.post(session, seller_id=seller.id, currency="KRW", amount=Decimal("700"),
                entry_type="sale", source_type="capture")  # fmt: skip
    broken.balance_after = Decimal("80")
    session.flush()
    # only the edited entry and the one after: the running sum goes on from 80 + 5 = 85 ...
    gaps = ledger.reconcile(session, seller.id, "USD")
    assert [g.entry_id for g in gaps] == [broken.id, gaps[1].entry_id] and len(gaps) == 2
    assert gaps[0].occurred_at == broken.occurred_at
    assert ledger.reconcile(session, seller.id, "KRW") == []


def _sellers(session, token):
    """Three sellers whose names carry ``token``: one with entries in two currencies."""
    harbor = build(session, Seller, display_name=f"{token} Harbor 50% Off",
                   seller_code=f"HB-{token}", state="active")  # fmt: skip
    quiet = build(session, Seller, display_name=f"{token} Quiet 500 Off",
                  seller_code=f"QS-{token}", state="suspended")  # fmt: skip
    empty = build(session, Seller, display_name=f"{token} Zero", seller_code=f"ZZ-{token}",
                  state="active")  # fmt: skip
    return harbor, quiet, empty


def _ordering():
    from mallconsole.services.kit.pagination import Ordering

    return Ordering(ledger.SELLER_SORTS[0], descending=False, id_column=ledger.SELLER_ID)


def test_the_seller_list_finds_by_name_or_code_and_by_state(session):
    harbor, quiet, empty = _sellers(session, "Lq7")

    def found(**filters):
        page = ledger.seller_page(session, filters, _ordering(), cursor=None, limit=10)
        assert ledger.count_sellers(session, filters).value == len(page.rows)
        return [row.seller.id for row in page.rows]

    assert found(q="Lq7") == [harbor.id, quiet.id, empty.id]
    assert found(q="Lq7 Harbor 50%") == [harbor.id]  # the % is a character, not a wildcard
    assert found(q="qs-lq7") == [quiet.id]  # the seller code, in any case
    coded = build(session, Seller, display_name="Lq7 Coded", seller_code="A_1-Lq7")
    build(session, Seller, display_name="Lq7 Other", seller_code="AB1-Lq7")
    assert found(q="A_1") == [coded.id]  # the _ of a code is a character too
    assert found(q="Lq7", state="suspended") == [quiet.id]
    assert found(q="Lq7", state="active") == [harbor.id, empty.id]


def test_the_seller_list_shows_each_currencys_newest_balance_and_pages_on(session):
    from mallconsole.services.kit.pagination import Cursor

    harbor, quiet, empty = _sellers(session, "Bz4")
    at = utcnow() - timedelta(days=5)
    _post(session, harbor, "100", occurred_at=at)
    _post(session, harbor, "-30", kind="fee", occurred_at=at + timedelta(hours=1))
    ledger.post(session, seller_id=harbor.id, currency="KRW", amount=Decimal("9000"),
                entry_type="sale", source_type="capture", occurred_at=at)  # fmt: skip
    newest = _post(session, quiet, "40", occurred_at=at + timedelta(hours=3))
    removed = _post(session, quiet, "5", occurred_at=at + timedelta(hours=4))
    removed.deleted_at = utcnow()
    session.flush()
    page = ledger.seller_page(session, {"q": "Bz4"}, _ordering(), cursor=None, limit=2)
    rows = {row.seller.id: row for row in page.rows}
    assert rows[harbor.id].balances == [("KRW", Decimal("9000")), ("USD", Decimal("70"))]
    assert rows[harbor.id].last_entry_at == at + timedelta(hours=1)
    assert rows[quiet.id].balances == [("USD", Decimal("40"))]  # the deleted entry is not one
    assert rows[quiet.id].last_entry_at == newest.occurred_at
    assert page.next_cursor
    last = page.rows[-1].seller
    rest = ledger.seller_page(session, {"q": "Bz4"}, _ordering(),
                              cursor=Cursor(last.display_name, last.id), limit=2)  # fmt: skip
    assert [(r.seller.id, r.balances, r.last_entry_at) for r in rest.rows] == [(empty.id, [], None)]


def test_the_entries_of_a_ledger_are_one_sellers_in_one_currency_within_the_days(session, seller):
    from mallconsole.services.kit.pagination import Ordering

    ordering = Ordering(ledger.ENTRY_SORTS[0], descending=False, id_column=ledger.ENTRY_ID)
    at = utcnow() - timedelta(days=3)
    first = _post(session, seller, "10", occurred_at=at)
    fee = _post(session, seller, "-1", kind="fee", occurred_at=at + timedelta(days=1))
    last = _post(session, seller, "20", occurred_at=at + timedelta(days=2))
    removed = _post(session, seller, "5", occurred_at=at + timedelta(days=2, hours=1))
    removed.deleted_at = utcnow()
    ledger.post(session, seller_id=seller.id, currency="KRW", amount=Decimal("100"),
                entry_type="sale", source_type="capture", occurred_at=at)  # fmt: skip
    other = build(session, Seller)
    ledger.post(session, seller_id=other.id, currency="USD", amount=Decimal("7"),
                entry_type="sale", source_type="capture", occurred_at=at)  # fmt: skip
    session.flush()

    def ids(**filters):
        page = ledger.entry_page(session, seller.id, "USD", filters, ordering, cursor=None,
                                 limit=50)  # fmt: skip
        assert ledger.count_entries(session, seller.id, "USD", filters).value == len(page.rows)
        return [row.entry.id for row in page.rows]

    assert ids() == [first.id, fee.id, last.id]
    # since is included, until is not
    assert ids(since=fee.occurred_at, until=last.occurred_at) == [fee.id]
    assert ids(entry_type="fee") == [fee.id]
    assert ids(source_type="capture", since=last.occurred_at) == [last.id]


def test_each_entry_row_names_the_payout_that_paid_it_and_the_list_pages_on(session, seller):
    from mallconsole.models import Payout, PayoutItem
    from mallconsole.services.kit.pagination import Cursor, Ordering

    ordering = Ordering(ledger.ENTRY_SORTS[0], descending=False, id_column=ledger.ENTRY_ID)
    at = utcnow() - timedelta(days=3)
    entries = [_post(session, seller, "10", occurred_at=at + timedelta(hours=n)) for n in range(3)]
    payouts = [build(session, Payout, shopping_mall_seller_id=seller.id) for _ in range(2)]
    for entry, payout in zip(entries, payouts, strict=False):
        build(session, PayoutItem, shopping_mall_payout_id=payout.id,
              shopping_mall_seller_ledger_id=entry.id, amount=entry.amount)  # fmt: skip
    page = ledger.entry_page(session, seller.id, "USD", {}, ordering, cursor=None, limit=2)
    assert [(r.entry.id, r.payout_id, r.payout_number) for r in page.rows] == [
        (entries[0].id, payouts[0].id, payouts[0].payout_number),
        (entries[1].id, payouts[1].id, payouts[1].payout_number),
    ]
    second = page.rows[-1].entry
    rest = ledger.entry_page(session, seller.id, "USD", {}, ordering,
                             cursor=Cursor(second.occurred_at, second.id), limit=2)  # fmt: skip
    assert [(r.entry.id, r.payout_id, r.payout_number) for r in rest.rows] == [
        (entries[2].id, None, None)
    ]


def test_a_ledgers_currencies_are_the_sellers_own_usd_first(session, seller):
    for currency in ("KRW", "USD", "EUR"):
        ledger.post(session, seller_id=seller.id, currency=currency, amount=Decimal("1"),
                    entry_type="sale", source_type="capture")  # fmt: skip
    ledger.post(session, seller_id=build(session, Seller).id, currency="JPY",
                amount=Decimal("1"), entry_type="sale", source_type="capture")  # fmt: skip
    assert ledger.currencies(session, seller.id) == ["USD", "EUR", "KRW"]


def test_reconcile_reads_one_sellers_entries_and_goes_on_past_a_missing_balance(session, seller):
    other = build(session, Seller)
    at = utcnow() - timedelta(days=1)
    _post(session, seller, "100", occurred_at=at)
    ledger.post(session, seller_id=other.id, currency="USD", amount=Decimal("7"),
                entry_type="sale", source_type="capture",
                occurred_at=at + timedelta(minutes=1))  # fmt: skip
    blank = _post(session, seller, "-10", kind="fee", occurred_at=at + timedelta(minutes=2))
    after = _post(session, seller, "5", occurred_at=at + timedelta(minutes=3))
    blank.balance_after = None
    session.flush()
    gaps = ledger.reconcile(session, seller.id, "USD")
    # the blank one is flagged; the sum goes on from what it should have been
    assert [(g.entry_id, g.expected, g.recorded) for g in gaps] == [(blank.id, Decimal("90"), None)]
    assert after.balance_after == Decimal("95")


def test_a_seller_is_found_by_id_or_code_unless_deleted(session, seller):
    assert ledger.get_seller(session, seller.id) is seller
    assert ledger.get_seller(session, seller.seller_code) is seller
    seller.deleted_at = utcnow()
    with pytest.raises(NotFound):
        ledger.get_seller(session, seller.seller_code)
    with pytest.raises(NotFound):
        ledger.get_seller(session, "no-such-seller")


def test_a_list_of_records_with_their_words_pages_on_from_the_cursor_it_gives(app, session):
    from sqlalchemy import select

    from mallconsole.services.kit.pagination import decode_cursor

    harbor, quiet, empty = _sellers(session, "Pg2")
    statement = select(Seller, Seller.seller_code).where(Seller.display_name.like("Pg2 %"))
    ordering = _ordering()
    with app.test_request_context():
        first = pagination.pair_page(session, statement, ordering, cursor=None, limit=2,
                                 wrap=lambda s, code: (s.id, code))  # fmt: skip
        assert first.rows == [(harbor.id, harbor.seller_code), (quiet.id, quiet.seller_code)]
        cursor = decode_cursor(first.next_cursor, ordering)
        assert (cursor.value, cursor.row_id) == (quiet.display_name, quiet.id)
        rest = pagination.pair_page(session, statement, ordering, cursor=cursor, limit=2,
                                wrap=lambda s, code: (s.id, code))  # fmt: skip
    assert rest.rows == [(empty.id, empty.seller_code)]
