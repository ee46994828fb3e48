"""The shipment list and its exceptions queue, and the shipment screen: what each row and the
screen say, filters, bad input statuses, recording an event, correcting the status and choosing
the carrier from the screen (errors in place, stale writes), and who may see them."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import ShipmentEvent, utcnow
from mallconsole.services.fulfilment import shipments
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.shipments import add_event, make_carrier, make_shipment
from tests.tab_polls import counts_of, polled_tabs

LIST = "/operations/shipments"


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def words(node) -> str:
    return node.get_text(" ", strip=True).replace("\xa0", " ")


def numbers(page):
    return [a.get_text() for a in page.select("#listing tbody td:first-child a.number")]


def post(client, url, data, page):
    token = csrf_from(client.get(page).data)
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def ops(login_as):
    return login_as(Role.OPERATIONS_MANAGER)


def screen(shipment):
    return f"{LIST}/{shipment.shipment_number}"


# --- who may see them -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER, Role.SYSTEM_ADMIN])
def test_other_roles_are_refused(client, session, login_as, role):
    shipment = make_shipment(session)
    login_as(role)
    assert client.get(LIST).status_code == 403
    assert client.get(screen(shipment)).status_code == 403
    assert client.get(LIST, headers={"HX-Request": "true"}).status_code == 403
    token = csrf_from(client.get("/account").data)
    for action in ("events", "status", "carrier"):
        answer = client.post(f"{screen(shipment)}/{action}", data={"csrf_token": token})
        assert answer.status_code == 403
    assert shipment.version == 1


def test_anonymous_requests_go_to_sign_in(client, session):
    shipment = make_shipment(session)
    assert client.get(screen(shipment)).status_code == 302


# --- the list -------------------------------------------------------------------------------------


def test_the_exceptions_queue_says_why_each_shipment_is_there(client, session, ops):
    now = utcnow()
    quiet = make_shipment(session, created_ago=timedelta(days=8),
                          events=(("in_transit", timedelta(days=5)),))  # fmt: skip
    broken = make_shipment(session, status="exception", events=())
    add_event(session, broken, "exception", now - timedelta(hours=2), code="ADDRESS_NOT_FOUND")
    fine = make_shipment(session, events=(("in_transit", timedelta(hours=2)),))
    page = page_of(client.get(f"{LIST}?queue=exceptions"))
    listed = numbers(page)
    assert quiet.shipment_number in listed and broken.shipment_number in listed
    assert fine.shipment_number not in listed
    rows = {words(tr.select_one("td")): tr for tr in page.select("#listing tbody tr")}
    assert "No carrier event for 5 days" in words(rows[quiet.shipment_number].select_one(".why"))
    assert "Carrier exception: address not found" in words(rows[broken.shipment_number])
    assert "In transit" in words(rows[quiet.shipment_number])
    assert "in_transit" not in rows[quiet.shipment_number].get_text()  # words, not keys
    assert rows[broken.shipment_number]["data-href"] == screen(broken)
    assert page.select_one('#shipment-tabs a[aria-current="page"]')["data-queue"] == "exceptions"
    everything = page_of(client.get(LIST))
    assert fine.shipment_number in numbers(everything)
    assert everything.select_one(".why") is None  # the reason column is the queue's


def test_the_tabs_poll_their_counts(client, session, ops):
    make_shipment(session, status="exception", events=())
    tabs = page_of(client.get(LIST)).select_one("#shipment-tabs")
    make_shipment(session, status="return_to_sender", events=())
    counts = counts_of(polled_tabs(client, tabs), "queue")
    assert counts["exceptions"] == "2" and counts["current"] == "all"


def test_the_list_filters_by_status_carrier_store_and_day(client, session, ops):
    carrier = make_carrier(session, name="Filter Freight")
    mine = make_shipment(session, carrier=carrier, status="out_for_delivery")
    other = make_shipment(session, status="delivered", created_ago=timedelta(days=20))

    def listed(query):
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, query
        return numbers(page_of(response))

    assert listed(f"carrier={carrier.id}") == [mine.shipment_number]
    assert mine.shipment_number in listed("status=out_for_delivery")
    assert other.shipment_number not in listed("status=out_for_delivery")
    day = (utcnow() - timedelta(days=20)).date().isoformat()
    assert other.shipment_number in listed(f"since={day}&until={day}")
    assert mine.shipment_number not in listed(f"since={day}&until={day}")
    assert listed("store=no-such-store") == []
    empty = page_of(client.get(f"{LIST}?store=no-such-store"))
    assert "Clear the filters" in words(empty.select_one(".empty"))
    # the carrier filter offers inactive carriers too, said so
    carrier.active = False
    option = page_of(client.get(LIST)).select_one(
        f'select[name=carrier] option[value="{carrier.id}"]'
    )
    assert option.get_text() == "Filter Freight (inactive)"


@pytest.mark.parametrize(
    "query",
    ["queue=lost", "status=teleported", "carrier=nope", "since=2026-02-30", "sort=colour",
     "after=forged", "limit=7", "since=2026-03-02&until=2026-03-01", "store=" + "x" * 101],
)  # fmt: skip
def test_bad_list_queries_are_400_with_a_message(client, ops, query):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert len(words(page_of(response))) > 20


def test_an_empty_queue_says_what_it_means(client, session, ops):
    page = page_of(client.get(f"{LIST}?queue=exceptions&store=nothing-like-this"))
    assert "Clear the filters" in words(page.select_one(".empty"))


# --- the shipment screen --------------------------------------------------------------------------


def test_the_screen_shows_items_events_tracking_and_order(client, session, ops):
    carrier = make_carrier(
        session, name="Link Co", tracking_url_template="https://t.example/track?n={tracking_number}"
    )
    shipment = make_shipment(session, carrier=carrier, tracking_number='A&B"<1>',
                             status="exception", events=())  # fmt: skip
    add_event(session, shipment, "exception", utcnow(), code="DAMAGED",
              location_description="Memphis hub", customer_visible=False)  # fmt: skip
    response = client.get(screen(shipment))
    assert response.status_code == 200
    page = page_of(response)
    assert shipment.shipment_number in words(page.find("h1"))
    link = page.select_one("#tracking-link")
    assert link["href"] == "https://t.example/track?n=A%26B%22%3C1%3E"
    assert link["rel"] == ["noopener", "noreferrer"]
    assert b"A%26B%22%3C1%3E" in response.data and b'A&B"<1>' not in response.data
    assert "Carrier exception" in words(page.select_one("#exception-reason"))
    row = page.select_one("#event-timeline tbody tr")
    assert "Exception" in words(row) and "Memphis hub" in words(row) and "DAMAGED" in words(row)
    assert "Internal" in words(row) and "The carrier" in words(row)
    items = words(page.select_one("#shipment-items"))
    assert "Product 1" in items and "Product 2" in items
    order = page.select_one(".record-summary a.number")
    assert order["href"].startswith("/operations/orders/ORD-")
    # the screen by id too, and the order screen links here
    assert client.get(f"{LIST}/{shipment.id}").status_code == 200
    assert client.get(f"{LIST}/{shipment.shipment_number.lower()}").status_code == 200
    assert client.get(f"{LIST}/SHP-19990101-000001").status_code == 404
    order_page = page_of(client.get(order["href"]))
    assert order_page.find("a", string=shipment.shipment_number)["href"] == f"{LIST}/{shipment.id}"


def test_recording_an_event_from_the_screen_shows_it_on_the_timeline(client, session, ops):
    shipment = make_shipment(session, status="delivery_attempted", events=())
    data = {"event": "out_for_delivery", "location": "Queens depot",
            "description": "Redelivery booked for tomorrow", "customer_visible": "y",
            "version": shipment.version}  # fmt: skip
    response = post(client, f"{screen(shipment)}/events", data, screen(shipment))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{screen(shipment)}#carrier-events")
    assert shipment.status == "out_for_delivery" and shipment.version == 2
    page = page_of(client.get(screen(shipment)))
    assert "Out for delivery recorded" in words(page.select_one("#messages"))
    row = page.select_one("#event-timeline tr.manual")
    assert "Queens depot" in words(row) and "Redelivery booked for tomorrow" in words(row)
    assert "Recorded by" in words(row) and "Shown" in words(row)
    assert "Out for delivery" in words(page.select_one(".record-head"))
    assert "recorded by hand" in words(page.select_one(".timeline"))
    stored = session.scalar(select(ShipmentEvent).where(
        ShipmentEvent.shopping_mall_shipment_id == shipment.id))  # fmt: skip
    assert stored.raw_event_source == "manual" and stored.customer_visible is True


def test_event_errors_are_shown_in_place_with_the_input_kept(client, session, ops):
    shipment = make_shipment(session, status="in_transit")
    url = f"{screen(shipment)}/events"
    response = post(client, url, {"event": "delivered", "location": "Kept here",
                                  "description": "", "version": 1}, screen(shipment))  # fmt: skip
    assert response.status_code == 422
    page = page_of(response)
    form = page.select_one("form.event-form")
    assert "The event was not recorded" in words(form.select_one(".error-summary"))
    assert form.select_one("#location")["value"] == "Kept here"
    # the first refusal is what the person typed: a description is needed
    assert "Say what happened" in words(form)
    response = post(client, url, {"event": "delivered", "description": "Driver says so",
                                  "version": 1}, screen(shipment))  # fmt: skip
    assert response.status_code == 422
    event_errors = page_of(response).select_one("#event-errors")
    assert "cannot go from In transit to Delivered" in words(event_errors)
    assert shipment.version == 1
    assert post(client, url, {"event": "exception", "description": "x", "version": "nope"},
                screen(shipment)).status_code == 422  # fmt: skip


def test_a_stale_event_is_a_409_with_what_changed(client, session, ops):
    shipment = make_shipment(session, status="in_transit")
    other = make_staff(session, "ops-other-views@test.mall", (Role.OPERATIONS_MANAGER,))
    shipments.correct_status(session, shipment.id, target="exception", reason="Lost at hub",
                             actor=other, expected_version=1)  # fmt: skip
    response = post(client, f"{screen(shipment)}/events", {
        "event": "out_for_delivery", "description": "Driver has it", "version": 1,
    }, screen(shipment))  # fmt: skip
    assert response.status_code == 409
    page = page_of(response)
    notice = page.select_one(".stale")
    assert "Exception" in words(notice) and "exception" not in [
        td.get_text() for td in notice.select("td")
    ]
    form = page.select_one("form.event-form")
    assert form.select_one("input[name=version]")["value"] == "2"  # saving again applies it
    assert form.select_one("#description").get_text().strip() == "Driver has it"


def test_correcting_the_status_from_the_screen(client, session, ops):
    shipment = make_shipment(session, status="exception")
    page = page_of(client.get(screen(shipment)))
    offered = [o["value"] for o in page.select("form.correction-form select[name=status] option")]
    assert offered == ["", "in_transit", "return_to_sender"]
    url = f"{screen(shipment)}/status"
    response = post(client, url, {"status": "return_to_sender", "reason": "", "version": 1},
                    screen(shipment))  # fmt: skip
    assert response.status_code == 422
    assert "Say why the status is wrong" in words(
        page_of(response).select_one("form.correction-form")
    )
    response = post(client, url, {"status": "delivered", "reason": "x", "version": 1},
                    screen(shipment))  # fmt: skip
    assert response.status_code == 409
    assert "cannot go from Exception to Delivered" in words(page_of(response))
    response = post(client, url, {"status": "return_to_sender", "reason": "Customer moved away",
                                  "version": 1}, screen(shipment))  # fmt: skip
    assert response.status_code == 303 and shipment.status == "return_to_sender"
    history = words(page_of(client.get(screen(shipment))).select_one(".timeline"))
    assert "Customer moved away" in history and "Returning to sender" in history


def test_a_final_state_offers_no_correction(client, session, ops):
    shipment = make_shipment(session, status="delivered")
    page = page_of(client.get(screen(shipment)))
    assert page.select_one("form.correction-form") is None
    assert "cannot change any more" in words(page.select_one("#shipment-actions"))


def test_choosing_the_carrier_refuses_an_inactive_one_in_place(client, session, ops):
    active = make_carrier(session, name="Active Co")
    retired = make_carrier(session, name="Retired Co", active=False)
    shipment = make_shipment(session, status="ready_to_ship", no_carrier=True)
    page = page_of(client.get(screen(shipment)))
    choices = [o.get_text() for o in page.select("form.carrier-form select[name=carrier] option")]
    assert "Active Co" in choices and "Retired Co" not in choices
    url = f"{screen(shipment)}/carrier"
    response = post(client, url, {"carrier": retired.id, "tracking_number": "T-1", "version": 1},
                    screen(shipment))  # fmt: skip
    assert response.status_code == 422
    assert "Retired Co is inactive" in words(page_of(response).select_one("#carrier-errors"))
    response = post(client, url, {"carrier": active.id, "tracking_number": "T-1", "version": 1},
                    screen(shipment))  # fmt: skip
    assert response.status_code == 303 and shipment.shopping_mall_carrier_id == active.id
    moving = make_shipment(session, status="in_transit")
    assert page_of(client.get(screen(moving))).select_one("form.carrier-form") is None
