"""/finance/ledgers: sellers with balances; one seller's entries with the running balance,
filters, the reconciliation check, composing a payout and placing or releasing reserves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import Payout, Reserve, SellerLedgerEntry
from mallconsole.services.money import ledger
from tests.conftest import csrf_from
from tests.factories.ledgers import post, seller_with_account, set_setting


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def finance(login_as, session):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "100000")
    return login_as(Role.FINANCE_MANAGER)


@pytest.fixture
def seller(session):
    seller = seller_with_account(session, name="Pine & Co <b>")
    post(session, seller, "120.00", days_ago=30)
    post(session, seller, "-12.00", "fee", days_ago=30)
    post(session, seller, "-20.00", "refund", days_ago=25)
    post(session, seller, "55.00", days_ago=2)
    return seller


def test_the_seller_list_shows_balances_and_links_to_the_ledger(client, finance, seller):
    page = page_of(client.get("/finance/ledgers?q=pine"))
    rows = page.select("#listing tbody tr")
    assert len(rows) == 1
    assert "Pine & Co <b>" in rows[0].get_text()  # escaped, shown as typed
    assert "143.00" in rows[0].get_text()
    assert rows[0]["data-href"] == f"/finance/ledgers/{seller.id}"


def test_the_ledger_shows_entries_with_the_running_balance_and_reconciles(client, finance, seller):
    response = client.get(f"/finance/ledgers/{seller.id}")
    assert response.status_code == 200
    page = page_of(response)
    rows = page.select("#listing tbody tr")
    assert [r.select("td")[1].get_text(strip=True) for r in rows] == [
        "Sale", "Refund", "Fee", "Sale"
    ]  # fmt: skip
    assert [r.select("td")[5].get_text(strip=True) for r in rows][0].endswith("143.00")
    assert "Balanced" in page.select_one("#reconciliation").get_text()
    facts = page.select_one(".facts").get_text(" ", strip=True)
    assert "88.00" in facts  # payable now: 120 - 12 - 20


def test_filters_narrow_the_entries_and_bad_ones_are_refused(client, finance, seller):
    page = page_of(client.get(f"/finance/ledgers/{seller.id}?entry_type=fee"))
    assert len(page.select("#listing tbody tr")) == 1
    page = page_of(client.get(f"/finance/ledgers/{seller.id}?source_type=refund"))
    assert [r.select("td")[1].get_text(strip=True) for r in page.select("#listing tbody tr")] == [
        "Refund"
    ]
    assert client.get(f"/finance/ledgers/{seller.id}?entry_type=gift").status_code == 400
    assert client.get(f"/finance/ledgers/{seller.id}?since=yesterday").status_code == 400
    assert client.get(f"/finance/ledgers/{seller.id}?currency=XYZ").status_code == 400
    assert client.get("/finance/ledgers/no-such-seller").status_code == 404


def test_a_currency_in_the_address_keeps_the_export_link_to_that_currency(client, finance, seller):
    response = client.get(f"/finance/ledgers/{seller.id}?currency=usd&entry_type=fee")
    assert response.status_code == 200
    link = page_of(response).find("a", string="Download these entries (CSV)")["href"]
    assert link.count("currency=") == 1 and "currency=USD" in link and "entry_type=fee" in link


def test_a_broken_running_balance_is_flagged(client, session, finance, seller):
    entry = session.scalars(
        select(SellerLedgerEntry).where(SellerLedgerEntry.entry_type == "fee")
    ).one()
    entry.balance_after = Decimal("1.00")
    session.flush()
    text = page_of(client.get(f"/finance/ledgers/{seller.id}")).select_one("#reconciliation")
    assert "2 gaps" in text.get_text()


def test_composing_a_payout_from_the_ledger(client, session, finance, seller):
    token = csrf_from(client.get(f"/finance/ledgers/{seller.id}").data)
    response = client.post(
        f"/finance/ledgers/{seller.id}/payouts",
        data={"csrf_token": token, "payout-currency": "USD", "payout-note": "weekly"},
    )
    assert response.status_code == 303
    payout = session.scalars(
        select(Payout).where(Payout.shopping_mall_seller_id == seller.id)
    ).one()
    assert response.headers["Location"].endswith(f"/finance/payouts/{payout.id}")
    assert payout.net_amount == Decimal("88.00")
    composed = page_of(client.get(response.headers["Location"])).select_one("#messages")
    assert f"{payout.payout_number} composed: USD\xa088.00 net." in composed.get_text(" ")
    again = client.post(
        f"/finance/ledgers/{seller.id}/payouts",
        data={"csrf_token": token, "payout-currency": "USD"},
    )
    assert again.status_code == 409
    assert "no payable USD entries" in page_of(again).select_one(".error-summary").get_text()


def test_an_unverified_account_is_refused_with_a_message(client, session, finance):
    seller = seller_with_account(session, status="unverified", name="Fresh Shop")
    post(session, seller, "10", days_ago=20)
    token = csrf_from(client.get(f"/finance/ledgers/{seller.id}").data)
    response = client.post(f"/finance/ledgers/{seller.id}/payouts",
                           data={"csrf_token": token, "payout-currency": "USD"})  # fmt: skip
    assert response.status_code == 422
    assert "not verified" in page_of(response).select_one(".error-summary").get_text()


def test_a_refusal_without_a_field_is_said_once_at_the_top(client, session, finance):
    seller = seller_with_account(session, status="unverified", name="Fresh Shop")
    post(session, seller, "10", days_ago=20)
    token = csrf_from(client.get(f"/finance/ledgers/{seller.id}").data)
    response = client.post(f"/finance/ledgers/{seller.id}/payouts",
                           data={"csrf_token": token, "payout-currency": "USD"})  # fmt: skip
    said = [li.get_text() for li in page_of(response).select(".error-summary li")]
    assert len(said) == 1 and "not verified" in said[0]


def test_placing_and_releasing_a_reserve(client, session, finance, seller):
    token = csrf_from(client.get(f"/finance/ledgers/{seller.id}").data)
    refused = client.post(f"/finance/ledgers/{seller.id}/reserves", data={
        "csrf_token": token, "reserve-currency": "USD", "reserve-reserve_type": "case_hold",
        "reserve-amount": "12.345", "reserve-reason": "dispute", "reserve-policy_reference": "p",
    })  # fmt: skip
    assert refused.status_code == 422
    assert "at most 2 decimals" in page_of(refused).select_one(".error-summary").get_text()
    placed = client.post(f"/finance/ledgers/{seller.id}/reserves", data={
        "csrf_token": token, "reserve-currency": "USD", "reserve-reserve_type": "case_hold",
        "reserve-amount": "40", "reserve-reason": "open dispute", "reserve-policy_reference":
        "risk.case_hold",
    })  # fmt: skip
    assert placed.status_code == 303
    reserve = session.scalars(select(Reserve)).one()
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("103.00")
    too_much = client.post(f"/finance/reserves/{reserve.id}/release",
                           data={"csrf_token": token, "release-amount": "50",
                                 "release-reason": "cleared"})  # fmt: skip
    assert too_much.status_code == 422
    released = client.post(f"/finance/reserves/{reserve.id}/release",
                           data={"csrf_token": token, "release-amount": "15",
                                 "release-reason": "cleared"})  # fmt: skip
    assert released.status_code == 303
    assert reserve.status == "partially_released"
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("118.00")
    page = page_of(client.get(f"/finance/ledgers/{seller.id}"))
    reserves_text = page.select_one("#reserves").get_text(" ", strip=True)
    assert "Partly released" in reserves_text and "25.00" in reserves_text


def test_other_roles_get_403(client, login_as, seller):
    login_as(Role.SUPPORT_AGENT)
    assert client.get("/finance/ledgers").status_code == 403
    assert client.get(f"/finance/ledgers/{seller.id}").status_code == 403
