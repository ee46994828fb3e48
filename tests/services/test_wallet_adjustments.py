"""Manual store-credit adjustments: at or under the wallet threshold they apply at once, above
it they wait for a second finance manager, they never take a balance below zero, and each is
audited with the balance before and after."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, Forbidden, NotFound, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import (
    AdminAction,
    AuditEvent,
    Configuration,
    Customer,
    User,
    UserBalance,
    UserBalanceRecord,
)
from mallconsole.services import approvals
from mallconsole.services.money import wallet_adjustments, wallets
from tests.factories.actors import make_staff
from tests.factories.records import build


@pytest.fixture
def world(session):
    for currency, value in (("USD", "100.00"), ("KRW", "100000")):
        key = states.WALLET_DUAL_APPROVAL_THRESHOLD.format(currency=currency)
        session.add(Configuration(key=key, value=value))
    customer = build(session, User)
    build(session, Customer, shopping_mall_user_id=customer.id)
    maker = make_staff(session, "maker@wallets.test", (Role.FINANCE_MANAGER,))
    checker = make_staff(session, "checker@wallets.test", (Role.FINANCE_MANAGER,))
    session.flush()
    return customer, maker, checker


def adjust(session, customer, actor, amount, direction="credit", currency="USD", **more):
    return wallet_adjustments.adjust(
        session,
        user_id=customer.id,
        currency=currency,
        direction=direction,
        amount=amount,
        reason=more.pop("reason", "Goodwill after a lost parcel"),
        actor=actor,
        **more,
    )


def balance(session, customer, currency="USD"):
    account = wallets.wallet(session, customer.id, currency)
    return account.balance if account else None


def adjusted_events(session):
    return session.query(AuditEvent).filter_by(action="wallet.adjusted").all()


def test_at_the_threshold_it_applies_at_once_and_is_audited(session, world):
    customer, maker, _ = world
    done = adjust(session, customer, maker, "100.00")
    assert done.applied and done.request is None
    assert balance(session, customer) == Decimal("100.00")
    record = done.movement.record
    assert (record.type, record.amount, record.balance_after) == (
        "adjust", Decimal("100.00"), Decimal("100.00"),
    )  # fmt: skip
    assert record.actor_user_id == maker.id and record.reason == "Goodwill after a lost parcel"
    (event,) = adjusted_events(session)
    assert event.changes["before"]["balance"] == "0.00"
    assert event.changes["after"]["balance"] == "100.00"
    assert event.actor_user_id == maker.id and event.entity_id == done.movement.wallet.id
    assert session.query(AdminAction).count() == 0


def test_a_cent_above_the_threshold_asks_for_approval_and_moves_nothing(session, world):
    customer, maker, _ = world
    adjust(session, customer, maker, "20.00")
    asked = adjust(session, customer, maker, "100.01")
    assert not asked.applied
    action = asked.request
    assert (action.action_name, action.status, action.target_entity_table) == (
        "wallet_adjustment", "pending", "shopping_mall_user_balances",
    )  # fmt: skip
    assert action.payload["before"] == {"balance": "20.00"}
    assert action.payload["after"] == {"adjustment": "+100.01", "balance": "120.01"}
    assert action.payload["amount"] == "100.01" and action.payload["currency"] == "USD"
    assert balance(session, customer) == Decimal("20.00")
    assert len(adjusted_events(session)) == 1  # only the first, applied one


def charged(session, customer, amount, currency="USD"):
    """Store credit the customer got otherwise (a refund to store credit, say)."""
    wallets.post(session, user_id=customer.id, currency=currency, amount=Decimal(amount),
                 record_type="charge", reason="refund to store credit")  # fmt: skip


def test_a_debit_is_measured_by_its_size(session, world):
    customer, maker, checker = world
    charged(session, customer, "230.00")
    assert not adjust(session, customer, maker, "100.01", "debit").applied
    assert adjust(session, customer, checker, "100.00", "debit").applied
    assert balance(session, customer) == Decimal("130.00")


def test_a_missing_threshold_always_needs_approval(session, world):
    customer, maker, _ = world
    asked = adjust(session, customer, maker, "1.00", currency="EUR")
    assert not asked.applied
    # the request points at the wallet, opened empty for it
    account = session.get(UserBalance, asked.request.target_entity_id)
    assert (account.currency, account.balance) == ("EUR", Decimal("0"))
    assert session.query(UserBalanceRecord).count() == 0


def test_never_below_zero(session, world):
    customer, maker, _ = world
    adjust(session, customer, maker, "10.00")
    with pytest.raises(ValidationError) as refused:
        adjust(session, customer, maker, "10.01", "debit")
    assert "below zero" in refused.value.field_errors["amount"][0]
    assert balance(session, customer) == Decimal("10.00")
    assert adjust(session, customer, maker, "10.00", "debit").applied
    assert balance(session, customer) == Decimal("0.00")


@pytest.mark.parametrize(
    ("amount", "currency", "field", "words"),
    [
        ("", "USD", "amount", "Enter an amount"),
        ("abc", "USD", "amount", "Enter an amount"),
        ("0", "USD", "amount", "above zero"),
        ("-5", "USD", "amount", "above zero"),
        ("1.005", "USD", "amount", "at most 2 decimals"),
        ("500.5", "KRW", "amount", "whole amount"),
        ("NaN", "USD", "amount", "Enter an amount"),
        ("5", "XYZ", "currency", "currency code"),
        ("5", "", "currency", "currency code"),
    ],
)
def test_bad_amounts_and_currencies_are_refused_on_their_field(
    session, world, amount, currency, field, words
):
    customer, maker, _ = world
    with pytest.raises(ValidationError) as refused:
        adjust(session, customer, maker, amount, currency=currency)
    assert words in refused.value.field_errors[field][0]


def test_a_reason_and_a_direction_are_required(session, world):
    customer, maker, _ = world
    with pytest.raises(ValidationError) as refused:
        adjust(session, customer, maker, "5", reason="   ")
    assert "reason" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        adjust(session, customer, maker, "5", direction="sideways")
    assert "direction" in refused.value.field_errors
    assert session.query(UserBalanceRecord).count() == 0


def test_only_customers_have_store_credit(session, world):
    _, maker, _ = world
    with pytest.raises(NotFound):
        adjust(session, maker, maker, "5")


def test_a_stale_page_adjusts_nothing(session, world):
    customer, maker, _ = world
    adjust(session, customer, maker, "10.00")
    with pytest.raises(Conflict, match="changed while you were on this page"):
        adjust(session, customer, maker, "10.00", expected_balance=Decimal("0"))
    assert adjust(session, customer, maker, "1.00", expected_balance=Decimal("10.00")).applied
    assert balance(session, customer) == Decimal("11.00")


def test_the_approval_path_executes_exactly_once_and_posts_one_record(session, world):
    customer, maker, checker = world
    adjust(session, customer, maker, "5.00")
    action = adjust(session, customer, maker, "250.00").request
    with pytest.raises(Forbidden):
        approvals.decide(
            session, action.id, "approve", actor=maker, revision=action.revision
        )  # never one's own
    decided = approvals.decide(
        session, action.id, "approve", actor=checker, revision=action.revision
    )
    assert decided.executed and "USD\xa0255.00" in decided.message
    assert action.status == "executed"
    assert balance(session, customer) == Decimal("255.00")
    again = approvals.execute(session, action.id, actor=checker)
    assert not again.executed_now
    records = session.query(UserBalanceRecord).filter_by(type="adjust").all()
    assert sorted(r.amount for r in records) == [Decimal("5.00"), Decimal("250.00")]
    late = next(r for r in records if r.amount == Decimal("250.00"))
    assert late.actor_user_id == maker.id  # the record says who asked for it
    event = next(e for e in adjusted_events(session) if e.shopping_mall_admin_action_id)
    assert event.shopping_mall_admin_action_id == action.id and event.actor_user_id == checker.id
    assert (event.changes["before"]["balance"], event.changes["after"]["balance"]) == (
        "5.00", "255.00",
    )  # fmt: skip


def test_an_approved_debit_that_would_go_below_zero_stays_approved(session, world):
    customer, maker, checker = world
    charged(session, customer, "160.00")
    action = adjust(session, customer, maker, "150.00", "debit").request
    wallets.post(session, user_id=customer.id, currency="USD", amount=Decimal("-20.00"),
                 record_type="use", reason="spent meanwhile")  # fmt: skip  # 140 left
    decided = approvals.decide(
        session, action.id, "approve", actor=checker, revision=action.revision
    )
    assert not decided.executed and "below zero" in decided.message
    assert action.status == "approved"
    assert balance(session, customer) == Decimal("140.00")


def test_the_seeded_payload_shape_is_carried_out(session, world):
    """The demo world's requests: a positive ``amount`` string, ``currency`` and ``reason``."""
    customer, maker, checker = world
    account = adjust(session, customer, maker, "3.00").movement.wallet
    action = approvals.request_approval(
        session,
        "wallet_adjustment",
        "shopping_mall_user_balances",
        account.id,
        {
            "before": {"balance": "3.00"},
            "after": {"balance": "28.00"},
            "amount": "25.00",
            "currency": "USD",
            "reason": "goodwill credit",
        },
        "Goodwill credit after a lost parcel",
        actor=maker,
    ).action
    assert approvals.decide(
        session, action.id, "approve", actor=checker, revision=action.revision
    ).executed
    assert balance(session, customer) == Decimal("28.00")


