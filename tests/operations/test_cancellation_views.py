"""The cancellation queue and screen: tabs, the next move in place, refusals with their words
and statuses, and who may act."""

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import InventoryReservation, utcnow
from mallconsole.services.aftersales import customer_requests as cr
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.request_orders import make_order

PATH = ("pending_payment", "pending_confirmation", "confirmed")


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def ops(login_as):
    return login_as(Role.OPERATIONS_MANAGER)


@pytest.fixture
def request_(session):
    agent = make_staff(session, "cancel-view-agent@test.mall", (Role.SUPPORT_AGENT,))
    order, _, _ = make_order(session, status="confirmed", history=PATH, captured="90.00")
    build(session, InventoryReservation, shopping_mall_order_id=order.id, status="active",
          quantity=1, reservation_expires_at=utcnow())  # fmt: skip
    return cr.raise_cancellation(session, order.id, reason_code="late", note="", actor=agent)


def post(client, request_, action, **data):
    url = f"/operations/cancellations/{request_.cancellation_request_number}"
    token = csrf_from(client.get(url).data)
    return client.post(f"{url}/{action}", data={"csrf_token": token, **data})


def test_the_queue_shows_the_request_to_decide(client, ops, request_):
    page = page_of(client.get("/operations/cancellations"))
    assert request_.cancellation_request_number in page.select_one("#listing tbody").get_text()
    tabs = {a["data-tab"]: a for a in page.select("#cancellation-tabs a")}
    assert tabs["pending"]["aria-current"] == "page"
    assert tabs["pending"].select_one(".count")["data-count"] == "1"


def test_approve_then_execute_from_the_screen(client, ops, request_, session):
    response = post(client, request_, "approve", version=request_.version)
    assert response.status_code == 303
    page = page_of(client.get(response.headers["Location"]))
    assert "is approved" in page.select_one("#messages").get_text()
    assert "USD\xa090.00" in page.select_one("#next-move").get_text()
    session.refresh(request_)
    response = post(client, request_, "execute", version=request_.version)
    assert response.status_code == 303
    page = page_of(client.get(response.headers["Location"]))
    assert "is canceled; refund request RR-" in page.select_one("#messages").get_text()
    assert page.select_one("#raised-refund").get_text().startswith("RR-")


def test_a_reject_without_a_reason_is_refused_in_place(client, ops, request_):
    response = post(client, request_, "reject", reason="", version=request_.version)
    assert response.status_code == 422
    page = page_of(response)
    assert page.select_one(".reject-form [aria-invalid=true]")["name"] == "reason"


def test_a_stale_or_missing_version_and_an_illegal_move(client, ops, request_, session):
    assert post(client, request_, "approve", version="").status_code == 422
    seen = request_.version
    assert post(client, request_, "approve", version=seen).status_code == 303
    stale = post(client, request_, "execute", version=seen)
    assert stale.status_code == 409 and page_of(stale).select_one(".stale") is not None
    session.refresh(request_)
    assert post(client, request_, "approve", version=request_.version).status_code == 409


@pytest.mark.parametrize("query", ["queue=lost", "reason=bored", "since=2026-13-01",
                                   "after=forged"])  # fmt: skip
def test_bad_list_input_is_a_400(client, ops, query):
    assert client.get(f"/operations/cancellations?{query}").status_code == 400


def test_an_unknown_request_is_a_404(client, ops):
    assert client.get("/operations/cancellations/CAN-19990101-000001").status_code == 404
    assert client.get("/operations/cancellations/not%20a%20number").status_code == 404


def test_other_roles_get_403(client, login_as, request_):
    login_as(Role.FINANCE_MANAGER)
    assert client.get("/operations/cancellations").status_code == 403
    assert post_as_other(client, request_).status_code == 403


def post_as_other(client, request_):
    url = f"/operations/cancellations/{request_.cancellation_request_number}/approve"
    token = csrf_from(client.get("/account").data)
    return client.post(url, data={"csrf_token": token, "version": request_.version})
