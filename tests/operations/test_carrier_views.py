"""The carrier screens: the list (active and inactive), adding one, editing with versions,
deactivating and reactivating, deleting one entered by mistake; errors in place, bad input
statuses, and who may see them."""

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import Carrier
from mallconsole.services.fulfilment import carriers
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.shipments import make_carrier, make_shipment

LIST = "/operations/carriers"
TEMPLATE = "https://www.parcel.example/track?id={tracking_number}"


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def words(node) -> str:
    return node.get_text(" ", strip=True).replace("\xa0", " ")


def post(client, url, data, page=LIST):
    token = csrf_from(client.get(page).data)
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def ops(login_as):
    return login_as(Role.OPERATIONS_MANAGER)


def screen(carrier):
    return f"{LIST}/{carrier.id}"


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR])
def test_other_roles_are_refused(client, session, login_as, role):
    carrier = make_carrier(session)
    login_as(role)
    for path in (LIST, f"{LIST}/new", screen(carrier)):
        assert client.get(path).status_code == 403
    token = csrf_from(client.get("/account").data)
    for action in ("", "/deactivate", "/reactivate", "/delete"):
        answer = client.post(f"{screen(carrier)}{action}", data={"csrf_token": token})
        assert answer.status_code == 403
    assert client.post(f"{LIST}/new", data={"csrf_token": token}).status_code == 403
    assert carrier.version == 1 and carrier.active


def test_the_list_shows_active_and_inactive_carriers_in_words(client, session, ops):
    make_carrier(session, name="Aardvark Active", tracking_url_template=TEMPLATE)
    make_carrier(session, name="Aardvark Retired", active=False, tracking_url_template=None)
    page = page_of(client.get(f"{LIST}?q=aardvark"))
    rows = {words(tr.select_one("td")): tr for tr in page.select("#listing tbody tr")}
    assert set(rows) == {"Aardvark Active", "Aardvark Retired"}
    assert "Active" in words(rows["Aardvark Active"])
    assert "www.parcel.example" in words(rows["Aardvark Active"])
    assert "Inactive" in words(rows["Aardvark Retired"])
    assert "No tracking page" in words(rows["Aardvark Retired"])
    inactive = page_of(client.get(f"{LIST}?q=aardvark&state=inactive"))
    assert [words(tr.select_one("td")) for tr in inactive.select("#listing tbody tr")] == [
        "Aardvark Retired"
    ]
    assert page.find("a", string="Add carrier")["href"] == f"{LIST}/new"


@pytest.mark.parametrize(
    "query", ["state=gone", "sort=colour", "after=forged", "q=" + "x" * 101, "limit=3"]
)
def test_bad_list_queries_are_400_with_a_message(client, ops, query):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400 and len(words(page_of(response))) > 20


def test_adding_a_carrier_with_errors_in_place_then_for_real(client, session, ops):
    bad = {"name": "Parcel Example", "code": "Parcel Example!", "phone": "",
           "tracking_url_template": "https://www.parcel.example/track?id={tracking}"}  # fmt: skip
    response = post(client, f"{LIST}/new", bad, f"{LIST}/new")
    assert response.status_code == 422
    page = page_of(response)
    assert "The carrier was not added" in words(page.select_one(".error-summary"))
    assert "instead of {tracking}" in words(page.select_one("#tracking_url_template-errors"))
    assert "lower-case letters" in words(page.select_one("#code-errors"))
    assert page.select_one("#name")["value"] == "Parcel Example"  # the input is kept
    good = dict(bad, code="parcel-example", tracking_url_template=TEMPLATE)
    response = post(client, f"{LIST}/new", good, f"{LIST}/new")
    assert response.status_code == 303
    carrier = session.query(Carrier).filter_by(code="parcel-example").one()
    assert response.headers["Location"].endswith(screen(carrier))
    page = page_of(client.get(screen(carrier)))
    assert "Parcel Example added" in words(page.select_one("#messages"))
    example = page.select_one("#example-link")
    assert example["href"] == (
        f"https://www.parcel.example/track?id={carriers.EXAMPLE_TRACKING_NUMBER}"
    )


