"""The return queue and the return screen: tabs, filters, every move through its form, errors
shown in place, stale and refused moves, bad input and who may see them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import InventoryAdjustment, RefundRequest, ReturnItem, ReturnRequest
from mallconsole.services.orders import returns
from tests.conftest import csrf_from
from tests.factories import returns as rf
from tests.factories.records import build
from tests.query_counts import assert_constant_queries


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def words(node) -> str:
    return node.get_text(" ", strip=True).replace("\xa0", " ")


@pytest.fixture
def people(session):
    return rf.staff(session)


@pytest.fixture
def ops(login_as):
    return login_as(Role.OPERATIONS_MANAGER)


def screen(rma):
    return f"/operations/returns/{rma.rma_code}"


def post(client, rma, action, data, headers=None):
    token = csrf_from(client.get(screen(rma)).data)
    return client.post(f"{screen(rma)}/{action}", data={"csrf_token": token, **data},
                       headers=headers or {})  # fmt: skip


def numbers(page):
    return [a.get_text() for a in page.select("#listing tbody a.number")]


# ---- the queue -----------------------------------------------------------------------------


def test_the_queue_has_its_tabs_and_lists_returns_to_decide(client, session, people, ops):
    rma, order, *_ = rf.make_return(session, *people)
    received, *_ = rf.make_return(session, *people, state="received")
    page = page_of(client.get("/operations/returns"))
    assert page.find("h1").get_text() == "Returns"
    assert [a["data-tab"] for a in page.select("#return-tabs a")] == list(returns.TAB_KEYS)
    assert "To decide" in words(page.select_one("#return-tabs a[aria-current=page]"))
    assert rma.rma_code in numbers(page) and received.rma_code not in numbers(page)
    row = page.select_one("#listing tbody tr")
    assert row["data-href"] == screen(rma)
    assert "Pending" in words(row) and order.order_number in words(row) and "Damaged" in words(row)
    assert "pending" not in row.get_text() and "damaged" not in row.get_text()
    inspect = page_of(client.get("/operations/returns?queue=received"))
    assert numbers(inspect) == [received.rma_code]
    assert "1 return" in words(inspect.select_one(".list-count"))


def test_the_queue_filters_by_state_reason_store_and_day(client, session, people, ops):
    rma, *_ = rf.make_return(session, *people)
    everything = "/operations/returns?queue=all"
    assert rma.rma_code in numbers(page_of(client.get(f"{everything}&status=pending")))
    assert rma.rma_code not in numbers(page_of(client.get(f"{everything}&status=closed")))
    assert rma.rma_code not in numbers(page_of(client.get(f"{everything}&reason=too_small")))
    empty = page_of(client.get(f"{everything}&store=nowhere-at-all"))
    assert "No return matches these filters" in words(empty.select_one("#listing"))
    today = rma.created_at.date().isoformat()
    assert rma.rma_code in numbers(page_of(client.get(f"{everything}&since={today}")))
    assert rma.rma_code not in numbers(page_of(client.get(f"{everything}&until=2001-01-01")))


@pytest.mark.parametrize(
    "query",
    [
        "queue=nope",
        "status=lost",
        "reason=bored",
        "since=yesterday",
        "since=2026-02-02&until=2026-01-01",
        "sort=-price",
        "limit=7",
        "after=forged",
        "store=" + "x" * 101,
    ],
)
def test_bad_queue_input_is_a_400_with_a_message(client, session, ops, query):
    response = client.get(f"/operations/returns?{query}")
    assert response.status_code == 400
    assert page_of(response).find("main").get_text(strip=True)


def test_the_tabs_poll_answers_the_tabs_alone(client, session, people, ops):
    rf.make_return(session, *people)
    response = client.get("/operations/returns?part=tabs", headers={"HX-Request": "true"})
    page = page_of(response)
    assert page.select("nav#return-tabs") and not page.select("#listing")


# ---- the screen and its moves --------------------------------------------------------------


def test_the_screen_shows_a_pending_return_and_its_decision_form(client, session, people, ops):
    rma, order, items, _, _ = rf.make_return(session, *people, units={0: 2, 1: 1})
    page = page_of(client.get(screen(rma)))
    assert rma.rma_code in words(page.find("h1"))
    assert "Pending" in words(page.select_one(".record-head"))
    table = words(page.select_one("#return-items"))
    assert "Product 1" in table and "Not decided" in table
    inputs = page.select("#decide-lines input.line-input")
    assert [i["value"] for i in inputs] == ["2", "1"]
    assert page.select_one(f"a[href='/operations/orders/{order.order_number}']")
    assert client.get(f"/operations/returns/{rma.id}").status_code == 200  # the id works too


def test_approving_from_the_screen(client, session, people, ops):
    rma, _, items, _, _ = rf.make_return(session, *people, units={0: 2, 1: 1})
    lines = returns.load(session, rma.id).lines
    response = post(client, rma, "decide", {
        f"approve_{lines[0].item.id}": "1", f"approve_{lines[1].item.id}": "1",
        "reason": "One unit was used.", "version": rma.version})  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"].endswith(screen(rma))
    page = page_of(client.get(screen(rma)))
    assert "approved 2 units of 3" in words(page.select_one("#messages"))
    assert "Approved" in words(page.select_one(".record-head"))
    assert page.select_one(".shipment-form") and page.select_one(".receive-form")
    assert "One unit was used." in words(page)


def test_a_decision_refused_keeps_the_input_and_shows_errors_in_place(client, session, people,
                                                                      ops):  # fmt: skip
    rma, *_ = rf.make_return(session, *people)
    line = returns.load(session, rma.id).lines[0]
    name = f"approve_{line.item.id}"
    response = post(client, rma, "decide", {name: "5", "version": rma.version})
    assert response.status_code == 422
    page = page_of(response)
    assert "At most 2: the customer asked to return 2 units." in words(
        page.select_one(f"#{name}-errors")
    )
    assert page.select_one(f"#{name}")["value"] == "5"
    assert page.select_one(".error-summary")
    response = post(client, rma, "decide", {name: "1", "version": rma.version})
    assert response.status_code == 422
    assert "Say why units are refused" in words(page_of(response).select_one(".decide-form"))
    assert session.get(ReturnRequest, rma.id).status == "pending"


def test_rejecting_needs_a_reason(client, session, people, ops):
    rma, *_ = rf.make_return(session, *people)
    response = post(client, rma, "reject", {"reject-reason": "", "reject-version": rma.version})
    assert response.status_code == 422
    assert "Say why the return is rejected" in words(page_of(response).select_one(".reject-form"))
    response = post(
        client, rma, "reject", {"reject-reason": "Worn.", "reject-version": rma.version}
    )
    assert response.status_code == 303
    page = page_of(client.get(screen(rma)))
    assert "Rejected" in words(page.select_one("#outcome")) and "Worn." in words(
        page.select_one("#outcome")
    )


def test_a_stale_decision_shows_what_changed(client, session, people, ops):
    rma, *_ = rf.make_return(session, *people, state="approved")
    line = returns.load(session, rma.id).lines[0]
    response = post(client, rma, "decide", {f"approve_{line.item.id}": "2", "version": 1})
    assert response.status_code == 409
    notice = words(page_of(response).select_one(".stale"))
    assert "it is approved now, so this was not saved" in notice


def test_a_garbled_version_is_a_422(client, session, people, ops):
    rma, *_ = rf.make_return(session, *people)
    response = post(client, rma, "reject", {"reject-reason": "x", "reject-version": "abc"})
    assert response.status_code == 422
    assert "lost track of which version" in words(page_of(response))


def test_recording_the_parcel_and_receiving_it(client, session, people, ops):
    rma, *_ = rf.make_return(session, *people, state="approved")
    carrier = rf.carrier(session, "Swift Post")
    page = page_of(client.get(screen(rma)))
    assert "Swift Post" in [o.get_text() for o in page.select("select#carrier option")]
    response = post(client, rma, "shipment", {"carrier": carrier.id, "tracking_number": "",
                                             "version": rma.version})  # fmt: skip
    assert response.status_code == 422
    assert page_of(response).select_one("#tracking_number-errors")
    response = post(client, rma, "shipment", {"carrier": carrier.id,
                                             "tracking_number": "sp-99887766",
                                             "version": rma.version})  # fmt: skip
    assert response.status_code == 303
    page = page_of(client.get(screen(rma)))
    assert "On its way back" in words(page.select_one(".record-head"))
    assert page.select_one("#parcel a[href='https://track.example/SP-99887766']")
    assert post(client, rma, "receive", {"version": rma.version}).status_code == 303
    page = page_of(client.get(screen(rma)))
    assert "Received" in words(page.select_one(".record-head"))
    assert page.select("#inspection form.inspect-form")


def test_inspecting_in_place_and_closing(client, session, people, ops):
    rma, order, items, _, _ = rf.make_return(session, *people, state="received")
    line = returns.load(session, rma.id).lines[0]
    desk = rf.location(session, items[0], name="Returns desk")
    prefix = returns.inspection_prefix(line.item.id)
    action = f"items/{line.item.id}/inspect"
    htmx = {"HX-Request": "true"}
    refused = post(client, rma, action, {f"{prefix}-condition": "as_new",
                                        f"{prefix}-outcome": "passed",
                                        f"{prefix}-refundable_amount": "99.00",
                                        f"{prefix}-version": rma.version}, htmx)  # fmt: skip
    assert refused.status_code == 422
    block = page_of(refused)
    assert block.select_one("section#inspection") and not block.select_one("h1")
    assert "At most USD 40.00" in words(block)
    done = post(client, rma, action, {f"{prefix}-condition": "as_new",
                                     f"{prefix}-outcome": "passed",
                                     f"{prefix}-refundable_amount": "38.00",
                                     f"{prefix}-version": rma.version}, htmx)  # fmt: skip
    assert done.status_code == 204 and screen(rma) in done.headers["HX-Location"]
    page = page_of(client.get(screen(rma)))
    assert "USD 38.00" in words(page.select_one("#return-items"))
    assert [o["value"] for o in page.select("#close select[name=location] option")] == [desk.id]
    closed = post(client, rma, "close", {"location": desk.id, "version": rma.version})
    assert closed.status_code == 303
    page = page_of(client.get(screen(rma)))
    refund = session.scalars(
        select(RefundRequest).where(RefundRequest.shopping_mall_return_request_id == rma.id)
    ).one()
    assert refund.refund_request_number in words(page.select_one("#refund-raised"))
    assert "Closed" in words(page.select_one(".record-head"))
    assert refund.total_requested_amount == Decimal("38.00")
    assert session.scalars(select(InventoryAdjustment)).all()[0].delta == 2


def test_closing_without_every_inspection_is_refused_on_the_screen(client, session, people, ops):
    rma, *_ = rf.make_return(session, *people, state="received")
    response = post(client, rma, "close", {"version": rma.version})
    assert response.status_code == 409
    assert "Inspect every item before closing" in words(page_of(response))
    assert session.get(ReturnRequest, rma.id).status == "received"


def test_an_unknown_return_is_a_404(client, session, ops):
    assert client.get("/operations/returns/RMA-20200101-000001").status_code == 404
    assert client.get("/operations/returns/%00").status_code == 404


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR])
def test_other_roles_may_not_see_returns_here(client, session, people, login_as, role):
    rma, *_ = rf.make_return(session, *people)
    login_as(role)
    assert client.get("/operations/returns").status_code == 403
    assert client.get(screen(rma)).status_code == 403


def test_a_page_of_returns_costs_the_same_for_10_rows_as_for_100(client, session, ops,
                                                                 count_queries):  # fmt: skip
    def add_rows(n):
        for _ in range(n):
            rma = build(session, ReturnRequest, status="received")
            build(session, ReturnItem, shopping_mall_return_request_id=rma.id,
                  requested_quantity=2, approved_quantity=1)  # fmt: skip

    def read(limit):
        response = client.get(
            f"/operations/returns?queue=received&limit={100 if limit > 50 else 25}"
        )
        assert response.status_code == 200

    assert_constant_queries(count_queries, add_rows, read)
