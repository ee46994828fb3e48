"""/finance/payout-accounts: unverified accounts first, verify or reject (with a reason),
account numbers only ever masked."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, SellerPayoutAccount
from tests.conftest import csrf_from
from tests.factories.ledgers import seller_with_account


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def finance(login_as):
    return login_as(Role.FINANCE_MANAGER)


def _account(session, seller):
    return session.scalars(
        select(SellerPayoutAccount).where(SellerPayoutAccount.shopping_mall_seller_id == seller.id)
    ).one()


def test_unverified_accounts_are_listed_and_can_be_verified(client, session, finance):
    waiting = seller_with_account(session, status="unverified", name="New Shop")
    seller_with_account(session, name="Old Shop")
    page = page_of(client.get("/finance/payout-accounts"))
    rows = page.select("#listing tbody tr")
    assert len(rows) == 1 and "New Shop" in rows[0].get_text()
    assert "****1234" in rows[0].get_text()
    account = _account(session, waiting)
    token = csrf_from(client.get("/finance/payout-accounts").data)
    response = client.post(f"/finance/payout-accounts/{account.id}/verify",
                           data={"csrf_token": token})  # fmt: skip
    assert response.status_code == 303
    assert account.status == "verified" and account.verified_at is not None
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == account.id)).one()
    assert event.changes == {"before": {"status": "unverified"}, "after": {"status": "verified"}}
    again = client.post(f"/finance/payout-accounts/{account.id}/verify",
                        data={"csrf_token": token})  # fmt: skip
    assert again.status_code == 409


def test_rejecting_needs_a_reason(client, session, finance):
    account = _account(session, seller_with_account(session, status="unverified"))
    token = csrf_from(client.get("/finance/payout-accounts").data)
    url = f"/finance/payout-accounts/{account.id}/reject"
    assert client.post(url, data={"csrf_token": token}).status_code == 422
    assert (
        client.post(url, data={"csrf_token": token, "reason": "holder mismatch"}).status_code == 303
    )
    assert account.status == "rejected"
    assert client.post(f"/finance/payout-accounts/{account.id}/approve",
                       data={"csrf_token": token}).status_code == 404  # fmt: skip
