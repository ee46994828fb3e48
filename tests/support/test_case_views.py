"""The case screen through the Flask client: header, timeline (fragments, load earlier,
polling), reply delivered to the development mailbox, notes, changes and their 409, files,
canned replies, presence, escaping, and a query count that does not grow with the timeline."""

import io
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import (
    AuditEvent,
    CancellationRequest,
    CannedReply,
    Order,
    OutboundMessage,
    RefundRequest,
    SupportAttachment,
    SupportCase,
    SupportCaseEvent,
    utcnow,
)
from tests.conftest import csrf_from, sign_in
from tests.factories.actors import DEFAULT_PASSWORD, make_customer, make_staff
from tests.factories.records import build
from tests.query_counts import assert_constant_queries

HTMX = {"HX-Request": "true"}
BACKGROUND = {"HX-Request": "true", "X-Background": "1"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def agent(login_as):
    user = login_as(Role.SUPPORT_AGENT)
    user.name = "Mina K."
    return user


@pytest.fixture
def customer(session):
    return make_customer(session, "ana-views@example.com", name="Ana Collins")


@pytest.fixture
def case(session, customer):
    order = build(session, Order, order_number="ORD-20261120-000007")
    return build(
        session,
        SupportCase,
        case_number="CAS-20261121-000042",
        subject="Parcel never arrived",
        status="open",
        priority="high",
        category="shipping",
        origin_channel="email",
        customer_user_id=customer.id,
        order_id=order.id,
        sla_due_at=utcnow() - timedelta(hours=2, minutes=5),
    )


def add_messages(session, case, count, *, start=None, body="message {n}"):
    start = start or utcnow() - timedelta(days=2)
    existing = session.query(SupportCaseEvent).filter_by(shopping_mall_support_case_id=case.id)
    offset = existing.count()
    for n in range(offset, offset + count):
        session.add(
            SupportCaseEvent(
                shopping_mall_support_case_id=case.id,
                actor_user_id=case.customer_user_id,
                event_type="customer_message",
                visibility="public",
                body=body.format(n=n),
                occurred_at=start + timedelta(minutes=n),
            )
        )
    session.flush()


def case_url(case, suffix=""):
    return f"/support/cases/{case.id}{suffix}"


def bodies(page):
    return [p.get_text() for p in page.select("#timeline-list .entry-body")]


def post(client, url, data=None, headers=None, **kwargs):
    token = csrf_from(client.get("/account").data)
    return client.post(
        url, data=data or {}, headers={"X-CSRFToken": token, **(headers or {})}, **kwargs
    )


def version_of(page, what="status"):
    return page.select_one(f"form[action$='/change/{what}'] input[name=version]")["value"]


# --- the page -------------------------------------------------------------------------------


def test_the_case_screen_shows_the_header_in_words(client, agent, case, session):
    add_messages(session, case, 3)
    response = client.get(case_url(case))
    assert response.status_code == 200
    page = soup(response)
    header = page.select_one("#case-header")
    assert "CAS-20261121-000042" in header.h1.get_text()
    assert "Parcel never arrived" in header.h1.get_text()
    facts = dict(zip(
        [dt.get_text() for dt in header.select("dt")],
        [" ".join(dd.get_text().split()) for dd in header.select("dd")],
        strict=True,
    ))  # fmt: skip
    assert facts["SLA"].startswith("2 h 5 min overdue") or "overdue" in facts["SLA"]
    assert header.select_one(".state-danger") is not None  # the breach is marked
    assert facts["Category"] == "Shipping" and facts["Channel"] == "Email"
    assert facts["Assignee"] == "Nobody"
    assert facts["Customer"] == "Ana Collins"
    assert facts["Order"].startswith("ORD-20261120-000007")
    assert bodies(page) == ["message 0", "message 1", "message 2"]
    # The status list offers only the moves the machine allows from Open.
    options = [o["value"] for o in page.select("#change-status option")]
    assert options == ["open", "pending", "on_hold", "resolved"]
    # No raw keys or ids where a person reads.
    text = page.select_one("main").get_text()
    assert "on_hold" not in text and case.id not in text


def test_the_case_opens_by_its_number_and_404s_when_missing(client, agent, case):
    assert client.get("/support/cases/CAS-20261121-000042").status_code == 200
    missing = client.get("/support/cases/CAS-20000101-000001")
    assert missing.status_code == 404 and b"no such support case" in missing.data


def test_other_roles_cannot_open_a_case(client, login_as, case):
    login_as(Role.FINANCE_MANAGER)
    assert client.get(case_url(case)).status_code == 403


def test_links_to_screens_of_other_parts_appear_only_once_they_exist(client, agent, case, app):
    page = soup(client.get(case_url(case)))
    links = [a["href"] for a in page.select("#case-header a")]
    for endpoint in ("support.customer_detail", "support.order_detail"):
        present = endpoint in app.view_functions
        assert any("/support/customers/" in h or "/support/orders/" in h for h in links) == present


def test_hostile_customer_content_shows_as_text(client, agent, case, session):
    add_messages(session, case, 1, body='<script>alert("x")</script><b onclick="x()">hi</b>')
    case.subject = "<img src=x onerror=alert(1)>"
    session.flush()
    response = client.get(case_url(case))
    page = soup(response)
    assert page.select("#timeline-list script") == [] and page.select("main img") == []
    assert bodies(page) == ['<script>alert("x")</script><b onclick="x()">hi</b>']
    assert b"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.data


def test_the_requests_raised_from_the_case_show_their_status(client, agent, case, session):
    build(
        session, RefundRequest, shopping_mall_support_case_id=case.id,
        status="pending_second_approval",
        refund_request_number="RR-20261121-000003", total_requested_amount=120, currency="USD",
    )  # fmt: skip
    build(
        session, CancellationRequest, shopping_mall_support_case_id=case.id, status="rejected",
        cancellation_request_number="CAN-20261121-000001",
    )  # fmt: skip
    build(session, CancellationRequest, status="approved")  # another case's
    items = [
        " ".join(li.get_text().split())
        for li in soup(client.get(case_url(case))).select(".raised li")
    ]
    assert len(items) == 2
    assert any("RR-20261121-000003" in i and "Pending second approval" in i for i in items)
    assert any("CAN-20261121-000001" in i and "Rejected" in i for i in items)


# --- the timeline ---------------------------------------------------------------------------


def test_long_timelines_show_the_last_30_and_load_earlier_through_htmx(
    client, agent, case, session
):
    add_messages(session, case, 45)
    page = soup(client.get(case_url(case)))
    assert bodies(page) == [f"message {n}" for n in range(15, 45)]
    more = page.select_one("#timeline-earlier a")
    assert more.get_text() == "Load earlier"
    fragment = client.get(more["hx-get"], headers=HTMX)
    assert fragment.status_code == 200 and b"<html" not in fragment.data
    part = soup(fragment)
    older = part.select_one("ol[hx-swap-oob='afterbegin:#timeline-list']")
    assert [p.get_text() for p in older.select(".entry-body")] == [
        f"message {n}" for n in range(15)
    ]
    assert part.select_one("#timeline-earlier a") is None  # nothing older left
    # Without htmx the same link opens the case at that place.
    plain = client.get(more["href"])
    assert bodies(soup(plain)) == [f"message {n}" for n in range(15)]


def test_polling_returns_only_newer_entries_and_is_not_audited(client, agent, case, session):
    add_messages(session, case, 3)
    poller = soup(client.get(case_url(case))).select_one("#timeline-poll")
    assert poller["hx-trigger"] == "every 10s"
    assert '"X-Background": "1"' in poller["hx-headers"]
    quiet = soup(client.get(poller["hx-get"], headers=BACKGROUND))
    assert quiet.select(".case-entry") == []
    add_messages(session, case, 1, start=utcnow(), body="a new message")
    audits = session.query(AuditEvent).count()
    news = soup(client.get(poller["hx-get"], headers=BACKGROUND))
    assert [p.get_text() for p in news.select(".entry-body")] == ["a new message"]
    assert news.select_one("ol")["hx-swap-oob"] == "beforeend:#timeline-list"
    following = news.select_one("#timeline-poll")
    assert following["hx-swap-oob"] == "true" and following["hx-get"] != poller["hx-get"]
    assert soup(client.get(following["hx-get"], headers=BACKGROUND)).select(".case-entry") == []
    assert session.query(AuditEvent).count() == audits


def test_a_forged_cursor_is_a_bad_request(client, agent, case):
    response = client.get(case_url(case, "/timeline?earlier=forged"), headers=HTMX)
    assert response.status_code == 400


def test_the_case_screen_runs_as_many_queries_for_100_entries_as_for_10(
    client, agent, case, session, count_queries
):
    case_id = case.id
    url = case_url(case)

    def add_rows(n):
        add_messages(session, session.get(SupportCase, case_id), n)
        session.commit()  # into the test's outer transaction: counting opens an app context

    def read(_n):
        response = client.get(url)
        assert response.status_code == 200

    small, large = assert_constant_queries(count_queries, add_rows, read)
    print(f"case screen: {small} statements with 10 entries, {large} with 100")


# --- reply, note, changes -----------------------------------------------------------------


def test_a_reply_is_queued_and_delivered_to_the_development_mailbox(
    client, agent, case, app, session
):
    mailbox = Path(app.config["MAIL_URL"].removeprefix("file://"))
    before = set(mailbox.glob("*.eml")) if mailbox.exists() else set()
    page = soup(client.get(case_url(case)))
    seen = page.select_one("#timeline-poll input[name=seen]")["value"]
    response = post(
        client, case_url(case, "/reply"),
        {"body": "We found your parcel <b>today</b>.", "seen": seen}, headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    part = soup(response)
    entry = part.select_one("ol[hx-swap-oob] .case-entry")
    assert "Reply to the customer" in entry.get_text() and "Public" in entry.get_text()
    assert part.select_one("#reply-form textarea").get_text() == ""  # a fresh form
    message = session.scalars(select(OutboundMessage)).one()
    assert message.status == "sent"  # the send-mail task ran after the commit
    [eml] = set(mailbox.glob("*.eml")) - before
    email = message_from_bytes(eml.read_bytes())
    assert email["To"] == "ana-views@example.com"
    assert email["Subject"] == "Re: Parcel never arrived [CAS-20261121-000042]"
    assert "We found your parcel <b>today</b>." in email.get_payload(decode=True).decode()
    later = soup(client.get(case_url(case)))
    assert "Email: Sent" in " ".join(later.select_one(".entry-agent_reply").get_text().split())


def test_an_empty_reply_is_422_and_keeps_the_form(client, agent, case, session):
    response = post(client, case_url(case, "/reply"), {"body": " "}, headers=HTMX)
    assert response.status_code == 422
    assert soup(response).select_one("#reply-form .field-errors").get_text().strip()
    assert session.scalar(select(OutboundMessage)) is None


def test_a_note_without_javascript_comes_back_to_the_case(client, agent, case, session):
    response = post(client, case_url(case, "/note"), {"body": "Seller called"})
    assert response.status_code == 303 and response.location.endswith(case_url(case))
    page = soup(client.get(case_url(case)))
    note = page.select_one(".case-entry.is-internal")
    assert "Internal" in note.get_text() and "Seller called" in note.get_text()
    assert "Note added." in page.select_one("#messages").get_text()


def test_status_change_updates_the_header_in_place(client, agent, case, session):
    page = soup(client.get(case_url(case)))
    seen = page.select_one("#timeline-poll input[name=seen]")["value"]
    response = post(
        client, case_url(case, "/change/status"),
        {"status": "pending", "version": version_of(page), "seen": seen}, headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    part = soup(response)
    assert part.select_one("#case-header .state").get_text() == "Pending"
    assert version_of(part) == "2"
    assert "Open → Pending" in part.select_one("ol[hx-swap-oob] .entry-change").get_text()
    assert "Status changed to Pending." in part.select_one("#messages").get_text()
    assert session.get(SupportCase, case.id).last_event_at is not None


def test_an_illegal_move_is_refused_with_a_message(client, agent, case):
    page = soup(client.get(case_url(case)))
    response = post(
        client, case_url(case, "/change/status"), {"status": "closed", "version": version_of(page)}
    )
    assert response.status_code == 409
    assert b"cannot go from Open to Closed" in response.data


def test_a_stale_change_is_409_with_what_changed_and_keeps_the_choice(
    client, agent, case, session, app
):
    page = soup(client.get(case_url(case)))
    other = app.test_client()
    make_staff(session, "jo-views@test.mall").name = "Jo"
    sign_in(other, "jo-views@test.mall", DEFAULT_PASSWORD)
    post(other, case_url(case, "/change/priority"), {"priority": "urgent", "version": "1"})
    assert session.get(SupportCase, case.id).version == 2
    response = post(
        client, case_url(case, "/change/status"),
        {"status": "on_hold", "version": version_of(page)}, headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 409
    part = soup(response)
    notice = part.select_one(".stale")
    rows = [[c.get_text() for c in tr.select("th, td")][:3] for tr in notice.select("tbody tr")]
    assert rows == [["Priority", "Urgent", "Jo"]]
    assert notice.select_one(".person")["title"] == "jo-views@test.mall"
    # The agent's choice is kept, with the version now shown: sending again applies it.
    assert part.select_one("#change-status option[selected]")["value"] == "on_hold"
    assert version_of(part) == "2"
    assert session.get(SupportCase, case.id).status == "open"
    again = post(
        client, case_url(case, "/change/status"), {"status": "on_hold", "version": "2"},
        headers=HTMX,
    )  # fmt: skip
    assert again.status_code == 200 and session.get(SupportCase, case.id).status == "on_hold"


def test_assign_to_me_and_unassign(client, agent, case, session):
    page = soup(client.get(case_url(case)))
    response = post(
        client, case_url(case, "/change/assignee"),
        {"assignee": "", "to": "me", "version": version_of(page, "assignee")},
    )  # fmt: skip
    assert response.status_code == 303
    assert session.get(SupportCase, case.id).assigned_to_user_id == agent.id
    page = soup(client.get(case_url(case)))
    assert "Mina K." in page.select_one("#case-header").get_text()
    post(client, case_url(case, "/change/assignee"), {"assignee": "", "version": "2"})
    assert session.get(SupportCase, case.id).assigned_to_user_id is None


def test_an_unknown_change_is_404(client, agent, case):
    assert post(client, case_url(case, "/change/subject"), {"version": "1"}).status_code == 404


def test_a_garbled_version_is_422_not_500(client, agent, case):
    response = post(client, case_url(case, "/change/priority"), {"priority": "low", "version": "x"})
    assert response.status_code == 422


# --- files ----------------------------------------------------------------------------------


def test_files_upload_list_and_download_as_attachments(client, agent, case, session):
    response = post(
        client, case_url(case, "/attachments"),
        {"files": [(io.BytesIO(PNG), "../../box.png")]}, content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303
    page = soup(client.get(case_url(case)))
    link = page.select_one(".entry-files a")
    assert link.get_text() == "box.png"
    download = client.get(link["href"])
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"] == 'attachment; filename="box.png"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Only through its own case.
    other = build(session, SupportCase, status="open", priority="low")
    attachment_id = session.scalars(select(SupportAttachment.id)).one()
    assert client.get(case_url(other, f"/attachments/{attachment_id}")).status_code == 404


def test_a_file_whose_content_lies_is_refused(client, agent, case, session):
    response = post(
        client, case_url(case, "/note"),
        {"body": "see file", "files": [(io.BytesIO(b"MZ\x90\x00binary"), "photo.png")]},
        content_type="multipart/form-data", headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 422
    assert b"not one of the allowed types" in response.data
    assert session.scalar(select(SupportAttachment)) is None


def test_staff_without_the_support_role_cannot_download(client, login_as, case, session):
    attachment = build(session, SupportAttachment, shopping_mall_support_case_id=case.id)
    login_as(Role.SYSTEM_ADMIN)
    assert client.get(case_url(case, f"/attachments/{attachment.id}")).status_code == 403


# --- canned replies -------------------------------------------------------------------------


@pytest.fixture
def canned(session):
    return build(
        session, CannedReply, title="Where is my order", category="shipping", usage_count=3,
        body="Hello {customer_name},\nyour order {order_number} ({case_number}) is on its way.\n"
        "{agent_name}",
    )  # fmt: skip


def test_canned_replies_are_offered_filled_in_for_the_case(client, agent, case, canned):
    response = client.get(case_url(case, "/canned-replies?q=where"), headers=HTMX)
    choice = soup(response).select_one(".canned-choice")
    assert choice["data-canned-id"] == canned.id
    assert choice["data-canned-text"] == (
        "Hello Ana Collins,\nyour order ORD-20261120-000007 (CAS-20261121-000042) is on its way.\n"
        "Mina K."
    )
    # Without JavaScript the choice opens the case with the reply started from it.
    page = soup(client.get(choice["href"]))
    assert page.select_one("#reply-body").get_text().startswith("Hello Ana Collins,")
    assert page.select_one("#canned-reply-id")["value"] == canned.id
    none = soup(client.get(case_url(case, "/canned-replies?q=zzz"), headers=HTMX))
    assert "No canned reply matches" in none.get_text()


def test_the_canned_reply_choices_opened_as_a_page_lead_to_the_case(client, agent, case, canned):
    response = client.get(case_url(case, "/canned-replies?q=where"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(case_url(case))


def test_sending_a_reply_from_a_canned_reply_counts_its_use(client, agent, case, canned, session):
    response = post(
        client, case_url(case, "/reply"),
        {"body": "Hello Ana, edited before sending.", "canned_reply_id": canned.id},
    )  # fmt: skip
    assert response.status_code == 303
    session.refresh(canned)
    assert canned.usage_count == 4 and canned.last_used_at is not None


# --- presence -------------------------------------------------------------------------------


def test_two_agents_on_one_case_see_each_other_and_then_not(client, agent, case, session, app):
    other = app.test_client()
    make_staff(session, "jo-presence@test.mall").name = "Jo"
    sign_in(other, "jo-presence@test.mall", DEFAULT_PASSWORD)

    def ping(browser, typing=False):
        page = soup(browser.get(case_url(case)))
        line = page.select_one("[data-presence]")
        assert line["data-presence"] == f"case:{case.id}"
        token = csrf_from(browser.get("/account").data)
        answer = browser.post(
            line["hx-post"], data={"typing": "1"} if typing else {},
            headers={**BACKGROUND, "X-CSRFToken": token},
        )  # fmt: skip
        return [s.get_text() for s in soup(answer).select(".presence-viewer")]

    assert ping(client) == []
    assert ping(other) == ["Mina K. is viewing"]
    assert ping(client, typing=True) == ["Jo is viewing"]
    assert ping(other) == ["Mina K. is typing…"]
    # Both leave: once their last pings are older than the viewing window, nobody is shown.
    from mallconsole.models import Presence

    for row in session.scalars(select(Presence)):
        row.seen_at = utcnow() - timedelta(minutes=1)
    session.flush()
    from mallconsole.services.support import presence

    assert (
        presence.viewers(session, entity_table=SupportCase.__tablename__, entity_id=case.id) == []
    )


def test_the_reply_form_reports_typing(client, agent, case):
    page = soup(client.get(case_url(case)))
    assert page.select_one("#reply-form")["data-presence-typing"] == f"case:{case.id}"


def test_version_hidden_fields_follow_the_case(client, agent, case):
    page = soup(client.get(case_url(case)))
    assert {version_of(page, w) for w in ("status", "priority", "category", "assignee")} == {"1"}
    # An empty timeline polls too, so the first entries appear without a reload.
    newer = parse_qs(urlparse(page.select_one("#timeline-poll")["hx-get"]).query)["newer"]
    assert newer and page.select_one("#timeline-poll input[name=seen]")["value"] == newer[0]
