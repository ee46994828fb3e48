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
    with pytest.raises(ValidationError, match=r"holds only USD\s100\.00\.$"):
        reserves.release_reserve(session, reserve.id, amount=Decimal("100.01"), reason="x",
                                 actor=finance)  # fmt: skip


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
