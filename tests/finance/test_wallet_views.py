"""The store-credit screens: customer look-up, a wallet's records with the running balance,
the manual adjustment (validation in place, stale page, maker-checker), and who may see them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, Configuration, Customer, User, UserBalanceRecord, utcnow
from mallconsole.services.money import wallets
from tests.conftest import csrf_from
from tests.factories.records import build


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def customer(session):
    key = states.WALLET_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
    session.add(Configuration(key=key, value="100.00"))
    user = build(
        session,
        User,
        name="Wendy Walletson",
        email="wendy.walletson@example.test",
        phone="+1 555 010 4242",
    )
    build(session, Customer, shopping_mall_user_id=user.id)
    session.flush()
    return user


def post_credit(session, user, amount, kind="charge", currency="USD"):
    return wallets.post(
        session, user_id=user.id, currency=currency, amount=Decimal(amount),
        record_type=kind, reason=f"{kind} {amount}",
    )  # fmt: skip


def wallet_url(user, currency="USD"):
    return f"/finance/wallets/{user.id}/{currency}"


def test_finding_a_customer_by_email_name_or_phone_lists_their_wallets(
    client, session, login_as, customer
):
    login_as(Role.FINANCE_MANAGER)
    post_credit(session, customer, "12.50")
    post_credit(session, customer, "3000", currency="KRW")
    for term in ("wendy.walletson@", "Walletson wendy", "4242"):
        page = page_of(client.get("/finance/wallets", query_string={"q": term}))
        row = page.select_one(f'tr[data-customer="{customer.id}"]')
        assert row is not None, term
        shown = {li["data-currency"]: li.get_text(strip=True) for li in row.select("li")}
        assert set(shown) == {"KRW", "USD"}, term
        assert "12.50" in shown["USD"] and "3,000" in shown["KRW"]
        assert "wendy.walletson@" not in row.get_text()  # contact details stay masked
    empty = page_of(client.get("/finance/wallets", query_string={"q": "nobody-at-all@"}))
    assert "No customer matches" in empty.select_one("#results").get_text()


def test_a_forged_more_results_link_is_a_bad_request_that_says_why(client, login_as, customer):
    login_as(Role.FINANCE_MANAGER)
    response = client.get("/finance/wallets", query_string={"q": "walletson", "after": "forged"})
    assert response.status_code == 400
    assert "link is broken or out of date" in page_of(response).get_text()


def test_the_lookup_offers_to_open_a_wallet_for_a_customer_without_one(client, login_as, customer):
    login_as(Role.FINANCE_MANAGER)
    page = page_of(client.get("/finance/wallets", query_string={"q": "walletson"}))
    row = page.select_one(f'tr[data-customer="{customer.id}"]')
    assert "No store credit yet" in row.get_text()
    assert row.select_one("a")["href"] == wallet_url(customer)
    opened = page_of(client.get(wallet_url(customer)))
    assert opened.select_one(".wallet-balance")["data-balance"] == "0"
    assert "No store-credit movement" in opened.select_one("#listing").get_text()


def test_the_wallet_screen_shows_the_records_newest_first_with_the_running_balance(
    client, session, login_as, customer
):
    login_as(Role.FINANCE_MANAGER)
    moves = [("40.00", "charge"), ("-12.25", "use"), ("7.00", "refund"), ("-0.75", "adjust")]
    for amount, kind in moves:
        post_credit(session, customer, amount, kind)
    # spread the records in time so "newest first" is a real order
    base = utcnow() - timedelta(days=1)
    records = session.query(UserBalanceRecord).all()
    by_amount = {r.amount: r for r in records}
    for n, (amount, _) in enumerate(moves):
        by_amount[Decimal(amount)].created_at = base + timedelta(hours=n)
    session.flush()
    page = page_of(client.get(wallet_url(customer)))
    assert "34.00" in page.select_one(".wallet-balance").get_text()
    rows = page.select("#listing tbody tr")
    assert [r["data-record"] for r in rows] == ["adjust", "refund", "use", "charge"]
    running = [r.select_one("td.running").get_text(strip=True).replace("\xa0", " ") for r in rows]
    assert running == ["USD 34.00", "USD 34.75", "USD 27.75", "USD 40.00"]
    words = [r.select("td")[1].get_text() for r in rows]
    assert words == ["Manual adjustment", "Refund to store credit", "Used at checkout",
                     "Store credit added"]  # fmt: skip


def test_records_come_in_keyset_pages(client, session, login_as, customer):
    login_as(Role.FINANCE_MANAGER)
    for _ in range(30):
        post_credit(session, customer, "1.00")
    first = page_of(client.get(wallet_url(customer) + "?limit=25"))
    assert len(first.select("#listing tbody tr")) == 25
    following = first.select_one('a[rel="next"]')["href"]
    second = page_of(client.get(following))
    assert len(second.select("#listing tbody tr")) == 5
    assert client.get(wallet_url(customer) + "?after=forged").status_code == 400


def adjust(client, user, currency="USD", **fields):
    page = client.get(wallet_url(user, currency))
    form = page_of(page).select_one("form.wallet-adjust")
    data = {
        "csrf_token": csrf_from(page.data),
        "expected_balance": form.select_one('[name="expected_balance"]')["value"],
        "idempotency_key": form.select_one('[name="idempotency_key"]')["value"],
        "direction": "credit",
        **fields,
    }
    return client.post(f"/finance/wallets/{user.id}/{currency}/adjust", data=data)


def test_an_adjustment_under_the_threshold_applies_and_says_so(client, session, login_as, customer):
    login_as(Role.FINANCE_MANAGER)
    post_credit(session, customer, "10.00")
    response = adjust(client, customer, amount="15.50", reason="Parcel arrived late")
    assert response.status_code == 303
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("25.50")
    page = page_of(client.get(response.headers["Location"]))
    assert "Store credit is now USD\xa025.50" in page.select_one("#messages").get_text()
    top = page.select_one("#listing tbody tr")
    assert "Parcel arrived late" in top.get_text() and "25.50" in top.get_text()


def test_an_adjustment_above_the_threshold_waits_for_approval(client, session, login_as, customer):
    login_as(Role.FINANCE_MANAGER)
    response = adjust(client, customer, amount="100.01", reason="Big goodwill gesture")
    assert response.status_code == 303
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("0")
    action = session.query(AdminAction).filter_by(action_name="wallet_adjustment").one()
    assert action.status == "pending" and action.payload["amount"] == "100.01"
    page = page_of(client.get(response.headers["Location"]))
    assert "waits for another finance manager" in page.select_one("#messages").get_text()
    assert "Big goodwill gesture" in page.select_one("ul.waiting").get_text()
    listing = page_of(client.get("/finance/wallets"))
    assert "Wendy Walletson" in listing.select_one("table.waiting-adjustments").get_text()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"amount": "", "reason": "Because"}, "amount", "Enter an amount"),
        ({"amount": "1.234", "reason": "Because"}, "amount", "at most 2 decimals"),
        ({"amount": "5", "reason": "  "}, "reason", "Say why"),
        ({"amount": "5", "reason": "Too much", "direction": "debit"}, "amount", "below zero"),
        ({"amount": "5", "reason": "Because", "direction": "up"}, "direction", "add or take"),
    ],
)
def test_validation_messages_show_next_to_their_field_and_keep_the_input(
    client, session, login_as, customer, fields, field, words
):
    login_as(Role.FINANCE_MANAGER)
    response = adjust(client, customer, **fields)
    assert response.status_code == 422
    page = page_of(response)
    errors = page.select_one(f"#{field}-errors")
    assert errors is not None and words in errors.get_text()
    assert words in page.select_one(".error-summary").get_text()
    if fields["reason"].strip():
        assert page.select_one("#reason").get_text().strip() == fields["reason"]
    assert session.query(UserBalanceRecord).count() == 0


def test_a_stale_page_is_refused_with_the_balance_now_and_the_input_kept(
    client, session, login_as, customer
):
    login_as(Role.FINANCE_MANAGER)
    page = client.get(wallet_url(customer))
    form = page_of(page).select_one("form.wallet-adjust")
    post_credit(session, customer, "8.00")  # someone else, meanwhile
    session.commit()  # (a savepoint of the test's transaction: the refusal keeps it)
    data = {
        "csrf_token": csrf_from(page.data),
        "expected_balance": form.select_one('[name="expected_balance"]')["value"],
        "idempotency_key": form.select_one('[name="idempotency_key"]')["value"],
        "direction": "credit",
        "amount": "2.00",
        "reason": "Goodwill",
    }
    url = f"/finance/wallets/{customer.id}/USD/adjust"
    refused = client.post(url, data=data)
    assert refused.status_code == 409
    again = page_of(refused)
    assert "it is now USD\xa08.00" in again.select_one(".error-summary").get_text()
    assert again.select_one("#amount")["value"] == "2.00"
    assert again.select_one('[name="expected_balance"]')["value"] == "8.00"
    data["expected_balance"] = "8.00"
    assert client.post(url, data=data).status_code == 303
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("10.00")


def test_other_roles_get_403_and_bad_addresses_404(client, session, login_as, customer):
    login_as(Role.SUPPORT_AGENT)
    assert client.get("/finance/wallets").status_code == 403
    assert client.get(wallet_url(customer)).status_code == 403
    token = csrf_from(client.get("/account").data)
    refused = client.post(
        f"/finance/wallets/{customer.id}/USD/adjust",
        data={"csrf_token": token, "amount": "5", "reason": "x", "direction": "credit"},
    )
    assert refused.status_code == 403
    assert session.query(UserBalanceRecord).count() == 0


def test_unknown_customers_and_currencies_are_404(client, session, login_as, customer):
    finance = login_as(Role.FINANCE_MANAGER)
    assert client.get(wallet_url(customer, "XYZ")).status_code == 404
    assert client.get("/finance/wallets/no-such-customer/USD").status_code == 404
    assert client.get(wallet_url(finance)).status_code == 404  # staff have no store credit


def test_a_wallet_in_another_currency_is_opened_by_its_code(client, login_as, customer):
    login_as(Role.FINANCE_MANAGER)
    page = page_of(client.get(wallet_url(customer)))
    form = page.select_one("form.other-currency")
    response = client.get(form["action"], query_string={"currency": "eur"})
    assert response.status_code == 303 and response.headers["Location"] == wallet_url(
        customer, "EUR"
    )
    opened = page_of(client.get(wallet_url(customer, "EUR")))
    assert "store credit in EUR" in opened.select_one("h1").get_text()
    assert client.get(form["action"], query_string={"currency": "E"}).status_code == 400


def test_a_german_reader_credits_fifty_cents_not_fifty(client, session, login_as, customer):
    manager = login_as(Role.FINANCE_MANAGER)
    manager.locale = "de_DE"
    session.flush()
    response = adjust(client, customer, amount="0,50", reason="Goodwill")
    assert response.status_code == 303
    assert wallets.wallet(session, customer.id, "USD").balance == Decimal("0.50")


@pytest.mark.parametrize("typed", ["1e1", "1E-2", "١٠", "１0", "1,0", "12.3.4"])
def test_an_amount_the_reader_could_not_have_meant_is_refused(
    client, session, login_as, customer, typed
):
    login_as(Role.FINANCE_MANAGER)
    response = adjust(client, customer, amount=typed, reason="Goodwill")
    assert response.status_code == 422
    assert "like 1,234.56" in page_of(response).select_one(".error-summary").get_text()
    assert wallets.wallet(session, customer.id, "USD") is None  # nothing was credited