def test_an_open_request_blocks_a_second_one_on_the_same_wallet(session, world):
    customer, maker, _ = world
    adjust(session, customer, maker, "500.00")
    with pytest.raises(Conflict, match="already waiting for approval"):
        adjust(session, customer, maker, "400.00")
    account = wallets.wallet(session, customer.id, "USD")
    assert len(wallet_adjustments.waiting_requests(session, account.id)) == 1


def test_every_field_problem_is_reported_at_once(session, world):
    customer, maker, _ = world
    with pytest.raises(ValidationError) as refused:
        adjust(session, customer, maker, "", direction="sideways", reason="")
    assert set(refused.value.field_errors) == {"direction", "amount", "reason"}


def test_split_adjustments_count_together_against_the_threshold(session, world):
    """Five credits of 100.00 in a row by one person were 500.00 without any approval."""
    customer, maker, checker = world
    assert adjust(session, customer, maker, "60.00").applied
    second = adjust(session, customer, maker, "40.01")
    assert not second.applied and second.request.status == "pending"
    assert "Together with the USD\xa060.00 you adjusted on this store credit" in second.message
    assert "last 24 hours" in second.message
    assert balance(session, customer) == Decimal("60.00")
    # another person's adjustments are theirs
    assert adjust(session, customer, checker, "60.00", direction="debit").applied


