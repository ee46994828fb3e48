"""A support agent's whole round in Chromium: take the next case, answer with a canned reply,
leave a note, change the status, open the customer's order from the case and raise a refund
request that the case then shows."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mallconsole.extensions import db
from mallconsole.models import CannedReply, SupportCase, utcnow
from tests.databases import make_test_app
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.records import build
from tests.factories.request_orders import make_order

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def waiting_case(live_server, live_database, tmp_path_factory):
    """An unassigned, overdue case about a delivered order (USD 90.00 captured)."""
    app = make_test_app(live_database, tmp_path_factory.mktemp("flow"), "e2e-secret-key")
    with app.app_context():
        session = db.session
        order, _, _ = make_order(session)
        case = build(
            session, SupportCase, case_number="CAS-20261201-000901",
            subject="The blender arrived broken", status="open", priority="urgent",
            category="refund", origin_channel="email", assigned_to_user_id=None,
            customer_user_id=order.shopping_mall_user_id, order_id=order.id,
            sla_due_at=utcnow() - timedelta(hours=2), last_event_at=utcnow(),
        )  # fmt: skip
        build(
            session, CannedReply, title="Refund on its way", category="refund",
            body="Hello, the refund for order {order_number} is being prepared.",
        )  # fmt: skip
        session.commit()
        ids = (case.id, order.id, order.order_number)
        session.remove()
        db.engine.dispose()
    return ids


def test_take_answer_and_raise_a_refund_from_the_case(page, waiting_case):
    case_id, order_id, order_number = waiting_case
    sign_in(page, "support@demo.mall")
    expect(page).to_have_url(re.compile(r"/support/$"))

    # Take next: the overdue urgent case, now mine.
    page.goto("/support/cases?queue=unassigned")
    page.get_by_role("button", name="Take next").click()
    expect(page).to_have_url(re.compile(rf"/support/cases/{case_id}$"))
    # Assigned to the agent, shown by name with the address on hover.
    expect(page.locator("#case-header .person[title='support@demo.mall']")).to_be_visible()

    # Answer with the canned reply, filled in for this case.
    page.locator("body").press("Control+/")
    page.keyboard.type("refund")
    page.locator(".canned-choice").first.click()
    expect(page.locator("#reply-body")).to_have_value(
        f"Hello, the refund for order {order_number} is being prepared."
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#timeline-list > li").last).to_contain_text("being prepared")

    # A note, and the status.
    page.locator("#note-body").fill("Photo of the broken jug received.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline-list > li").last).to_contain_text("broken jug")
    page.locator("#change-status").select_option("pending")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#case-header .record-head .state").first).to_have_text("Pending")

    # The order, from the case; its refund action; the request goes back to the case.
    page.locator("#case-header").get_by_role("link", name=order_number).click()
    expect(page).to_have_url(re.compile(rf"/support/orders/{order_id}\?case="))
    page.get_by_role("link", name=re.compile("refund", re.I)).first.click()
    expect(page.locator(".raised-from")).to_contain_text("CAS-20261201-000901")
    page.get_by_label("Amount to refund on Product 2").fill("50.00")
    page.get_by_label("Reason").select_option("damaged")
    page.get_by_role("button", name="Raise refund request").click()
    expect(page).to_have_url(re.compile(rf"/support/cases/{case_id}$"))
    expect(page.locator("#messages")).to_contain_text(re.compile(r"Refund request RR-\d{8}-\d{6}"))
    expect(page.locator(".raised")).to_contain_text("Pending")
    expect(page.locator("#timeline-list")).to_contain_text("raised for USD 50.00")
