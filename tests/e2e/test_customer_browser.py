"""Customer 360 in a real browser: find a customer by name from the global search, open them,
reveal the email for a reason, open one of their orders."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in_browser import sign_in

pytestmark = pytest.mark.e2e


def test_an_agent_finds_a_customer_reveals_the_email_and_opens_an_order(page):
    sign_in(page, "support@demo.mall")
    page.locator("#global-search").fill("torres TARIQ")
    page.locator("#global-search").press("Enter")
    card = page.locator("li.card[data-kind=customer]")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("t***@customers.test")
    card.get_by_role("link", name="Tariq Torres").click()

    expect(page).to_have_url(re.compile(r"/support/customers/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tariq Torres")
    email = page.locator('#contact [data-field="email"]')
    expect(email).to_have_text("t***@customers.test")

    # no reason: refused next to the field, nothing shown
    page.get_by_role("button", name="Reveal contact details").click()
    expect(page.locator("#contact .field-errors")).to_contain_text("Say why")
    expect(email).to_have_text("t***@customers.test")
    page.get_by_label("Why do you need to see them?").fill("Customer called about a parcel")
    page.get_by_role("button", name="Reveal contact details").click()
    expect(email).to_have_text("tariq.torres@customers.test")
    expect(page.locator("#contact")).to_contain_text("12 Secret Lane")

    # the orders list: three rows, keys j then Enter open the newest
    rows = page.locator("#listing tbody tr")
    expect(rows).to_have_count(3)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(rows.first).to_have_class(re.compile("selected"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/support/orders/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^ORD-"))
    expect(page.locator(".record-head")).to_contain_text("Delivered")
    expect(page.locator(".breadcrumbs")).to_contain_text("Tariq Torres")
