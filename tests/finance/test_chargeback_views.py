"""/finance/chargebacks: the list by deadline, the chargeback screen and its decisions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import Chargeback, Order, utcnow
from mallconsole.services.kit.pagination import decode_cursor, parse_ordering
from mallconsole.services.money import chargebacks, ledger
from tests.conftest import csrf_from
from tests.factories.ledgers import post, seller_with_account
from tests.factories.records import build


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def finance(login_as):
    return login_as(Role.FINANCE_MANAGER)


@pytest.fixture
def seller(session):
    seller = seller_with_account(session, name="Oak Street")
    post(session, seller, "500.00", days_ago=40)
    return seller


def _cb(session, seller, ref, days, status="open", amount="30.00", order=None):
    return build(
        session, Chargeback, shopping_mall_seller_id=seller.id, status=status,
        shopping_mall_order_id=order.id if order else None,
        provider_reference=ref, amount=Decimal(amount), currency="USD",
        opened_at=utcnow() - timedelta(days=3), respond_by=utcnow() + timedelta(days=days),
        reason_category="product_not_received",
    )  # fmt: skip


def test_the_list_puts_those_waiting_for_evidence_first_by_deadline_and_hides_decided(
    client, session, finance, seller
):
    def order(n):
        return build(session, Order, order_number=f"ORD-20261201-00000{n}")

    _cb(session, seller, "dp_later00000000000", 5, order=order(1))
    _cb(session, seller, "dp_sooner0000000000", 1, status="under_review", order=order(2))
    _cb(session, seller, "dp_passed0000000000", -1, order=order(3))
    _cb(session, seller, "dp_decided000000000", 0, status="won", order=order(4))
    answered = _cb(session, seller, "dp_answered00000000", -2, status="under_review")
    answered.responded_at = utcnow() - timedelta(days=4)
    page = page_of(client.get("/finance/chargebacks"))
    rows = page.select("#listing tbody tr")
    refs = [r.select_one("a.number").get_text() for r in rows]
    # the order each dispute is about, not the provider's reference; those still waiting for
    # evidence first (closest deadline first), then those the provider is deciding
    assert refs == ["ORD-20261201-000003", "ORD-20261201-000001", "No order",
                    "ORD-20261201-000002"]  # fmt: skip
    # evidence was sent in time for the one under review: its deadline no longer matters
    assert "Deadline passed" not in rows[2].get_text()
    assert "Evidence sent" in rows[2].get_text()
    assert "Deadline passed" in rows[0].get_text()
    assert "Product not received" in rows[0].get_text()
    # keyset pages over the same order: one row a page, the same sequence
    ordering = parse_ordering("urgency", chargebacks.CHARGEBACK_SORTS, "urgency", Chargeback.id)
    seen, cursor = [], None
    for _ in range(6):
        one = chargebacks.chargeback_page(session, {}, ordering, cursor=cursor, limit=1)
        seen += [row.order_number or "No order" for row in one.rows]
        cursor = one.next_cursor
        if cursor is None:
            break
        cursor = decode_cursor(cursor, ordering)
    assert seen == refs
    everything = page_of(client.get("/finance/chargebacks?status=all"))
    assert len(everything.select("#listing tbody tr")) == 5
    assert client.get("/finance/chargebacks?status=pending").status_code == 400


def test_review_then_lose_from_the_screen(client, session, finance, seller):
    cb = _cb(session, seller, "dp_screen0000000000", 3)
    url = f"/finance/chargebacks/{cb.id}"
    token = csrf_from(client.get(url).data)
    missing = client.post(f"{url}/review", data={"csrf_token": token, "version": cb.version})
    assert missing.status_code == 422
    assert "Write the note" in page_of(missing).select_one(".error-summary").get_text()
    done = client.post(f"{url}/review", data={"csrf_token": token, "version": cb.version,
                                              "note": "Tracking <POD> sent"})  # fmt: skip
    assert done.status_code == 303 and cb.status == "under_review"
    page = page_of(client.get(url))
    assert "Tracking <POD> sent" in page.select_one(".entry-body").get_text()
    assert page.find("button", string="Mark won")
    stale = client.post(f"{url}/lost", data={"csrf_token": token, "version": cb.version - 1})
    assert stale.status_code == 409
    lost = client.post(f"{url}/lost", data={"csrf_token": token, "version": cb.version})
    assert lost.status_code == 303 and cb.status == "lost"
    assert ledger.balance(session, seller.id, "USD").amount == Decimal("470.00")
    page = page_of(client.get(url))
    assert "Chargeback" in page.select_one("#ledger-title").find_next("table").get_text()


def test_an_open_chargeback_before_its_deadline_cannot_be_lost(client, session, finance, seller):
    cb = _cb(session, seller, "dp_early00000000000", 3)
    url = f"/finance/chargebacks/{cb.id}"
    page = page_of(client.get(url))
    assert not page.find("button", string="Mark lost…")
    token = csrf_from(client.get(url).data)
    refused = client.post(f"{url}/lost", data={"csrf_token": token, "version": cb.version})
    assert refused.status_code == 409


def test_other_roles_get_403(client, login_as, session, seller):
    cb = _cb(session, seller, "dp_forbid0000000000", 3)
    login_as(Role.SUPPORT_AGENT)
    assert client.get(f"/finance/chargebacks/{cb.id}").status_code == 403
