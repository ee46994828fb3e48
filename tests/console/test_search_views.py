from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import Order, Payout
from tests.factories.records import build


def cards(response):
    page = BeautifulSoup(response.data, "html.parser")
    return [
        (c["data-kind"], c.select_one(".card-number").get_text(strip=True))
        for c in page.select("li.card")
    ]


def test_search_shows_cards_the_role_may_open_in_the_searchers_zone(client, session, login_as):
    login_as(Role.FINANCE_MANAGER, time_zone="Australia/Sydney")
    build(session, Order, order_number="ORD-20261122-000777", status="on_hold")
    payout = build(session, Payout, payout_number="PO-20261122-000777", status="scheduled")
    response = client.get("/search?q=PO-20261122-000777")
    assert cards(response) == [("payout", "PO-20261122-000777")]
    card = BeautifulSoup(response.data, "html.parser").select_one("li.card")
    assert card.select_one(".status").get_text() == "Scheduled"  # in words, not the key
    assert "(Australia/Sydney)" in card.get_text()
    assert card.find("a")["href"] == f"/finance/payouts/{payout.id}"  # the payout screen
    assert cards(client.get("/search?q=ORD-20261122-000777")) == [("order", "ORD-20261122-000777")]


def test_moderators_do_not_find_orders(client, session, login_as):
    login_as(Role.CONTENT_MODERATOR)
    build(session, Order, order_number="ORD-20261122-000888", status="on_hold")
    response = client.get("/search?q=ORD-20261122-000888")
    assert cards(response) == []
    assert "Nothing matches" in response.get_data(as_text=True)


def test_htmx_search_gets_the_results_block_only(client, session, login_as):
    login_as(Role.OPERATIONS_MANAGER)
    build(session, Order, order_number="ORD-20261122-000999", status="on_hold")
    response = client.get("/search?q=ORD-2026", headers={"HX-Request": "true"})
    assert response.data.lstrip().startswith(b'<section id="search-results"')
    assert ("order", "ORD-20261122-000999") in cards(response)


def test_bad_search_input_is_a_clear_message(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    assert "at least two characters" in client.get("/search?q=O").get_data(as_text=True)
    too_long = client.get("/search?q=" + "x" * 300)
    assert too_long.status_code == 422
    assert client.get("/search").status_code == 200


def test_the_global_search_box_is_on_every_page(client, login_as):
    login_as(Role.SUPPORT_AGENT)
    page = BeautifulSoup(client.get("/support/").data, "html.parser")
    box = page.select_one("form[role=search] input#global-search")
    assert box["name"] == "q" and box.find_parent("form")["action"] == "/search"
