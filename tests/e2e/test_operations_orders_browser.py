"""An operations manager in Chromium: from the home's count to the held orders, an order
found by its number from the list, put on hold with a reason and released, by keyboard."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mallconsole.models import Order, OrderStatusHistory
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.request_orders import make_order

pytestmark = pytest.mark.e2e
PATH = ("pending_payment", "pending_confirmation", "confirmed")


@pytest.fixture(scope="module")
def confirmed(live_server, live_database):
    engine = create_engine(live_database)
    with Session(engine) as session:
        order, *_ = make_order(session, status="confirmed", history=PATH, captured=None)
        session.commit()
        number = order.order_number
    yield number, engine
    engine.dispose()


def test_hold_and_release_an_order(page, confirmed):
    number, engine = confirmed
    sign_in(page, "ops@demo.mall")
    expect(page).to_have_url(re.compile(r"/operations/$"))
    page.get_by_role("link", name=re.compile("Orders on hold")).click()
    expect(page).to_have_url(re.compile(r"/operations/orders\?queue=on_hold"))
    expect(page.locator("#order-tabs a[aria-current=page]")).to_contain_text("On hold")

    page.goto("/operations/orders")
    page.get_by_label("Order number").fill(number.lower())
    page.get_by_label("Order number").press("Enter")
    expect(page).to_have_url(re.compile(r"/operations/orders/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(number)

    page.get_by_label("Why?").fill("Billing address does not match the card")
    page.get_by_role("button", name="Put on hold").click()
    expect(page.locator("#messages")).to_contain_text(f"{number} is on hold.")
    history = page.locator("section[aria-labelledby=order-history]")
    expect(history).to_contain_text("Billing address does not match the card")

    page.get_by_label("Why?").fill("Customer confirmed by phone")
    page.get_by_label("Why?").press("Tab")
    page.keyboard.press("Enter")  # the focused button: Release the order
    expect(page.locator("#messages")).to_contain_text("it is confirmed again")
    with Session(engine) as session:
        order = session.scalar(select(Order).where(Order.order_number == number))
        steps = session.scalars(
            select(OrderStatusHistory.status)
            .where(OrderStatusHistory.shopping_mall_order_id == order.id)
            .order_by(OrderStatusHistory.recorded_at)
        ).all()
    assert order.status == "confirmed" and steps[-2:] == ["on_hold", "confirmed"]
