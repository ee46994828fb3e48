"""The support case queues in a real browser: unassigned queue, a filter, pages, take next."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mallconsole.models import SupportCase, User, utcnow
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = pytest.mark.e2e

URGENT = 60  # more than one page of 50


@pytest.fixture(scope="module")
def unassigned_cases(live_server, live_database):
    """Unassigned open cases on the live server: 60 urgent, 10 low, SLA one minute apart."""
    engine = create_engine(live_database)
    now = utcnow()
    with Session(engine) as session:
        for n in range(URGENT + 10):
            session.add(
                SupportCase(
                    case_number=f"CAS-20261205-{n + 1:06d}",
                    subject=f"Parcel question {n + 1}",
                    status="open",
                    priority="urgent" if n < URGENT else "low",
                    category="shipping",
                    origin_channel="email",
                    sla_due_at=now + timedelta(minutes=n) - timedelta(minutes=30),
                    last_event_at=now - timedelta(hours=1),
                )
            )
        session.commit()
    yield engine
    engine.dispose()


def rows(page):
    return page.locator("#listing table.list-table tbody tr")


def test_an_agent_filters_pages_and_takes_the_next_case(page, unassigned_cases):
    sign_in(page, "support@demo.mall")
    page.goto("/support/cases?queue=unassigned")
    expect(page.locator('#queue-tabs a[aria-current="page"]')).to_contain_text("Unassigned 70")
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first).to_contain_text("CAS-20261205-000001")
    expect(rows(page).first.locator(".sla")).to_contain_text("overdue")

    # a filter reloads the list in place, keeps the queue, and lands in the URL
    page.get_by_label("Priority").select_option("low")
    expect(page).to_have_url(
        re.compile(r"queue=unassigned.*priority=low|priority=low.*queue=unassigned")
    )
    expect(rows(page)).to_have_count(10)
    expect(rows(page).first).to_contain_text("Low")
    page.get_by_label("Priority").select_option("urgent")
    expect(rows(page)).to_have_count(50)

    # the next page through htmx, back with the browser
    page.get_by_role("link", name="Next →").click()
    expect(rows(page)).to_have_count(URGENT - 50)
    expect(page).to_have_url(re.compile(r"after="))
    expect(rows(page).first).to_contain_text("CAS-20261205-000051")
    page.go_back()
    expect(rows(page)).to_have_count(50)

    # take next: the most urgent case (soonest SLA) is mine, and I land on its screen
    page.locator("body").click(position={"x": 5, "y": 5})
    page.wait_for_load_state("load")
    page.keyboard.press("t")
    page.wait_for_url(re.compile(r"/support/cases/[0-9a-f-]{36}$"))
    case_id = page.url.rsplit("/", 1)[1]
    with Session(unassigned_cases) as check:
        taken = check.get(SupportCase, case_id)
        agent = check.scalar(select(User).where(User.email == "support@demo.mall"))
        assert taken.case_number == "CAS-20261205-000001"
        assert taken.assigned_to_user_id == agent.id and taken.version == 2

    page.goto("/support/cases?queue=mine")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("CAS-20261205-000001")
    page.goto("/support/cases?queue=unassigned")
    expect(page.locator('#queue-tabs a[aria-current="page"]')).to_contain_text("Unassigned 69")
