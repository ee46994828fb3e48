"""The forms that raise cancellation, return and refund requests from an order."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from mallconsole.core.roles import Role
from mallconsole.models import CancellationRequest, RefundRequest, ReturnRequest, SupportCaseEvent
from mallconsole.services.aftersales import customer_requests as cr
from tests.conftest import csrf_from
from tests.factories.request_orders import make_case, make_order


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def words(node) -> str:
    """A node's text as a reader reads it (money keeps its code apart with a no-break space)."""
    return node.get_text(" ", strip=True).replace("\xa0", " ")


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def agent(login_as):
    return login_as(Role.SUPPORT_AGENT)


def post(client, url, data):
    token = csrf_from(client.get(url).data)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_refund_form_shows_each_line_with_its_ceiling(client, session, agent):
    order, items, payment = make_order(session, captured="80.00")
    page = page_of(client.get(f"/support/orders/{order.id}/refund/new"))
    assert page.find("h1").get_text() == "New refund request"
    text = words(page)
    assert "Can still be refunded: USD 80.00" in text
    rows = page.select(".request-form tbody tr")
    assert [r.find("td").get_text(" ", strip=True) for r in rows][:2] == [
        "Product 1 × 2",
        "Product 2",
    ]
    assert "USD 40.00" in words(rows[0]) and "USD 50.00" in words(rows[1])
    assert page.find("input", id=cr.amount_field(items[0].id)) is not None
    assert page.find("input", id="amount_order") is not None
    reasons = [o["value"] for o in page.select("select#reason_code option")]
    assert reasons == ["", *cr.REFUND.reasons]
    assert "late_delivery" not in page.select_one("select#reason_code").get_text()
    assert page.find("button", string="Raise refund request") is not None


