"""Reserves: the ledger effect of placing, releasing (directly, partly, fully) and the
validation of amounts, percentages and reasons."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mallconsole.core.errors import Conflict, InvalidTransition, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, SellerLedgerEntry, utcnow
from mallconsole.services.money import ledger, reserves
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account
from tests.factories.records import build


@pytest.fixture
def finance(session):
    return make_staff(session, "risk@test.mall", (Role.FINANCE_MANAGER,))


@pytest.fixture
def seller(session):
    seller = seller_with_account(session)
    post(session, seller, "300.00", days_ago=20)
    return seller


def _place(session, seller, finance, **values):
    given = dict(seller_id=seller.id, currency="USD", reserve_type="case_hold",
                 amount=Decimal("100.00"), percent=None, reason="open dispute",
                 policy_reference="risk.case_hold", actor=finance)  # fmt: skip
    given.update(values)
    return reserves.place_reserve(session, **given)


def test_a_hold_debits_and_releases_credit_the_ledger(session, seller, finance):
    reserve = _place(session, seller, finance)
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("200.00")
    entry = reserves.release_reserve(session, reserve.id, amount=Decimal("40.00"),
                                     reason="part cleared", actor=finance)  # fmt: skip
    assert entry.entry_type == "reserve_release" and entry.source_reference == reserve.id
    assert reserve.status == "partially_released"
    assert reserves.remaining(reserve) == Decimal("60.00")
    reserves.release_reserve(session, reserve.id, amount=None, reason="all clear", actor=finance)
    assert reserve.status == "released"
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("300.00")
    kinds = session.scalars(
        select(SellerLedgerEntry.entry_type)
        .where(SellerLedgerEntry.source_reference == reserve.id)
        .order_by(SellerLedgerEntry.occurred_at)
    ).all()
    assert kinds == ["reserve_hold", "reserve_release", "reserve_release"]
    assert ledger.reconcile(session, seller.id, "USD") == []
    with pytest.raises(Conflict, match="holds nothing"):
        reserves.release_reserve(session, reserve.id, amount=None, reason="x", actor=finance)


def test_releasing_more_than_held_is_refused(session, seller, finance):
    reserve = _place(session, seller, finance)
    session.flush()
    session.expire_all()  # read back as the database holds it (SQLite: four decimals)
    with pytest.raises(ValidationError, match=r"holds only USD\s100\.00\.$") as refused:
        reserves.release_reserve(session, reserve.id, amount=Decimal("100.01"), reason="x",
                                 actor=finance)  # fmt: skip
    assert list(refused.value.field_errors) == ["amount"]


def test_a_rolling_percentage_reserve_holds_nothing_until_a_payout(session, seller, finance):
    reserve = _place(session, seller, finance, reserve_type="rolling", amount=None,
                     percent=Decimal("10"))  # fmt: skip
    assert reserve.hold_amount == Decimal("0")
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("300.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reserve_type": "forever"}, "reserve_type"),
        ({"reason": " "}, "reason"),
        ({"policy_reference": ""}, "policy_reference"),
        ({"amount": None}, "amount"),
        ({"percent": Decimal("10")}, "percent"),
        ({"reserve_type": "rolling", "percent": Decimal("120")}, "percent"),
        ({"reserve_type": "rolling", "amount": None, "percent": None}, "amount"),
    ],
)
def test_bad_reserves_are_refused_with_the_field(session, seller, finance, values, field):
    with pytest.raises(ValidationError) as refused:
        _place(session, seller, finance, **values)
    assert field in refused.value.field_errors


@pytest.mark.parametrize(
    ("raw", "currency", "message"),
    [("12.345", "USD", "at most 2 decimals"), ("10.5", "KRW", "whole amount in KRW"),
     ("-3", "USD", "greater than zero"), ("abc", "USD", "Enter an amount in USD")],
)  # fmt: skip
def test_typed_amounts_are_exact_in_the_currency(raw, currency, message):
    with pytest.raises(ValidationError, match=message):
        reserves.parse_amount(raw, currency)
    assert reserves.parse_amount("1,200", "KRW") == Decimal("1200")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("10", Decimal("10")), (" 7.5 % ", Decimal("7.5")), ("0.0001", Decimal("0.0001")),
     ("", None), (None, None), ("%", None)],
)  # fmt: skip
def test_typed_percentages(raw, expected):
    assert reserves.parse_percent(raw) == expected


@pytest.mark.parametrize("raw", ["ten", "0.00001", "1e999999", "NaN", "Infinity"])
def test_a_percentage_that_does_not_read_is_refused_on_its_field(raw):
    with pytest.raises(ValidationError) as refused:
        reserves.parse_percent(raw)
    assert refused.value.field_errors == {"percent": ["Enter a percentage like 10 or 7.5."]}


def test_placing_and_releasing_are_audited(session, seller, finance):
    reserve = _place(session, seller, finance)
    reserves.release_reserve(session, reserve.id, amount=None, reason="cleared", actor=finance)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == reserve.id)
        .order_by(AuditEvent.created_at)
    ).all()  # fmt: skip
    assert actions == ["reserve.placed", "reserve.released"]


def test_every_status_change_is_a_move_of_the_reserve_machine(session, seller, finance):
    reserve = _place(session, seller, finance, amount=Decimal("90.00"))
    path = [reserve.status]
    for amount in (Decimal("30.00"), Decimal("30.00"), None):  # partly, partly again, the rest
        reserves.release_reserve(session, reserve.id, amount=amount, reason="x", actor=finance)
        path.append(reserve.status)
    assert path == ["active", "partially_released", "partially_released", "released"]
    at_once = _place(session, seller, finance, amount=Decimal("10.00"))
    reserves.release_reserve(session, at_once.id, amount=None, reason="x", actor=finance)
    assert at_once.status == "released"
    # A percentage that never withheld anything is released without an entry when due.
    rolling = _place(session, seller, finance, reserve_type="rolling", amount=None,
                     percent=Decimal("10"), release_at=utcnow() + timedelta(days=1))  # fmt: skip
    assert reserves.release_due(session, seller.id, "USD", now=utcnow() + timedelta(days=2)) == []
    assert rolling.status == "released"
    # A hold on a released reserve makes it partly released again.
    reserves._hold(session, at_once, Decimal("5.00"), note="held again")
    assert at_once.status == "partially_released"
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_an_illegal_reserve_move_is_refused_before_money_moves(session, seller, finance):
    reserve = _place(session, seller, finance)
    reserve.status = "released"  # stored out of step with its amounts: it still holds 100
    entries = select(func.count()).where(SellerLedgerEntry.source_reference == reserve.id)
    held = session.scalar(entries)
    with pytest.raises(InvalidTransition) as refused:
        reserves.release_reserve(session, reserve.id, amount=None, reason="x", actor=finance)
    assert refused.value.message == "A reserve is already Released."
    assert session.scalar(entries) == held and reserves.remaining(reserve) == Decimal("100.00")


def test_typed_amounts_stop_at_zero_and_under_the_ceiling():
    with pytest.raises(ValidationError, match="greater than zero") as zero:
        reserves.parse_amount("0", "USD", field_name="hold")
    assert list(zero.value.field_errors) == ["hold"]
    with pytest.raises(ValidationError, match="Enter an amount under") as refused:
        reserves.parse_amount("1000000000000", "KRW", field_name="hold")
    assert list(refused.value.field_errors) == ["hold"]
    with pytest.raises(ValidationError) as unreadable:
        reserves.parse_amount("abc", "USD", field_name="hold")
    assert list(unreadable.value.field_errors) == ["hold"]
    assert reserves.parse_amount("999999999999", "KRW") == Decimal("999999999999")
    assert reserves.parse_amount("0.01", "USD") == Decimal("0.01")
    with pytest.raises(ValidationError, match="Enter an amount.") as empty:
        reserves.parse_amount("", "USD", field_name="hold")
    assert list(empty.value.field_errors) == ["hold"]
    assert reserves.parse_amount("", "USD", required=False) is None


def test_a_reason_of_500_characters_is_kept_and_501_refused(session, seller, finance):
    kept = _place(session, seller, finance, reason="r" * 500)
    assert kept.reason == "r" * 500
    with pytest.raises(ValidationError) as refused:
        _place(session, seller, finance, reason="r" * 501)
    assert list(refused.value.field_errors) == ["reason"]


@pytest.mark.parametrize(("percent", "kept"), [("100", True), ("0.0001", True), ("0", False),
                                               ("-1", False), ("100.0001", False)])  # fmt: skip
def test_a_percentage_is_more_than_zero_and_at_most_100(session, seller, finance, percent, kept):
    values = dict(reserve_type="rolling", amount=None, percent=Decimal(percent))
    if kept:
        assert _place(session, seller, finance, **values).hold_percent == Decimal(percent)
    else:
        with pytest.raises(ValidationError) as refused:
            _place(session, seller, finance, **values)
        assert list(refused.value.field_errors) == ["percent"]


def test_the_release_date_must_be_after_now(session, seller, finance):
    now = utcnow()
    with pytest.raises(ValidationError) as refused:
        _place(session, seller, finance, release_at=now, now=now)
    assert list(refused.value.field_errors) == ["release_at"]
    later = _place(session, seller, finance, release_at=now + timedelta(seconds=1), now=now)
    assert later.release_at == now + timedelta(seconds=1) and later.start_at == now


def test_a_rolling_reserve_may_hold_an_amount_and_a_percentage(session, seller, finance):
    reserve = _place(session, seller, finance, reserve_type="rolling", currency="usd",
                     percent=Decimal("5"))  # fmt: skip
    assert (reserve.currency, reserve.hold_amount, reserve.hold_percent) == (
        "USD", Decimal("100.00"), Decimal("5"),
    )  # fmt: skip
    assert (reserve.status, reserve.released_amount) == ("active", Decimal("0"))
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("200.00")


def test_the_placing_event_holds_what_was_placed(session, seller, finance):
    release_at = utcnow() + timedelta(days=30)
    reserve = _place(session, seller, finance, reserve_type="rolling", percent=Decimal("7.5"),
                     release_at=release_at)  # fmt: skip
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == reserve.id)).one()
    assert (event.entity_table, event.actor_user_id, event.reason) == (
        "shopping_mall_reserves", finance.id, "open dispute",
    )  # fmt: skip
    assert event.changes["before"] is None
    assert event.changes["after"] == {
        "status": "active", "hold_amount": "100.00", "released_amount": "0", "currency": "USD",
        "reserve_type": "rolling", "hold_percent": "7.5", "policy_reference": "risk.case_hold",
        "release_at": release_at.isoformat(),
    }  # fmt: skip


def test_the_release_event_holds_the_amounts_before_and_after(session, seller, finance):
    reserve = _place(session, seller, finance)
    entry = reserves.release_reserve(session, reserve.id, amount=Decimal("100.00"),
                                     reason="cleared", actor=finance)  # fmt: skip
    assert reserve.status == "released"  # releasing all it holds, typed, releases it
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == reserve.id,
                                 AuditEvent.action == "reserve.released")
    ).one()  # fmt: skip
    assert event.reason == "cleared" and event.actor_user_id == finance.id
    assert event.changes["before"]["status"] == "active"
    assert Decimal(event.changes["before"]["released_amount"]) == 0
    assert event.changes["after"]["status"] == "released"
    assert Decimal(event.changes["after"]["released_amount"]) == Decimal("100.00")
    assert event.changes["after"]["ledger_entry"] == entry.id
    assert (entry.amount, entry.note) == (Decimal("100.00"), "cleared")


def test_a_sellers_reserves_list_holding_ones_first_newest_first(session, seller, finance):
    now = utcnow()
    old = _place(session, seller, finance, now=now - timedelta(days=2))
    new = _place(session, seller, finance, now=now - timedelta(days=1))
    done = _place(session, seller, finance, now=now)
    reserves.release_reserve(session, done.id, amount=None, reason="x", actor=finance)
    krw = _place(session, seller, finance, currency="KRW", amount=Decimal("1000"), now=now)
    _place(session, seller, finance, now=now).deleted_at = now
    other = seller_with_account(session, name="Other Shop")
    post(session, other, "500.00", days_ago=20)
    _place(session, other, finance, now=now)
    rows = reserves.seller_reserves(session, seller.id, "USD")
    assert [r.reserve.id for r in rows] == [new.id, old.id, done.id]
    assert [r.status_label for r in rows] == ["Holding", "Holding", "Released"]
    assert rows[0].remaining == Decimal("100.00") and rows[2].remaining == Decimal("0")
    assert krw.id in [r.reserve.id for r in reserves.seller_reserves(session, seller.id)]


def _rolling(session, seller, finance, percent="10", **values):
    given = dict(reserve_type="rolling", amount=None, percent=Decimal(percent))
    given.update(values)
    return _place(session, seller, finance, **given)


def test_a_payout_withholds_the_share_of_each_holding_rolling_reserve(session, seller, finance):
    now = utcnow()
    share = _rolling(session, seller, finance, percent="12.5")
    fixed = _place(session, seller, finance, reserve_type="rolling")  # an amount, no percentage
    case = _place(session, seller, finance)
    due = _rolling(session, seller, finance, release_at=now + timedelta(hours=1))
    other = _rolling(session, seller, finance, currency="KRW")
    spent = _rolling(session, seller, finance)
    spent.status = "released"
    _rolling(session, seller, finance).deleted_at = now
    stranger = seller_with_account(session, name="Other Shop")
    theirs = _place(session, stranger, finance, reserve_type="rolling", amount=None,
                    percent=Decimal("50"))  # fmt: skip
    held = reserves.withhold_for_payout(session, seller.id, "USD", Decimal("100.05"),
                                        now=now + timedelta(hours=1))  # fmt: skip
    # 12.5 % of 100.05 is 12.50625: 12.51 (half up); the one due at that moment holds no more
    assert [(r.id, e.amount) for r, e in held] == [(share.id, Decimal("-12.51"))]
    assert held[0][1].note == "12.5% of sales"
    assert share.hold_amount == Decimal("12.51")
    for untouched in (fixed, case, due, other, spent):
        assert untouched.hold_amount in (Decimal("0"), Decimal("100.00"))
    assert theirs.hold_amount == Decimal("0")
    assert reserves.withhold_for_payout(session, seller.id, "USD", Decimal("0"), now=now) == []


def test_a_reserve_due_for_release_does_not_stop_the_others_withholding(session, seller, finance):
    now = utcnow()
    due = _rolling(session, seller, finance, release_at=now + timedelta(hours=1),
                   now=now - timedelta(days=1))  # fmt: skip
    later = _rolling(session, seller, finance, now=now)
    held = reserves.withhold_for_payout(session, seller.id, "USD", Decimal("50.00"),
                                        now=now + timedelta(hours=2))  # fmt: skip
    assert [(r.id, e.amount) for r, e in held] == [(later.id, Decimal("-5.00"))]
    assert due.hold_amount == Decimal("0")


def test_a_share_that_rounds_to_nothing_writes_no_entry(session, seller, finance):
    _rolling(session, seller, finance, percent="0.0001")
    assert reserves.withhold_for_payout(session, seller.id, "USD", Decimal("10"),
                                        now=utcnow()) == []  # fmt: skip


def test_the_half_cent_rounds_up(session):
    assert reserves.quantize(Decimal("0.125"), "USD") == Decimal("0.13")
    assert reserves.quantize(Decimal("1500.5"), "KRW") == Decimal("1501")


def test_release_due_releases_what_reached_its_date_at_that_moment(session, seller, finance):
    now = utcnow()
    due = _place(session, seller, finance, release_at=now + timedelta(hours=1))
    reserves.release_reserve(session, due.id, amount=Decimal("40.00"), reason="x", actor=finance)
    later = _place(session, seller, finance, release_at=now + timedelta(hours=2))
    never = _place(session, seller, finance)
    other = _place(session, seller, finance, currency="KRW", amount=Decimal("500"),
                   release_at=now + timedelta(hours=1))  # fmt: skip
    deleted = _place(session, seller, finance, release_at=now + timedelta(hours=1))
    deleted.deleted_at = now
    stranger = seller_with_account(session, name="Other Shop")
    post(session, stranger, "500.00", days_ago=20)
    theirs = _place(session, stranger, finance, release_at=now + timedelta(hours=1))
    released = reserves.release_due(session, seller.id, "USD", now=now + timedelta(hours=1))
    assert [(r.id, e.amount, e.note) for r, e in released] == [
        (due.id, Decimal("60.00"), "Release date reached"),
    ]  # fmt: skip
    assert due.status == "released" and reserves.remaining(due) == Decimal("0")
    assert [s.status for s in (later, never, other, deleted, theirs)] == ["active"] * 5
    assert reserves.release_due(session, seller.id, "USD", now=now + timedelta(hours=1)) == []


def test_a_chargeback_draws_at_most_what_the_reserve_holds(session, seller, finance):
    reserve = _place(session, seller, finance)
    drawn, entry, before = reserves.draw_for_chargeback(
        session, reserve.id, seller.id, Decimal("30.00"), note="covers CB-1"
    )
    assert drawn is reserve and entry.amount == Decimal("30.00") and entry.note == "covers CB-1"
    assert before["released_amount"] == Decimal("0") and reserve.status == "partially_released"
    _, rest, _ = reserves.draw_for_chargeback(session, reserve.id, seller.id, Decimal("500"),
                                              note="x")  # fmt: skip
    assert rest.amount == Decimal("70.00") and reserve.status == "released"
    with pytest.raises(ValidationError, match="holds nothing") as empty:
        reserves.draw_for_chargeback(session, reserve.id, seller.id, Decimal("1"), note="x")
    assert list(empty.value.field_errors) == ["reserve"]
    stranger = seller_with_account(session, name="Other Shop")
    with pytest.raises(ValidationError, match="another seller") as refused:
        reserves.draw_for_chargeback(session, _place(session, seller, finance).id, stranger.id,
                                     Decimal("1"), note="x")  # fmt: skip
    assert list(refused.value.field_errors) == ["reserve"]


def test_a_release_needs_a_reason_and_a_reserve_that_is_not_deleted(session, seller, finance):
    from mallconsole.core.errors import NotFound

    reserve = _place(session, seller, finance)
    with pytest.raises(ValidationError) as refused:
        reserves.release_reserve(session, reserve.id, amount=None, reason=" ", actor=finance)
    assert list(refused.value.field_errors) == ["reason"]
    assert reserves.remaining(reserve) == Decimal("100.00")
    assert reserves.get_reserve(session, reserve.id) is reserve
    reserve.deleted_at = utcnow()
    with pytest.raises(NotFound):
        reserves.get_reserve(session, reserve.id)
    with pytest.raises(NotFound):
        reserves.release_reserve(session, reserve.id, amount=None, reason="x", actor=finance)


def test_a_reserve_and_its_entries_name_the_order_and_the_policy(session, seller, finance):
    from mallconsole.models import Order

    order = build(session, Order)
    reserve = _place(session, seller, finance, order_id=order.id, reason="disputed order")
    assert (reserve.shopping_mall_order_id, reserve.policy_reference) == (
        order.id, "risk.case_hold",
    )  # fmt: skip
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == reserve.id)).one()
    assert event.summary == "Case hold placed on Harbor Goods"
    reserves._hold(session, reserve, Decimal("25.00"), note="more")
    assert reserve.hold_amount == Decimal("125.00")  # a second hold adds to the first
    release = reserves.release_reserve(session, reserve.id, amount=Decimal("5.00"), reason="x",
                                       actor=finance)  # fmt: skip
    hold, again = session.scalars(
        select(SellerLedgerEntry)
        .where(SellerLedgerEntry.source_reference == reserve.id,
               SellerLedgerEntry.entry_type == "reserve_hold")
        .order_by(SellerLedgerEntry.occurred_at)
    ).all()  # fmt: skip
    assert (hold.amount, hold.note, again.note) == (Decimal("-100.00"), "disputed order", "more")
    assert {hold.shopping_mall_order_id, again.shopping_mall_order_id,
            release.shopping_mall_order_id} == {order.id}  # fmt: skip