def test_adjustments_older_than_the_window_or_approved_do_not_count(session, world):
    from datetime import timedelta

    from mallconsole.models import utcnow

    customer, maker, checker = world
    session.add(Configuration(key=states.WALLET_DIRECT_WINDOW_HOURS, value="1"))
    # approved through maker-checker: not a direct adjustment of the approver's
    asked = adjust(session, customer, maker, "150.00").request
    assert approvals.decide(
        session, asked.id, "approve", actor=checker, revision=asked.revision
    ).executed
    assert adjust(session, customer, checker, "90.00").applied
    # two hours on, the 90.00 is out of the one-hour window
    assert adjust(session, customer, checker, "20.00", now=utcnow() + timedelta(hours=2)).applied
    # now, 90.00 + 20.00 are in it: a further 5.00 needs approval
    assert not adjust(session, customer, checker, "5.00").applied


# ---- the edges of each rule, and what an approved request carries ---------------------------


def test_the_largest_amount_and_the_longest_reason_are_taken(session, world):
    customer, maker, _ = world
    assert wallet_adjustments.parse_amount("1000000", "USD") == wallet_adjustments.MAX_AMOUNT
    with pytest.raises(ValidationError, match="up to USD\xa01,000,000.00"):
        wallet_adjustments.parse_amount("1000000.01", "USD")
    with pytest.raises(ValidationError) as long:
        adjust(session, customer, maker, "1.00", reason="r" * (wallet_adjustments.REASON_MAX + 1))
    assert "under 500 characters" in long.value.field_errors["reason"][0]
    done = adjust(session, customer, maker, "1.00", reason="r" * wallet_adjustments.REASON_MAX)
    assert done.applied and done.movement.record.reason == "r" * wallet_adjustments.REASON_MAX


def test_a_deleted_customer_has_no_store_credit_to_adjust(session, world):
    from mallconsole.models import utcnow

    customer, maker, _ = world
    customer.deleted_at = utcnow()
    session.flush()
    with pytest.raises(NotFound):
        adjust(session, customer, maker, "5.00")


def test_a_request_keeps_the_idempotency_key_it_was_given(session, world):
    customer, maker, _ = world
    asked = adjust(session, customer, maker, "500.00", idempotency_key="adjust-once-1")
    assert asked.request.idempotency_key == "adjust-once-1"


def waiting_request(session, world, payload, justification="Goodwill credit"):
    customer, maker, _ = world
    account = adjust(session, customer, maker, "3.00").movement.wallet
    return approvals.request_approval(
        session, "wallet_adjustment", "shopping_mall_user_balances", account.id,
        {"before": {"balance": "3.00"}, "after": {"balance": "?"}, **payload},
        justification, actor=maker,
    ).action  # fmt: skip


@pytest.mark.parametrize(
    "payload, refusal",
    [
        ({"amount": "0", "currency": "USD"}, "does not say how much"),
        ({"amount": "25.00", "currency": "KRW"}, "in KRW but the wallet holds USD"),
    ],
)
def test_an_approved_request_that_cannot_apply_is_refused(session, world, payload, refusal):
    customer, _, checker = world
    action = waiting_request(session, world, payload)
    with pytest.raises(Conflict, match=refusal):
        wallet_adjustments.carry_out(session, action, actor=checker)
    assert balance(session, customer) == Decimal("3.00")


def test_an_approved_request_without_a_reason_posts_its_justification(session, world):
    customer, maker, checker = world
    action = waiting_request(session, world, {"amount": "-1.00", "currency": "usd"})
    wallet_adjustments.carry_out(session, action, actor=checker)
    assert balance(session, customer) == Decimal("2.00")
    record = session.scalars(
        select(UserBalanceRecord).order_by(UserBalanceRecord.balance_after)
    ).first()
    assert record.amount == Decimal("-1.00") and record.reason == "Goodwill credit"
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.shopping_mall_admin_action_id == action.id,
            AuditEvent.action == "wallet.adjusted",
        )
    ).one()
    assert event.reason == "Goodwill credit"
