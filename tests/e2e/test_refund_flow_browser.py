"""A refund above the threshold from raise to money moved, in real browsers: support raises it
from a case, finance@demo.mall gives the first approval and cannot give the second,
finance2@demo.mall approves from the inbox and executes it once; the case shows it all."""

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.models import Configuration, PaymentRefund, RefundRequest, SellerLedgerEntry, User
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.actors import DEMO_PASSWORD, make_staff
from tests.factories.request_orders import make_case, make_order

pytestmark = pytest.mark.e2e
KEY = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
SHOTS = os.environ.get("REFUND_SHOTS")  # a folder for screenshots of the screens


@pytest.fixture(scope="module")
def engine(live_server, live_database):
    engine = create_engine(live_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(engine):
    """A delivered order of one USD 300.00 line, all captured, a case of its customer, the
    two finance managers and a USD 250.00 threshold."""
    with Session(engine) as session:
        for email in ("finance@demo.mall", "finance2@demo.mall"):
            if session.scalar(select(User).where(User.email == email)) is None:
                make_staff(session, email, [Role.FINANCE_MANAGER], password=DEMO_PASSWORD)
        row = session.scalar(select(Configuration).where(Configuration.key == KEY))
        if row is None:
            session.add(Configuration(key=KEY, value="250.00"))
        else:
            row.value = "250.00"
        order, items, _ = make_order(session, lines=((1, "300.00"),), captured="300.00")
        case = make_case(session, order.shopping_mall_user_id)
        session.commit()
        return {"order": order.id, "case": case.id, "case_number": case.case_number}


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_refund_over_the_threshold_from_raise_to_money_moved(browser, live_server, engine, world):
    support = browser.new_context(base_url=live_server).new_page()
    first = browser.new_context(base_url=live_server).new_page()
    second = browser.new_context(base_url=live_server).new_page()

    # Support raises USD 300.00 from the case.
    sign_in(support, "support@demo.mall")
    expect(support).to_have_url(re.compile(r"/support/$"))
    support.goto(f"/support/orders/{world['order']}/refund/new?case={world['case']}")
    support.get_by_label("Amount to refund on Product 1").fill("300.00")
    support.get_by_label("Reason").select_option("damaged")
    support.get_by_role("button", name="Raise refund request").click()
    expect(support).to_have_url(re.compile(rf"/support/cases/{world['case']}$"))
    with Session(engine) as session:
        number = session.scalar(
            select(RefundRequest.refund_request_number).where(
                RefundRequest.shopping_mall_order_id == world["order"]
            )
        )

    # finance@demo.mall finds it in the queue and gives the first approval.
    sign_in(first, "finance@demo.mall")
    expect(first).to_have_url(re.compile(r"/finance/$"))
    first.get_by_role("link", name="Refunds").first.click()
    expect(first).to_have_url(re.compile(r"/finance/refunds$"))
    shot(first, "refund_queue")
    first.get_by_role("link", name=number).click()
    expect(first.get_by_role("heading", level=1)).to_contain_text(number)
    expect(first.locator("#refund-room")).to_contain_text("Left for this request")
    shot(first, "refund_pending")
    expect(first.get_by_label("Amount to refund")).to_have_value("300.00")
    first.get_by_role("button", name="Approve", exact=True).click()
    expect(first.locator("#messages")).to_contain_text("First approval given for USD 300.00")
    expect(first.locator(".record-head")).to_contain_text("Pending second approval")
    expect(first.locator("#decide")).to_contain_text("you cannot give both")
    shot(first, "refund_second_approval")

    # ... and cannot give the second one: nothing waits for them, the request offers no Approve.
    first.goto("/finance/approvals")
    expect(first.locator("a.nav-badge")).to_have_attribute("data-count", "0")
    first.goto(f"/finance/refunds/{number}")
    first.get_by_role("link", name="Open the approval request").click()
    expect(first.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)

    # finance2@demo.mall approves from the inbox.
    sign_in(second, "finance2@demo.mall")
    expect(second).to_have_url(re.compile(r"/finance/$"))
    second.goto("/finance/approvals")
    row = second.locator("tbody[id^=approval-]").filter(has_text=number)
    expect(row).to_contain_text("Refund over the approval threshold")
    expect(row).to_contain_text("USD 300.00")
    row.get_by_role("button", name="Decide").click()  # the change and the decision, in place
    expect(row.locator(".change-table .after").last).to_have_text("USD\u00a0300.00")
    row.get_by_role("button", name=re.compile("^Approve")).click()
    expect(row).to_contain_text("Approved and carried out")
    expect(second.locator("#messages")).to_contain_text(f"{number} is approved for USD 300.00")

    # ... then executes it, once.
    second.goto(f"/finance/refunds/{number}")
    expect(second.locator(".record-head")).to_contain_text("Approved")
    shot(second, "refund_approved")
    second.get_by_label("Back to the original payment").check()
    second.get_by_role("button", name="Execute refund…").click()  # money moves: confirm first
    confirm = second.get_by_role("dialog")
    expect(confirm).to_contain_text(f"Execute {number}?")
    expect(confirm).to_contain_text("USD 300.00")
    confirm.get_by_role("button", name="Execute refund", exact=True).click()
    expect(second.locator("#messages")).to_contain_text(
        f"{number} is executed: USD 300.00 to the original payment."
    )
    expect(second.locator(".record-head")).to_contain_text("Executed")
    expect(second.get_by_role("button", name=re.compile("^Execute refund"))).to_have_count(0)
    expect(second.locator("#previous-refunds")).to_contain_text("This request")
    expect(second.locator(".timeline")).to_contain_text("Executed")
    shot(second, "refund_executed")
    with Session(engine) as session:
        request_id = session.scalar(
            select(RefundRequest.id).where(RefundRequest.refund_request_number == number)
        )
        refunds = session.scalar(
            select(func.count())
            .select_from(PaymentRefund)
            .where(PaymentRefund.shopping_mall_refund_request_id == request_id)
        )
        debits = session.scalar(
            select(func.count())
            .select_from(SellerLedgerEntry)
            .where(
                SellerLedgerEntry.shopping_mall_order_id == world["order"],
                SellerLedgerEntry.entry_type == "refund",
            )
        )
        assert (refunds, debits) == (1, 1)

    # The case's timeline tells the story.
    support.goto(f"/support/cases/{world['case']}")
    timeline = support.locator("body")
    expect(timeline).to_contain_text(f"Refund request {number}: first approval for USD 300.00")
    expect(timeline).to_contain_text(f"Refund request {number} approved for USD 300.00")
    expect(timeline).to_contain_text(
        f"Refund request {number} executed: USD 300.00 to the original payment."
    )
    shot(support, "case_timeline")
    for page in (support, first, second):
        page.context.close()
