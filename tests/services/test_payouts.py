"""Payouts: composition from payable entries, the split, the account rule, the lifecycle and
giving entries back, maker-checker over the threshold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.core.states import InvalidTransition
from mallconsole.models import AdminAction, AuditEvent, PayoutItem, SellerPayoutAccount, utcnow
from mallconsole.services import approvals
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.services.money import ledger, payouts, reserves
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account, set_setting


@pytest.fixture
def finance(session):
    return make_staff(session, "payer@test.mall", (Role.FINANCE_MANAGER,))


@pytest.fixture
def checker(session):
    return make_staff(session, "checker@test.mall", (Role.FINANCE_MANAGER,))


@pytest.fixture
def seller(session):
    return seller_with_account(session)


@pytest.fixture(autouse=True)
def _high_threshold(session):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "100000")


def _items(session, payout):
    return session.scalars(
        select(PayoutItem.shopping_mall_seller_ledger_id).where(
            PayoutItem.shopping_mall_payout_id == payout.id
        )
    ).all()


def test_a_payout_pays_the_payable_entries_and_gross_minus_fees_minus_reserve_is_net(
    session, seller, finance
):
    sale = post(session, seller, "200.00", days_ago=20)
    fee = post(session, seller, "-6.10", "fee", days_ago=20)
    refund = post(session, seller, "-50.00", "refund", days_ago=15)
    hold = post(session, seller, "-20.00", "reserve_hold", days_ago=12)
    recent = post(session, seller, "80.00", days_ago=2)  # inside the settlement delay
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    assert payout.payout_number.startswith("PO-")
    assert payout.status == "scheduled"
    assert set(_items(session, payout)) == {sale.id, fee.id, refund.id, hold.id}
    assert recent.id not in _items(session, payout)
    assert payout.gross_amount == Decimal("150.00")
    assert payout.fees_amount == Decimal("6.10")
    assert payout.reserve_withheld == Decimal("20.00")
    assert payout.net_amount == Decimal("123.90")
    assert payout.gross_amount - payout.fees_amount - payout.reserve_withheld == payout.net_amount


def test_nothing_is_paid_twice_and_a_second_composition_is_refused(session, seller, finance):
    post(session, seller, "100", days_ago=20)
    payouts.compose_payout(session, seller.id, "USD", actor=finance)
    with pytest.raises(Conflict, match="no payable USD entries"):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


def test_the_period_limits_the_entries(session, seller, finance):
    old = post(session, seller, "10", days_ago=40)
    newer = post(session, seller, "20", days_ago=20)
    now = utcnow()
    payout = payouts.compose_payout(
        session, seller.id, "USD", actor=finance,
        period_start=now - timedelta(days=30), period_end=now - timedelta(days=10),
    )  # fmt: skip
    assert _items(session, payout) == [newer.id]
    assert old.id not in _items(session, payout)


def test_the_settlement_delay_is_a_setting_per_seller(session, seller, finance):
    post(session, seller, "10", days_ago=3)
    with pytest.raises(Conflict):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)
    set_setting(session, "finance.payout.settlement_delay_days", "2", scope=f"seller:{seller.id}")
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    assert payout.net_amount == Decimal("10")


@pytest.mark.parametrize(
    ("status", "message"), [("unverified", "not verified"), ("rejected", "not verified")]
)
def test_only_a_verified_primary_account_is_paid(session, finance, status, message):
    seller = seller_with_account(session, status=status)
    post(session, seller, "10", days_ago=20)
    with pytest.raises(ValidationError, match=message):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


@pytest.mark.parametrize(
    "change", [{"status": "rejected"}, {"primary": False}, {"deleted_at": utcnow()}]
)
def test_a_payout_is_sent_only_while_its_account_is_verified_and_primary(
    session, seller, finance, checker, change
):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    session.execute(
        SellerPayoutAccount.__table__.update()
        .where(SellerPayoutAccount.id == payout.shopping_mall_seller_payout_account_id)
        .values(**change)
    )
    session.expire_all()
    with pytest.raises(Conflict, match="no longer the seller's verified primary account"):
        payouts.start_processing(session, payout.id, expected_version=1, actor=finance)
    assert session.get(type(payout), payout.id).status == "scheduled"


def test_an_approved_payout_is_not_sent_to_an_account_that_changed(
    session, seller, finance, checker
):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "5",
                scope=f"seller:{seller.id}")  # fmt: skip
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    action = payouts.open_approval(session, payout)
    session.execute(
        SellerPayoutAccount.__table__.update()
        .where(SellerPayoutAccount.id == payout.shopping_mall_seller_payout_account_id)
        .values(primary=False)
    )
    session.expire_all()
    approvals.decide(session, action.id, "approve", actor=checker, revision=action.revision)
    session.refresh(payout)
    assert payout.status == "scheduled"
    assert session.get(AdminAction, action.id).status != "executed"


def test_a_seller_without_a_primary_account_is_refused(session, seller, finance):
    session.execute(
        SellerPayoutAccount.__table__.update()
        .where(SellerPayoutAccount.shopping_mall_seller_id == seller.id)
        .values(primary=False)
    )
    post(session, seller, "10", days_ago=20)
    with pytest.raises(ValidationError, match="no primary payout account"):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


def test_an_account_in_another_currency_is_refused(session, finance):
    seller = seller_with_account(session, currency="KRW")
    post(session, seller, "10", days_ago=20)
    with pytest.raises(ValidationError, match="paid in KRW"):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


def test_a_negative_balance_is_not_paid_out(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    post(session, seller, "-30", "refund", days_ago=19)
    with pytest.raises(Conflict, match="nothing to pay"):
        payouts.compose_payout(session, seller.id, "USD", actor=finance)


def test_the_lifecycle_to_paid_is_audited(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    started = payouts.start_processing(session, payout.id, expected_version=payout.version,
                                       actor=finance)  # fmt: skip
    assert started.approval is None and payout.status == "processing"
    payouts.mark_paid(session, payout.id, expected_version=payout.version, actor=finance)
    assert payout.status == "paid" and payout.processed_at is not None
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_id == payout.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    assert actions == ["payout.composed", "payout.processing", "payout.paid"]
    with pytest.raises(InvalidTransition):
        payouts.cancel_payout(session, payout.id, expected_version=payout.version,
                              reason="late", actor=finance)  # fmt: skip


def test_a_stale_version_is_refused(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    with pytest.raises(StaleRecord):
        payouts.start_processing(session, payout.id, expected_version=payout.version + 5,
                                 actor=finance)  # fmt: skip


@pytest.mark.parametrize("ending", ["failed", "canceled"])
def test_a_failed_or_canceled_payout_gives_its_entries_back(session, seller, finance, ending):
    entries = [post(session, seller, "10", days_ago=20), post(session, seller, "-1", "fee",
                                                              days_ago=20)]  # fmt: skip
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    if ending == "failed":
        payouts.start_processing(session, payout.id, expected_version=payout.version,
                                 actor=finance)  # fmt: skip
        payouts.mark_failed(session, payout.id, expected_version=payout.version,
                            reason="account closed", actor=finance)  # fmt: skip
    else:
        payouts.cancel_payout(session, payout.id, expected_version=payout.version,
                              reason="under review", actor=finance)  # fmt: skip
    assert payout.status == ending
    assert _items(session, payout) == []
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == payout.id, AuditEvent.action == f"payout.{ending}"
        )
    ).one()
    assert event.changes["before"]["ledger_entries"] == [e.id for e in entries]
    assert event.reason in ("account closed", "under review")
    assert [e.id for e in payouts.given_back_entries(session, payout)] == [e.id for e in entries]
    again = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    assert set(_items(session, again)) == {e.id for e in entries}


def test_ending_a_payout_needs_a_reason(session, seller, finance):
    post(session, seller, "10", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    with pytest.raises(ValidationError) as refused:
        payouts.cancel_payout(session, payout.id, expected_version=payout.version, reason=" ",
                              actor=finance)  # fmt: skip
    assert "reason" in refused.value.field_errors


def test_over_the_threshold_a_second_finance_manager_approves(session, seller, finance, checker):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "50",
                scope=f"seller:{seller.id}")  # fmt: skip
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    action = payouts.open_approval(session, payout)
    assert action is not None and action.status == "pending"
    assert Decimal(action.payload["net_amount"]) == Decimal("75")
    # the approver reads the amount in the change and the reason, as money
    changes = {c.label: c.after for c in approvals.changes_of(action.payload)}
    assert changes["Net amount to send"] == "USD\xa075.00"
    assert action.justification.startswith("Pay USD\xa075.00 to ")
    with pytest.raises(Conflict, match="waits for a second"):
        payouts.start_processing(session, payout.id, expected_version=payout.version,
                                 actor=finance)  # fmt: skip
    approvals.decide(session, action.id, "approve", actor=checker, revision=action.revision)
    session.refresh(payout)
    assert payout.status == "processing"
    assert action.status == "executed"


def test_the_requester_cannot_approve_their_own_payout(session, seller, finance):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "5",
                scope=f"seller:{seller.id}")  # fmt: skip
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    from mallconsole.core.errors import Forbidden

    with pytest.raises(Forbidden):
        waiting = payouts.open_approval(session, payout)
        approvals.decide(session, waiting.id, "approve", actor=finance, revision=waiting.revision)


def test_canceling_withdraws_the_requesters_own_pending_approval(session, seller, finance):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "5",
                scope=f"seller:{seller.id}")  # fmt: skip
    post(session, seller, "75", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    payouts.cancel_payout(session, payout.id, expected_version=payout.version, reason="wrong",
                          actor=finance)  # fmt: skip
    assert payouts.open_approval(session, payout).status == "canceled"


def test_a_batch_composes_for_every_eligible_seller_and_says_who_was_left_out(session, finance):
    paid = [seller_with_account(session, name=f"Seller {n}") for n in range(3)]
    held = seller_with_account(session, status="unverified", name="Unverified Shop")
    for s in [*paid, held]:
        post(session, s, "40", days_ago=20)
    result = payouts.compose_all(session, "USD", actor=finance)
    assert sorted(p.shopping_mall_seller_id for p in result.composed) == sorted(s.id for s in paid)
    assert [name for name, _ in result.skipped] == ["Unverified Shop"]
    assert "not verified" in result.skipped[0][1]


def test_rolling_reserves_withhold_their_share_and_due_reserves_are_released(
    session, seller, finance
):
    rolling = reserves.place_reserve(
        session, seller_id=seller.id, currency="USD", reserve_type="rolling", amount=None,
        percent=Decimal("10"), reason="new seller", policy_reference="risk.rolling_10",
        actor=finance,
    )  # fmt: skip
    post(session, seller, "300.00", days_ago=20)
    post(session, seller, "100.00", days_ago=10)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance,
                                    period_end=utcnow() - timedelta(days=15))  # fmt: skip
    assert payout.reserve_withheld == Decimal("30.00")
    assert payout.net_amount == Decimal("270.00")
    assert rolling.hold_amount == Decimal("30.00")
    assert ledger.reconcile(session, seller.id, "USD") == []
    # Once due, the next payout releases what it holds.
    rolling.release_at = utcnow() - timedelta(minutes=1)
    second = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    assert second.gross_amount == Decimal("130.00")  # the sale and the release
    assert second.reserve_withheld == Decimal("0")
    assert rolling.status == "released" and rolling.released_shopping_mall_payout_id == second.id


def test_approval_requests_name_the_payout(app, session, seller, finance):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "5",
                scope=f"seller:{seller.id}")  # fmt: skip
    post(session, seller, "75", days_ago=20)
    payouts.compose_payout(session, seller.id, "USD", actor=finance)
    action = session.scalars(select(AdminAction)).one()
    with app.test_request_context():
        row = approvals.action_row(session, action.id)
    assert row.target.startswith("PO-") and "Harbor Goods" in row.target
    assert row.target_url == f"/finance/payouts/{action.target_entity_id}"
    assert session.scalar(select(func.count()).select_from(PayoutItem)) == 1


def test_the_list_reads_the_counts_by_state_and_the_payouts_waiting_for_approval(
    session, seller, finance
):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "50",
                scope=f"seller:{seller.id}")  # fmt: skip
    before = {code: count.value for code, _label, count in payouts.counts_by_state(session)}
    post(session, seller, "75", days_ago=20)
    over = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    other = seller_with_account(session, name="Quiet Shop")
    post(session, other, "75", days_ago=20)
    under = payouts.compose_payout(session, other.id, "USD", actor=finance)
    counts = payouts.counts_by_state(session)
    assert [code for code, _label, _count in counts] == list(states.PAYOUT)
    assert [label for _code, label, _count in counts] == [
        states.label(payouts.MACHINE, code) for code in states.PAYOUT
    ]
    after = {code: count.value for code, _label, count in counts}
    assert after["scheduled"] == before["scheduled"] + 2
    waiting = payouts.waiting_for_approval(session, [over.id, under.id])
    assert waiting == {over.id: payouts.open_approval(session, over)}
    assert payouts.waiting_for_approval(session, []) == {}


def test_a_payout_names_the_account_it_was_composed_for(session, seller, finance):
    post(session, seller, "40", days_ago=20)
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    account = payouts.paid_to_account(session, payout)
    assert account.id == payout.shopping_mall_seller_payout_account_id
    assert account.shopping_mall_seller_id == seller.id and account.primary
