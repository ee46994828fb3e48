"""Chargebacks: each transition and its effect on the seller's ledger (debited once, given back
once, drawing on a reserve), the deadline rule, notes, versions and audit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.core.states import InvalidTransition
from mallconsole.models import AuditEvent, Chargeback, Order, utcnow
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.services.money import chargebacks, ledger, reserves
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account
from tests.factories.records import build


@pytest.fixture
def finance(session):
    return make_staff(session, "disputes@test.mall", (Role.FINANCE_MANAGER,))


@pytest.fixture
def seller(session):
    seller = seller_with_account(session)
    post(session, seller, "500.00", days_ago=40)
    return seller


def _chargeback(session, seller, *, debited=False, respond_in_days=5, amount="80.00"):
    chargeback = build(
        session, Chargeback, shopping_mall_seller_id=seller.id, status="open",
        amount=Decimal(amount), currency="USD", opened_at=utcnow() - timedelta(days=2),
        respond_by=utcnow() + timedelta(days=respond_in_days), reason_category="fraudulent",
    )  # fmt: skip
    if debited:  # the provider withdrew the amount when the dispute opened
        post(session, seller, f"-{amount}", "chargeback", days_ago=2, chargeback_id=chargeback.id)
    return chargeback


def _balance(session, seller):
    return ledger.balance(session, seller.id, "USD").amount


def test_under_review_then_lost_debits_the_seller_once(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="POD sent",
                             actor=finance)  # fmt: skip
    assert cb.status == "under_review" and cb.responded_at is not None
    assert "POD sent" in cb.notes
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    assert cb.status == "lost" and cb.closed_at is not None
    assert _balance(session, seller) == Decimal("420.00")
    assert [e.entry_type for e in chargebacks.entries_of(session, cb.id)] == ["chargeback"]
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_lost_after_a_debit_at_opening_debits_nothing_more(session, seller, finance):
    cb = _chargeback(session, seller, debited=True)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    assert _balance(session, seller) == Decimal("420.00")
    assert len(chargebacks.entries_of(session, cb.id)) == 1


def test_won_gives_back_what_was_debited(session, seller, finance):
    cb = _chargeback(session, seller, debited=True)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, note="provider agreed",
                         actor=finance)  # fmt: skip
    assert cb.status == "won"
    assert _balance(session, seller) == Decimal("500.00")
    kinds = [e.entry_type for e in chargebacks.entries_of(session, cb.id)]
    assert kinds == ["chargeback", "chargeback_reversal"]


def test_won_without_a_debit_writes_no_entry(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance)
    assert chargebacks.entries_of(session, cb.id) == []
    assert _balance(session, seller) == Decimal("500.00")


def test_open_is_lost_only_after_the_deadline(session, seller, finance):
    cb = _chargeback(session, seller)
    with pytest.raises(Conflict, match="deadline"):
        chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    late = _chargeback(session, seller, respond_in_days=-1)
    chargebacks.mark_lost(session, late.id, expected_version=late.version, actor=finance)
    assert late.status == "lost"


def test_illegal_moves_and_stale_versions_are_refused(session, seller, finance):
    cb = _chargeback(session, seller)
    with pytest.raises(InvalidTransition):
        chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance)
    with pytest.raises(StaleRecord):
        chargebacks.start_review(session, cb.id, expected_version=cb.version + 1, note="x",
                                 actor=finance)  # fmt: skip
    with pytest.raises(ValidationError):
        chargebacks.start_review(session, cb.id, expected_version=cb.version, note=" ",
                                 actor=finance)  # fmt: skip


def test_a_lost_chargeback_can_draw_on_a_reserve(session, seller, finance):
    reserve = reserves.place_reserve(
        session, seller_id=seller.id, currency="USD", reserve_type="case_hold",
        amount=Decimal("50.00"), percent=None, reason="risk", policy_reference="p",
        actor=finance,
    )  # fmt: skip
    assert _balance(session, seller) == Decimal("450.00")
    cb = _chargeback(session, seller)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, reserve_id=reserve.id,
                          actor=finance)  # fmt: skip
    # The reserve's 50 covers part of the 80: the seller's balance falls by 30 only.
    assert _balance(session, seller) == Decimal("420.00")
    assert reserve.status == "released" and reserves.remaining(reserve) == Decimal("0")
    assert cb.shopping_mall_reserve_id == reserve.id
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_every_step_is_audited_with_before_and_after(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.add_note(session, cb.id, expected_version=cb.version, note="called bank",
                         actor=finance)  # fmt: skip
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == cb.id).order_by(AuditEvent.created_at)
    ).all()
    assert [e.action for e in events] == [
        "chargeback.noted", "chargeback.responded", "chargeback.won"
    ]  # fmt: skip
    assert events[-1].changes["before"]["status"] == "under_review"
    assert events[-1].changes["after"]["status"] == "won"


def test_a_chargeback_names_its_order_when_it_has_one(session, seller):
    order = build(session, Order)
    disputed = _chargeback(session, seller)
    disputed.shopping_mall_order_id = order.id
    assert chargebacks.order_of(session, disputed) is order
    assert chargebacks.order_of(session, _chargeback(session, seller)) is None


def test_the_lost_event_says_in_money_what_a_reserve_covered(session, seller, finance):
    import re

    reserve = reserves.place_reserve(
        session, seller_id=seller.id, currency="USD", reserve_type="case_hold",
        amount=Decimal("50.00"), percent=None, reason="risk", policy_reference="p",
        actor=finance,
    )  # fmt: skip
    session.flush()
    session.expire_all()  # read back as the database holds it (SQLite: four decimals)
    cb = _chargeback(session, seller, respond_in_days=-1)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, reserve_id=reserve.id,
                          actor=finance)  # fmt: skip
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == cb.id,
                                 AuditEvent.action == "chargeback.lost")
    ).one()  # fmt: skip
    assert re.fullmatch(r"Chargeback lost; USD\s50\.00 covered by a reserve", event.summary)
