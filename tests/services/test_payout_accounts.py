"""Payout accounts: finance verifies or rejects an unverified account, once; every decision is a
move of ``states.PAYOUT_ACCOUNT_MACHINE``."""

import pytest
from sqlalchemy import select

from mallconsole.core.errors import InvalidTransition
from mallconsole.core.roles import Role
from mallconsole.models import SellerPayoutAccount
from mallconsole.services.money import payout_accounts
from tests.factories.actors import make_staff
from tests.factories.ledgers import seller_with_account


@pytest.fixture
def finance(session):
    return make_staff(session, "accounts@test.mall", (Role.FINANCE_MANAGER,))


def _account(session, status):
    seller = seller_with_account(session, status=status)
    return session.scalars(
        select(SellerPayoutAccount).where(SellerPayoutAccount.shopping_mall_seller_id == seller.id)
    ).one()


@pytest.mark.parametrize(("decision", "target"), [("verify", "verified"), ("reject", "rejected")])
def test_an_unverified_account_is_verified_or_rejected(session, finance, decision, target):
    account = _account(session, "unverified")
    payout_accounts.decide(session, account.id, decision, reason="holder mismatch", actor=finance)
    assert account.status == target
    assert (account.verified_at is not None) == (target == "verified")


@pytest.mark.parametrize(
    ("status", "decision", "message"),
    [
        ("verified", "verify", "This account is already verified."),
        ("verified", "reject", "This account is already verified."),
        ("rejected", "verify", "This account is already rejected."),
    ],
)
def test_a_decided_account_is_not_decided_again(session, finance, status, decision, message):
    account = _account(session, status)
    with pytest.raises(InvalidTransition) as refused:
        payout_accounts.decide(session, account.id, decision, reason="again", actor=finance)
    assert refused.value.status == 409 and refused.value.message == message
    assert account.status == status
