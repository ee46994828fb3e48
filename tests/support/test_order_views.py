"""Support's read-only order screen: every section in words, by id or number, fixed queries."""

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import Order
from tests.support.customer_world import add_order_details, add_orders, make_customer


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def order(session):
    user, _role, address = make_customer(session)
    (order,) = add_orders(session, user, address, 1)
    add_order_details(session, order, count=2)
    session.commit()  # kept whatever the requests in between do with the session
    return order.id, order.order_number, user.id


def test_every_section_shows_in_words(client, login_as, order):
    login_as(Role.SUPPORT_AGENT)
    order_id, number, customer_id = order
    response = client.get(f"/support/orders/{order_id}")
    assert response.status_code == 200
    page = page_of(response)
    text = page.get_text(" ").replace("\xa0", " ")
    assert page.find("h1").get_text(strip=True) == number
    assert "Delivered" in page.select_one(".record-head").get_text()
    assert page.select_one(f'.record-summary a[href="/support/customers/{customer_id}"]')
    assert "Colour: teal, Size: M" in text and "Rain jacket 1" in text
    assert "Pending payment" in page.select_one("#order-history").find_parent("section").get_text()
    assert "Partially refunded" in text and "Authorization" in text and "Capture" in text
    link = page.select_one(".shipment a[href^='https://www.ups.com/track']")
    assert link["rel"] == ["noopener", "noreferrer"]
    assert "Picked up" in page.select_one(".carrier-events").get_text()
    requests = page.select("tr[data-request=refund]")
    assert len(requests) == 2 and "Pending second approval" in requests[0].get_text()
    assert "Where is my parcel?" in text
    for raw in ("pending_second_approval", "partially_refunded", "picked_up"):
        assert raw not in text


def test_an_order_opens_by_its_number_and_unknown_ones_are_404(client, login_as, order):
    login_as(Role.SUPPORT_AGENT)
    assert client.get(f"/support/orders/{order[1]}").status_code == 200
    assert client.get("/support/orders/ORD-19990101-000001").status_code == 404


def test_request_buttons_wait_for_the_request_screens(client, login_as, order, app):
    """Raising requests is another part of the support console: no button links nowhere."""
    login_as(Role.SUPPORT_AGENT)
    page = page_of(client.get(f"/support/orders/{order[0]}?case=CAS-20261101-000001"))
    installed = "support.request_refund" in app.view_functions
    assert bool(page.select(".record-actions a")) == installed
    if installed:
        assert "case=CAS-20261101-000001" in page.select_one(".record-actions a")["href"]
    assert client.get(f"/support/orders/{order[0]}?case=<script>").status_code == 400


def test_hostile_content_shows_as_text(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    order = session.get(Order, add_orders(session, *_customer(session), 1)[0].id)
    add_order_details(session, order, count=1)
    order.shipping_city = "<script>alert(1)</script>"
    session.commit()
    body = client.get(f"/support/orders/{order.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _customer(session):
    user, _role, address = make_customer(session, name="Ana Collins")
    return user, address


@pytest.mark.parametrize(
    "role", [Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR, Role.OPERATIONS_MANAGER]
)
def test_other_roles_are_refused(client, login_as, order, role):
    login_as(role)
    assert client.get(f"/support/orders/{order[0]}").status_code == 403


def test_the_screen_costs_the_same_queries_for_2_or_20_of_everything(
    client, session, login_as, count_queries
):
    login_as(Role.SUPPORT_AGENT)
    user, _role, address = make_customer(session)
    small, large = add_orders(session, user, address, 2)
    add_order_details(session, small, count=2)
    add_order_details(session, large, count=20)
    ids = small.id, large.id
    session.commit()
    with count_queries() as few:
        assert client.get(f"/support/orders/{ids[0]}").status_code == 200
    with count_queries() as many:
        assert client.get(f"/support/orders/{ids[1]}").status_code == 200
    assert len(few) == len(many), many
