"""The seeded refund requests are real work for the refund screens: every one waiting can be
decided or executed by the demo finance managers under the refund rules (tried in a
transaction that is rolled back, so the shared demo database stays as seeded)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mallconsole.extensions import db
from mallconsole.models import AdminAction, PaymentRefund, RefundRequest, User
from mallconsole.services import approvals
from mallconsole.services.aftersales import refund_decisions as rd
from mallconsole.services.aftersales import refund_execution as rx


def for_each(seeded, statement, act) -> int:
    """``act(session, row, managers)`` for every row of ``statement``, then all rolled back."""
    app, *_ = seeded
    with app.app_context(), app.test_request_context(), Session(db.engine) as session:
        try:
            managers = [
                session.scalar(select(User).where(User.email == email))
                for email in ("finance@demo.mall", "finance2@demo.mall")
            ]
            found = session.scalars(statement).all()
            for row in found:
                act(session, row, managers)
            return len(found)
        finally:
            session.rollback()


def test_each_second_approval_is_carried_out_by_the_other_manager(seeded):
    def act(session, action, managers):
        checker = next(m for m in managers if m.id != action.requested_by_user_id)
        outcome = approvals.decide(
            session, action.id, "approve", actor=checker, revision=action.revision
        )
        assert outcome.executed, outcome.message
        request = session.get(RefundRequest, action.target_entity_id)
        assert request.status == "approved"
        assert request.approved_amount == Decimal(action.payload["after"]["approved_amount"])
        done = rx.execute(session, request.id, actor=checker)
        assert done.created and len(done.refunds) == 1

    waiting = select(AdminAction).where(
        AdminAction.action_name == "approve_refund", AdminAction.status == "pending"
    )
    assert for_each(seeded, waiting, act) >= 1


def test_every_approved_request_can_be_executed_once(seeded):
    def act(session, request, managers):
        assert rx.execute(session, request.id, actor=managers[0]).created
        assert not rx.execute(session, request.id, actor=managers[1]).created
        refunds = session.scalars(
            select(PaymentRefund.amount).where(
                PaymentRefund.shopping_mall_refund_request_id == request.id
            )
        ).all()
        assert sum(refunds) == request.approved_amount

    approved = select(RefundRequest).where(RefundRequest.status == "approved")
    assert for_each(seeded, approved, act) >= 1


def test_every_pending_request_can_be_decided(seeded):
    def act(session, request, managers):
        amount = str(request.total_requested_amount)
        decision = rd.approve(session, request.id, amount=amount, actor=managers[1])
        assert request.status in ("approved", "pending_second_approval"), decision.message

    pending = select(RefundRequest).where(RefundRequest.status == "pending")
    assert for_each(seeded, pending, act) >= 1


def test_each_seeded_refund_gave_back_its_commission_as_execution_does(seeded):
    """A fee_reversal ledger credit per seeded fee-reversal row (same refund, same amount), and
    no seller gets back more commission on an order than it was charged."""
    from collections import defaultdict

    from mallconsole.models import Fee, SellerLedgerEntry

    app, *_ = seeded
    with app.app_context(), Session(db.engine) as session:
        fees = session.scalars(select(Fee)).all()
        reversals = [f for f in fees if f.fee_type == "fee_reversal"]
        credits = {
            (e.shopping_mall_payment_refund_id, e.shopping_mall_seller_id): e.amount
            for e in session.scalars(
                select(SellerLedgerEntry).where(SellerLedgerEntry.entry_type == "fee_reversal")
            )
        }
        assert reversals, "the demo world executes refunds, so some commission comes back"
        charged: dict = defaultdict(lambda: Decimal("0"))
        for fee in fees:
            charged[fee.shopping_mall_order_id, fee.shopping_mall_seller_id] += fee.amount
        for fee in reversals:
            assert fee.amount < 0
            key = (fee.shopping_mall_payment_refund_id, fee.shopping_mall_seller_id)
            assert credits[key] == -fee.amount
            assert charged[fee.shopping_mall_order_id, fee.shopping_mall_seller_id] >= 0


def _json(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_no_approver_split_an_orders_refunds_round_the_threshold(demo):
    """What one approver approved at once on one order within the direct window stays at or
    under the threshold (finance.refund.direct_window_hours), as the service requires."""
    from datetime import timedelta

    from sqlalchemy import text

    from mallconsole.core import states
    from mallconsole.demo.aftersales import REFUND_DUAL_APPROVAL_USD

    rows = demo.execute(
        text(
            "SELECT r.shopping_mall_order_id, e.actor_user_id, e.created_at, r.approved_amount, "
            "e.changes "
            "FROM shopping_mall_audit_events e JOIN shopping_mall_refund_requests r "
            "ON r.id = e.entity_id WHERE e.action = 'refund.approved' "
            "AND e.shopping_mall_admin_action_id IS NULL"
        )
    ).all()
    assert rows, "the demo world has refunds approved at once"
    window = timedelta(hours=states.DEFAULT_DIRECT_WINDOW_HOURS)
    by_pair: dict = {}
    rows = [row[:4] for row in rows if _json(row[4])["before"].get("status") == "pending"]
    for order, actor, at, amount in rows:
        when = at if not isinstance(at, str) else datetime.fromisoformat(at)
        by_pair.setdefault((order, actor), []).append((when, Decimal(str(amount))))
    for approvals_of in by_pair.values():
        for when, _ in approvals_of:
            total = sum(a for w, a in approvals_of if when - window <= w <= when)
            assert total <= REFUND_DUAL_APPROVAL_USD
