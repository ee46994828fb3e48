"""/support/canned-replies: the library's list, search, add, edit (409 when stale), delete."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import CannedReply
from mallconsole.services.support import canned_replies
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.query_counts import assert_constant_queries


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def titles(page):
    return [tr.select_one("td").get_text(strip=True) for tr in page.select("#listing tbody tr")]


@pytest.fixture
def agent(login_as):
    return login_as(Role.SUPPORT_AGENT, email="writer@replies.test")


@pytest.fixture
def author(session):
    return make_staff(session, "author@replies.test", (Role.SUPPORT_AGENT,))


def add(session, author, title, body="Hello {customer_name}", category=None, used=0):
    reply = canned_replies.add_reply(
        session, title=title, body=body, category=category, actor=author
    )
    reply.usage_count = used
    session.flush()
    return reply


def test_the_library_lists_searches_and_filters(client, session, agent, author):
    add(session, author, "Where is my order", "Your order {order_number} ships", "shipping", 41)
    add(session, author, "Refund on its way", "Refunded.", "refund", 3)
    page = page_of(client.get("/support/canned-replies"))
    assert page.find("h1").get_text() == "Canned replies"
    assert titles(page) == ["Refund on its way", "Where is my order"]
    row = page.select("#listing tbody tr")[1]
    assert "Shipping" in row.get_text() and "41" in row.get_text() and "Never" in row.get_text()
    assert row["data-href"].startswith("/support/canned-replies/")
    placeholders = page.select_one(".placeholders").get_text()
    for name in ("{customer_name}", "{order_number}", "{case_number}", "{agent_name}"):
        assert name in placeholders
    assert titles(page_of(client.get("/support/canned-replies?q=ORDER_NUMBER"))) == [
        "Where is my order"
    ]
    assert titles(page_of(client.get("/support/canned-replies?category=refund"))) == [
        "Refund on its way"
    ]
    most_used = page_of(client.get("/support/canned-replies?sort=-used"))
    assert titles(most_used) == ["Where is my order", "Refund on its way"]
    assert client.get("/support/canned-replies?category=weather").status_code == 400


def test_adding_a_reply_and_the_422s(client, session, agent, author):
    add(session, author, "Thanks")
    token = csrf_from(client.get("/support/canned-replies").data)
    ok = client.post(
        "/support/canned-replies",
        data={"csrf_token": token, "title": "Label", "body": "Hi {customer_name}", "category": ""},
    )
    assert ok.status_code == 303
    created = session.scalar(select(CannedReply).where(CannedReply.title == "Label"))
    assert created.created_by_user_id == agent.id and created.category is None
    taken = client.post(
        "/support/canned-replies",
        data={"csrf_token": token, "title": "thanks", "body": "Hi"},
    )
    assert taken.status_code == 422
    assert "already has this title" in page_of(taken).select_one("#title-errors").get_text()
    unknown = client.post(
        "/support/canned-replies",
        data={"csrf_token": token, "title": "New", "body": "Hi {customer}"},
    )
    assert unknown.status_code == 422
    page = page_of(unknown)
    assert "Unknown placeholder {customer}" in page.select_one("#body-errors").get_text()
    assert page.select_one("#body").get_text().strip() == "Hi {customer}"  # the input is kept
    assert session.scalar(select(CannedReply).where(CannedReply.title == "New")) is None


def test_editing_a_reply_and_a_stale_edit_is_409_with_what_changed(client, session, agent, author):
    reply = add(session, author, "Return label", "Old text")
    url = f"/support/canned-replies/{reply.id}"
    page = page_of(client.get(url))
    assert page.select_one("input[name=version]")["value"] == "1"
    token = csrf_from(str(page))
    saved = client.post(
        url,
        data={
            "csrf_token": token,
            "title": "Return label",
            "body": "New {case_number}",
            "category": "return",
            "version": "1",
        },
    )
    assert saved.status_code == 303
    session.refresh(reply)
    assert (reply.body, reply.version) == ("New {case_number}", 2)
    stale = client.post(
        url,
        data={
            "csrf_token": token,
            "title": "Return label",
            "body": "My older edit",
            "category": "",
            "version": "1",
        },
    )
    assert stale.status_code == 409
    notice = page_of(stale).select_one(".stale")
    assert "Changed by someone else" in notice.get_text() and "Text" in notice.get_text()
    form = page_of(stale)
    assert form.select_one("textarea#body").get_text().strip() == "My older edit"
    assert form.select_one("#editor form input[name=version]")["value"] == "2"
    session.refresh(reply)
    assert reply.body == "New {case_number}"
    bad_version = client.post(url, data={"csrf_token": token, "title": "T", "body": "B"})
    assert bad_version.status_code == 422


def test_deleting_a_reply_is_soft_and_stale_deletes_are_refused(client, session, agent, author):
    reply = add(session, author, "Old reply")
    token = csrf_from(client.get(f"/support/canned-replies/{reply.id}").data)
    refused = client.post(
        f"/support/canned-replies/{reply.id}/delete", data={"csrf_token": token, "version": "9"}
    )
    assert refused.status_code == 409
    done = client.post(
        f"/support/canned-replies/{reply.id}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert done.status_code == 303
    session.refresh(reply)
    assert reply.deleted_at is not None
    assert titles(page_of(client.get("/support/canned-replies"))) == []
    assert client.get(f"/support/canned-replies/{reply.id}").status_code == 404


def test_other_roles_cannot_read_or_change_the_library(client, session, login_as, author):
    reply = add(session, author, "Private")
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get("/account").data)
    assert client.get("/support/canned-replies").status_code == 403
    response = client.post(
        f"/support/canned-replies/{reply.id}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 403
    assert session.get(CannedReply, reply.id).deleted_at is None


def test_hostile_replies_show_as_text(client, session, agent, author):
    add(session, author, "<img src=x onerror=alert(1)>", "<script>alert(2)</script>")
    page = client.get("/support/canned-replies").data
    assert b"<img src=x" not in page and b"<script>alert(2)" not in page


def test_the_library_runs_as_many_queries_for_100_replies_as_for_10(
    client, session, agent, author, count_queries
):
    made = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            add(session, author, f"Reply {next(made)}")

    def read(_size):
        assert client.get("/support/canned-replies?limit=100").status_code == 200

    small, large = assert_constant_queries(count_queries, add_rows, read)
    assert small == large
