"""Refunds decided and executed at once, on PostgreSQL with real parallel connections: the
order's and the request's row locks make them take turns, so money moves once."""

from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from mallconsole.core.errors import Conflict, DomainError
from mallconsole.extensions import db
from mallconsole.models import (
    AdminAction,
    Configuration,
    PaymentEvent,
    PaymentRefund,
    RefundRequest,
    SellerLedgerEntry,
    UserBalanceRecord,
)
from mallconsole.services import approvals
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.aftersales import refund_decisions as rd
from mallconsole.services.aftersales import refund_execution as rx
from tests.factories.actors import make_staff
from tests.factories.request_orders import make_order
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]

ATTEMPTS = 50
CONNECTIONS = 40  # the most a race test may hold; the other attempts wait for one


@pytest.fixture(scope="module")
def engine(race_app):
    with race_app.app_context():
        wide = create_engine(db.engine.url, pool_size=CONNECTIONS, max_overflow=0, pool_timeout=60)
    yield wide
    wide.dispose()


@pytest.fixture
def staff(race_app):
    with race_app.app_context(), Session(db.engine) as session:
        key = "finance.refund.dual_approval_threshold.USD"
        if session.scalar(select(Configuration).where(Configuration.key == key)) is None:
            session.add(Configuration(key=key, value="250.00", scope=None))
        suffix = time.monotonic_ns()
        agent = make_staff(session, f"agent-{suffix}@races.test")
        managers = [
            make_staff(session, f"fin{n}-{suffix}@races.test", ("finance_manager",))
            for n in range(3)
        ]
        session.commit()
        return SimpleNamespace(
            agent=SimpleNamespace(id=agent.id),
            managers=[SimpleNamespace(id=m.id) for m in managers],
        )


def raised(app, staff, amount, captured):
    with app.app_context(), Session(db.engine) as session:
        order, _, _ = make_order(session, captured=captured)
        request = cr.raise_refund(session, order.id, [(None, amount)], reason_code="damaged",
                                  note="", actor=staff.agent)  # fmt: skip
        session.commit()
        return request.id, order.id


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_fifty_parallel_executions_move_the_money_once(race_app, staff, engine):
    with race_app.app_context():
        request_id, order_id = raised(race_app, staff, "80.00", "90.00")
        with Session(db.engine) as session:
            rd.approve(session, request_id, amount="80.00", actor=staff.managers[0])
            session.commit()

        def execute(i):
            with race_app.app_context(), Session(engine) as session:
                destination = "payment" if i % 5 else "wallet"
                outcome = rx.execute(session, request_id, destination=destination,
                                     actor=staff.managers[i % 3])  # fmt: skip
                session.commit()
                return outcome

        started = time.monotonic()
        results = in_threads(ATTEMPTS, execute)
        took = time.monotonic() - started
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(r.created for r in results) == 1
        assert all("already executed" in r.message for r in results if not r.created)
        with Session(db.engine) as session:
            mine = PaymentRefund.shopping_mall_refund_request_id == request_id
            refunds = count(session, PaymentRefund, mine)
            credits = count(
                session, UserBalanceRecord,
                UserBalanceRecord.shopping_mall_refund_request_id == request_id,
            )  # fmt: skip
            debits = count(
                session, SellerLedgerEntry, SellerLedgerEntry.shopping_mall_order_id == order_id,
                SellerLedgerEntry.entry_type == "refund",
            )  # fmt: skip
            events = count(
                session, PaymentEvent, PaymentEvent.type == "refund.succeeded",
                PaymentEvent.shopping_mall_payment_refund_id.in_(
                    select(PaymentRefund.id).where(mine)
                ),
            )  # fmt: skip
            assert refunds + credits == 1 and debits == 1
            assert events == refunds
            assert session.get(RefundRequest, request_id).status == "executed"
        print(
            f"\n{ATTEMPTS} parallel executions on {CONNECTIONS} connections in {took:.2f} s: "
            f"{refunds} payment refund(s), {credits} store-credit record(s), {debits} ledger "
            "debit(s)"
        )


def test_two_managers_approving_one_request_at_once(race_app, staff):
    with race_app.app_context():
        for _ in range(5):
            request_id, _ = raised(race_app, staff, "40.00", "90.00")

            def approve(i, r=request_id):
                with race_app.app_context(), Session(db.engine) as session:
                    outcome = rd.approve(session, r, amount="40.00", actor=staff.managers[i],
                                         expected_version=1)  # fmt: skip
                    session.commit()
                    return outcome

            results = in_threads(2, approve)
            won = [r for r in results if isinstance(r, rd.Decision)]
            lost = [r for r in results if isinstance(r, DomainError)]
            assert len(won) == 1 and len(lost) == 1, results
            assert lost[0].status == 409
            with Session(db.engine) as session:
                request = session.get(RefundRequest, request_id)
                assert request.status == "approved" and request.version == 2


def test_two_first_approvals_over_the_threshold_open_one_second_approval(race_app, staff):
    with race_app.app_context():
        request_id, _ = raised(race_app, staff, "300.00", "400.00")

        def approve(i):
            with race_app.app_context(), Session(db.engine) as session:
                outcome = rd.approve(session, request_id, amount="300.00",
                                     actor=staff.managers[i])  # fmt: skip
                session.commit()
                return outcome

        results = in_threads(2, approve)
        assert sum(isinstance(r, rd.Decision) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        with Session(db.engine) as session:
            actions = count(session, AdminAction, AdminAction.target_entity_id == request_id)
            assert actions == 1


def test_two_second_approvers_at_once_approve_it_once(race_app, staff):
    with race_app.app_context():
        request_id, _ = raised(race_app, staff, "300.00", "400.00")
        with Session(db.engine) as session:
            action_id = rd.approve(session, request_id, amount="300.00",
                                   actor=staff.managers[0]).action.id  # fmt: skip
            session.commit()

        def decide(i):
            with race_app.app_context(), Session(db.engine) as session:
                revision = approvals.get_action(session, action_id).revision
                checker = staff.managers[1 + i]
                outcome = approvals.decide(
                    session, action_id, "approve", actor=checker, revision=revision
                )
                session.commit()
                return outcome

        results = in_threads(2, decide)
        assert sum(getattr(r, "executed", False) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        with Session(db.engine) as session:
            request = session.get(RefundRequest, request_id)
            assert request.status == "approved" and request.approved_amount == Decimal("300.00")
