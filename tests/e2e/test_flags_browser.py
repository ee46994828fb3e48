"""Feature flags in a real browser: admin@demo.mall switches a flag in its row, changes its
rollout and reverts that change from the history, archives a flag and restores it; a sensitive
flag's change is asked for in place and approved by admin2@demo.mall from the inbox."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import FeatureFlag, User
from mallconsole.services.admin import flags
from tests.databases import make_test_app
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.actors import DEMO_PASSWORD, make_staff

pytestmark = pytest.mark.e2e


@pytest.fixture
def flag_world(live_server, live_database, tmp_path):
    """Two flags on the live server's database: one plain, one sensitive; and admin2."""
    app = make_test_app(live_database, tmp_path / "flags", "e2e-secret-key")
    with app.app_context():
        session = db.session
        if session.scalar(select(User).where(User.email == "admin2@demo.mall")) is None:
            make_staff(session, "admin2@demo.mall", [Role.SYSTEM_ADMIN], password=DEMO_PASSWORD)
        admin = session.scalar(select(User).where(User.email == "admin@demo.mall"))
        for code, name, sensitive in (
            ("e2e.saved_carts", "Saved carts", False),
            ("e2e.instant_payouts", "Instant payouts", True),
            ("e2e.old_banner", "Old banner", False),
        ):
            if session.scalar(select(FeatureFlag).where(FeatureFlag.code == code)) is None:
                flags.create(
                    session,
                    {
                        "name": name,
                        "enabled": True,
                        "rollout_percentage": 20,
                        "sensitive": sensitive,
                    },
                    actor=admin,
                    code=code,
                )
        session.commit()
        session.remove()
        db.engine.dispose()

    def read(code):
        with app.app_context():
            row = db.session.scalar(select(FeatureFlag).where(FeatureFlag.code == code))
            values = (row.enabled, row.rollout_percentage)
            db.session.remove()
            db.engine.dispose()
            return values

    return read


def test_toggle_in_place_change_the_rollout_and_revert_it(page, live_server, flag_world):
    sign_in(page, "admin@demo.mall")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Feature flags").click()
    expect(page).to_have_url(re.compile(r"/admin/flags$"))
    row = page.locator('tr[data-flag="e2e.saved_carts"]')
    expect(row.locator(".flag-state")).to_have_text("Rolling out 20%")
    row.get_by_role("button", name=re.compile("^Switch off")).click()
    # The row changes in place (the address stays the list's).
    expect(row.locator(".flag-state")).to_have_text("Off")
    expect(row.get_by_role("button", name=re.compile("^Switch on"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/flags$"))
    assert flag_world("e2e.saved_carts") == (False, 20)

    row.get_by_role("link", name="e2e.saved_carts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved carts")
    page.get_by_label("Rollout (%)").fill("60")
    page.get_by_label("Switched on").check()
    page.get_by_role("button", name="Save the flag").click()
    expect(page.locator("#messages")).to_contain_text("The flag is saved.")
    expect(page.locator(".record-head .flag-state")).to_have_text("Rolling out 60%")
    assert flag_world("e2e.saved_carts") == (True, 60)

    # Evaluate for one subject: the same answer every time.
    page.get_by_label("Subject").fill("customer-42")
    page.get_by_role("button", name="Evaluate").click()
    first = page.locator(".evaluation").inner_text()
    page.get_by_role("button", name="Evaluate").click()
    expect(page.locator(".evaluation")).to_have_text(first)

    # Revert the rollout change: back to off at 20%.
    latest = page.locator(".timeline-entry").first
    expect(latest).to_contain_text("60")
    latest.get_by_role("button", name="Revert to before this change").click()
    expect(page.locator("#messages")).to_contain_text("back as it was before that change")
    expect(page.locator(".record-head .flag-state")).to_have_text("Off")
    expect(page.get_by_label("Rollout (%)")).to_have_value("20")
    assert flag_world("e2e.saved_carts") == (False, 20)


def test_a_sensitive_flag_is_approved_by_the_other_admin(browser, live_server, flag_world):
    maker = browser.new_context(base_url=live_server).new_page()
    checker = browser.new_context(base_url=live_server).new_page()
    sign_in(maker, "admin@demo.mall")
    expect(maker).to_have_url(re.compile(r"/admin/$"))
    maker.goto("/admin/flags?q=e2e.instant")
    row = maker.locator('tr[data-flag="e2e.instant_payouts"]')
    row.get_by_role("link", name=re.compile("^Switch off")).click()
    row.get_by_label("Why (for the approver)").fill("Payout provider outage: pause instant payouts")
    row.get_by_role("button", name="Ask for approval").click()
    expect(row.locator(".flag-toggle")).to_contain_text("Change waiting for approval")
    expect(maker.locator("#messages")).to_contain_text("Asked for approval")
    assert flag_world("e2e.instant_payouts") == (True, 20)  # not yet

    sign_in(checker, "admin2@demo.mall")
    expect(checker).to_have_url(re.compile(r"/admin/$"))
    checker.goto("/admin/approvals")
    request = checker.locator("tbody.approval", has_text="Payout provider outage")
    expect(request).to_contain_text("Change a sensitive feature flag")
    expect(request).to_contain_text("Instant payouts (e2e.instant_payouts)")
    request.get_by_role("button", name="Decide").click()
    request.get_by_role("button", name=re.compile("^Approve")).click()
    expect(request).to_contain_text("Approved and carried out")
    assert flag_world("e2e.instant_payouts") == (False, 20)

    maker.reload()
    expect(row.locator(".flag-state")).to_contain_text("Off")
    maker.context.close()
    checker.context.close()


def test_archive_a_flag_find_it_under_archived_and_restore_it(page, live_server, flag_world):
    sign_in(page, "admin@demo.mall")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto("/admin/flags/e2e.old_banner")
    page.get_by_role("link", name="Archive this flag…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive Old banner")
    page.get_by_label("Why").fill("The spring campaign is over")
    page.get_by_role("button", name="Archive the flag").click()
    expect(page.locator("#messages")).to_contain_text("Old banner is archived")
    expect(page.locator(".flag-archived")).to_contain_text("off for everyone")
    expect(page.locator(".timeline-entry").first).to_contain_text("The spring campaign is over")

    page.get_by_role("link", name="Feature flags").first.click()
    expect(page.locator('tr[data-flag="e2e.old_banner"]')).to_have_count(0)
    page.get_by_label("State").select_option("archived")
    page.get_by_role("button", name="Apply").click()
    row = page.locator('tr[data-flag="e2e.old_banner"]')
    expect(row.locator(".flag-state")).to_have_text("Archived")
    row.get_by_role("link", name=re.compile("^Restore")).click()
    page.get_by_role("button", name="Restore the flag").click()
    expect(page.locator("#messages")).to_contain_text("Old banner is restored")
    expect(page.locator(".flag-archived")).to_have_count(0)
    expect(page.locator(".record-head .flag-state")).to_have_text("Rolling out 20%")
    assert flag_world("e2e.old_banner") == (True, 20)  # back with the settings it had
