"""Finance's read-only order screen (the order template and read service every area shares,
without support's actions) and the refund list's links to it."""

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from tests.conftest import csrf_from
from tests.finance.test_refund_views import raise_one, words
from tests.support.customer_world import add_order_details, add_orders, make_customer


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def order(session):
    user, _role, address = make_customer(session, name="Ana Collins")
    (order,) = add_orders(session, user, address, 1)
    add_order_details(session, order, count=2)
    session.commit()  # kept whatever the requests in between do with the session
    return order


def test_the_order_screen_is_the_shared_one_without_support_actions(client, login_as, order):
    login_as(Role.FINANCE_MANAGER)
    for reference in (order.id, order.order_number, order.order_number.lower()):
        response = client.get(f"/finance/orders/{reference}")
        assert response.status_code == 200, reference
    page = page_of(response)
    assert order.order_number in words(page.find("h1"))
    for section in ("order-totals", "order-history", "order-items", "order-payment",
                    "order-requests", "order-shipments"):  # fmt: skip
        assert page.find(id=section) is not None, section
    assert "Customer Ana Collins" in words(page.select_one(".record-summary"))
    # read-only: no request to raise, no form of any kind in the page's content
    assert page.select(".record-actions") == []
    assert page.select_one("main").find("form") is None
    assert "/support/" not in str(page.select_one("main"))
    assert [a.get_text() for a in page.select(".breadcrumbs a")] == ["Finance", "Refunds"]


@pytest.mark.parametrize(
    "reference",
    ["ORD-20990101-000001", "00000000-0000-0000-0000-000000000000", "nope", "x" * 300,
     "ORD%00", "..%2F..%2Fadmin", "ORD-2026'--"],
)  # fmt: skip
def test_unknown_or_invalid_orders_are_404(client, login_as, reference):
    login_as(Role.FINANCE_MANAGER)
    assert client.get(f"/finance/orders/{reference}").status_code == 404


def test_only_finance_may_open_it(client, login_as, order):
    """Every other role is refused, htmx too (the area's rule)."""
    for role in (Role.SUPPORT_AGENT, Role.OPERATIONS_MANAGER, Role.CONTENT_MODERATOR,
                 Role.SYSTEM_ADMIN):  # fmt: skip
        login_as(role)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(f"/finance/orders/{order.id}", headers=headers)
            assert response.status_code == 403, (role, headers)
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").data)})


def test_anonymous_readers_sign_in_first(client, order):
    response = client.get(f"/finance/orders/{order.id}")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_the_refund_list_links_each_order_and_names_its_customer(client, session, login_as):
    from tests.services.test_refund_decisions import make_threshold

    make_threshold(session, "250.00")
    from tests.factories.actors import make_staff

    agent = make_staff(session, "raiser-orders@test.mall", (Role.SUPPORT_AGENT,))
    customer, _role, _address = make_customer(session, name="Mina Park", email="mina@c.test")
    request, order, *_ = raise_one(session, agent, customer=customer)
    login_as(Role.FINANCE_MANAGER)
    page = page_of(client.get("/finance/refunds"))
    headers = [words(th) for th in page.select("#listing thead th")]
    assert headers[:4] == ["Request", "Order", "Customer", "Store"]
    row = next(
        tr for tr in page.select("#listing tbody tr") if request.refund_request_number in words(tr)
    )
    link = row.select_one("td.order a")
    assert words(link) == order.order_number
    assert link["href"] == f"/finance/orders/{order.order_number}"
    assert words(row.select_one("td.customer")) == "Mina Park"
    assert client.get(link["href"]).status_code == 200
    # The refund's own screen links the same order screen.
    screen = page_of(client.get(f"/finance/refunds/{request.refund_request_number}"))
    links = [a["href"] for a in screen.select("a[href^='/finance/orders/']")]
    assert links == [f"/finance/orders/{order.order_number}"]
