"""Raising a refund request from an order's form in a real browser, as support@demo.mall."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mallconsole.models import RefundRequest
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.request_orders import make_order

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def engine(live_server, live_database):
    engine = create_engine(live_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def delivered_order(engine):
    """A delivered order of two lines (USD 40.00 and 50.00), USD 90.00 captured."""
    with Session(engine) as session:
        order, items, _ = make_order(session)
        session.commit()
        return order.id, order.order_number, items[1].id


def test_an_agent_raises_a_refund_request_and_sees_it(page, engine, delivered_order):
    order_id, order_number, item_id = delivered_order
    sign_in(page, "support@demo.mall")
    expect(page).to_have_url(re.compile(r"/support/$"))
    # from the order screen, its "refund" action opens the form
    page.goto(f"/support/orders/{order_id}")
    page.get_by_role("link", name=re.compile("refund", re.I)).first.click()
    expect(page).to_have_url(re.compile(rf"/support/orders/{order_id}/refund/new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New refund request")
    expect(page.locator(".panel").first).to_contain_text("Can still be refunded")

    # over the line's ceiling: refused next to the field, the input kept
    page.get_by_label("Amount to refund on Product 2").fill("60.00")
    page.get_by_label("Reason").select_option("damaged")
    page.get_by_role("button", name="Raise refund request").click()
    expect(page.locator(f"#amount_{item_id}-errors")).to_contain_text("At most")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Amount to refund on Product 2")).to_have_value("60.00")
    expect(page.get_by_label("Reason")).to_have_value("damaged")

    page.get_by_label("Amount to refund on Product 2").fill("25.00")
    page.get_by_label("Note").fill("The box arrived crushed.")
    page.get_by_role("button", name="Raise refund request").click()
    expect(page.locator("#messages")).to_contain_text(
        re.compile(rf"Refund request RR-\d{{8}}-\d{{6}} raised for order {order_number}")
    )
    # back on the order screen, the request is listed with its state
    expect(page).to_have_url(re.compile(rf"/support/orders/{order_id}$"))
    expect(page.locator('tr[data-request="refund"]')).to_contain_text("Pending")
    with Session(engine) as session:
        request = session.scalar(
            select(RefundRequest).where(RefundRequest.shopping_mall_order_id == order_id)
        )
        assert request.total_requested_amount == Decimal("25.00")
        assert request.reason_note == "The box arrived crushed."
