"""Customers in the global search box: names in any order, masked cards, "more" pages."""

from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from tests.support.customer_world import add_orders, make_customer


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def customer_cards(page):
    return [
        c.select_one(".card-number").get_text(strip=True)
        for c in page.select("li.card[data-kind=customer]")
    ]


def test_a_support_agent_finds_a_customer_by_name_and_opens_the_screen(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    user, _role, _address = make_customer(session)
    page = page_of(client.get("/search?q=Torres+Tariq"))
    (card,) = page.select("li.card[data-kind=customer]")
    assert card.find("a")["href"] == f"/support/customers/{user.id}"
    assert "t***@customers.test" in card.get_text() and "•••• 5678" in card.get_text()
    assert "tariq.torres@customers.test" not in page.get_text()


def test_order_cards_link_to_the_order_screen_of_the_searchers_area(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    user, _role, address = make_customer(session)
    (order,) = add_orders(session, user, address, 1)
    page = page_of(client.get(f"/search?q={order.order_number}"))
    assert page.select_one("li.card[data-kind=order] a")["href"] == f"/support/orders/{order.id}"
    assert customer_cards(page) == ["Tariq Torres"]


def test_more_than_five_customers_page_on_with_more_links(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    for n in range(8):
        make_customer(session, name=f"Freya Novak{n}", phone=f"+1-555-200-{n:04d}")
    page = page_of(client.get("/search?q=novak+freya"))
    assert customer_cards(page) == [f"Freya Novak{n}" for n in range(5)]
    more = page.select_one('section[data-kind=customer] a[rel="next"]')
    assert more.get_text(strip=True) == "More customers →"
    second = client.get(more["href"], headers={"HX-Request": "true"})
    assert second.data.lstrip().startswith(b'<section id="search-results"')
    second_page = page_of(second)
    assert customer_cards(second_page) == [f"Freya Novak{n}" for n in range(5, 8)]
    assert second_page.select_one('a[rel="next"]') is None


def test_broken_more_links_and_kinds_are_400(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    assert client.get("/search?q=novak&kind=customer&after=forged").status_code == 400
    assert client.get("/search?q=novak&kind=spaceship").status_code == 400
