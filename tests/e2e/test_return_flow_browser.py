"""A return (RMA) from decision to refund request, in a real browser: ops@demo.mall finds it in
the queue by keyboard, approves it, records the parcel, receives it, inspects its item in
place (a refused amount first), closes it and sees the refund request it raised; the units
are back in stock, and finance@demo.mall finds the request in its refund queue."""

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.models import InventoryRecord, RefundRequest, User
from mallconsole.services.aftersales import customer_requests as cr
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories import returns as rf
from tests.factories.actors import DEMO_PASSWORD, make_staff
from tests.factories.request_orders import make_order

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("RETURN_SHOTS")  # a folder for screenshots of the screens


@pytest.fixture(scope="module")
def engine(live_server, live_database):
    engine = create_engine(live_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(engine):
    """A delivered order (two units of Product 1 at USD 20.00), a return of both raised by
    support, a carrier, and the returns desk of the product's store."""
    with Session(engine) as session:
        for email, role in (("ops@demo.mall", Role.OPERATIONS_MANAGER),
                            ("finance@demo.mall", Role.FINANCE_MANAGER)):  # fmt: skip
            if session.scalar(select(User).where(User.email == email)) is None:
                make_staff(session, email, [role], password=DEMO_PASSWORD, name="Olga Operations"
                           if role is Role.OPERATIONS_MANAGER else None)  # fmt: skip
        agent = session.scalar(select(User).where(User.email == "support@demo.mall"))
        order, items, _ = make_order(session, lines=((2, "20.00"),), captured="40.00")
        rma = cr.raise_return(session, order.id, {items[0].id: "2"}, reason_code="damaged",
                              note="Both arrived scratched.", actor=agent)  # fmt: skip
        carrier = rf.carrier(session, "Swift Post")
        desk = rf.location(session, items[0], name="Returns desk", code="RET")
        session.commit()
        return {"rma": rma.rma_code, "return_id": rma.id, "sku": items[0].shopping_mall_sku_id,
                "desk": desk.id, "carrier": carrier.name}  # fmt: skip


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_return_from_decision_to_refund_request(browser, live_server, engine, world):
    ops = browser.new_context(base_url=live_server).new_page()
    number = world["rma"]

    # The queue: found by keyboard (j selects the row, Enter opens it).
    sign_in(ops, "ops@demo.mall")
    expect(ops).to_have_url(re.compile(r"/operations/$"))
    ops.get_by_role("link", name="Returns", exact=True).first.click()
    expect(ops).to_have_url(re.compile(r"/operations/returns$"))
    expect(ops.locator("#return-tabs [aria-current=page]")).to_contain_text("To decide")
    expect(ops.locator("#listing")).to_contain_text(number)
    shot(ops, "return_queue")
    ops.keyboard.press("j")
    ops.keyboard.press("Enter")
    expect(ops.get_by_role("heading", level=1)).to_contain_text(number)
    expect(ops.locator(".record-head")).to_contain_text("Pending")

    # Approve both units.
    expect(ops.get_by_label("Units of Product 1 to approve")).to_have_value("2")
    shot(ops, "return_pending")
    ops.get_by_role("button", name="Approve return").click()
    expect(ops.locator("#messages")).to_contain_text(f"Return {number}: approved 2 units of 2")
    expect(ops.locator(".record-head")).to_contain_text("Approved")

    # The parcel: a tracking number refused first, then recorded.
    ops.get_by_label("Carrier").select_option(label=world["carrier"])
    ops.get_by_label("Tracking number").fill("no spaces please")
    ops.get_by_role("button", name="Record the parcel").click()
    expect(ops.locator(".shipment-form .error-summary")).to_contain_text("tracking number")
    expect(ops.get_by_label("Tracking number")).to_have_value("no spaces please")
    ops.get_by_label("Tracking number").fill("SP-1234567")
    ops.get_by_role("button", name="Record the parcel").click()
    expect(ops.locator(".record-head")).to_contain_text("On its way back")
    expect(ops.locator("#parcel")).to_contain_text("SP-1234567")
    ops.get_by_role("button", name="Mark received").click()
    expect(ops.locator(".record-head")).to_contain_text("Received")
    expect(ops.locator("#messages")).to_contain_text("inspect its 2 units")

    # Inspect in place: too much refused in its form, then passed for USD 38.00.
    inspection = ops.locator("#inspection")
    inspection.get_by_label("Condition").select_option(label="Opened")
    inspection.get_by_label("Passed").check()
    inspection.get_by_label("Amount to refund").fill("45.00")
    inspection.get_by_role("button", name="Save inspection").click()
    expect(inspection.locator(".error-summary")).to_contain_text("At most USD 40.00")
    expect(inspection.get_by_label("Amount to refund")).to_have_value("45.00")
    expect(ops.locator(".record-head")).to_contain_text("Received")  # the rest of the page stays
    inspection.get_by_label("Amount to refund").fill("38.00")
    inspection.get_by_role("button", name="Save inspection").click()
    expect(ops.locator("#messages")).to_contain_text("Inspected Product 1: passed, opened")
    expect(ops.locator("#return-items")).to_contain_text("USD 38.00")
    expect(ops.locator(".timeline")).to_contain_text("Return inspected")
    shot(ops, "return_inspected")

    # Close: the dialog names the amount; the refund request's number is on the screen.
    ops.get_by_label(re.compile("back in stock at")).select_option(label="Returns desk (RET)")
    ops.get_by_role("button", name="Close return…").click()
    confirm = ops.get_by_role("dialog")
    expect(confirm).to_contain_text(f"Close {number}?")
    expect(confirm).to_contain_text("USD 38.00")
    confirm.get_by_role("button", name="Close return", exact=True).click()
    expect(ops.locator(".record-head")).to_contain_text("Closed")
    with Session(engine) as session:
        refund = session.scalars(
            select(RefundRequest).where(
                RefundRequest.shopping_mall_return_request_id == world["return_id"]
            )
        ).one()
        stock = session.scalars(
            select(InventoryRecord).where(
                InventoryRecord.shopping_mall_sku_id == world["sku"],
                InventoryRecord.shopping_mall_inventory_location_id == world["desk"],
            )
        ).one()
        assert (refund.reason_code, refund.status) == ("returned", "pending")
        assert stock.on_hand == 2
    rr = refund.refund_request_number
    expect(ops.locator("#messages")).to_contain_text(f"refund request {rr} raised for USD 38.00")
    expect(ops.locator("#refund-raised")).to_contain_text(rr)
    expect(ops.locator("#refund-raised")).to_contain_text("USD 38.00")
    expect(ops.get_by_role("button", name="Close return…")).to_have_count(0)
    shot(ops, "return_closed")

    # Finance finds it in its queue, raised for the return.
    finance = browser.new_context(base_url=live_server).new_page()
    sign_in(finance, "finance@demo.mall")
    expect(finance).to_have_url(re.compile(r"/finance/$"))
    finance.goto("/finance/refunds")
    expect(finance.locator("#listing")).to_contain_text(rr)
    finance.get_by_role("link", name=rr).click()
    expect(finance.get_by_role("heading", level=1)).to_contain_text(rr)
    expect(finance.locator("body")).to_contain_text(number)
    shot(finance, "finance_refund_of_return")
    for page in (ops, finance):
        page.context.close()
