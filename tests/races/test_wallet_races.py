"""Finance managers adjusting one store-credit wallet at once, on PostgreSQL with real parallel
connections: the customer's row lock makes them take turns, so no adjustment is lost, the
running balance stays a chain, and debits together never take the balance below zero."""

from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Configuration, Customer, User, UserBalanceRecord
from mallconsole.services import approvals
from mallconsole.services.money import wallet_adjustments, wallets
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]

ADJUSTERS = 24


@pytest.fixture
def setup(race_app):
    """A customer with 100.00 USD of store credit, and finance managers (committed)."""
    with race_app.app_context(), Session(db.engine) as session:
        key = states.WALLET_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
        if session.scalar(select(Configuration).where(Configuration.key == key)) is None:
            session.add(Configuration(key=key, value="100.00"))
        suffix = time.monotonic_ns()
        customer = build(session, User, email=f"customer-{suffix}@races.test")
        build(session, Customer, shopping_mall_user_id=customer.id)
        staff = [
            make_staff(session, f"finance{n}-{suffix}@races.test", (Role.FINANCE_MANAGER,))
            for n in range(ADJUSTERS)
        ]
        wallets.post(
            session, user_id=customer.id, currency="USD", amount=Decimal("100.00"),
            record_type="charge", reason="opening credit",
        )  # fmt: skip
        session.commit()
        return customer.id, [SimpleNamespace(id=s.id) for s in staff]


def adjust(app, customer_id, actor, amount, direction):
    with app.app_context(), Session(db.engine) as session:
        done = wallet_adjustments.adjust(
            session, user_id=customer_id, currency="USD", direction=direction,
            amount=amount, reason="race", actor=actor,
        )  # fmt: skip
        session.commit()
        return done.applied


def wallet_state(app, customer_id):
    with app.app_context(), Session(db.engine) as session:
        account = wallets.wallet(session, customer_id, "USD")
        records = session.scalars(
            select(UserBalanceRecord)
            .where(UserBalanceRecord.shopping_mall_user_balance_id == account.id)
            .order_by(UserBalanceRecord.created_at, UserBalanceRecord.id)
        ).all()
        return account.balance, records


def assert_chain(balance, records):
    """Every record's balance_after is the one before plus its amount; the last is the wallet."""
    running = Decimal(0)
    for record in sorted(records, key=lambda r: (r.created_at, r.id)):
        running += record.amount
        assert record.balance_after == running
    assert running == balance


def test_parallel_credits_and_debits_lose_nothing(race_app, setup):
    customer_id, staff = setup
    amounts = [("credit", "7.25") if n % 3 else ("debit", "3.10") for n in range(ADJUSTERS)]
    started = time.perf_counter()
    results = in_threads(
        ADJUSTERS,
        lambda n: adjust(race_app, customer_id, staff[n], amounts[n][1], amounts[n][0]),
    )
    elapsed = time.perf_counter() - started
    assert results == [True] * ADJUSTERS, results
    expected = Decimal("100.00") + sum(
        Decimal(a) if d == "credit" else -Decimal(a) for d, a in amounts
    )
    balance, records = wallet_state(race_app, customer_id)
    assert balance == expected
    assert len([r for r in records if r.type == "adjust"]) == ADJUSTERS
    assert_chain(balance, records)
    print(f"{ADJUSTERS} parallel adjustments in {elapsed:.2f} s, none lost")


def test_parallel_debits_never_take_the_balance_below_zero(race_app, setup):
    customer_id, staff = setup
    results = in_threads(
        ADJUSTERS, lambda n: adjust(race_app, customer_id, staff[n], "30.00", "debit")
    )
    applied = [r for r in results if r is True]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(applied) == 3 and len(refused) == ADJUSTERS - 3, results
    assert all("below zero" in str(r.message) for r in refused)
    balance, records = wallet_state(race_app, customer_id)
    assert balance == Decimal("10.00")
    assert_chain(balance, records)


def test_parallel_carrying_out_of_one_approved_request_posts_once(race_app, setup):
    customer_id, staff = setup
    maker = staff[0]
    with race_app.app_context(), Session(db.engine) as session:
        done = wallet_adjustments.adjust(
            session, user_id=customer_id, currency="USD", direction="credit",
            amount="400.00", reason="race", actor=maker,
        )  # fmt: skip
        action_id = done.request.id
        # approved, but not carried out yet: the executor did not run in this transaction
        session.execute(
            approvals.AdminAction.__table__.update()
            .where(approvals.AdminAction.id == action_id)
            .values(status="approved")
        )
        session.commit()

    def carry_out(n):
        with race_app.app_context(), Session(db.engine) as session:
            outcome = approvals.execute(session, action_id, actor=staff[n])
            session.commit()
            return outcome.executed_now

    results = in_threads(ADJUSTERS, carry_out)
    assert results.count(True) == 1 and results.count(False) == ADJUSTERS - 1, results
    balance, records = wallet_state(race_app, customer_id)
    assert balance == Decimal("500.00")
    assert len([r for r in records if r.type == "adjust"]) == 1
