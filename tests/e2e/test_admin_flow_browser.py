# ruff: noqa: F811  (the fixtures flag_world and policy come from the flag and policy tests)
"""The admin console's day in two real browsers: admin@demo.mall switches a flag in its row,
changes its rollout, writes a policy version and submits it; admin2@demo.mall approves the
version from the inbox; admin@demo.mall then reverts the flag from its history."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mallconsole.models import utcnow
from tests.e2e.test_flags_browser import flag_world  # noqa: F401  (fixture)
from tests.e2e.test_policies_browser import policy  # noqa: F401  (fixture)
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = pytest.mark.e2e


def test_flag_toggle_rollout_policy_approval_and_flag_revert(
    browser,
    live_server,
    flag_world,
    policy,
):
    maker = browser.new_context(base_url=live_server).new_page()
    checker = browser.new_context(base_url=live_server).new_page()
    sign_in(maker, "admin@demo.mall")
    expect(maker).to_have_url(re.compile(r"/admin/$"))

    # 1. Switch a flag off in its row (the list stays where it is).
    maker.goto("/admin/flags?q=e2e.saved")
    row = maker.locator('tr[data-flag="e2e.saved_carts"]')
    row.get_by_role("button", name=re.compile("^Switch off")).click()
    expect(row.locator(".flag-state")).to_have_text("Off")
    assert flag_world("e2e.saved_carts") == (False, 20)

    # 2. Change its rollout (and switch it back on) on the flag screen.
    row.get_by_role("link", name="e2e.saved_carts").click()
    maker.get_by_label("Rollout (%)").fill("45")
    maker.get_by_label("Switched on").check()
    maker.get_by_role("button", name="Save the flag").click()
    expect(maker.locator(".record-head .flag-state")).to_have_text("Rolling out 45%")
    assert flag_world("e2e.saved_carts") == (True, 45)

    # 3. Write a policy version and submit it.
    first_day = utcnow().date() + timedelta(days=3)
    maker.goto(f"/admin/policies/{policy}")
    maker.get_by_role("link", name="Write a new version").click()
    maker.get_by_label("Version label").fill("1.1")
    maker.get_by_label("First day in force").fill(first_day.isoformat())
    maker.get_by_label("Change notes").fill("Longer return window")
    maker.get_by_label("Terms").fill("Returns\nYou can return items within 45 days.")
    maker.get_by_role("button", name="Save draft").click()
    expect(maker.locator("#messages")).to_contain_text("Draft 1.1 saved")
    maker.get_by_role("button", name="Submit for approval").click()
    expect(maker.locator(".record-head")).to_contain_text("Waiting for approval")

    # 4. The other admin approves it from the inbox.
    sign_in(checker, "admin2@demo.mall")
    checker.goto("/admin/approvals")
    request = checker.locator("tbody[id^=approval-]").filter(has_text="version 1.1")
    expect(request).to_contain_text("Longer return window")
    request.get_by_role("button", name="Decide").click()
    request.get_by_role("button", name=re.compile("^Approve")).click()
    expect(request).to_contain_text("Approved and carried out")
    maker.reload()
    expect(maker.locator(".record-head")).to_contain_text("Approved, not yet in force")

    # 5. Revert the flag's rollout change from its history: back to off at 20%.
    maker.goto("/admin/flags/e2e.saved_carts")
    latest = maker.locator(".timeline-entry").first
    expect(latest).to_contain_text("45")
    latest.get_by_role("button", name="Revert to before this change").click()
    expect(maker.locator(".record-head .flag-state")).to_have_text("Off")
    assert flag_world("e2e.saved_carts") == (False, 20)
    maker.context.close()
    checker.context.close()
