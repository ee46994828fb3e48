"""CSV exports: each holds exactly what its screen lists with the same filters, streams, and
every download is audited."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Fee, utcnow
from mallconsole.services.money import payouts
from tests.factories.ledgers import post, seller_with_account, set_setting
from tests.factories.records import build


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def rows_of(response):
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def finance(login_as, session):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "100000")
    return login_as(Role.FINANCE_MANAGER)


@pytest.fixture
def seller(session):
    seller = seller_with_account(session, name="=Formula Shop")
    post(session, seller, "100.00", days_ago=30)
    post(session, seller, "-10.00", "fee", days_ago=30)
    post(session, seller, "-5.00", "refund", days_ago=20)
    post(session, seller, "40.00", days_ago=3)
    return seller


@pytest.mark.parametrize("query", ["", "entry_type=sale", "source_type=capture",
                                   "since=2000-01-01", "entry_type=fee"])  # fmt: skip
def test_the_ledger_export_matches_the_screen(client, session, finance, seller, query):
    screen = page_of(client.get(f"/finance/ledgers/{seller.id}?{query}&limit=100"))
    shown = [r.select("td")[1].get_text(strip=True) for r in screen.select("#listing tbody tr")]
    link = screen.find("a", string="Download these entries (CSV)")["href"]
    exported = rows_of(client.get(link))
    assert [r["type"] for r in reversed(exported)] == shown  # the screen is newest first
    assert all(r["seller"] == "'=Formula Shop" for r in exported)  # never a formula
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_downloaded")
    ).all()[-1]
    assert event.changes["after"]["export"] == "ledger"
    assert event.entity_table == "shopping_mall_seller_ledgers"


def test_the_running_balance_and_payout_are_in_the_ledger_export(client, session, finance,
                                                                 seller):  # fmt: skip
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    exported = rows_of(client.get(f"/finance/exports/ledger/{seller.id}.csv?currency=USD"))
    assert [Decimal(r["balance_after"]) for r in exported] == [
        Decimal("100"), Decimal("90"), Decimal("85"), Decimal("125")
    ]  # fmt: skip
    assert [r["payout"] for r in exported] == [payout.payout_number] * 3 + [""]


def test_the_payout_export_lists_items_with_the_list_filters(client, session, finance, seller):
    payout = payouts.compose_payout(session, seller.id, "USD", actor=finance)
    other = seller_with_account(session, name="Other")
    post(session, other, "7", days_ago=20)
    second = payouts.compose_payout(session, other.id, "USD", actor=finance)
    payouts.cancel_payout(session, second.id, expected_version=second.version, reason="x",
                          actor=finance)  # fmt: skip
    everything = rows_of(client.get("/finance/exports/payouts.csv"))
    assert len(everything) == 4  # three items, and the canceled payout on one line
    scheduled = rows_of(client.get("/finance/exports/payouts.csv?status=scheduled"))
    assert {r["payout"] for r in scheduled} == {payout.payout_number}
    assert sum(Decimal(r["item_amount"]) for r in scheduled) == payout.net_amount
    assert Decimal(scheduled[0]["net"]) == Decimal("85")
    screen = page_of(client.get("/finance/payouts?status=canceled"))
    link = screen.find("a", string="Download these payouts with their items (CSV)")["href"]
    canceled = rows_of(client.get(link))
    assert [r["payout"] for r in canceled] == [second.payout_number]
    assert canceled[0]["item_amount"] == ""
    assert client.get("/finance/exports/payouts.csv?status=nope").status_code == 400


def test_the_fee_export_matches_the_fee_list(client, session, finance, seller):
    for n, kind in enumerate(("commission", "commission", "dispute")):
        build(session, Fee, shopping_mall_seller_id=seller.id, fee_type=kind, basis="item_net",
              amount=Decimal(f"{n + 1}.50"), currency="USD", assessed_at=utcnow())  # fmt: skip
    screen = page_of(client.get("/finance/fees?fee_type=commission"))
    assert len(screen.select("#listing tbody tr")) == 2
    first = screen.select_one("#listing tbody tr").get_text()
    assert "Commission" in first
    assert "Items, after discounts" in first and "item_net" not in first  # words, not codes
    link = screen.find("a", string="Download these fees (CSV)")["href"]
    exported = rows_of(client.get(link))
    assert sorted(Decimal(r["amount"]) for r in exported) == [Decimal("1.5"), Decimal("2.5")]
    assert client.get("/finance/exports/fees.csv?since=soon").status_code == 400


def test_the_refund_export_of_a_period_is_audited(client, session, finance):
    response = client.get("/finance/exports/refunds.csv?since=2020-01-01&until=2020-01-31")
    assert rows_of(response) == []
    assert response.headers["Content-Disposition"].startswith("attachment;")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_downloaded")
    ).one()
    assert event.changes["after"]["filters"] == {
        "since": "2020-01-01",
        "until": "2020-01-31",
        "days_in": "UTC",
    }


def test_exports_need_the_export_permission(client, login_as, seller):
    login_as(Role.SUPPORT_AGENT)
    assert client.get("/finance/exports/fees.csv").status_code == 403
    assert client.get(f"/finance/exports/ledger/{seller.id}.csv").status_code == 403


def test_the_exports_page_offers_each_export(client, finance):
    page = page_of(client.get("/finance/exports"))
    titles = [h.get_text() for h in page.select("section h2")]
    assert titles == ["Payouts with their items", "Refunds executed", "Fees", "A seller’s ledger"]
