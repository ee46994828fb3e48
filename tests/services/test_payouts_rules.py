"""Payout composition's rules, one by one: the edges a careless change would move (an empty
period, a net of exactly zero, a seller's own settlement delay, the day its number carries)
and what it records (the note, the moment it is scheduled for, its audit event)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, utcnow
from mallconsole.services.money import payouts
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account, set_setting


@pytest.fixture
def finance(session):
    return make_staff(session, "rules-payer@test.mall", (Role.FINANCE_MANAGER,))


@pytest.fixture
def seller(session):
    return seller_with_account(session)


@pytest.fixture(autouse=True)
def _high_threshold(session):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "100000")


def test_a_period_of_no_length_is_refused_on_its_end_field(session, seller, finance):
    post(session, seller, "100", days_ago=20)
    day = utcnow() - timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        payouts.compose_payout(session, seller.id, "USD", actor=finance,
                               period_start=day, period_end=day)  # fmt: skip
    assert refused.value.field_errors == {"period_end": ["The period must end after it starts."]}


def test_a_net_of_exactly_zero_is_nothing_to_pay(session, seller, finance):
    post(session, seller, "40.00", days_ago=20)
    post(session, seller, "-40.00", "refund", days_ago=20)
    with pytest.raises(Conflict, match="USD\xa00.00: there is nothing to pay out"):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


def test_the_sellers_own_settlement_delay_decides_what_is_payable(session, seller, finance):
    set_setting(session, states.PAYOUT_SETTLEMENT_DELAY_DAYS, "2", scope=f"seller:{seller.id}")
    young = post(session, seller, "30.00", days_ago=3)  # payable after 2 days, not after 7
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    assert payout.net_amount == young.amount


def test_no_payable_entry_names_the_sellers_own_delay(session, seller, finance):
    set_setting(session, states.PAYOUT_SETTLEMENT_DELAY_DAYS, "12", scope=f"seller:{seller.id}")
    post(session, seller, "30.00", days_ago=10)
    with pytest.raises(Conflict, match="become payable 12 days after they occur"):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


def test_what_a_composition_records(session, seller, finance):
    post(session, seller, "120.00", days_ago=20)
    now = utcnow().replace(microsecond=0) - timedelta(days=3)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance,
                                    note="  Monthly run  ", now=now)  # fmt: skip
    assert payout.note == "Monthly run"
    assert payout.scheduled_for.replace(tzinfo=None) == now.replace(tzinfo=None)
    assert payout.payout_number.startswith(f"PO-{now:%Y%m%d}-")
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == payout.id)).one()
    assert (event.action, event.actor_user_id, event.reason) == (
        "payout.composed",
        finance.id,
        "Monthly run",
    )
    assert event.summary == f"{payout.payout_number} composed for {seller.display_name}"
    after = event.changes["after"]
    assert after["status"] == "scheduled" and after["currency"] == "USD"
    assert Decimal(after["net_amount"]) == payout.net_amount
    assert event.changes["before"] is None
