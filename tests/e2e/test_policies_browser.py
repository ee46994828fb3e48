"""Policies in real browsers: one admin writes a version and submits it, another approves it
from the approvals inbox, and the policy screen shows it in force from its first day with
the previous version's window closed."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Policy, PolicyVersion, User, utcnow
from mallconsole.services.admin import policies
from tests.databases import make_test_app
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.actors import DEMO_PASSWORD, make_staff

pytestmark = pytest.mark.e2e
CODE = "e2e-returns"


@pytest.fixture
def policy(live_server, live_database, tmp_path):
    """A returns policy with one approved, open-ended version in force since 100 days ago."""
    app = make_test_app(live_database, tmp_path / "policies", "e2e-secret-key")
    with app.app_context():
        session = db.session
        if session.scalar(select(User).where(User.email == "admin2@demo.mall")) is None:
            make_staff(session, "admin2@demo.mall", [Role.SYSTEM_ADMIN], password=DEMO_PASSWORD)
        row = Policy(code=CODE, title="Returns policy (browser)", category="returns",
                     status="active")  # fmt: skip
        session.add(row)
        session.flush()
        session.add(PolicyVersion(
            shopping_mall_policy_id=row.id, version="1.0",
            effective_from=policies.day_start(utcnow().date() - timedelta(days=100)),
            content="Returns\nYou can return items within 30 days.\nRefunds in 10 days.",
            change_notes="First version", approved=True,
        ))  # fmt: skip
        session.commit()
        session.remove()
        db.engine.dispose()
    return CODE


def test_a_version_written_by_one_admin_comes_into_force_once_another_approves(
    browser, live_server, policy
):
    first_day = utcnow().date() + timedelta(days=7)
    maker = browser.new_context(base_url=live_server).new_page()
    checker = browser.new_context(base_url=live_server).new_page()

    sign_in(maker, "admin@demo.mall")
    expect(maker).to_have_url(re.compile(r"/admin/$"))
    maker.get_by_role("link", name="Policies").first.click()
    expect(maker).to_have_url(re.compile(r"/admin/policies$"))
    maker.get_by_role("link", name="Returns policy (browser)").click()
    expect(maker.locator("#now-title + p")).to_contain_text("Version 1.0")
    maker.get_by_role("link", name="Write a new version").click()
    expect(maker.get_by_label("Terms")).to_have_value(re.compile("within 30 days"))
    maker.get_by_label("Version label").fill("2.0")
    maker.get_by_label("First day in force").fill(first_day.isoformat())
    maker.get_by_label("Change notes").fill("Refunds within 5 days")
    maker.get_by_label("Terms").fill(
        "Returns\nYou can return items within 30 days.\nRefunds in 5 days."
    )
    maker.get_by_role("button", name="Save draft").click()
    expect(maker.locator("#messages")).to_contain_text("Draft 2.0 saved")
    expect(maker.locator(".record-head")).to_contain_text("Draft")
    expect(maker.get_by_label("Why should it come into force?")).to_have_value(
        "Refunds within 5 days"
    )
    maker.get_by_role("button", name="Submit for approval").click()
    expect(maker.locator(".record-head")).to_contain_text("Waiting for approval")
    expect(maker.locator("#messages")).to_contain_text("waiting for another admin's approval")

    sign_in(checker, "admin2@demo.mall")
    checker.goto("/admin/approvals")
    target = "Returns policy (browser), version 2.0"
    row = checker.locator("tbody[id^=approval-]").filter(has_text=target)
    row.get_by_role("button", name="Decide").click()  # the change, on expand
    expect(row).to_contain_text("Refunds within 5 days")
    expect(row).to_contain_text("1.0: From")
    row.get_by_role("button", name=re.compile("^Approve")).click()
    expect(row).to_contain_text("Approved and carried out")
    expect(checker.locator("#messages")).to_contain_text("Version 2.0 of Returns policy (browser)")

    checker.goto(f"/admin/policies/{policy}")
    versions = checker.locator(".policy-versions tbody tr")
    new, old = versions.filter(has_text="2.0"), versions.filter(has_text="1.0")
    expect(new).to_contain_text("Approved, not yet in force")
    expect(new.locator(".window-from time")).to_have_attribute("datetime", first_day.isoformat())
    expect(old.locator(".window-to time")).to_have_attribute("datetime", first_day.isoformat())
    # The day picker: the new version from its first day, the old one the day before.
    checker.get_by_label("Day", exact=True).fill(first_day.isoformat())
    checker.get_by_role("button", name="Look up").click()
    expect(checker.locator(".in-force-answer")).to_contain_text("version 2.0 is in force")
    checker.get_by_label("Day", exact=True).fill((first_day - timedelta(days=1)).isoformat())
    checker.get_by_role("button", name="Look up").click()
    expect(checker.locator(".in-force-answer")).to_contain_text("version 1.0 is in force")
    checker.screenshot(path="/tmp/policies-detail.png", full_page=True)
    # The comparison shows the changed line side by side.
    checker.get_by_role("button", name="Compare versions").click()
    expect(checker.locator("tr.diff-changed .diff-left")).to_contain_text("Refunds in 10 days.")
    expect(checker.locator("tr.diff-changed .diff-right")).to_contain_text("Refunds in 5 days.")
    checker.screenshot(path="/tmp/policies-compare.png", full_page=True)
