"""The customer 360 screen: masked by default, the audited reveal, who may open it, orders."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Customer, User, UserAddress
from tests.factories.actors import make_staff
from tests.query_counts import assert_constant_queries
from tests.support.customer_world import add_history, add_orders, make_customer

HTMX = {"HX-Request": "true"}
MODELS = (User, Customer, UserAddress)


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def customer(session):
    user, role, address = make_customer(session)
    add_history(session, user, role, count=2)
    add_orders(session, user, address, 3)
    return user


def test_personal_data_is_masked_by_default(client, login_as, customer):
    login_as(Role.SUPPORT_AGENT)
    response = client.get(f"/support/customers/{customer.id}")
    assert response.status_code == 200
    page = page_of(response)
    text = page.get_text()
    assert page.find("h1").get_text(strip=True) == "Tariq Torres"
    assert page.select_one('#contact [data-field="email"]').get_text() == "t***@customers.test"
    assert page.select_one('#contact [data-field="phone"]').get_text() == "•••• 5678"
    assert "Portland, OR, US" in text
    for secret in ("tariq.torres@customers.test", "234-5678", "12 Secret Lane"):
        assert secret not in response.get_data(as_text=True)
    assert page.select_one("form.reveal-form textarea[name=reason]") is not None


def test_every_section_shows_in_words(client, login_as, customer):
    login_as(Role.SUPPORT_AGENT)
    page = page_of(client.get(f"/support/customers/{customer.id}"))
    text = page.get_text(" ").replace("\xa0", " ")
    assert "Marketing email" in text and "Given" in text
    assert "Login failure" in text
    assert "USD 25.00" in text  # the wallet balance, with its currency
    assert "WELCOME-" in text and "Applied" in text
    assert "4.5 / 5" in text
    assert "Parcel never came" in text
    rows = page.select("#listing tbody tr[data-href]")
    assert len(rows) == 3 and "Delivered" in rows[0].get_text()
    assert rows[0]["data-href"].startswith("/support/orders/")
    assert "delivered" not in page.select_one("#listing tbody").get_text()  # no raw keys


def test_reveal_shows_the_details_and_audits_the_reason(
    client, session, login_as, customer, token_of
):
    agent = login_as(Role.SUPPORT_AGENT)
    token = token_of(f"/support/customers/{customer.id}")
    response = client.post(
        f"/support/customers/{customer.id}/reveal",
        data={"reason": "Customer called to confirm the address", "csrf_token": token},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.data.lstrip().startswith(b'<section id="contact"')
    fragment = page_of(response)
    assert fragment.select_one('[data-field="email"]').get_text() == "tariq.torres@customers.test"
    assert "12 Secret Lane" in fragment.get_text()
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == customer.id)).all()
    assert (event.action, event.reason, event.actor_user_id) == (
        "customer_contact_revealed", "Customer called to confirm the address", agent.id,
    )  # fmt: skip
    # a new page is masked again
    assert "tariq.torres@customers.test" not in client.get(
        f"/support/customers/{customer.id}"
    ).get_data(as_text=True)


def test_reveal_without_a_reason_is_refused_next_to_the_field(
    client, session, login_as, customer, token_of
):
    login_as(Role.SUPPORT_AGENT)
    token = token_of(f"/support/customers/{customer.id}")
    response = client.post(
        f"/support/customers/{customer.id}/reveal", data={"reason": " ", "csrf_token": token}
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "Say why" in page.select_one("#contact .field-errors").get_text()
    assert "tariq.torres@customers.test" not in response.get_data(as_text=True)
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.entity_id == customer.id)).all() == []
    )


@pytest.mark.parametrize(
    "role",
    [Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR, Role.SYSTEM_ADMIN, Role.OPERATIONS_MANAGER],
)
def test_other_roles_may_not_open_or_reveal(client, login_as, customer, role):
    login_as(role)
    assert client.get(f"/support/customers/{customer.id}").status_code == 403
    token = client.get("/account").data
    from tests.conftest import csrf_from

    response = client.post(
        f"/support/customers/{customer.id}/reveal",
        data={"reason": "Curious", "csrf_token": csrf_from(token)},
    )
    assert response.status_code == 403


def test_anything_but_a_customer_is_not_found(client, session, login_as):
    agent = login_as(Role.SUPPORT_AGENT)
    other = make_staff(session, "someone@test.mall")
    for missing in (agent.id, other.id, "no-such-customer"):
        assert client.get(f"/support/customers/{missing}").status_code == 404


def test_bad_list_input_is_a_400(client, login_as, customer):
    login_as(Role.SUPPORT_AGENT)
    base = f"/support/customers/{customer.id}"
    assert client.get(base + "?status=teleported").status_code == 400
    assert client.get(base + "?after=forged").status_code == 400
    assert client.get(base + "?sort=-colour").status_code == 400
    filtered = page_of(client.get(base + "?status=canceled"))
    assert "No order matches" in filtered.select_one("#listing").get_text()


def test_the_orders_list_reloads_alone_for_htmx(client, login_as, customer):
    login_as(Role.SUPPORT_AGENT)
    response = client.get(f"/support/customers/{customer.id}?sort=total", headers=HTMX)
    assert response.data.lstrip().startswith(b'<div id="listing"')
    totals = [td.get_text(strip=True) for td in page_of(response).select("tbody td.num")]
    assert totals == sorted(totals)


def test_the_screen_costs_the_same_queries_for_10_or_100_of_everything(
    client, session, login_as, count_queries
):
    login_as(Role.SUPPORT_AGENT)
    ids = [row.id for row in make_customer(session)]
    session.commit()  # kept whatever the requests in between do with the session

    def add(n):
        # the rows again: a request ends the session they were loaded in
        user, role, address = (session.get(m, i) for m, i in zip(MODELS, ids, strict=True))
        add_orders(session, user, address, n)
        add_history(session, user, role, count=n)
        session.commit()

    def read(size):
        response = client.get(f"/support/customers/{ids[0]}?limit=100")
        assert response.status_code == 200
        assert len(page_of(response).select("#listing tbody tr")) == size

    small, large = assert_constant_queries(count_queries, add, read)
    assert small == large
