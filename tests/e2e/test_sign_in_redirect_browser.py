"""A hostile ``next`` in a real browser: signing in lands on the console, never elsewhere."""

import re
from urllib.parse import quote, urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from tests.factories.actors import DEMO_MFA_SECRET, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

HOSTILE = ["/\t/evil.example/", "/\\evil.example/", "/%2F%2Fevil.example/", "//user@evil.example/"]


def watch_hosts(page) -> set[str]:
    """The host names the browser sends requests to."""
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    return hosts


def sign_in_with_next(page, email, target):
    page.goto("/login?next=" + quote(target, safe=""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("target", HOSTILE, ids=["tab", "backslash", "encoded", "user-info"])
def test_a_hostile_next_lands_on_the_console(page, live_server, target):
    hosts = watch_hosts(page)
    sign_in_with_next(page, "support@demo.mall", target)
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/support/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Support")
    assert hosts == {"127.0.0.1"}


def test_a_hostile_next_lands_on_the_console_after_the_totp_step(page, live_server):
    hosts = watch_hosts(page)
    sign_in_with_next(page, "mfa-admin@demo.mall", "/\t/evil.example/")
    expect(page).to_have_url(re.compile(r"/login/mfa$"))
    page.get_by_label("Authentication code").fill(pyotp.TOTP(DEMO_MFA_SECRET).now())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/admin/$"))
    assert hosts == {"127.0.0.1"}


def test_an_honest_next_is_followed(page, live_server):
    sign_in_with_next(page, "lead@demo.mall", "/account")
    expect(page).to_have_url(live_server + "/account")
