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


@pytest.fixture
def checker(session):
    return make_staff(session, "rules-checker@test.mall", (Role.FINANCE_MANAGER,))


def _over_threshold(session, seller):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "50",
                scope=f"seller:{seller.id}")  # fmt: skip


def _event(session, payout, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == payout.id, AuditEvent.action == action)
    ).one()


def test_a_failed_payout_says_so_keeps_the_reason_and_its_moment(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    payouts.start_processing(session, payout.id, expected_version=payout.version, actor=finance)
    assert payout.processed_at is None
    payouts.mark_failed(session, payout.id, expected_version=payout.version,
                        reason="Account closed", actor=finance)  # fmt: skip
    assert payout.note == "Account closed" and payout.processed_at is not None
    event = _event(session, payout, "payout.failed")
    assert event.actor_user_id == finance.id
    assert event.summary == f"{payout.payout_number} failed; 1 ledger entries given back"
    assert event.changes["after"]["ledger_entries"] == []
    assert event.changes["after"]["status"] == "failed"


def test_a_canceled_payout_says_canceled_and_is_never_processed(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    payouts.cancel_payout(session, payout.id, expected_version=payout.version,
                          reason="Seller asked to wait", actor=finance)  # fmt: skip
    assert payout.note == "Seller asked to wait" and payout.processed_at is None
    event = _event(session, payout, "payout.canceled")
    assert event.summary == f"{payout.payout_number} canceled; 1 ledger entries given back"


def test_canceling_someone_elses_waiting_approval_is_refused(session, seller, finance, checker):
    _over_threshold(session, seller)
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    with pytest.raises(Conflict, match="waits for approval asked by someone else"):
        payouts.cancel_payout(session, payout.id, expected_version=payout.version,
                              reason="Not mine", actor=checker)  # fmt: skip
    assert payout.status == "scheduled"
    assert payouts.open_approval(session, payout).status == "pending"


def test_sending_a_payout_over_the_threshold_with_no_request_asks_for_one(session, seller, finance):
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    assert payouts.open_approval(session, payout) is None  # under the threshold when composed
    _over_threshold(session, seller)
    started = payouts.start_processing(session, payout.id, expected_version=payout.version,
                                       actor=finance)  # fmt: skip
    assert started.payout is payout and payout.status == "scheduled"
    assert started.approval is not None and started.approval.status == "pending"
    assert started.approval.requested_by_user_id == finance.id
    assert started.approval.target_entity_id == payout.id


def test_a_payout_under_the_threshold_is_sent_and_audited(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    started = payouts.start_processing(session, payout.id, expected_version=payout.version,
                                       actor=finance)  # fmt: skip
    assert (started.payout, started.approval) == (payout, None)
    event = _event(session, payout, "payout.processing")
    assert event.actor_user_id == finance.id
    assert event.summary == f"{payout.payout_number} sent for processing"


def test_an_approval_is_not_carried_out_on_an_amount_that_changed(
    session, seller, finance, checker
):
    _over_threshold(session, seller)
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    action = payouts.open_approval(session, payout)
    payout.net_amount = Decimal("74.00")  # changed behind the request's back
    with pytest.raises(Conflict, match="amount changed after this was asked for"):
        payouts.carry_out(session, action, actor=checker)
    assert payout.status == "scheduled"


def test_a_carried_out_approval_is_audited_with_its_request(session, seller, finance, checker):
    from mallconsole.services import approvals

    _over_threshold(session, seller)
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    action = payouts.open_approval(session, payout)
    approvals.decide(session, action.id, "approve", actor=checker, revision=action.revision)
    event = _event(session, payout, "payout.approved")
    assert event.actor_user_id == checker.id
    assert event.shopping_mall_admin_action_id == action.id
    assert event.summary == f"{payout.payout_number} approved and sent for processing"
    assert Decimal(event.changes["after"]["net_amount"]) == Decimal("75")
