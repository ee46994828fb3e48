"""A cancellation in Chromium as ops@demo.mall: from the home's count to the request, approved
while nothing has shipped, executed, and the refund request raised for finance named."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.models import Order, RefundRequest, User
from mallconsole.services.aftersales import customer_requests as cr
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.actors import make_staff
from tests.factories.request_orders import make_order

pytestmark = pytest.mark.e2e
PATH = ("pending_payment", "pending_confirmation", "confirmed")


@pytest.fixture(scope="module")
def waiting(live_server, live_database):
    engine = create_engine(live_database)
    with Session(engine) as session:
        agent = session.scalar(select(User).where(User.email == "support@demo.mall"))
        agent = agent or make_staff(session, "support@demo.mall", [Role.SUPPORT_AGENT])
        order, _, _ = make_order(session, status="confirmed", history=PATH, captured="45.00")
        request = cr.raise_cancellation(session, order.id, reason_code="changed_mind",
                                        note="Bought it twice", actor=agent)  # fmt: skip
        session.commit()
        found = (request.cancellation_request_number, order.id)
    yield found, engine
    engine.dispose()


def test_approve_and_execute_a_cancellation(page, waiting):
    (number, order_id), engine = waiting
    sign_in(page, "ops@demo.mall")
    page.get_by_role("link", name="Cancellations to decide").click()
    expect(page).to_have_url(re.compile(r"/operations/cancellations\?queue=pending"))
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    page.get_by_role("button", name="Approve the cancellation").click()
    expect(page.locator("#messages")).to_contain_text(f"{number} is approved")
    expect(page.locator("#next-move")).to_contain_text("USD\xa045.00")
    page.get_by_role("button", name="Cancel the order now").click()
    expect(page.locator("#messages")).to_contain_text("is canceled; refund request RR-")
    raised = page.locator("#raised-refund").inner_text()
    with Session(engine) as session:
        assert session.scalar(select(Order.status).where(Order.id == order_id)) == "canceled"
        refund = session.scalar(
            select(RefundRequest).where(RefundRequest.refund_request_number == raised)
        )
    assert refund is not None and refund.reason_code == "canceled"
