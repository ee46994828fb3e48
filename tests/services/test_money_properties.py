"""Money invariants over random sequences of operations (Hypothesis, on PostgreSQL).

Each example runs a random sequence of ledger postings (sales, fees, refunds), payout
compositions and their lifecycle (sent, paid, failed, canceled), reserve holds and releases,
chargebacks (debited at opening or not, won, lost, drawing on a reserve) and store-credit
movements, then checks:

- no ledger entry is paid out twice (at most one payout item per entry, and a failed or
  canceled payout holds none);
- a payout moves only as its state machine allows;
- every live payout is the split of its items: ``gross − fees − reserve = net`` = their sum;
- every running balance equals the sum of the entries before it (``ledger.reconcile`` empty);
- every reserve's held and released amounts are the sums of its entries, and it never gives
  back more than it held;
- a chargeback is debited at most its amount and given back at most what was debited;
- a store-credit wallet never goes below zero and is the sum of its records.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mallconsole.core import states
from mallconsole.core.errors import DomainError
from mallconsole.core.roles import Role
from mallconsole.models import (
    Chargeback,
    Payout,
    PayoutItem,
    Reserve,
    SellerLedgerEntry,
    UserBalance,
    UserBalanceRecord,
    utcnow,
)
from mallconsole.services.money import chargebacks, ledger, payouts, reserves, wallets
from tests.factories.actors import make_customer, make_staff
from tests.factories.ledgers import seller_with_account, set_setting
from tests.factories.records import build

pytestmark = pytest.mark.postgres_only

EXAMPLES = 120
COUNTED = {"examples": 0, "steps": 0}
# Fees and refunds are smaller than sales, as in a real ledger, so that payouts happen.
SHARE = {"sale": Decimal(1), "fee": Decimal("-0.1"), "refund": Decimal("-0.3")}
SKIPPED = "skipped"
DONE: dict[str, int] = {}  # operations carried out (not refused), by kind

cents = st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) / 100)
operation = st.one_of(
    st.tuples(st.sampled_from(["sale", "sale", "sale", "fee", "refund"]), cents),
    # Payouts and their lifecycle twice as often: they need entries and a payout before them.
    st.tuples(st.just("compose"), st.integers(0, 3)),
    st.tuples(st.just("compose"), st.integers(0, 3)),
    # A payout moves to one of the states it may go to next (the choice picks which).
    st.tuples(st.just("advance"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("advance"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("hold"), cents.map(lambda a: (a / 5).quantize(Decimal("0.01")) or a)),
    st.tuples(st.just("rolling"), st.integers(1, 30)),
    st.tuples(st.just("release"), st.integers(0, 3), st.one_of(st.none(), cents)),
    st.tuples(
        st.just("chargeback"),
        cents.map(lambda a: (a / 5).quantize(Decimal("0.01")) or a),
        st.booleans(),
    ),
    st.tuples(st.sampled_from(["review", "won", "lost"]), st.integers(0, 3), st.booleans()),
    st.tuples(st.sampled_from(["credit", "debit"]), cents),
)


@pytest.fixture(scope="module", autouse=True)
def _report_the_example_count():
    """Says how many examples and steps were checked (run with -s to see it)."""
    yield
    print(f"\nmoney properties: {COUNTED['examples']} examples, {COUNTED['steps']} steps checked")
    print("operations carried out:", dict(sorted(DONE.items())))


@pytest.fixture
def actors(session):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "100000000")
    finance = make_staff(session, "properties@test.mall", (Role.FINANCE_MANAGER,))
    customer = make_customer(session, "wallet-owner@test.mall")
    return finance, customer


class Run:
    """One example: a seller and a customer, a clock moving forward, what was made."""

    def __init__(self, session, finance, customer):
        self.session, self.finance, self.customer = session, finance, customer
        self.seller = seller_with_account(session, name="Property Seller")
        self.clock = utcnow() - timedelta(days=90)
        self.payouts, self.reserves, self.chargebacks = [], [], []

    def tick(self):
        self.clock += timedelta(hours=7)
        return self.clock

    def post(self, kind, amount):
        amount = (amount * SHARE[kind]).quantize(Decimal("0.01"))
        if amount:
            ledger.post(self.session, seller_id=self.seller.id, currency="USD", amount=amount,
                        entry_type=kind, source_type="refund" if kind == "refund" else "capture",
                        occurred_at=self.tick())  # fmt: skip

    def pick(self, items, n):
        return items[n % len(items)] if items else None

    def step(self, op):  # noqa: C901 (one branch per kind of operation)
        s, kind = self.session, op[0]
        if kind in ("sale", "fee", "refund"):
            self.post(kind, op[1])
        elif kind == "compose":
            later = utcnow() + timedelta(days=30 * (op[1] + 1))  # everything has settled
            self.payouts.append(payouts.compose_payout(s, self.seller.id, "USD",
                                                       actor=self.finance, now=later))  # fmt: skip
        elif kind == "advance":
            payout = self.pick(self.payouts, op[1])
            targets = states.allowed_targets(payouts.MACHINE, payout.status) if payout else []
            if not targets:
                return SKIPPED
            target, version = targets[op[2] % len(targets)], payout.version
            if target == "processing":
                payouts.start_processing(s, payout.id, expected_version=version,
                                         actor=self.finance)  # fmt: skip
            elif target == "paid":
                payouts.mark_paid(s, payout.id, expected_version=version, actor=self.finance)
            else:
                end = payouts.mark_failed if target == "failed" else payouts.cancel_payout
                end(s, payout.id, expected_version=version, reason="bank", actor=self.finance)
            return target
        elif kind in ("hold", "rolling"):
            self.reserves.append(reserves.place_reserve(
                s, seller_id=self.seller.id, currency="USD",
                reserve_type="case_hold" if kind == "hold" else "rolling",
                amount=op[1] if kind == "hold" else None,
                percent=None if kind == "hold" else Decimal(op[1]),
                reason="risk", policy_reference="risk.policy", actor=self.finance,
            ))  # fmt: skip
        elif kind == "release":
            reserve = self.pick(self.reserves, op[1])
            if reserve is None:
                return SKIPPED
            reserves.release_reserve(s, reserve.id, amount=op[2], reason="clear",
                                     actor=self.finance)  # fmt: skip
        elif kind == "chargeback":
            chargeback = build(
                s, Chargeback, shopping_mall_seller_id=self.seller.id, status="open",
                amount=op[1], currency="USD", opened_at=self.clock,
                respond_by=self.clock + timedelta(days=7),
            )  # fmt: skip
            if op[2]:  # the provider took the money when the dispute opened
                ledger.post(s, seller_id=self.seller.id, currency="USD", amount=-op[1],
                            entry_type="chargeback", source_type="chargeback",
                            chargeback_id=chargeback.id, occurred_at=self.tick())  # fmt: skip
            self.chargebacks.append(chargeback)
        elif kind in ("review", "won", "lost"):
            chargeback = self.pick(self.chargebacks, op[1])
            if chargeback is None:
                return SKIPPED
            version = chargeback.version
            if kind == "review":
                chargebacks.start_review(s, chargeback.id, expected_version=version, note="sent",
                                         actor=self.finance)  # fmt: skip
            elif kind == "won":
                chargebacks.mark_won(s, chargeback.id, expected_version=version,
                                     actor=self.finance)  # fmt: skip
            else:
                reserve = self.pick(self.reserves, op[1]) if op[2] else None
                chargebacks.mark_lost(
                    s, chargeback.id, expected_version=version,
                    reserve_id=reserve.id if reserve else None, actor=self.finance,
                    now=self.clock + timedelta(days=8),
                )  # fmt: skip
        else:
            amount = op[1] if kind == "credit" else -op[1]
            wallets.post(s, user_id=self.customer.id, currency="USD", amount=amount,
                         record_type="adjust" if kind == "credit" else "use")  # fmt: skip

    def check(self):
        s, seller_id = self.session, self.seller.id
        per_entry = s.execute(
            select(PayoutItem.shopping_mall_seller_ledger_id, func.count())
            .group_by(PayoutItem.shopping_mall_seller_ledger_id)
            .having(func.count() > 1)
        ).all()
        assert per_entry == [], "a ledger entry is paid out twice"
        for payout in s.scalars(select(Payout).where(Payout.shopping_mall_seller_id == seller_id)):
            entries = s.scalars(
                select(SellerLedgerEntry)
                .join(PayoutItem, PayoutItem.shopping_mall_seller_ledger_id == SellerLedgerEntry.id)
                .where(PayoutItem.shopping_mall_payout_id == payout.id)
            ).all()
            if payout.status in ("failed", "canceled"):
                assert entries == []
                continue
            parts = payouts.split(entries)
            assert parts == payouts.Split(payout.gross_amount, payout.fees_amount,
                                          payout.reserve_withheld, payout.net_amount)  # fmt: skip
            assert payout.gross_amount - payout.fees_amount - payout.reserve_withheld == (
                payout.net_amount
            )
            assert payout.net_amount > 0
        assert ledger.reconcile(s, seller_id, "USD") == []
        for reserve in s.scalars(
            select(Reserve).where(Reserve.shopping_mall_seller_id == seller_id)
        ):
            held = released = Decimal(0)
            for entry in s.scalars(
                select(SellerLedgerEntry).where(SellerLedgerEntry.source_reference == reserve.id)
            ):
                if entry.entry_type == "reserve_hold":
                    held -= entry.amount
                else:
                    released += entry.amount
            assert (held, released) == (reserve.hold_amount, reserve.released_amount)
            assert released <= held
        for chargeback in self.chargebacks:
            debit, restored = chargebacks.debited(s, chargeback)
            assert debit <= chargeback.amount and restored <= debit
            if chargeback.status == "won":
                assert restored == debit
        for wallet in s.scalars(
            select(UserBalance).where(UserBalance.shopping_mall_user_id == self.customer.id)
        ):
            records = s.scalars(
                select(UserBalanceRecord.amount).where(
                    UserBalanceRecord.shopping_mall_user_balance_id == wallet.id
                )
            ).all()
            assert wallet.balance >= 0 and wallet.balance == sum(records, Decimal(0))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operation, min_size=5, max_size=40))
def test_money_invariants_hold_over_random_operations(session, actors, steps):
    finance, customer = actors
    savepoint = session.begin_nested()
    try:
        run = Run(session, finance, customer)
        for op in steps:
            try:
                with session.begin_nested():
                    outcome = run.step(op)
                if outcome is not SKIPPED:
                    done = f"payout {outcome}" if op[0] == "advance" else op[0]
                    DONE[done] = DONE.get(done, 0) + 1
            except DomainError:
                pass  # a refused step changes nothing; the invariants must still hold
            run.check()
            COUNTED["steps"] += 1
        COUNTED["examples"] += 1
    finally:
        savepoint.rollback()
