"""Shipments and carriers in a real browser, as ops@demo.mall: the exceptions queue says why,
a shipment exception opened by keyboard, a carrier event recorded by hand that moves it and
shows on its timeline; then a carrier added (a {tracking} template refused in place), edited
and deactivated."""

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.models import Carrier, Shipment, User, utcnow
from tests.e2e.test_sign_in_browser import sign_in
from tests.factories.actors import DEMO_PASSWORD, make_staff
from tests.factories.shipments import add_event, make_carrier, make_shipment

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("SHIPMENT_SHOTS")  # a folder for screenshots of the screens
OPS = "ops@demo.mall"


@pytest.fixture(scope="module")
def engine(live_server, live_database):
    engine = create_engine(live_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(engine):
    """ops@demo.mall, a shipment in exception (an address the carrier could not find) and one
    on its way with fresh news."""
    with Session(engine) as session:
        if session.scalar(select(User).where(User.email == OPS)) is None:
            make_staff(session, OPS, [Role.OPERATIONS_MANAGER], password=DEMO_PASSWORD,
                       name="Olga Operations")  # fmt: skip
        carrier = make_carrier(
            session,
            name="Browser Parcel Co",
            tracking_url_template="https://t.example/?n={tracking_number}",
        )
        broken = make_shipment(session, status="exception", carrier=carrier, events=(),
                               tracking_number="BR&1")  # fmt: skip
        add_event(session, broken, "in_transit", utcnow() - timedelta(days=1), code="IN_TRANSIT")
        add_event(session, broken, "exception", utcnow() - timedelta(hours=5),
                  code="ADDRESS_NOT_FOUND", customer_visible=False)  # fmt: skip
        make_shipment(session, status="in_transit", carrier=carrier,
                      events=(("in_transit", timedelta(hours=1)),))  # fmt: skip
        session.commit()
        return {"number": broken.shipment_number, "id": broken.id}


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_an_exception_worked_from_the_queue(page, world, engine):
    sign_in(page, OPS)
    expect(page).to_have_url(re.compile(r"/operations/$"))
    expect(page.locator("#queues")).to_contain_text("Shipment exceptions")
    page.get_by_role("navigation", name="Screens of this area").get_by_role(
        "link", name="Shipments"
    ).click()
    expect(page).to_have_url(re.compile(r"/operations/shipments$"))
    page.locator('#shipment-tabs a[data-queue="exceptions"]').click()
    expect(page).to_have_url(re.compile(r"queue=exceptions"))
    row = page.locator("#listing tbody tr").filter(has_text=world["number"])
    expect(row).to_contain_text("Carrier exception: address not found")
    expect(page.locator("#listing tbody tr")).to_have_count(1)  # the one with news is not here
    shot(page, "exceptions_queue")

    page.keyboard.press("j")  # the keys of every list: select, then open
    expect(row).to_have_class(re.compile("selected"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/operations/shipments/{world['number']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(world["number"])
    expect(page.locator(".record-head")).to_contain_text("Exception")
    expect(page.locator("#exception-reason")).to_contain_text("address not found")
    expect(page.locator("#tracking-link")).to_have_attribute("href", "https://t.example/?n=BR%261")
    shot(page, "shipment_exception")

    form = page.locator("form.event-form")
    form.get_by_label("What the carrier reported").select_option(label="In transit")
    form.get_by_label("Where (optional)").fill("Newark depot")
    form.get_by_label("What happened").fill("Carrier found the right address; back on its way")
    form.get_by_label("Show this event to the customer").check()
    form.get_by_role("button", name="Record event").click()

    expect(page.locator("#messages")).to_contain_text(
        f"In transit recorded on {world['number']}: it is in transit now."
    )
    expect(page.locator(".record-head")).to_contain_text("In transit")
    manual = page.locator("#event-timeline tr.manual")
    expect(manual).to_contain_text("Newark depot")
    expect(manual).to_contain_text("Carrier found the right address")
    expect(manual).to_contain_text("Recorded by Olga Operations")
    expect(manual).to_contain_text("Shown")
    expect(page.locator(".timeline")).to_contain_text("recorded by hand")
    expect(page.locator("#exception-reason")).to_have_count(0)
    shot(page, "shipment_event_recorded")
    with Session(engine) as session:
        assert session.get(Shipment, world["id"]).status == "in_transit"

    page.goto("/operations/shipments?queue=exceptions")
    expect(page.locator("#listing .empty")).to_contain_text("No shipment needs attention")


def test_a_carrier_added_edited_and_deactivated(page, engine):
    sign_in(page, OPS)
    expect(page).to_have_url(re.compile(r"/operations/$"))
    page.get_by_role("navigation", name="Screens of this area").get_by_role(
        "link", name="Carriers"
    ).click()
    expect(page).to_have_url(re.compile(r"/operations/carriers$"))
    page.get_by_role("link", name="Add carrier").click()
    page.get_by_label("Name").fill("Harbor Express")
    page.get_by_label("Code").fill("harbor-express")
    address = page.get_by_label("Tracking address")
    address.fill("https://harbor.example/track?no={tracking}")
    page.get_by_role("button", name="Add carrier").click()
    expect(page.locator(".error-summary")).to_contain_text("instead of {tracking}")
    expect(page.get_by_label("Name")).to_have_value("Harbor Express")  # the input is kept
    shot(page, "carrier_refused")
    address.fill("https://harbor.example/track?no={tracking_number}")
    page.get_by_role("button", name="Add carrier").click()
    expect(page.locator("#messages")).to_contain_text("Harbor Express added")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbor Express")
    expect(page.locator("#example-link")).to_have_attribute(
        "href", re.compile(r"^https://harbor\.example/track\?no=1Z")
    )

    edit = page.locator("form.carrier-edit")
    edit.get_by_label("Customer service phone (optional)").fill("+1 800 555 0199")
    edit.get_by_role("button", name="Save carrier").click()
    expect(page.locator("#messages")).to_contain_text("Harbor Express saved.")
    expect(page.locator(".record-summary")).to_contain_text("+1 800 555 0199")

    deactivate = page.locator("form.carrier-deactivate")
    deactivate.get_by_role("button", name="Deactivate carrier").click()
    expect(deactivate.locator(".field-errors")).to_contain_text("Say why")
    deactivate.get_by_label("Why?").fill("Trial ended")
    deactivate.get_by_role("button", name="Deactivate carrier").click()
    expect(page.locator("#messages")).to_contain_text("Harbor Express is inactive")
    expect(page.locator(".record-head")).to_contain_text("Inactive")
    expect(page.locator(".timeline")).to_contain_text("Trial ended")
    shot(page, "carrier_deactivated")

    page.goto("/operations/carriers?state=inactive")
    expect(page.locator("#listing tbody tr").filter(has_text="Harbor Express")).to_contain_text(
        "Inactive"
    )
    shot(page, "carrier_list")
    with Session(engine) as session:
        carrier = session.scalar(select(Carrier).where(Carrier.code == "harbor-express"))
        assert (carrier.active, carrier.phone, carrier.version) == (False, "+1 800 555 0199", 3)
