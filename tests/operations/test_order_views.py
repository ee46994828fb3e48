"""The operations order list (tabs, filters, the number look-up, bad input) and the order
screen's hold / review / release actions, with their refusals shown in place."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import utcnow
from tests.conftest import csrf_from
from tests.factories.request_orders import make_order
from tests.tab_polls import counts_of, polled_tabs

PATH = ("pending_payment", "pending_confirmation", "confirmed")


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def numbers(page):
    return [a.get_text() for a in page.select("#listing tbody a.number")]


@pytest.fixture
def ops(login_as):
    return login_as(Role.OPERATIONS_MANAGER)


@pytest.fixture
def orders(session):
    confirmed, *_ = make_order(session, status="confirmed", history=PATH, lines=((1, "30.00"),))
    held, *_ = make_order(session, status="on_hold", history=(*PATH, "on_hold"),
                          lines=((2, "400.00"),))  # fmt: skip
    held.business_status = "payment_risk_review"
    for order in (confirmed, held):
        order.shipping_country = "DE" if order is held else "US"
    expiring, *_ = make_order(session, status="pending_payment", history=PATH[:1], captured=None)
    expiring.expires_at = utcnow() + timedelta(minutes=20)
    expired, *_ = make_order(session, status="pending_payment", history=PATH[:1], captured=None)
    expired.expires_at = utcnow() - timedelta(minutes=5)
    session.flush()
    return {"confirmed": confirmed, "held": held, "expiring": expiring, "expired": expired}


def test_the_tabs_list_their_orders_with_counts(client, ops, orders):
    page = page_of(client.get("/operations/orders"))
    assert set(numbers(page)) >= {o.order_number for o in orders.values()}
    tabs = page.select_one("#order-tabs")
    counts = counts_of(polled_tabs(client, tabs), "tab")
    assert counts["on_hold"] == "1" and counts["expiring"] == "1" and counts["current"] == "all"

    held = page_of(client.get("/operations/orders?queue=on_hold"))
    assert numbers(held) == [orders["held"].order_number]
    assert "Payment risk review" in held.select_one("#listing tbody").get_text()
    expiring = page_of(client.get("/operations/orders?queue=expiring"))
    # due within the hour, not yet expired (the expiry job cancels the other)
    assert numbers(expiring) == [orders["expiring"].order_number]
    assert expiring.select_one("#listing th[aria-sort]").get_text(strip=True).startswith("Expires")


@pytest.mark.parametrize(
    ("query", "wanted"),
    [("status=confirmed", {"confirmed"}), ("min_amount=500", {"held"}),
     ("max_amount=30", {"confirmed"}), ("business_status=payment_risk_review", {"held"}),
     ("country=DE", {"held"}), ("country=de", {"held"}), ("country=US&min_amount=700", set()),
     ("currency=EUR", set())],
)  # fmt: skip
def test_filters_narrow_the_list(client, ops, orders, query, wanted):
    page = page_of(client.get(f"/operations/orders?{query}"))
    shown = set(numbers(page)) & {o.order_number for o in orders.values()}
    assert shown == {orders[name].order_number for name in wanted}


def test_a_whole_order_number_opens_the_order(client, ops, orders):
    number = orders["held"].order_number
    response = client.get(f"/operations/orders?q={number.lower()}")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/operations/orders/{orders['held'].id}"
    )
    htmx = client.get(f"/operations/orders?q={number}", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].endswith(orders["held"].id)
    missing = page_of(client.get("/operations/orders?q=ORD-19990101-000001"))
    assert "No order has the number ORD-19990101-000001" in missing.get_text()


@pytest.mark.parametrize(
    "query",
    ["queue=lost", "status=flying", "min_amount=lots", "min_amount=1e400", "since=2026-13-01",
     "since=2026-05-02&until=2026-05-01", "after=forged", "sort=-colour", "limit=7",
     "country=Germany", "currency=XXX"],
)  # fmt: skip
def test_bad_list_input_is_a_400_with_words(client, ops, query):
    response = client.get(f"/operations/orders?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_other_roles_get_403(client, login_as):
    login_as(Role.CONTENT_MODERATOR)
    assert client.get("/operations/orders").status_code == 403


def post_status(client, order, move, reason, version=None):
    url = f"/operations/orders/{order.order_number}"
    token = csrf_from(client.get(url).data)
    return client.post(f"{url}/status", data={
        "csrf_token": token, "move": move, "reason": reason,
        "version": order.version if version is None else version,
    })  # fmt: skip


def test_hold_and_release_from_the_order_screen(client, ops, orders, session):
    order = orders["confirmed"]
    page = page_of(client.get(f"/operations/orders/{order.order_number}"))
    buttons = [b["value"] for b in page.select("#order-status button[name=move]")]
    assert buttons == ["on_hold", "under_review"]

    held = post_status(client, order, "on_hold", "Card country differs from shipping")
    assert held.status_code == 303
    page = page_of(client.get(held.headers["Location"]))
    assert f"{order.order_number} is on hold." in page.select_one("#messages").get_text()
    section = page.select_one("section[aria-labelledby=order-history]")
    assert "Card country differs from shipping" in section.get_text(" ", strip=True)
    assert section.select(".timeline-entry")[-1].select_one(".person")["title"] == ops.email
    assert [b["value"] for b in page.select("#order-status button[name=move]")] == ["release"]

    released = post_status(client, order, "release", "Customer verified")
    assert released.status_code == 303
    session.refresh(order)
    assert order.status == "confirmed" and order.business_status is None


def test_a_hold_without_a_reason_is_refused_in_place(client, ops, orders, session):
    order = orders["confirmed"]
    response = post_status(client, order, "on_hold", "  ")
    assert response.status_code == 422
    page = page_of(response)
    assert page.select_one("#order-status .error-summary") is not None
    assert page.select_one("#order-status [aria-invalid=true]")["name"] == "reason"
    session.refresh(order)
    assert order.status == "confirmed"


def test_a_stale_hold_shows_what_changed(client, ops, orders, session):
    order = orders["confirmed"]
    seen = order.version
    assert post_status(client, order, "on_hold", "First look").status_code == 303
    response = post_status(client, order, "release", "Second look", version=seen)
    assert response.status_code == 409
    assert page_of(response).select_one("#order-status .stale") is not None
    session.refresh(order)
    assert order.status == "on_hold"


def test_an_illegal_move_is_a_409_and_a_missing_version_a_422(client, ops, orders, session):
    done, *_ = make_order(session, status="completed", history=("completed",))
    assert post_status(client, done, "on_hold", "Too late").status_code == 409
    assert post_status(client, orders["confirmed"], "on_hold", "x", version="").status_code == 422


def test_a_lead_with_both_roles_may_hold_orders(client, login_as, orders):
    login_as(Role.SUPPORT_AGENT, Role.OPERATIONS_MANAGER)
    page = page_of(client.get(f"/operations/orders/{orders['confirmed'].order_number}"))
    assert page.select_one("#order-status button[value=on_hold]") is not None


def test_amounts_read_as_decimals(client, ops, orders):
    page = page_of(client.get("/operations/orders?min_amount=799.99&max_amount=800"))
    assert orders["held"].order_number in numbers(page)
    assert orders["held"].grand_total == Decimal("800.00")
