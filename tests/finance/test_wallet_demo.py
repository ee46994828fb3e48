"""The demo world's store-credit requests are what the executor carries out: finance2 approves
the one finance asked for, and the wallet moves by its amount (then rolled back)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from mallconsole.extensions import db
from mallconsole.models import AdminAction, User, UserBalance, UserBalanceRecord
from mallconsole.services import approvals
from tests.demo.conftest import fresh_database, seeded  # noqa: F401  (the seeded world)


def test_the_seeded_pending_adjustment_is_carried_out_on_approval(seeded):  # noqa: F811
    app = seeded[0]
    with app.app_context():
        session = db.session
        try:
            action = session.scalars(
                select(AdminAction).where(
                    AdminAction.action_name == "wallet_adjustment",
                    AdminAction.status == "pending",
                )
            ).one()
            wallet = session.get(UserBalance, action.target_entity_id)
            before = wallet.balance
            assert Decimal(action.payload["before"]["balance"]) == before
            checker = session.scalars(select(User).where(User.email == "finance2@demo.mall")).one()
            decided = approvals.decide(
                session, action.id, "approve", actor=checker, revision=action.revision
            )
            assert decided.executed, decided.message
            session.refresh(wallet)
            assert wallet.balance == Decimal(action.payload["after"]["balance"])
            newest = session.scalars(
                select(UserBalanceRecord)
                .where(UserBalanceRecord.shopping_mall_user_balance_id == wallet.id)
                .order_by(UserBalanceRecord.created_at.desc())
            ).first()
            assert (newest.type, newest.amount) == ("adjust", Decimal(action.payload["amount"]))
            assert newest.actor_user_id == action.requested_by_user_id
        finally:
            session.rollback()
            session.remove()
