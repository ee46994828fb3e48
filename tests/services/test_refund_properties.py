# ruff: noqa: F811  (the fixture ``people`` is shared with the decision tests)
"""Refund invariants over random sequences of decisions and executions (Hypothesis, on
PostgreSQL).

Each example takes one delivered order (90.00 captured, a seller charged a commission, the
two-approval threshold at 40.00) and runs
a random sequence of: refund requests raised by support, first approvals (in full or in part,
by either finance manager), second approvals over the threshold, amount changes, rejections,
executions to the payment or to store credit (repeated too), and the customer spending store
credit. After every step it checks:

- no payment refund exceeds its capture, and what was refunded to the payment and to store
  credit together never exceeds what was captured;
- an executed request moved exactly its approved amount, once, to one destination; a request
  not executed moved nothing;
- no approved amount exceeds what was asked;
- the seller's running balance equals the sum of its entries (``ledger.reconcile`` empty) and
  the commission given back never exceeds the commission charged;
- the customer's store credit never goes below zero and equals the sum of its records.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mallconsole.core.errors import DomainError
from mallconsole.models import (
    Fee,
    PaymentCapture,
    PaymentRefund,
    RefundRequest,
    UserBalance,
    UserBalanceRecord,
)
from mallconsole.services import approvals
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.aftersales import refund_decisions as rd
from mallconsole.services.aftersales import refund_execution as rx
from mallconsole.services.money import ledger, wallets
from tests.factories.request_orders import make_order
from tests.services.test_refund_decisions import make_threshold, people  # noqa: F401
from tests.services.test_refund_execution import with_fee

pytestmark = pytest.mark.postgres_only

EXAMPLES = 200
COUNTED = {"examples": 0, "steps": 0}
DONE: dict[str, int] = {}
ZERO = Decimal(0)

cents = st.integers(min_value=1, max_value=9_000).map(lambda n: Decimal(n) / 100)
pick = st.integers(0, 2)  # the newest requests first: they are the ones still moving
operation = st.one_of(
    st.tuples(st.just("raise"), cents),
    st.tuples(st.just("approve"), pick, st.sampled_from(["1", "0.5", "0.99"]), st.booleans()),
    st.tuples(st.just("approve"), pick, st.sampled_from(["1", "0.5", "0.99"]), st.booleans()),
    st.tuples(st.just("approve"), pick, st.sampled_from(["1", "0.5", "0.99"]), st.booleans()),
    st.tuples(st.just("second"), pick),
    st.tuples(st.just("second"), pick),
    st.tuples(st.just("change"), pick, st.sampled_from(["0.5", "0.8"])),
    st.tuples(st.just("reject"), pick),
    st.tuples(st.just("execute"), pick, st.sampled_from(["payment", "wallet"]), st.booleans()),
    st.tuples(st.just("execute"), pick, st.sampled_from(["payment", "wallet"]), st.booleans()),
    st.tuples(st.just("use"), cents),
)


@pytest.fixture(scope="module", autouse=True)
def _report_the_example_count():
    """Says how many examples and steps were checked (run with -s to see it)."""
    yield
    if COUNTED["examples"]:
        print(f"\nrefund properties: {COUNTED['examples']} examples, {COUNTED['steps']} steps, "
              f"carried out: {dict(sorted(DONE.items()))}")  # fmt: skip


class Run:
    def __init__(self, session, people):
        self.session, self.people = session, people
        make_threshold(session, "40.00")  # so both one and two approvals happen
        self.order, _, self.payment = make_order(session, captured="90.00")
        self.seller = with_fee(session, self.order)
        self.requests: list[RefundRequest] = []

    def manager(self, second: bool):
        return self.people["second" if second else "first"]

    def request(self, n):
        return self.requests[-1 - n % len(self.requests)] if self.requests else None

    def step(self, op):  # noqa: C901 (one branch per kind of operation)
        s, kind = self.session, op[0]
        if kind == "raise":
            self.requests.append(cr.raise_refund(
                s, self.order.id, [(None, str(op[1]))], reason_code="damaged", note="",
                actor=self.people["agent"],
            ))  # fmt: skip
            return "raised"
        if kind == "use":
            wallets.post(s, user_id=self.order.shopping_mall_user_id, currency="USD",
                         amount=-op[1], record_type="use", order_id=self.order.id)  # fmt: skip
            return "store credit used"
        request = self.request(op[1])
        if request is None:
            return None
        ref = request.refund_request_number
        if kind == "approve":
            amount = (request.total_requested_amount * Decimal(op[2])).quantize(Decimal("0.01"))
            rd.approve(s, ref, amount=str(amount), actor=self.manager(op[3]))
            return f"approve → {request.status}"
        if kind == "second":
            action = rd.open_action(s, request.id)
            if action is None:
                return None
            checker = next(
                p for p in (self.people["first"], self.people["second"])
                if p.id != action.requested_by_user_id
            )  # fmt: skip
            approvals.decide(s, action.id, "approve", actor=checker)
            return "second approval"
        if kind == "change":
            amount = (request.total_requested_amount * Decimal(op[2])).quantize(Decimal("0.01"))
            rd.change_amount(s, ref, amount=str(amount), actor=self.people["first"])
            return "amount changed"
        if kind == "reject":
            rd.reject(s, ref, reason="Not eligible", actor=self.people["first"])
            return "rejected"
        done = rx.execute(s, ref, destination=op[2], actor=self.manager(op[3]))
        return f"executed to {op[2]}" if done.created else "repeat changed nothing"

    def check(self):
        s = self.session
        captures = s.scalars(
            select(PaymentCapture).where(PaymentCapture.shopping_mall_payment_id == self.payment.id)
        ).all()
        refunds = s.scalars(
            select(PaymentRefund).where(PaymentRefund.shopping_mall_payment_id == self.payment.id)
        ).all()
        for capture in captures:
            on_it = [r.amount for r in refunds if r.shopping_mall_payment_capture_id == capture.id]
            assert sum(on_it, ZERO) <= capture.amount
        credit = s.execute(
            select(
                UserBalanceRecord.shopping_mall_refund_request_id, UserBalanceRecord.amount
            ).where(
                UserBalanceRecord.shopping_mall_order_id == self.order.id,
                UserBalanceRecord.type == "refund",
            )  # fmt: skip
        ).all()
        moved = sum((r.amount for r in refunds), ZERO) + sum((a for _, a in credit), ZERO)
        assert moved <= sum((c.amount for c in captures), ZERO)
        for request in self.requests:
            to_payment = [
                r.amount for r in refunds if r.shopping_mall_refund_request_id == request.id
            ]
            to_credit = [a for rid, a in credit if rid == request.id]
            if request.status == "executed":
                assert bool(to_payment) != bool(to_credit)  # one destination
                assert sum(to_payment + to_credit, ZERO) == request.approved_amount
            else:
                assert not to_payment and not to_credit
            if request.status in ("approved", "executed"):
                assert ZERO < request.approved_amount <= request.total_requested_amount
        assert ledger.reconcile(s, self.seller, "USD") == []
        fees = s.scalars(select(Fee.amount).where(Fee.shopping_mall_order_id == self.order.id))
        assert sum(fees, ZERO) >= 0  # commission given back never exceeds what was charged
        for wallet in s.scalars(
            select(UserBalance).where(
                UserBalance.shopping_mall_user_id == self.order.shopping_mall_user_id
            )
        ):
            total = s.scalar(
                select(func.coalesce(func.sum(UserBalanceRecord.amount), 0)).where(
                    UserBalanceRecord.shopping_mall_user_balance_id == wallet.id
                )
            )
            assert wallet.balance >= 0 and wallet.balance == total


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operation, min_size=3, max_size=25))
def test_refund_invariants_hold_over_random_decisions_and_executions(session, people, steps):
    savepoint = session.begin_nested()
    try:
        run = Run(session, people)
        for op in steps:
            try:
                with session.begin_nested():
                    outcome = run.step(op)
                if outcome:
                    DONE[outcome] = DONE.get(outcome, 0) + 1
            except DomainError:
                pass  # a refused step changes nothing; the invariants must still hold
            run.check()
            COUNTED["steps"] += 1
        COUNTED["examples"] += 1
    finally:
        savepoint.rollback()