def test_a_template_with_markup_is_refused_and_never_drawn_raw(client, session, ops):
    hostile = 'https://x.example/{tracking_number}"><script>alert(1)</script>'
    response = post(client, f"{LIST}/new", {"name": "Evil", "code": "evil",
                    "tracking_url_template": hostile}, f"{LIST}/new")  # fmt: skip
    assert response.status_code == 422
    assert b"<script>alert(1)</script>" not in response.data
    assert 'A web address has no " < >' in words(page_of(response))


def test_editing_with_a_stale_version_is_a_409_keeping_the_input(client, session, ops):
    carrier = make_carrier(
        session, name="Stale Co", code="stale-co", tracking_url_template=TEMPLATE
    )
    other = make_staff(session, "ops-carrier-other@test.mall", (Role.OPERATIONS_MANAGER,))
    carriers.edit_carrier(session, carrier.id, code="stale-co", name="Stale Company",
                          template=TEMPLATE, phone=None, expected_version=1,
                          actor=other)  # fmt: skip
    mine = {"name": "Stale Co Ltd", "code": "stale-co", "tracking_url_template": TEMPLATE,
            "phone": "", "version": 1}  # fmt: skip
    response = post(client, screen(carrier), mine, screen(carrier))
    assert response.status_code == 409
    page = page_of(response)
    assert "Stale Company" in words(page.select_one(".stale"))
    form = page.select_one("form.carrier-edit")
    assert form.select_one("#name")["value"] == "Stale Co Ltd"
    assert form.select_one("input[name=version]")["value"] == "2"
    response = post(client, screen(carrier), dict(mine, version=2), screen(carrier))
    assert response.status_code == 303 and carrier.name == "Stale Co Ltd" and carrier.version == 3
    assert (
        post(client, screen(carrier), dict(mine, version="x"), screen(carrier)).status_code == 422
    )


def test_deactivating_and_reactivating_a_carrier_with_shipments(client, session, ops):
    carrier = make_carrier(session, name="Switch Co")
    make_shipment(session, carrier=carrier)
    page = page_of(client.get(screen(carrier)))
    assert page.select_one("form.carrier-delete") is None  # it has shipments: no deleting
    response = post(client, f"{screen(carrier)}/deactivate", {"reason": "", "version": 1},
                    screen(carrier))  # fmt: skip
    assert response.status_code == 422
    assert "Say why" in words(page_of(response).select_one("form.carrier-deactivate"))
    response = post(client, f"{screen(carrier)}/deactivate",
                    {"reason": "Contract ended", "version": 1}, screen(carrier))  # fmt: skip
    assert response.status_code == 303 and not carrier.active
    page = page_of(client.get(screen(carrier)))
    assert "Switch Co is inactive" in words(page.select_one("#inactive-notice"))
    assert "Contract ended" in words(page.select_one(".timeline"))
    assert page.select_one("form.carrier-reactivate") is not None
    again = post(client, f"{screen(carrier)}/deactivate", {"reason": "x", "version": 2},
                 screen(carrier))  # fmt: skip
    assert again.status_code == 409 and "inactive already" in words(page_of(again))
    response = post(client, f"{screen(carrier)}/reactivate", {"reason": "", "version": 2},
                    screen(carrier))  # fmt: skip
    assert response.status_code == 303 and carrier.active and carrier.version == 3


def test_deleting_a_carrier_entered_by_mistake(client, session, ops):
    carrier = make_carrier(session, name="Typo Co")
    page = page_of(client.get(screen(carrier)))
    form = page.select_one("form.carrier-delete")
    dialog = form.find("dialog")
    assert "Delete Typo Co?" in words(dialog) and dialog.find("button", type="submit")
    response = post(client, f"{screen(carrier)}/delete", {"reason": "Entered twice", "version": 1},
                    screen(carrier))  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"].endswith(LIST)
    assert carrier.deleted_at is not None
    assert client.get(screen(carrier)).status_code == 404
    assert client.get(f"{LIST}/not-an-id").status_code == 404


def test_a_carrier_with_shipments_cannot_be_deleted(client, session, ops):
    carrier = make_carrier(session, name="Busy Co")
    make_shipment(session, carrier=carrier)
    response = post(client, f"{screen(carrier)}/delete", {"reason": "Mistake", "version": 1},
                    screen(carrier))  # fmt: skip
    assert response.status_code == 409
    assert "deactivate it instead" in words(page_of(response))
    assert carrier.deleted_at is None
