"""/finance/payouts: the list and its filters, the batch, a payout's screen, its lifecycle
(with 409 on a stale version and 422 without a reason) and maker-checker from the screen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Payout, PayoutItem
from mallconsole.services.money import payouts
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account, set_setting


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def finance(login_as, session):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "1000")
    return login_as(Role.FINANCE_MANAGER)


@pytest.fixture
def composer(session):
    return make_staff(session, "composer@test.mall", (Role.FINANCE_MANAGER,))


def _payout(session, composer, amount="100.00", name="Birch Supply"):
    seller = seller_with_account(session, name=name)
    post(session, seller, amount, days_ago=20)
    post(session, seller, "-3.00", "fee", days_ago=20)
    return payouts.compose_payout(session, seller.id, "USD", actor=composer)


def test_the_list_filters_by_state_and_search(client, session, finance, composer):
    first = _payout(session, composer, name="Birch Supply")
    second = _payout(session, composer, name="Cedar Works")
    payouts.cancel_payout(session, second.id, expected_version=second.version, reason="x",
                          actor=composer)  # fmt: skip
    page = page_of(client.get("/finance/payouts"))
    numbers = [r.select_one("a.number").get_text() for r in page.select("#listing tbody tr")]
    assert numbers == [second.payout_number, first.payout_number]
    page = page_of(client.get("/finance/payouts?status=scheduled"))
    assert [r.select_one("a.number").get_text() for r in page.select("#listing tbody tr")] == [
        first.payout_number
    ]
    page = page_of(client.get("/finance/payouts?q=cedar"))
    row = page.select_one("#listing tbody tr")
    assert "Canceled" in row.get_text() and "Cedar Works" in row.get_text()
    assert client.get("/finance/payouts?status=lost").status_code == 400


def test_the_payout_screen_shows_the_split_and_items(client, session, finance, composer):
    payout = _payout(session, composer)
    page = page_of(client.get(f"/finance/payouts/{payout.payout_number}"))
    totals = page.select_one(".totals").get_text(" ", strip=True)
    assert "100.00" in totals and "3.00" in totals and "97.00" in totals
    assert "Reconciled" in page.select_one("#sums-check").get_text()
    assert "****1234" in page.get_text()
    assert len(page.select("#items-title ~ table tbody tr")) == 2
    assert page.find("button", string="Send for processing")


def test_send_paid_and_stale_versions(client, session, finance, composer):
    payout = _payout(session, composer)
    token = csrf_from(client.get(f"/finance/payouts/{payout.id}").data)
    sent = client.post(f"/finance/payouts/{payout.id}/start",
                       data={"csrf_token": token, "version": payout.version})  # fmt: skip
    assert sent.status_code == 303 and payout.status == "processing"
    stale = client.post(f"/finance/payouts/{payout.id}/paid",
                        data={"csrf_token": token, "version": payout.version - 1})  # fmt: skip
    assert stale.status_code == 409
    assert page_of(stale).select_one(".stale")
    paid = client.post(f"/finance/payouts/{payout.id}/paid",
                       data={"csrf_token": token, "version": payout.version})  # fmt: skip
    assert paid.status_code == 303 and payout.status == "paid"
    again = client.post(f"/finance/payouts/{payout.id}/paid",
                        data={"csrf_token": token, "version": payout.version})  # fmt: skip
    assert again.status_code == 409
    assert client.post(f"/finance/payouts/{payout.id}/paid",
                       data={"csrf_token": token}).status_code == 422  # fmt: skip


def test_failing_needs_a_reason_and_gives_the_entries_back(client, session, finance, composer):
    payout = _payout(session, composer)
    payouts.start_processing(session, payout.id, expected_version=payout.version, actor=composer)
    token = csrf_from(client.get(f"/finance/payouts/{payout.id}").data)
    refused = client.post(f"/finance/payouts/{payout.id}/failed",
                          data={"csrf_token": token, "version": payout.version})  # fmt: skip
    assert refused.status_code == 422
    assert "Say why" in page_of(refused).get_text()
    failed = client.post(f"/finance/payouts/{payout.id}/failed",
                         data={"csrf_token": token, "version": payout.version,
                               "reason": "account closed"})  # fmt: skip
    assert failed.status_code == 303
    assert session.scalars(select(PayoutItem).where(
        PayoutItem.shopping_mall_payout_id == payout.id)).all() == []  # fmt: skip
    page = page_of(client.get(f"/finance/payouts/{payout.id}"))
    assert "Entries given back (2)" in page.get_text()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "payout.failed")).one()
    assert len(event.changes["before"]["ledger_entries"]) == 2


def test_over_the_threshold_sending_asks_for_approval(client, session, finance, composer):
    payout = _payout(session, composer, amount="2500.00")
    assert payouts.open_approval(session, payout).status == "pending"
    page = page_of(client.get(f"/finance/payouts/{payout.id}"))
    assert "Waiting for a second finance manager" in page.get_text()
    inbox = page_of(client.get("/finance/approvals"))
    assert payout.payout_number in inbox.get_text()
    # the list marks it as waiting, and only it
    small = _payout(session, composer, amount="50.00", name="Cedar Works")
    rows = {
        r.select_one("a.number").get_text(): r.get_text(" ", strip=True)
        for r in page_of(client.get("/finance/payouts")).select("#listing tbody tr")
    }
    assert "Waiting for approval" in rows[payout.payout_number]
    assert "Waiting for approval" not in rows[small.payout_number]


def test_the_batch_composes_for_eligible_sellers(client, session, finance):
    ready = seller_with_account(session, name="Ready Seller")
    held = seller_with_account(session, status="unverified", name="Held Seller")
    for s in (ready, held):
        post(session, s, "10", days_ago=20)
    token = csrf_from(client.get("/finance/payouts").data)
    response = client.post("/finance/payouts/batch", data={"csrf_token": token, "currency": "USD"})
    assert response.status_code == 303
    made = session.scalars(select(Payout)).all()
    assert [p.shopping_mall_seller_id for p in made] == [ready.id]
    listing = page_of(client.get(response.headers["Location"]))
    assert "Held Seller" in listing.select_one("#messages").get_text()
    bad = client.post("/finance/payouts/batch", data={"csrf_token": token, "currency": "XXX"})
    assert bad.status_code == 422
    assert Decimal(made[0].net_amount) == Decimal("10")


def test_other_roles_get_403(client, login_as):
    login_as(Role.SUPPORT_AGENT)
    assert client.get("/finance/payouts").status_code == 403
