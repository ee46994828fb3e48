"""The case screen in Chromium: an agent replies with a canned reply, adds an internal note and
changes the status; a second agent on the same case sees the first one there, and changing
the status from the page it opened before is refused with what changed."""

import pytest
from playwright.sync_api import expect

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import CannedReply, Order, SupportCase, SupportCaseEvent, User, utcnow
from tests.databases import make_test_app
from tests.factories.actors import DEMO_PASSWORD, make_customer, make_staff
from tests.factories.records import build

pytestmark = pytest.mark.e2e

POLL_NOW = """() => new Promise((resolve) => {
  const line = document.querySelector("[data-presence]");
  line.addEventListener("htmx:afterRequest", () => setTimeout(resolve, 0), {once: true});
  htmx.trigger(line, "presence-typing");
})"""


@pytest.fixture(scope="module")
def case_number(live_server, live_database, tmp_path_factory):
    """A committed case with a customer, an order and a canned reply; support2 on staff."""
    app = make_test_app(live_database, tmp_path_factory.mktemp("case-screen"), "e2e-secret-key")
    with app.app_context():
        session = db.session
        if session.query(User).filter_by(email="support2@demo.mall").first() is None:
            make_staff(session, "support2@demo.mall", [Role.SUPPORT_AGENT], password=DEMO_PASSWORD)
        customer = make_customer(session, "ana-browser@example.com", name="Ana Collins")
        order = build(session, Order, order_number="ORD-20261120-000077")
        case = build(
            session, SupportCase, case_number="CAS-20261121-000777", subject="Parcel never arrived",
            status="open", priority="normal", category="shipping", origin_channel="email",
            customer_user_id=customer.id, order_id=order.id,
        )  # fmt: skip
        build(
            session, SupportCaseEvent, shopping_mall_support_case_id=case.id,
            actor_user_id=customer.id, event_type="customer_message", visibility="public",
            body="Where is my parcel? <script>alert(1)</script>", occurred_at=utcnow(),
        )  # fmt: skip
        build(
            session, CannedReply, title="Where is my order", category="shipping",
            body="Hello {customer_name}, your order {order_number} is with the carrier.",
        )  # fmt: skip
        session.commit()
        session.remove()
        db.engine.dispose()
    return "CAS-20261121-000777"


def signed_in(browser, live_server, email, problems):
    page = browser.new_context(base_url=live_server).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/support/")
    return page


def test_working_a_case_and_meeting_a_colleague_on_it(browser, live_server, case_number):
    problems: list[str] = []
    sam = signed_in(browser, live_server, "support@demo.mall", problems)
    sam.goto(f"/support/cases/{case_number}")
    expect(sam.locator("#case-header h1")).to_contain_text("Parcel never arrived")
    # The customer's hostile text is text.
    expect(sam.locator(".entry-customer_message .entry-body")).to_have_text(
        "Where is my parcel? <script>alert(1)</script>"
    )

    # The second agent opens the same case now: the page it will act from later.
    sasha = signed_in(browser, live_server, "support2@demo.mall", problems)
    sasha.goto(f"/support/cases/{case_number}")
    sasha.wait_for_selector("[data-presence]")
    sam.evaluate(POLL_NOW)
    expect(sam.locator("[data-presence]")).to_contain_text("support2 is viewing")

    # Reply with a canned reply, found with Ctrl-/ and edited before sending.
    sam.locator("body").press("Control+/")
    expect(sam.locator("#canned-q")).to_be_focused()
    sam.keyboard.type("where")
    sam.locator(".canned-choice").first.click()
    reply = sam.locator("#reply-body")
    expect(reply).to_have_value(
        "Hello Ana Collins, your order ORD-20261120-000077 is with the carrier."
    )
    reply.press("End")
    reply.type(" It should arrive tomorrow.")
    sam.get_by_role("button", name="Send reply").click()
    last = sam.locator("#timeline-list > li").last
    expect(last).to_contain_text("Reply to the customer")
    expect(last).to_contain_text("It should arrive tomorrow.")
    expect(last.locator(".visibility")).to_have_text("Public")
    expect(reply).to_have_value("")

    # An internal note.
    sam.locator("#note-body").fill("Carrier says the depot lost the label.")
    sam.get_by_role("button", name="Add note").click()
    expect(sam.locator("#timeline-list > li").last).to_contain_text("depot lost the label")
    expect(sam.locator("#timeline-list > li").last.locator(".visibility")).to_have_text("Internal")

    # The status, in place.
    sam.locator("#change-status").select_option("pending")
    sam.get_by_role("button", name="Change status").click()
    expect(sam.locator("#case-header .record-head .state").first).to_have_text("Pending")
    expect(sam.locator("#messages")).to_contain_text("Status changed to Pending.")
    expect(sam.locator("#timeline-list > li").last).to_contain_text("Open → Pending")

    # The colleague's page is stale: changing the status from it is refused with what changed.
    sasha.locator("#change-status").select_option("on_hold")
    sasha.get_by_role("button", name="Change status").click()
    stale = sasha.locator("#case-header .stale")
    expect(stale).to_contain_text("Changed by someone else")
    expect(stale.locator("tbody tr").first).to_contain_text("Status")
    expect(stale.locator("tbody tr").first).to_contain_text("Pending")
    expect(stale.locator("tbody tr .person").first).to_have_attribute("title", "support@demo.mall")
    expect(sasha.locator("#change-status")).to_have_value("on_hold")  # the choice is kept
    assert problems == [], problems
