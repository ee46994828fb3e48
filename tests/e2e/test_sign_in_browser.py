"""Sign-in, lockout, MFA, role navigation, 403 and sign-out in a real browser."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from mallconsole.services.identity.sign_in import REFUSAL
from tests.factories.actors import DEMO_MFA_SECRET, DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, email, password=DEMO_PASSWORD):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_lands_on_the_roles_home(page):
    sign_in(page, "support@demo.mall")
    expect(page).to_have_url(re.compile(r"/support/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Support")
    expect(page.locator("#queues")).to_contain_text("Unassigned")
    # By name (these staff have none: the email before its @), the address on hover.
    expect(page.locator(".usermenu a").first).to_have_attribute(
        "title", "Your account: support@demo.mall"
    )


def test_navigation_shows_only_own_roles_and_other_areas_are_403(page):
    sign_in(page, "lead@demo.mall")
    nav = page.get_by_role("navigation", name="Console areas")
    expect(nav.get_by_role("link")).to_have_text(["Support", "Operations"])
    nav.get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations")
    response = page.goto("/finance/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_wrong_password_then_lockout_read_the_same(page):
    sign_in(page, "lockme@demo.mall", "not the password")
    expect(page.get_by_role("alert")).to_have_text(REFUSAL)
    for _ in range(4):
        sign_in(page, "lockme@demo.mall", "still not it")
    sign_in(page, "lockme@demo.mall")  # right password, but locked now
    expect(page.get_by_role("alert")).to_have_text(REFUSAL)
    expect(page).to_have_url(re.compile(r"/login$"))


def test_mfa_admin_signs_in_with_a_totp_code(page):
    sign_in(page, "mfa-admin@demo.mall")
    expect(page).to_have_url(re.compile(r"/login/mfa$"))
    page.get_by_label("Authentication code").fill(pyotp.TOTP(DEMO_MFA_SECRET).now())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Recent audit events")).to_be_visible()


def test_slash_focuses_the_global_search(page):
    sign_in(page, "admin@demo.mall")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.locator("body").click()
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.locator("main").click()
    page.keyboard.press("Control+k")
    expect(page.locator("#global-search")).to_be_focused()


def test_search_updates_in_place_as_one_types(page):
    sign_in(page, "lead@demo.mall")
    page.goto("/search")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Search", exact=True).fill("ORD-20261122-0001")
    card = page.locator("li.card[data-kind=order]")
    expect(card).to_contain_text("ORD-20261122-000123")
    expect(card).to_contain_text("On hold")  # the state in words
    expect(page).to_have_url(re.compile(r"/search\?q=ORD-20261122-0001$"))
    assert page.evaluate("window.sameDocument === true")  # swapped by htmx, not reloaded
    assert page.locator("header").count() == 1


def test_sign_out_ends_the_session(page):
    sign_in(page, "support@demo.mall")
    expect(page).to_have_url(re.compile(r"/support/$"))
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#messages")).to_contain_text("You are signed out.")
    page.goto("/support/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
