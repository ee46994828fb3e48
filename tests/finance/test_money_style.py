"""One money style on every money screen: the ISO code, placed by the reader's locale
(``USD 1,234.56`` in English, ``1.234,56 USD`` in German), in figures, hints, messages, the
approvals diff and what the console writes in the records, never the other style or a symbol."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.models import Configuration, Customer, User
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.aftersales import refund_decisions as rd
from mallconsole.services.money import wallets
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.ledgers import post as post_entry
from tests.factories.ledgers import seller_with_account
from tests.factories.records import build
from tests.factories.request_orders import make_order
from tests.services.test_refund_decisions import make_threshold

CODES = "USD|EUR|KRW|JPY|GBP"
NUMBER = r"[+-]?\d(?:[\d.,\u00a0\u202f]*\d)?"
# Anything that reads as an amount: a number beside a currency code or symbol, either side.
AMOUNT = re.compile(
    rf"(?:{CODES})[ \u00a0]?{NUMBER}|[+-]?(?:{CODES})[ \u00a0]?{NUMBER}"
    rf"|{NUMBER}[ \u00a0]?(?:{CODES})|[$€₩¥£][ \u00a0]?{NUMBER}|{NUMBER}[ \u00a0]?[$€₩¥£]"
)
STYLES = {
    "en_US": re.compile(rf"[+-]?(?:{CODES})\u00a0\d{{1,3}}(?:,\d{{3}})*(?:\.\d+)?"),
    "de_DE": re.compile(rf"[+-]?\d{{1,3}}(?:\.\d{{3}})*(?:,\d+)?\u00a0(?:{CODES})"),
}


HTMX = {"HX-Request": "true"}


def amounts_on(response, url="") -> list[str]:
    """Every amount a person reads on the page: each text, and each field's value."""
    assert response.status_code == 200, url
    page = BeautifulSoup(response.data, "html.parser")
    for hidden in page(["script", "style"]):
        hidden.decompose()
    texts = [*page.stripped_strings]
    texts += [field.get("value", "") for field in page.select("input:not([type=hidden])")]
    return [m.group(0).strip() for text in texts for m in AMOUNT.finditer(text)]


def post_form(client, url, data, page):
    token = csrf_from(client.get(page).data)
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def money_world(app, session):
    """A refund request, a store credit and a seller's ledger, each with an approval waiting
    (written by the reader, as the console writes its records in its writer's style)."""

    def build_world(client, manager):
        make_threshold(session, "250.00")
        session.add(
            Configuration(
                key=states.WALLET_DUAL_APPROVAL_THRESHOLD.format(currency="USD"), value="100.00"
            )
        )
        agent = make_staff(session, f"agent-{manager.locale}@money.test")
        order, _, _ = make_order(session, captured="1400.00")
        # a colleague who reads the same locale raises the request (and writes its records)
        language = manager.locale.replace("_", "-")
        with app.test_request_context(headers={"Accept-Language": language}):
            request = cr.raise_refund(
                session,
                order.id,
                [(None, Decimal("1234.56"))],
                reason_code="damaged",
                note="",
                actor=agent,
            )
        customer = build(session, User, name="Wendy Walletson", email="wendy@money.test")
        build(session, Customer, shopping_mall_user_id=customer.id)
        wallets.post(
            session, user_id=customer.id, currency="USD", amount=Decimal("1010.50"),
            record_type="charge", reason="Goodwill",
        )  # fmt: skip
        seller = seller_with_account(session)
        post_entry(session, seller, "2500.00")
        post_entry(session, seller, "-250.00", kind="fee")
        session.flush()
        refund_url = f"/finance/refunds/{request.refund_request_number}"
        line = rd.request_lines(session, request.id)[0]
        amount = "1234,56" if manager.locale == "de_DE" else "1,234.56"
        approve = {"amount": amount, "line": line.id, "version": 1}
        assert post_form(client, f"{refund_url}/approve", approve, refund_url).status_code == 303
        wallet_url = f"/finance/wallets/{customer.id}/USD"
        page = BeautifulSoup(client.get(wallet_url).data, "html.parser")
        form = page.select_one("form.wallet-adjust")
        adjustment = {
            "expected_balance": form.select_one('[name="expected_balance"]')["value"],
            "idempotency_key": form.select_one('[name="idempotency_key"]')["value"],
            "direction": "credit",
            "amount": "150",
            "reason": "Parcel lost twice",
        }
        assert post_form(client, f"{wallet_url}/adjust", adjustment, wallet_url).status_code == 303
        return [
            "/finance/refunds",
            "/finance/refunds?tab=all",
            refund_url,
            "/finance/wallets?q=wendy%40money.test",
            wallet_url,
            "/finance/approvals",
            "/finance/approvals/mine",
            "/finance/ledgers",
            f"/finance/ledgers/{seller.id}",
            "/finance/payouts",
        ]

    return build_world


@pytest.mark.parametrize("locale", sorted(STYLES))
def test_every_amount_on_the_money_screens_is_in_the_readers_one_style(
    client, session, login_as, money_world, locale
):
    manager = login_as(Role.FINANCE_MANAGER)
    manager.locale = locale
    session.flush()
    screens = money_world(client, manager)
    style = STYLES[locale]
    seen = {}
    for url in screens:
        found = amounts_on(client.get(url), url)
        assert [a for a in found if not style.fullmatch(a)] == [], url
        seen[url] = found
    # the screens do show money, in that style: figures, the diff asked for, the reasons
    empty = [url for url in screens if not seen[url]]
    assert empty == ["/finance/approvals", "/finance/payouts"]  # nothing for others, no payout
    expected = "1.234,56\u00a0USD" if locale == "de_DE" else "USD\u00a01,234.56"
    assert expected in seen[screens[2]]
    signed = "+150,00\u00a0USD" if locale == "de_DE" else "+USD\u00a0150.00"
    approvals = seen["/finance/approvals/mine"]
    assert expected in approvals
    # The change asked for is on the row's expand, in the same style.
    mine = BeautifulSoup(client.get("/finance/approvals/mine").data, "html.parser")
    expands = [button["hx-get"] for button in mine.select("button.row-toggle[hx-get]")]
    assert expands
    changes = [a for url in expands for a in amounts_on(client.get(url, headers=HTMX), url)]
    assert [a for a in changes if not style.fullmatch(a)] == []
    assert signed in changes
