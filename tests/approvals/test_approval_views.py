"""The approvals inboxes (/finance/approvals, /admin/approvals), their actions and the badge."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.roles import Permission, Role
from mallconsole.models import AuditEvent, Configuration
from mallconsole.services import approvals
from mallconsole.services.admin import configuration
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.query_counts import assert_constant_queries

HTMX = {"HX-Request": "true"}
KEY = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def expanded(client, area, action, tab="waiting"):
    """The request's row opened in place: its change and its decision (htmx's row expand)."""
    response = client.get(f"/{area}/approvals/{action.id}/row?tab={tab}", headers=HTMX)
    assert response.status_code == 200
    return page_of(response).select_one(f"tbody#approval-{action.id}")


@pytest.fixture
def colleague(session):
    return make_staff(session, "maker@views.test", (Role.SYSTEM_ADMIN,), name="Morgan Maker")


@pytest.fixture
def threshold(session):
    row = Configuration(key=KEY, value="250.00", description="Refund threshold (USD)")
    session.add(row)
    session.flush()
    return row


def config_request(session, actor, value="300.00"):
    return configuration.request_change(session, KEY, value, "Q4 peak", actor=actor).action


def seller_request(session, actor, target, name="suspend_seller", **extra):
    return approvals.request_approval(
        session,
        name,
        "shopping_mall_sellers",
        target,
        {"before": {"state": "active"}, "after": {"state": "suspended"}},
        "Chargebacks above policy",
        actor=actor,
        **extra,
    ).action


def test_the_admin_inbox_shows_the_change_who_asked_and_why(
    client, session, login_as, colleague, threshold
):
    action = config_request(session, colleague)
    login_as(Role.SYSTEM_ADMIN)
    page = page_of(client.get("/admin/approvals"))
    assert page.find("h1").get_text() == "Approvals"
    row = page.select_one(f"#approval-{action.id}")
    text = row.get_text(" ", strip=True)
    assert "Change a setting" in text and KEY in text and "Q4 peak" in text
    # The one who asked, by name, their email on hover; the change on the row's expand, the
    # amounts with their currency.
    assert "Morgan Maker" in text and "maker@views.test" not in text
    assert row.select_one(".person")["title"] == "maker@views.test"
    assert row.select(".change-table") == []
    row = expanded(client, "admin", action)
    assert "0 of 1" in row.get_text(" ", strip=True)
    assert [td.get_text() for td in row.select(".change-table td")] == [
        "USD\xa0250.00",
        "USD\xa0300.00",
    ]
    assert row.select_one(".change-table tbody th").get_text() == "Value"
    buttons = [b.get_text(" ", strip=True) for b in row.select("form button")]
    assert buttons[0].startswith("Approve") and buttons[1].startswith("Reject")
    assert page.select_one("#listing .count").get_text() == "1"
    assert "shopping_mall" not in page.get_text() and "change_configuration" not in page.get_text()


def test_each_area_lists_only_its_own_kinds(client, session, login_as, colleague):
    seller_request(session, colleague, "s-1")
    finance_maker = make_staff(session, "fm@views.test", (Role.FINANCE_MANAGER,))
    wallet = approvals.request_approval(
        session, "wallet_adjustment", "shopping_mall_user_balances", "w-1",
        {"before": {"balance": "10.00"}, "after": {"balance": "35.00"}}, "Goodwill",
        actor=finance_maker, approver_permission=Permission.APPROVALS_FINANCE,
    ).action  # fmt: skip
    login_as(Role.FINANCE_MANAGER)
    page = page_of(client.get("/finance/approvals"))
    rows = page.select("#listing tbody.approval")
    assert [r["id"] for r in rows] == [f"approval-{wallet.id}"]
    assert "Store credit adjustment" in rows[0].get_text()
    row = expanded(client, "finance", wallet)
    # store credit has its executor (services/money/wallet_adjustments.py): it can be approved
    assert "cannot carry out" not in row.get_text()
    assert [b.get_text(" ", strip=True) for b in row.select("form button")] == [
        "Approve store credit adjustment",
        "Reject store credit adjustment",
    ]


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.CONTENT_MODERATOR])
def test_other_roles_are_refused(client, login_as, role):
    login_as(role)
    for path in ("/finance/approvals", "/admin/approvals", "/admin/approvals/badge"):
        assert client.get(path).status_code == 403


def test_a_finance_manager_cannot_open_an_admin_request(client, session, login_as, colleague):
    action = seller_request(session, colleague, "s-1")
    login_as(Role.FINANCE_MANAGER)
    assert client.get(f"/finance/approvals/{action.id}").status_code == 404


def test_approving_in_place_carries_the_change_out(client, session, login_as, colleague, threshold):
    action = config_request(session, colleague)
    login_as(Role.SYSTEM_ADMIN)
    token = csrf_from(client.get("/admin/approvals").data)
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={"csrf_token": token, "decision": "approve", "revision": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    row = page_of(response).select_one(f"tbody#approval-{action.id}")
    assert row["data-status"] == "executed" and "Approved and carried out" in row.get_text()
    assert not row.select("form button")
    assert "approvals-changed" in json.loads(response.headers["HX-Trigger"])
    shown = page_of(response).select_one("#messages[hx-swap-oob]").get_text()
    assert "Approved and carried out" in shown and "is now 300.00" in shown
    assert threshold.value == "300.00"


def test_rejecting_without_a_reason_keeps_the_row_and_says_what_is_missing(
    client, session, login_as, colleague, threshold
):
    action = config_request(session, colleague)
    login_as(Role.SYSTEM_ADMIN)
    token = csrf_from(client.get("/admin/approvals").data)
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={"csrf_token": token, "decision": "reject", "reason": " ", "revision": "1"},
        headers=HTMX,
    )
    assert response.status_code == 422
    row = page_of(response).select_one(f"tbody#approval-{action.id}")
    assert "Give a reason." in row.select_one(".field-errors").get_text()
    assert action.status == "pending"
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={"csrf_token": token, "decision": "reject", "reason": "Too high", "revision": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200 and action.status == "rejected"
    assert "Too high" in page_of(response).get_text()


def test_a_request_decided_meanwhile_answers_409_with_its_new_state(
    client, session, login_as, colleague, threshold
):
    action = config_request(session, colleague)
    other = make_staff(session, "other@views.test", (Role.SYSTEM_ADMIN,))
    login_as(Role.SYSTEM_ADMIN)
    token = csrf_from(client.get("/admin/approvals").data)
    approvals.decide(session, action.id, "reject", "Not now", actor=other, revision=action.revision)
    session.commit()  # another person's decision, committed before this request
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={"csrf_token": token, "decision": "approve", "revision": "1"},
        headers=HTMX,
    )
    assert response.status_code == 409
    row = page_of(response).select_one(f"tbody#approval-{action.id}")
    assert "already rejected" in row.select_one(".row-error").get_text()
    assert row["data-status"] == "rejected" and threshold.value == "250.00"


def test_a_stale_revision_is_refused(client, session, login_as, colleague, threshold):
    action = config_request(session, colleague)
    login_as(Role.SYSTEM_ADMIN)
    token = csrf_from(client.get("/admin/approvals").data)
    approvals.revise(
        session,
        action.id,
        {"key": KEY, "scope": None, "before": {"value": "250.00"}, "after": {"value": "350.00"}},
        actor=colleague,
    )
    session.commit()  # the requester's edit, committed before this request
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={"csrf_token": token, "decision": "approve", "revision": "1"},
        headers=HTMX,
    )
    assert response.status_code == 409 and threshold.value == "250.00"
    row = page_of(response).select_one(f"tbody#approval-{action.id}")
    assert "changed this request" in row.get_text()
    assert row.select_one("input[name=revision]")["value"] == "2"


def test_without_javascript_a_decision_redirects_back(
    client, session, login_as, colleague, threshold
):
    action = config_request(session, colleague)
    login_as(Role.SYSTEM_ADMIN)
    token = csrf_from(client.get(f"/admin/approvals/{action.id}").data)
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={"csrf_token": token, "decision": "approve", "revision": "1", "back": "detail"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/approvals/{action.id}")
    page = page_of(client.get(response.headers["Location"]))
    assert "is now 300.00" in page.select_one("#messages").get_text()
    timeline = page.select_one(".timeline").get_text(" ", strip=True)
    assert "Morgan Maker" in timeline and "maker@views.test" not in timeline
    # The change itself is the change table's; versions and revisions are not shown.
    change = page.select_one(".change-table").get_text(" ", strip=True)
    assert "USD\xa0250.00" in change and "USD\xa0300.00" in change
    assert "Revision" not in timeline and "Version" not in timeline


def test_my_requests_show_their_state_and_can_be_withdrawn(client, session, login_as):
    me = login_as(Role.SYSTEM_ADMIN)
    mine = seller_request(session, me, "s-1")
    page = page_of(client.get("/admin/approvals/mine"))
    row = page.select_one(f"#approval-{mine.id}")
    assert "Waiting for approval" in row.get_text()
    assert expanded(client, "admin", mine, "mine").select_one("form button").get_text() == (
        "Withdraw"
    )
    # Not in my own "waiting for me" list.
    assert page_of(client.get("/admin/approvals")).select_one(f"#approval-{mine.id}") is None
    token = csrf_from(page.decode())
    response = client.post(
        f"/admin/approvals/{mine.id}/withdraw", data={"csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Withdrawn" in page_of(response).select_one(f"#approval-{mine.id}").get_text()
    assert mine.status == "canceled"
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == mine.id, AuditEvent.action == "admin_action.canceled"
        )
    ).one()
    assert event.actor_user_id == me.id


def test_the_badge_counts_what_waits_for_me(client, session, login_as, colleague):
    seller_request(session, colleague, "s-1")
    seller_request(session, colleague, "s-2")
    login_as(Role.SYSTEM_ADMIN)
    nav = page_of(client.get("/admin/")).select_one(".mainnav")
    assert nav.select_one("[hx-get='/admin/approvals/badge']") is not None
    badge = page_of(client.get("/admin/approvals/badge", headers={"X-Background": "1"}))
    link = badge.select_one("a.nav-badge")
    assert link["data-count"] == "2" and link["href"] == "/admin/approvals"
    assert "2 approval requests waiting for you" in link.get_text()


def test_staff_without_an_inbox_get_no_badge(client, login_as):
    login_as(Role.SUPPORT_AGENT)
    assert page_of(client.get("/support/")).select(".nav-badge") == []


@pytest.mark.parametrize(
    "query", ["after=forged", "sort=-justification", "limit=7", "kind=nonsense"]
)
def test_malformed_list_addresses_answer_400(client, login_as, query):
    login_as(Role.SYSTEM_ADMIN)
    assert client.get(f"/admin/approvals?{query}").status_code == 400


def test_unknown_requests_answer_404(client, login_as):
    login_as(Role.SYSTEM_ADMIN)
    assert client.get("/admin/approvals/nope").status_code == 404
    token = csrf_from(client.get("/admin/approvals").data)
    for action in ("decide", "withdraw", "execute"):
        response = client.post(
            "/admin/approvals/00000000-0000-0000-0000-000000000000/" + action,
            data={"csrf_token": token, "decision": "approve"},
        )
        assert response.status_code == 404


def test_the_inbox_runs_as_many_queries_for_100_rows_as_for_10(
    client, session, login_as, count_queries
):
    login_as(Role.SYSTEM_ADMIN)
    makers = [
        SimpleNamespace(id=make_staff(session, f"m{n}@views.test", (Role.SYSTEM_ADMIN,)).id)
        for n in range(2)
    ]
    session.commit()
    made = []

    def add(n):
        for _ in range(n):
            made.append(seller_request(session, makers[len(made) % 2], f"seller-{len(made)}"))
        session.commit()  # kept whatever the requests in between do with the session

    def read(limit):
        response = client.get(f"/admin/approvals?limit={100 if limit == 100 else 25}")
        assert response.status_code == 200

    small, large = assert_constant_queries(count_queries, add, read)
    assert small == large


def test_a_decision_that_does_not_name_its_revision_is_refused(
    client, session, login_as, colleague, threshold
):
    """Without revision, a decide post approved whatever revision the request had by then (a
    changed amount included); it answers 422 now and decides nothing."""
    action = config_request(session, colleague)
    login_as(Role.SYSTEM_ADMIN)
    token = csrf_from(client.get("/admin/approvals").data)
    for data in ({}, {"revision": ""}, {"revision": "two"}):
        response = client.post(
            f"/admin/approvals/{action.id}/decide",
            data={"csrf_token": token, "decision": "approve", **data},
            headers=HTMX,
        )
        assert response.status_code == 422, data
    assert action.status == "pending" and threshold.value != "300.00"


def test_the_service_refuses_a_decision_without_its_revision(session, colleague):
    from mallconsole.core.errors import ValidationError
    from mallconsole.services import approvals

    action = seller_request(session, colleague, "s-revision")
    with pytest.raises(ValidationError, match="which version"):
        approvals.decide(session, action.id, "approve", actor=colleague, revision=None)


def refund_request(session, actor, amount="871.81"):
    """A second approval of a refund, shaped as refund decisions ask for it."""
    return approvals.request_approval(
        session,
        "approve_refund",
        "shopping_mall_refund_requests",
        str(uuid.uuid4()),
        {
            "before": {"status": "pending_second_approval", "approved_amount": None},
            "after": {"status": "approved", "approved_amount": amount},
            "labels": {"approved_amount": "Amount to refund (USD)"},
            "currency": "USD",
        },
        "Over the USD 250.00 threshold: first approval given",
        actor=actor,
    ).action


def test_a_full_page_of_requests_stays_within_the_page_budget(client, session, login_as):
    """50 rows (a page) of one line each: the inbox and "my requests" stay within 60 KB, and
    each row says the amount with its currency."""
    maker = make_staff(session, "fm-budget@views.test", (Role.FINANCE_MANAGER,))
    made = [refund_request(session, maker, f"{300 + n}.50") for n in range(55)]
    login_as(Role.FINANCE_MANAGER)
    response = client.get("/finance/approvals")
    assert len(response.data) <= 60_000, len(response.data)
    rows = page_of(response).select("#listing tbody.approval")
    assert len(rows) == 50 and page_of(response).select_one("#listing .count").text == "55"
    soonest = rows[0].select_one("td.num").get_text(" ", strip=True).replace("\xa0", " ")
    assert soonest == "USD 300.50"
    assert made[0].id in rows[0]["id"]
    opened = client.get(rows[0].select_one("button.row-toggle")["hx-get"], headers=HTMX)
    assert len(opened.data) <= 15_000
    assert "871.81" not in opened.get_data(as_text=True)
    assert "300.50" in page_of(opened).select_one(".change-table").get_text()


def test_my_full_page_of_requests_stays_within_the_page_budget(client, session, login_as):
    me = login_as(Role.FINANCE_MANAGER)
    for n in range(52):
        refund_request(session, me, f"{400 + n}.00")
    response = client.get("/finance/approvals/mine")
    assert len(response.data) <= 60_000, len(response.data)
    assert len(page_of(response).select("#listing tbody.approval")) == 50
