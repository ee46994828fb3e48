"""The refund queue and the refund request screen: filters, numbers, decisions, execution,
validation messages and who may see them."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from mallconsole.core.roles import Role
from mallconsole.models import (
    PaymentRefund,
    RefundRequest,
    ReturnItem,
    ReturnRequest,
    SellerOrder,
    Store,
)
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.aftersales import refund_decisions as rd
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.request_orders import make_case, make_order
from tests.services.test_refund_decisions import make_threshold
from tests.tab_polls import counts_of, polled_tabs


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def words(node) -> str:
    return node.get_text(" ", strip=True).replace("\xa0", " ")


@pytest.fixture
def agent(session):
    make_threshold(session, "250.00")
    return make_staff(session, f"agent-views-{id(session)}@test.mall")


@pytest.fixture
def finance(login_as):
    return login_as(Role.FINANCE_MANAGER)


def raise_one(session, agent, amount="40.00", captured="90.00", reason="damaged", **kw):
    order, items, payment = make_order(session, captured=captured, **kw)
    request = cr.raise_refund(session, order.id, [(None, amount)], reason_code=reason, note="",
                              actor=agent)  # fmt: skip
    return request, order, items, payment


def post(client, url, data, page=None):
    token = csrf_from(client.get(page or url.rsplit("/", 1)[0]).data)
    return client.post(url, data={"csrf_token": token, **data})


def numbers(page):
    return [a.get_text() for a in page.select("#listing tbody a.number")]


# ---- the queue -----------------------------------------------------------------------------


def test_the_queue_has_a_tab_per_state_and_lists_pending_requests(client, session, agent, finance):
    request, order, *_ = raise_one(session, agent)
    page = page_of(client.get("/finance/refunds"))
    assert page.find("h1").get_text() == "Refund requests"
    tabs = [a["data-tab"] for a in page.select("#refund-tabs a")]
    assert tabs == ["pending", "pending_second_approval", "approved", "executed", "rejected",
                    "canceled", "all"]  # fmt: skip
    assert request.refund_request_number in numbers(page)
    assert words(page.select_one(".list-count")) == "1 refund request"
    row = page.select_one("#listing tbody tr")
    assert (
        "Pending" in words(row) and "USD 40.00" in words(row) and order.order_number in words(row)
    )
    assert "pending" not in row.get_text()  # words, not keys
    executed = page_of(client.get("/finance/refunds?tab=executed"))
    assert request.refund_request_number not in numbers(executed)


def test_the_tabs_poll_their_counts_without_the_list(client, session, agent, finance):
    raise_one(session, agent)
    tabs = page_of(client.get("/finance/refunds?tab=executed")).select_one("#refund-tabs")
    raise_one(session, agent, amount="12.00")
    counts = counts_of(polled_tabs(client, tabs), "tab")
    assert counts["pending"] == "2" and counts["current"] == "executed"


def test_queue_filters(client, session, agent, finance):
    small, *_ = raise_one(session, agent, amount="20.00")
    large, order, *_ = raise_one(session, agent, amount="80.00", reason="goodwill")
    store = session.scalar(
        select(Store).join(SellerOrder, SellerOrder.shopping_mall_store_id == Store.id)
        .where(SellerOrder.shopping_mall_order_id == order.id)
    )  # fmt: skip

    def listed(query):
        return numbers(page_of(client.get(f"/finance/refunds?{query}")))

    assert large.refund_request_number in listed("min_amount=50")
    assert small.refund_request_number not in listed("min_amount=50")
    assert small.refund_request_number in listed("max_amount=30")
    assert large.refund_request_number not in listed("max_amount=30")
    assert listed("reason=goodwill&tab=all") == [large.refund_request_number] or (
        large.refund_request_number in listed("reason=goodwill")
        and small.refund_request_number not in listed("reason=goodwill")
    )
    assert listed(f"store={store.name}") == [large.refund_request_number]
    # a part of the name, in capitals: its random tail (the serial before it is shared by
    # the stores made around it)
    assert listed(f"store={store.name.upper()[-8:-2]}") == [large.refund_request_number]
    assert listed("store=no-such-store") == []
    assert large.refund_request_number in listed("age=1d")
    assert large.refund_request_number not in listed("age=older")
    assert large.refund_request_number in listed("currency=USD")


@pytest.mark.parametrize(
    "query",
    ["tab=nope", "min_amount=abc", "max_amount=-5", "reason=whatever", "age=3y", "sort=colour",
     "after=forged", "limit=7"],
)  # fmt: skip
def test_bad_queue_queries_are_400_with_a_message(client, finance, query):
    response = client.get(f"/finance/refunds?{query}")
    assert response.status_code == 400
    assert page_of(response).find(string=True) is not None


def test_the_queue_pages_by_keyset(client, session, agent, finance):
    made = [raise_one(session, agent, amount="10.00")[0] for _ in range(3)]
    first = page_of(client.get("/finance/refunds?limit=25&sort=-raised"))
    assert set(r.refund_request_number for r in made) <= set(numbers(first))


# ---- the request screen --------------------------------------------------------------------


def test_the_request_screen_shows_the_numbers(client, session, agent, finance):
    request, order, items, payment = raise_one(session, agent, amount="40.00")
    page = page_of(client.get(f"/finance/refunds/{request.refund_request_number}"))
    assert request.refund_request_number in page.find("h1").get_text()
    room = words(page.select_one("#refund-room"))
    assert "Captured USD 90.00" in room and "Left for this request USD 90.00" in room
    captures = words(page.select_one("#captures"))
    assert "USD 90.00 USD 90.00" in captures
    assert "Product 1" in words(page.select_one("#order-items"))
    assert "Whole order" in words(page.select_one("#refund-lines"))
    assert page.find("button", string="Approve") is not None
    assert page.find("button", string="Reject") is not None
    # by id too
    assert client.get(f"/finance/refunds/{request.id}").status_code == 200
    assert client.get("/finance/refunds/RR-20990101-000009").status_code == 404


def test_approving_from_the_screen(client, session, agent, finance):
    request, *_ = raise_one(session, agent, amount="40.00")
    url = f"/finance/refunds/{request.refund_request_number}"
    line = rd.request_lines(session, request.id)[0]
    data = {"amount": "35.00", "line": line.id, "version": request.version}
    response = post(client, f"{url}/approve", data, url)
    assert response.status_code == 303
    assert request.status == "approved" and request.approved_amount == Decimal("35.00")
    page = page_of(client.get(url))
    assert "approved for USD 35.00" in words(page)
    # moving the money asks first, naming the request and the amount; the submit is in the dialog
    opener = page.find("button", string="Execute refund…")
    confirm = page.find("dialog", id=opener["data-open-dialog"])
    assert f"Execute {request.refund_request_number}?" in confirm.get_text(" ")
    assert "USD 35.00" in confirm.get_text(" ").replace("\xa0", " ")
    assert confirm.find("button", string="Execute refund")["type"] == "submit"
    assert confirm.find_parent("form")["action"].endswith("/execute")


def test_validation_messages_on_the_screen(client, session, agent, finance):
    request, *_ = raise_one(session, agent, amount="40.00")
    url = f"/finance/refunds/{request.refund_request_number}"
    line = rd.request_lines(session, request.id)[0].id
    response = post(client, f"{url}/approve", {"amount": "99.00", "version": 1, "line": line}, url)
    assert response.status_code == 422
    assert "Approve at most USD 40.00" in words(page_of(response))
    response = post(client, f"{url}/reject", {"reason": "", "version": 1}, url)
    assert response.status_code == 422
    assert "Say why the refund is rejected" in words(page_of(response))
    response = post(client, f"{url}/approve", {"amount": "40.00", "version": "x"}, url)
    assert response.status_code == 422
    assert request.status == "pending"


def test_a_stale_decision_is_a_409_with_what_changed(client, session, agent, finance):
    request, *_ = raise_one(session, agent, amount="40.00")
    url = f"/finance/refunds/{request.refund_request_number}"
    other = make_staff(session, "fin-other-views@test.mall", (Role.FINANCE_MANAGER,))
    rd.reject(session, request.id, reason="Duplicate", actor=other)
    line = rd.request_lines(session, request.id)[0].id
    response = post(client, f"{url}/approve", {"amount": "40.00", "version": 1, "line": line}, url)
    assert response.status_code == 409
    notice = page_of(response).select_one(".stale")
    assert notice is not None
    # The request moved on: no form is left to save again, and the values are in words.
    assert "is rejected now, so your decision was not saved" in notice.get_text(" ")
    assert "kept below" not in notice.get_text(" ")
    cells = [td.get_text(" ", strip=True) for td in notice.select("td")]
    assert "Rejected" in cells and "rejected" not in cells


def test_executing_from_the_screen_and_again(client, session, agent, finance):
    request, *_ = raise_one(session, agent, amount="40.00")
    other = make_staff(session, "fin-exec-views@test.mall", (Role.FINANCE_MANAGER,))
    rd.approve(session, request.id, amount="40.00", actor=other)
    url = f"/finance/refunds/{request.refund_request_number}"
    first = post(client, f"{url}/execute", {"destination": "payment"}, url)
    assert first.status_code == 303
    assert "executed: USD 40.00 to the original payment" in words(page_of(client.get(url)))
    again = post(client, f"{url}/execute", {}, url)
    assert again.status_code == 303
    assert "already executed" in words(page_of(client.get(url)))
    refunds = session.scalar(
        select(func.count()).select_from(PaymentRefund)
        .where(PaymentRefund.shopping_mall_refund_request_id == request.id)
    )  # fmt: skip
    assert refunds == 1
    bad = post(client, f"/finance/refunds/{request.refund_request_number}/execute",
               {"destination": "cash"}, url)  # fmt: skip
    assert bad.status_code == 422


def test_over_the_threshold_the_screen_points_to_the_inbox(client, session, agent, finance):
    request, *_ = raise_one(session, agent, amount="300.00", captured="400.00")
    url = f"/finance/refunds/{request.refund_request_number}"
    line = rd.request_lines(session, request.id)[0]
    post(client, f"{url}/approve", {"amount": "300.00", "line": line.id, "version": 1}, url)
    assert request.status == "pending_second_approval"
    page = page_of(client.get(url))
    assert "you cannot give both" in words(page)
    assert page.find("button", string="Change the amount") is not None
    response = post(client, f"{url}/amount", {"amount": "290.00", "version": request.version}, url)
    assert response.status_code == 303
    assert rd.open_action(session, request.id).revision == 2


def test_a_case_link_and_the_history(client, session, agent, finance):
    order, items, payment = make_order(session, captured="90.00")
    case = make_case(session, order.shopping_mall_user_id)
    request = cr.raise_refund(session, order.id, [(None, "10.00")], reason_code="damaged",
                              note="", actor=agent, case_id=case.id)  # fmt: skip
    page = page_of(client.get(f"/finance/refunds/{request.refund_request_number}"))
    assert case.case_number in words(page)
    assert "Decision history" in words(page)


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.CONTENT_MODERATOR, Role.SYSTEM_ADMIN])
def test_other_roles_are_refused(client, session, agent, login_as, role):
    request, *_ = raise_one(session, agent)
    login_as(role)
    assert client.get("/finance/refunds").status_code == 403
    assert client.get(f"/finance/refunds/{request.id}").status_code == 403
    token = csrf_from(client.get("/account").data)
    execute = f"/finance/refunds/{request.id}/execute"
    assert client.post(execute, data={"csrf_token": token}).status_code == 403
    assert client.post(execute, data={}).status_code == 400  # no CSRF token: malformed
    assert session.get(RefundRequest, request.id).status == "pending"


def test_the_requester_sees_no_decision_buttons(client, session, login_as):
    make_threshold(session, "250.00")
    both = login_as(Role.FINANCE_MANAGER, Role.SUPPORT_AGENT)
    order, *_ = make_order(session, captured="50.00")
    request = cr.raise_refund(session, order.id, [(None, "10.00")], reason_code="damaged",
                              note="", actor=both)  # fmt: skip
    page = page_of(client.get(f"/finance/refunds/{request.id}"))
    assert page.find("button", string="Approve") is None
    assert "another finance manager decides it" in words(page)


def test_the_finance_home_cards_lead_to_the_refund_tabs(client, session, agent, finance):
    raise_one(session, agent)
    page = page_of(client.get("/finance/"))
    links = {a["href"] for a in page.select("a[href*='/finance/refunds']")}
    assert "/finance/refunds?tab=pending" in links
    assert "/finance/refunds?tab=approved" in links
    assert "Approved refunds awaiting execution" in words(page)


def test_the_request_screen_shows_the_linked_return_and_its_inspection(client, session, agent,
                                                                        finance):  # fmt: skip
    request, order, items, _ = raise_one(session, agent, amount="40.00")
    rma = ReturnRequest(shopping_mall_order_id=order.id, requested_by_user_id=agent.id,
                        rma_code="RMA-20261201-000042", status="received",
                        reason_code="damaged")  # fmt: skip
    session.add(rma)
    session.flush()
    session.add(ReturnItem(shopping_mall_return_request_id=rma.id,
                           shopping_mall_order_item_id=items[0].id, requested_quantity=1,
                           approved_quantity=1, received_condition="damaged",
                           inspection_status="failed", inspection_note="Crushed corner",
                           refundable_amount=Decimal("12.50")))  # fmt: skip
    request.shopping_mall_return_request_id = rma.id
    session.flush()
    page = page_of(client.get(f"/finance/refunds/{request.refund_request_number}"))
    assert "RMA-20261201-000042" in words(page)
    inspection = words(page.select_one("#inspection"))
    assert items[0].product_name in inspection
    assert "Damaged" in inspection and "Failed" in inspection and "failed" not in inspection
    assert "Crushed corner" in inspection and "USD 12.50" in inspection
