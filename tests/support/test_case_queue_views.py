"""/support/cases (the queues), take next, new case, and the support home's links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Order, SupportCase
from tests.conftest import csrf_from
from tests.factories.actors import make_customer, make_staff
from tests.factories.records import build
from tests.query_counts import assert_constant_queries
from tests.support.cases import add_case, add_cases

HTMX = {"HX-Request": "true"}


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def listed(page):
    return [tr.select_one("a.number").get_text() for tr in page.select("#listing tbody tr")]


@pytest.fixture
def agent(login_as):
    return login_as(Role.SUPPORT_AGENT, email="agent@views.test")


@pytest.fixture
def colleague(session):
    return make_staff(session, "mina@views.test", (Role.SUPPORT_AGENT,))


def test_the_unassigned_queue_lists_rows_in_words_soonest_sla_first(client, session, agent):
    customer = make_customer(session, "ana@example.test", name="Ana Collins")
    late = add_case(
        session,
        case_number="CAS-20261201-000002",
        sla_in=-timedelta(hours=2),
        priority="urgent",
        customer_user_id=customer.id,
        status="on_hold",
    )
    add_case(session, case_number="CAS-20261201-000001", sla_in=timedelta(minutes=35))
    add_case(session, case_number="CAS-20261201-000003", sla_in=timedelta(hours=8))
    page = page_of(client.get("/support/cases?queue=unassigned"))
    assert page.find("h1").get_text() == "Cases"
    assert listed(page) == ["CAS-20261201-000002", "CAS-20261201-000001", "CAS-20261201-000003"]
    first, second, third = page.select("#listing tbody tr")
    assert first["data-href"].endswith(f"/support/cases/{late.id}")
    text = first.get_text(" ", strip=True)
    assert "Ana Collins" in text and "On hold" in text and "Urgent" in text and "Nobody" in text
    assert first.select_one(".sla .state-danger").get_text() == "2 h overdue"
    assert second.select_one(".sla .state-warning").get_text() == "35 min left"
    assert (
        third.select_one(".sla .state") is None
        and "8 h left" in third.select_one(".sla").get_text()
    )
    assert "on_hold" not in page.get_text() and "shopping_mall" not in page.get_text()
    tab = page.select_one('#queue-tabs a[aria-current="page"]')
    assert tab["data-queue"] == "unassigned" and tab.select_one(".count").get_text() == "3"


def test_each_queue_and_its_tab_count(client, session, agent, colleague):
    add_case(session, assigned_to_user_id=agent.id, case_number="CAS-MINE")
    add_case(
        session,
        assigned_to_user_id=colleague.id,
        case_number="CAS-THEIRS",
        sla_in=-timedelta(minutes=1),
    )
    add_case(session, case_number="CAS-FREE")
    add_case(session, case_number="CAS-DONE", status="closed", assigned_to_user_id=agent.id)
    expected = {
        "mine": ["CAS-MINE"],
        "unassigned": ["CAS-FREE"],
        "sla": ["CAS-THEIRS"],
    }
    for queue, numbers in expected.items():
        page = page_of(client.get(f"/support/cases?queue={queue}"))
        assert listed(page) == numbers, queue
    everything = page_of(client.get("/support/cases?queue=all"))
    assert sorted(listed(everything)) == ["CAS-DONE", "CAS-FREE", "CAS-MINE", "CAS-THEIRS"]
    counts = {
        a["data-queue"]: a.select_one(".count").get_text()
        for a in everything.select("#queue-tabs a")
    }
    assert counts == {"mine": "1", "unassigned": "1", "sla": "1", "all": "4"}
    assert listed(page_of(client.get("/support/cases"))) == ["CAS-MINE"]  # mine by default


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("priority=urgent", ["CAS-U"]),
        ("status=pending", ["CAS-P"]),
        ("category=payment", ["CAS-P"]),
        ("channel=phone", ["CAS-U"]),
    ],
)
def test_filters_live_in_the_url_and_keep_the_queue(client, session, agent, query, numbers):
    add_case(session, case_number="CAS-U", priority="urgent", origin_channel="phone")
    add_case(session, case_number="CAS-P", status="pending", category="payment")
    page = page_of(client.get(f"/support/cases?queue=unassigned&{query}"))
    assert listed(page) == numbers
    assert page.select_one("form.filters input[name=queue]")["value"] == "unassigned"
    clear = page.select_one("form.filters a.clear-filters")
    assert parse_qs(urlparse(clear["href"]).query) == {"queue": ["unassigned"]}
    assert page.select_one("#listing .count").get_text() == "1"


def test_the_assignee_filter_names_agents(client, session, agent, colleague):
    add_case(session, case_number="CAS-M", assigned_to_user_id=colleague.id)
    add_case(session, case_number="CAS-A", assigned_to_user_id=agent.id)
    page = page_of(client.get(f"/support/cases?queue=all&assignee={colleague.id}"))
    assert listed(page) == ["CAS-M"]
    options = {o.get_text() for o in page.select("select#assignee option")}
    assert {"Anyone", "mina@views.test", "agent@views.test"} <= options


@pytest.mark.parametrize(
    "query",
    [
        "queue=everything",
        "queue=all&priority=whenever",
        "queue=all&assignee=nobody",
        "queue=all&sort=subject",
        "queue=all&limit=7",
        "queue=all&after=forged-cursor",
        "queue=all&before=eyJvIjoic2xhIn0.forged",
    ],
)
def test_bad_filters_and_cursors_are_400_with_a_message(client, session, agent, query):
    response = client.get(f"/support/cases?{query}")
    assert response.status_code == 400
    text = page_of(response).get_text()
    assert "Traceback" not in text
    assert any(
        w in text for w in ("queue", "not valid", "Unknown sort", "Rows per page", "page link")
    )


def test_a_cursor_of_another_sort_is_refused(client, session, agent):
    add_cases(session, 30)
    page = page_of(client.get("/support/cases?queue=unassigned&limit=25"))
    token = parse_qs(urlparse(page.select_one(".pager a[rel=next]")["href"]).query)["after"][0]
    assert (
        client.get(f"/support/cases?queue=unassigned&sort=-priority&after={token}").status_code
        == 400
    )


def test_pages_are_stable_when_a_case_arrives_meanwhile(client, session, agent):
    cases = [
        add_case(session, case_number=f"CAS-20261201-{n:06d}", sla_in=timedelta(hours=2, minutes=n))
        for n in range(30)
    ]
    first = page_of(client.get("/support/cases?queue=unassigned&limit=25"))
    assert listed(first) == [c.case_number for c in cases[:25]]
    add_case(session, case_number="CAS-NEWCOMER", sla_in=timedelta(minutes=1))
    second = page_of(client.get(first.select_one(".pager a[rel=next]")["href"]))
    assert listed(second) == [c.case_number for c in cases[25:]]
    back = page_of(client.get(second.select_one(".pager a[rel=prev]")["href"]))
    assert listed(back) == [c.case_number for c in cases[:25]]


def test_sorting_by_priority_and_activity_keeps_the_queue_and_filters(client, session, agent):
    low = add_case(session, case_number="CAS-LOW", priority="low", active_ago=timedelta(minutes=1))
    add_case(session, case_number="CAS-URG", priority="urgent", active_ago=timedelta(hours=3))
    page = page_of(client.get("/support/cases?queue=unassigned&category=order"))
    header = next(
        a for a in page.select("#listing th a.sort") if a.get_text().startswith("Priority")
    )
    query = parse_qs(urlparse(header["href"]).query)
    assert query == {"queue": ["unassigned"], "category": ["order"], "sort": ["-priority"]}
    assert listed(page_of(client.get(header["href"]))) == ["CAS-URG", "CAS-LOW"]
    by_activity = page_of(client.get("/support/cases?queue=unassigned&sort=-activity"))
    assert listed(by_activity) == [low.case_number, "CAS-URG"]


def test_the_list_refreshes_itself_in_the_background_keeping_its_place(client, session, agent):
    add_cases(session, 30)
    page = page_of(client.get("/support/cases?queue=unassigned&limit=25&priority=normal"))
    second_url = page.select_one(".pager a[rel=next]")["href"]
    second = page_of(client.get(second_url))
    poller = second.select_one("#listing span[hx-trigger]")
    assert poller["hx-trigger"] == "every 30s" and '"X-Background": "1"' in poller["hx-headers"]
    assert parse_qs(urlparse(poller["hx-get"]).query) == parse_qs(urlparse(second_url).query)
    fragment = client.get(poller["hx-get"], headers={**HTMX, "X-Background": "1"})
    assert not fragment.data.lstrip().startswith(b"<!doctype")
    assert len(page_of(fragment).select("#listing tbody tr")) == 5
    tabs = page.select_one("#queue-tabs")
    assert tabs["hx-trigger"] == "every 30s" and "part=tabs" in tabs["hx-get"]
    refreshed = page_of(client.get(tabs["hx-get"], headers={**HTMX, "X-Background": "1"}))
    assert (
        refreshed.select_one("nav#queue-tabs") is not None and refreshed.select_one("table") is None
    )


def test_empty_queues_say_why_and_what_to_do(client, session, agent):
    page = page_of(client.get("/support/cases?queue=mine"))
    assert "Take next" in page.select_one("#listing .empty").get_text()
    filtered = page_of(client.get("/support/cases?queue=unassigned&priority=urgent"))
    assert "Clear the filters" in filtered.select_one("#listing .empty").get_text()


def test_a_page_runs_as_many_queries_for_100_cases_as_for_10(client, session, agent, count_queries):
    customer = make_customer(session, "many@example.test", name="Many Cases")

    def read(_size):
        response = client.get("/support/cases?queue=unassigned&limit=100")
        assert response.status_code == 200

    small, large = assert_constant_queries(
        count_queries, lambda n: add_cases(session, n, customer_user_id=customer.id), read
    )
    assert small == large


def test_hostile_subjects_are_shown_as_text(client, session, agent):
    add_case(session, subject="<script>alert(1)</script>")
    page = client.get("/support/cases?queue=unassigned").data
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- take next ---------------------------------------------------------------------------------


def test_take_next_assigns_the_most_urgent_case_and_redirects_to_it(client, session, agent):
    add_case(session, sla_in=timedelta(hours=4))
    urgent = add_case(session, sla_in=-timedelta(minutes=10), case_number="CAS-FIRST")
    token = csrf_from(client.get("/support/cases").data)
    response = client.post("/support/cases/take-next", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/support/cases/{urgent.id}")
    session.refresh(urgent)
    assert urgent.assigned_to_user_id == agent.id and urgent.version == 2
    mine = page_of(client.get("/support/cases?queue=mine"))
    assert listed(mine) == ["CAS-FIRST"]
    assert "CAS-FIRST is yours now" in mine.select_one("#messages").get_text()


def test_take_next_with_nothing_waiting_goes_back_to_the_queue(client, session, agent):
    token = csrf_from(client.get("/support/cases").data)
    response = client.post("/support/cases/take-next", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/support/cases?queue=unassigned")
    page = page_of(client.get(response.headers["Location"]))
    assert "No unassigned case is waiting" in page.select_one("#messages").get_text()


def test_take_next_needs_the_csrf_token_and_the_support_role(client, session, login_as):
    add_case(session)
    # without the token the CSRF check answers first (400); signed out with it, the sign-in
    # page (302, no next: a POST is not come back to); signed in without the support role, 403
    assert client.post("/support/cases/take-next").status_code == 400
    anonymous = client.post(
        "/support/cases/take-next", data={"csrf_token": csrf_from(client.get("/login").data)}
    )
    assert (anonymous.status_code, anonymous.headers["Location"]) == (302, "/login")
    login_as(Role.FINANCE_MANAGER)
    assert client.post("/support/cases/take-next").status_code == 400
    token = csrf_from(client.get("/account").data)
    response = client.post("/support/cases/take-next", data={"csrf_token": token})
    assert response.status_code == 403
    assert (
        session.scalar(select(SupportCase).where(SupportCase.assigned_to_user_id.is_not(None)))
        is None
    )


# --- new case ----------------------------------------------------------------------------------


def test_a_new_case_opens_numbered_and_lands_on_its_screen(client, session, agent):
    customer = make_customer(session, "caller@example.test")
    build(session, Order, shopping_mall_user_id=customer.id, order_number="ORD-20261201-000009")
    page = page_of(client.get("/support/cases/new"))
    assert page.find("h1").get_text() == "New case"
    data = {
        "csrf_token": csrf_from(str(page)),
        "subject": "Wrong size delivered",
        "description": "Called about the shoes.",
        "category": "return",
        "priority": "high",
        "channel": "phone",
        "customer": "Caller@Example.test",
        "order": "ORD-20261201-000009",
    }
    response = client.post("/support/cases/new", data=data)
    assert response.status_code == 303
    opened = session.scalar(
        select(SupportCase).where(SupportCase.subject == "Wrong size delivered")
    )
    assert response.headers["Location"].endswith(f"/support/cases/{opened.id}")
    assert opened.case_number.startswith("CAS-") and opened.customer_user_id == customer.id
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == opened.id)) == (
        "case_created"
    )


def test_a_new_case_with_errors_is_422_next_to_the_fields_and_keeps_the_input(
    client, session, agent
):
    token = csrf_from(client.get("/support/cases/new").data)
    data = {
        "csrf_token": token,
        "subject": "<b>Help</b>",
        "category": "order",
        "priority": "normal",
        "channel": "email",
        "customer": "nobody@example.test",
        "order": "ORD-NOPE",
    }
    response = client.post("/support/cases/new", data=data)
    assert response.status_code == 422
    page = page_of(response)
    assert "No customer has that email" in page.select_one("#customer-errors").get_text()
    assert page.select_one("#subject")["value"] == "<b>Help</b>"
    summary = page.select_one(".error-summary")
    assert summary.select_one('a[href="#customer"]') is not None
    assert session.scalar(select(SupportCase).where(SupportCase.subject == "<b>Help</b>")) is None


def test_the_new_case_form_refuses_unknown_choices(client, session, agent):
    token = csrf_from(client.get("/support/cases/new").data)
    response = client.post(
        "/support/cases/new",
        data={
            "csrf_token": token,
            "subject": "x",
            "category": "weather",
            "priority": "normal",
            "channel": "email",
            "customer": "a@b.c",
        },
    )
    assert response.status_code == 422
    assert page_of(response).select_one("#category-errors") is not None


# --- the support home --------------------------------------------------------------------------


def test_the_home_links_each_queue_count_to_its_list(client, session, agent):
    add_case(session, assigned_to_user_id=agent.id, sla_in=timedelta(minutes=20))
    add_case(session)
    page = page_of(client.get("/support/"))
    rows = {tr["data-queue"]: tr for tr in page.select("tr[data-queue]")}
    assert list(rows) == ["cases_mine", "cases_unassigned", "cases_sla", "cases_all"]
    counts = {key: tr.select_one(".count").get_text() for key, tr in rows.items()}
    assert counts == {
        "cases_mine": "1",
        "cases_unassigned": "1",
        "cases_sla": "1",
        "cases_all": "2",
    }
    link = rows["cases_sla"].select_one("a")["href"]
    assert link == "/support/cases?queue=sla"
    assert listed(page_of(client.get(link))) != []
    assert page.select_one('form[action="/support/cases/take-next"]') is not None


@pytest.mark.parametrize(
    ("sla_in", "words"),
    [
        (-timedelta(minutes=5, seconds=10), "5 min overdue"),
        (-timedelta(hours=2, minutes=5, seconds=10), "2 h 5 min overdue"),
        (-timedelta(hours=30, minutes=10), "30 h overdue"),
        (-timedelta(hours=3839, minutes=25), "159 days overdue"),
        (timedelta(minutes=35, seconds=10), "35 min left"),
        (timedelta(days=12, minutes=10), "12 days left"),
    ],
)
def test_the_case_list_and_the_case_screen_say_the_sla_in_the_same_words(
    client, session, agent, sla_in, words
):
    case = add_case(session, case_number="CAS-20261201-000009", sla_in=sla_in)
    row = page_of(client.get("/support/cases?queue=all")).select_one("#listing tbody tr")
    assert row.select_one(".sla").get_text(strip=True) == words
    header = page_of(client.get(f"/support/cases/{case.id}")).select_one("#case-header")
    sla = next(dt for dt in header.select("dt") if dt.get_text() == "SLA").find_next("dd")
    assert sla.select_one(".state").get_text(strip=True) == words
