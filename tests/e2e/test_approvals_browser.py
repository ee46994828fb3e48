"""Maker-checker in real browsers: one admin's request, approved by another admin in a second
browser; the badge follows."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Configuration, User
from mallconsole.services.admin import configuration
from tests.databases import make_test_app
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.actors import DEMO_PASSWORD, make_staff

pytestmark = pytest.mark.e2e
KEY = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")


@pytest.fixture
def requested(live_server, live_database, tmp_path):
    """admin@demo.mall asks for the USD refund threshold to go from 250.00 to 300.00 (on the
    live server's database, as the configuration screen does)."""
    app = make_test_app(live_database, tmp_path / "maker", "e2e-secret-key")
    with app.app_context():
        session = db.session
        if session.scalar(select(User).where(User.email == "admin2@demo.mall")) is None:
            make_staff(session, "admin2@demo.mall", [Role.SYSTEM_ADMIN], password=DEMO_PASSWORD)
        session.add(Configuration(key=KEY, value="250.00"))
        maker = session.scalar(select(User).where(User.email == "admin@demo.mall"))
        action = configuration.request_change(
            session, KEY, "300.00", "Raise the threshold for the Q4 peak", actor=maker
        ).action
        action_id = action.id
        session.commit()
        session.remove()  # no transaction (nor SQLite's write lock) is kept open
        db.engine.dispose()
    return action_id


def test_one_admin_asks_another_approves_and_the_badge_follows(browser, live_server, requested):
    maker = browser.new_context(base_url=live_server).new_page()
    checker = browser.new_context(base_url=live_server).new_page()

    sign_in(maker, "admin@demo.mall")
    expect(maker).to_have_url(re.compile(r"/admin/$"))
    maker.goto("/admin/approvals/mine")
    mine = maker.locator(f"#approval-{requested}")
    expect(mine).to_contain_text("Waiting for approval")
    mine.get_by_role("button", name="Show").click()
    expect(mine).to_contain_text("Waiting for another system admin to decide.")
    expect(mine.get_by_role("button", name="Withdraw")).to_be_visible()
    mine.get_by_role("button", name="Hide").click()
    expect(mine.locator(".approval-more")).to_have_count(0)
    # Nothing waits for the requester: their own request is not theirs to decide.
    expect(maker.locator("a.nav-badge")).to_have_attribute("data-count", "0")

    sign_in(checker, "admin2@demo.mall")
    expect(checker).to_have_url(re.compile(r"/admin/$"))
    badge = checker.locator("a.nav-badge")
    expect(badge).to_have_attribute("data-count", "1")
    expect(badge).to_be_visible()
    badge.click()
    expect(checker).to_have_url(re.compile(r"/admin/approvals$"))
    row = checker.locator(f"#approval-{requested}")
    expect(row).to_contain_text("Raise the threshold for the Q4 peak")
    row.get_by_role("button", name="Decide").click()
    expect(row.get_by_role("button", name="Hide")).to_be_focused()
    expect(row.locator(".change-table .before")).to_have_text("USD\xa0250.00")
    expect(row.locator(".change-table .after")).to_have_text("USD\xa0300.00")
    row.get_by_role("button", name=re.compile("^Approve")).click()

    # In place: the row's new state, the message, and the badge emptied.
    expect(row).to_have_attribute("data-status", "executed")
    expect(row).to_contain_text("Approved and carried out")
    expect(checker.locator("#messages")).to_contain_text(f"{KEY} is now 300.00")
    expect(badge).to_have_attribute("data-count", "0")
    expect(badge).to_be_hidden()

    # Keys: j selects the row, Enter opens the request with its history.
    checker.locator("body").click(position={"x": 5, "y": 5})
    checker.keyboard.press("j")
    checker.keyboard.press("Enter")
    expect(checker).to_have_url(re.compile(rf"/admin/approvals/{requested}$"))
    expect(checker.locator(".change-table")).to_contain_text("USD\xa0300.00")
    expect(checker.locator(".timeline")).to_contain_text("Admin action approved")

    maker.reload()
    expect(maker.locator(f"#approval-{requested}")).to_contain_text("Approved and carried out")
    maker.context.close()
    checker.context.close()


@pytest.fixture
def sixteen(live_server, live_database, tmp_path):
    """admin@demo.mall asks for 16 seller suspensions (16 rows in admin2's inbox)."""
    from mallconsole.services import approvals

    app = make_test_app(live_database, tmp_path / "sixteen", "e2e-secret-key")
    with app.app_context():
        session = db.session
        if session.scalar(select(User).where(User.email == "admin2@demo.mall")) is None:
            make_staff(session, "admin2@demo.mall", [Role.SYSTEM_ADMIN], password=DEMO_PASSWORD)
        maker = session.scalar(select(User).where(User.email == "admin@demo.mall"))
        for n in range(16):
            approvals.request_approval(
                session, "suspend_seller", "shopping_mall_sellers", f"e2e-seller-{n}",
                {"before": {"state": "active"}, "after": {"state": "suspended"}},
                f"Chargebacks above policy ({n})", actor=maker,
            )  # fmt: skip
        session.commit()
        session.remove()
        db.engine.dispose()


def test_sixteen_requests_fit_on_one_screen_and_expand_in_place(browser, live_server, sixteen):
    checker = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    page = checker.new_page()
    sign_in(page, "admin2@demo.mall")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto("/admin/approvals")
    rows = page.locator("#listing tbody.approval")
    expect(rows).to_have_count(16)
    first, last = rows.first.bounding_box(), rows.last.bounding_box()
    # one line a request: the sixteen take less than one screen (not three)
    assert last["y"] + last["height"] - first["y"] <= 800
    assert first["height"] <= 48
    row = rows.nth(3)
    row.get_by_role("button", name="Decide").click()
    expect(row.locator(".change-table .after")).to_have_text("Suspended")
    expect(row.get_by_role("button", name="Hide")).to_have_attribute("aria-expanded", "true")
    row.get_by_role("button", name="Hide").click()
    expect(row.locator(".change-table")).to_have_count(0)
    checker.close()