def test_raising_a_refund_redirects_with_a_message(client, session, agent):
    order, items, _ = make_order(session)
    url = f"/support/orders/{order.id}/refund/new"
    response = post(
        client,
        url,
        {cr.amount_field(items[0].id): "12.50", "amount_order": "", "reason_code": "damaged"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/support/orders/{order.id}")
    request = session.scalar(
        select(RefundRequest).where(RefundRequest.shopping_mall_order_id == order.id)
    )
    assert request.total_requested_amount == Decimal("12.50")
    assert request.requested_by_user_id == agent.id
    page = page_of(client.get(response.headers["Location"]))
    message = words(page.select_one("#messages"))
    assert (
        f"Refund request {request.refund_request_number} raised for order {order.order_number}"
        in message
    )
    listed = page.find(string=request.refund_request_number)
    assert listed is not None and "Pending" in listed.find_parent("tr").get_text()


def test_an_amount_over_a_line_ceiling_is_shown_next_to_it_and_keeps_the_input(
    client, session, agent
):
    order, items, _ = make_order(session)
    field = cr.amount_field(items[0].id)
    response = post(
        client,
        f"/support/orders/{order.id}/refund/new",
        {
            field: "40.01",
            cr.amount_field(items[1].id): "3.00",
            "reason_code": "damaged",
            "note": "Box <b>crushed</b>",
        },
    )
    assert response.status_code == 422
    page = page_of(response)
    box = page.find("input", id=field)
    assert box["value"] == "40.01" and box["aria-invalid"] == "true"
    assert "At most USD 40.00 on Product 1" in words(page.find(id=f"{field}-errors"))
    assert page.find("input", id=cr.amount_field(items[1].id))["value"] == "3.00"
    assert (
        page.select_one("textarea#note").get_text().strip() == "Box <b>crushed</b>"
    )  # escaped, kept
    assert page.find("b") is None
    assert "At most USD 40.00" in words(page.select_one(".error-summary"))
    assert page.select_one("select#reason_code option[selected]")["value"] == "damaged"
    assert count(session, RefundRequest) == 0


def test_a_missing_reason_is_shown_next_to_the_reason(client, session, agent):
    order, items, _ = make_order(session)
    response = post(
        client,
        f"/support/orders/{order.id}/refund/new",
        {"amount_order": "1.00", "reason_code": ""},
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "Choose a reason" in page.find(id="reason_code-errors").get_text()
    assert page.find("input", id="amount_order")["value"] == "1.00"


def test_the_return_form_lists_delivered_and_returning_units(client, session, agent):
    order, items, _ = make_order(
        session, status="partially_delivered", lines=((3, "10.00"), (1, "5.00")), delivered={0: 2}
    )
    url = f"/support/orders/{order.id}/return/new"
    page = page_of(client.get(url))
    first = page.find("input", id=cr.quantity_field(items[0].id))
    assert first["max"] == "2" and first["type"] == "number"
    assert page.find("input", id=cr.quantity_field(items[1].id)) is None
    assert "not delivered yet" in page.get_text()
    response = post(client, url, {cr.quantity_field(items[0].id): "3", "reason_code": "damaged"})
    assert response.status_code == 422
    errors = page_of(response).find(id=f"{cr.quantity_field(items[0].id)}-errors").get_text()
    assert "At most 2 of Product 1: 2 delivered, 0 already in a return." in errors
    response = post(client, url, {cr.quantity_field(items[0].id): "2", "reason_code": "wrong_item"})
    assert response.status_code == 303
    request = session.scalar(
        select(ReturnRequest).where(ReturnRequest.shopping_mall_order_id == order.id)
    )
    assert request.reason_code == "wrong_item"
    page = page_of(client.get(url))
    assert "all in a return" in page.get_text()


def test_the_cancellation_form_and_its_refusal_after_shipment(client, session, agent):
    order, _, _ = make_order(session, status="confirmed")
    url = f"/support/orders/{order.id}/cancellation/new"
    assert page_of(client.get(url)).find("button", string="Raise cancellation request")
    assert post(client, url, {"reason_code": "changed_mind"}).status_code == 303
    page = page_of(client.get(url))
    assert "is already open for this order" in page.get_text()
    assert page.find("button", string="Raise cancellation request") is None
    response = post(client, url, {"reason_code": "changed_mind"})
    assert response.status_code == 409
    assert "already open" in page_of(response).select_one(".error-summary").get_text()
    assert count(session, CancellationRequest) == 1
    shipped, _, _ = make_order(session, status="shipped")
    page = page_of(client.get(f"/support/orders/{shipped.id}/cancellation/new"))
    assert "Raise a return instead" in page.get_text()


def test_raised_from_a_case(client, session, agent):
    order, items, _ = make_order(session)
    case = make_case(session, order.shopping_mall_user_id)
    url = f"/support/orders/{order.id}/refund/new?case={case.id}"
    page = page_of(client.get(url))
    assert f"Raised from case {case.case_number}" in page.select_one(".raised-from").get_text(
        " ", strip=True
    )
    assert page.find("input", attrs={"name": "case"})["value"] == case.id
    response = client.post(
        f"/support/orders/{order.id}/refund/new",
        data={
            "csrf_token": csrf_from(page.encode()),
            "case": case.id,
            "amount_order": "9.99",
            "reason_code": "goodwill",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/support/cases/{case.id}")
    event = session.scalar(
        select(SupportCaseEvent).where(SupportCaseEvent.shopping_mall_support_case_id == case.id)
    )
    assert event.event_type == "request_raised" and event.body.endswith("raised for USD\xa09.99")


def test_a_case_of_another_customer_is_refused(client, session, agent):
    order, _, _ = make_order(session)
    other, _, _ = make_order(session)
    case = make_case(session, other.shopping_mall_user_id)
    assert client.get(f"/support/orders/{order.id}/refund/new").status_code == 200  # keeps them
    url = f"/support/orders/{order.id}/refund/new?case={case.id}"
    response = client.get(url)
    assert response.status_code == 422
    page = page_of(response)
    assert "is not about the customer" in page.select_one(".error-summary").get_text()
    assert page.select_one(".raised-from") is None
    without = page.find("a", string="Raise it without a case")
    assert without["href"] == f"/support/orders/{order.id}/refund/new"
    response = client.post(
        f"/support/orders/{order.id}/refund/new",
        data={
            "csrf_token": csrf_from(response.data),
            "case": case.id,
            "amount_order": "1",
            "reason_code": "goodwill",
        },
    )
    assert response.status_code == 422 and count(session, RefundRequest) == 0


def test_the_order_can_be_named_by_its_number(client, session, agent):
    order, _, _ = make_order(session)
    page = page_of(client.get(f"/support/orders/{order.order_number}/refund/new"))
    assert order.order_number in page.find(class_="breadcrumbs").get_text()


@pytest.mark.parametrize("kind", ["cancellation", "return", "refund"])
def test_an_unknown_order_is_404(client, agent, kind):
    response = client.get(f"/support/orders/no-such-order/{kind}/new")
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE_MANAGER, Role.OPERATIONS_MANAGER, Role.SYSTEM_ADMIN])
def test_other_roles_are_refused(client, session, login_as, role):
    order, _, _ = make_order(session)
    login_as(role)
    token = csrf_from(client.get("/account").data)
    for kind in ("cancellation", "return", "refund"):
        url = f"/support/orders/{order.id}/{kind}/new"
        assert client.get(url).status_code == 403
        assert client.post(url, data={"csrf_token": token}).status_code == 403
        assert client.post(url, data={}).status_code == 400  # no CSRF token: malformed
    assert count(session, RefundRequest) == 0


def test_without_csrf_nothing_is_raised(client, session, agent):
    order, _, _ = make_order(session)
    response = client.post(
        f"/support/orders/{order.id}/refund/new",
        data={"amount_order": "1", "reason_code": "goodwill"},
    )
    assert response.status_code == 400
    assert count(session, RefundRequest) == 0


def test_the_forms_run_as_many_queries_for_100_requests_as_for_10(
    client, session, agent, count_queries
):
    from tests.factories.records import build
    from tests.query_counts import assert_constant_queries

    order, items, _ = make_order(session, captured="100000.00")
    order_id, item_id = order.id, items[0].id  # the rows outlive this session's objects

    def add_rows(n):
        for _ in range(n):
            refund = build(
                session, RefundRequest, shopping_mall_order_id=order_id, status="pending",
                reason_code="damaged", total_requested_amount=Decimal("1.00"), currency="USD",
            )  # fmt: skip
            build(
                session, "shopping_mall_refund_items", shopping_mall_refund_request_id=refund.id,
                shopping_mall_order_item_id=item_id, amount=Decimal("0.01"),
                reason_code="damaged",
            )  # fmt: skip
            rma = build(session, ReturnRequest, shopping_mall_order_id=order_id, status="rejected")
            build(
                session, "shopping_mall_return_items", shopping_mall_return_request_id=rma.id,
                shopping_mall_order_item_id=item_id, requested_quantity=1,
            )  # fmt: skip
        session.commit()  # into the test's outer transaction: counting opens an app context

    def read(n):
        for kind in ("refund", "return", "cancellation"):
            response = client.get(f"/support/orders/{order_id}/{kind}/new")
            assert response.status_code == 200, (kind, response.status_code)
            page = page_of(response)
            assert len(page.select("#raised-title + table tbody tr")) == 2 * n, words(page.main)

    small, large = assert_constant_queries(count_queries, add_rows, read)
    assert small == large
