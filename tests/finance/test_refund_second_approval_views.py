"""The second approval of a refund, given (or the refund rejected) from the refund screen with
the maker-checker service, on the approval's revision seen; and what the maker reads while it
waits."""

import json

import pytest
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, AuditEvent
from mallconsole.services.aftersales import refund_decisions as rd
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.finance.test_refund_views import page_of, raise_one, words

HTMX = {"HX-Request": "true"}


@pytest.fixture
def agent(session):
    from tests.services.test_refund_decisions import make_threshold

    make_threshold(session, "250.00")
    return make_staff(session, f"agent-second-{id(session)}@test.mall")


@pytest.fixture
def first(session):
    return make_staff(session, f"first-{id(session)}@test.mall", (Role.FINANCE_MANAGER,))


def waiting(session, agent, first, amount="300.00"):
    """A refund over the threshold with its first approval given by ``first``."""
    request, *_ = raise_one(session, agent, amount=amount, captured="400.00")
    decision = rd.approve(session, request.id, amount=amount, actor=first)
    assert request.status == "pending_second_approval"
    session.commit()  # kept when a refused request rolls back
    return request, decision.action


def screen(request):
    return f"/finance/refunds/{request.refund_request_number}"


def decide(client, request, token, decision="approve", revision="1", headers=None, **more):
    """Post a second-approval decision from the refund screen."""
    return client.post(
        f"{screen(request)}/second-approval",
        data={"csrf_token": token, "decision": decision, "revision": revision, **more},
        headers=headers or {},
    )


def events(session, *entity_ids):
    return [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id.in_(entity_ids))
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    ]


def test_the_second_approval_is_given_from_the_refund_screen(
    client, session, agent, first, login_as
):
    request, action = waiting(session, agent, first)
    login_as(Role.FINANCE_MANAGER)
    page = page_of(client.get(screen(request)))
    form = page.select_one("form.second-approval-form")
    assert form["action"] == f"{screen(request)}/second-approval"
    assert form.select_one("input[name=revision]")["value"] == "1"
    buttons = [words(b) for b in form.select("button")]
    assert buttons == ["Approve USD 300.00", "Reject refund"]
    assert "approvals inbox" not in words(page.select_one("#decide"))
    response = decide(client, request, csrf_from(page.decode()))
    assert response.status_code == 303
    assert request.status == "approved" and action.status == "executed"
    assert "approved for USD 300.00" in words(page_of(client.get(response.headers["Location"])))
    # audited as from the inbox: the approval, the action's moves and the refund's approval
    audited = events(session, request.id, action.id)
    for step in ("admin_action.approval_given", "admin_action.approved",
                 "admin_action.executed", "refund.approved"):  # fmt: skip
        assert step in audited


def test_with_htmx_the_screen_reloads_in_place_and_says_what_happened(
    client, session, agent, first, login_as
):
    request, action = waiting(session, agent, first)
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get(screen(request)).data)
    response = decide(client, request, token, headers=HTMX)
    assert response.status_code == 204
    location = json.loads(response.headers["HX-Location"])
    assert location == {"path": screen(request), "target": "#main", "select": "#main",
                        "swap": "outerHTML"}  # fmt: skip
    shown = json.loads(response.headers["HX-Trigger"])["console:messages"]["messages"]
    assert "Approved and carried out" in shown[0]["text"]
    assert request.status == "approved"


def test_rejecting_from_the_screen_needs_a_reason_and_rejects_the_refund(
    client, session, agent, first, login_as
):
    request, action = waiting(session, agent, first)
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get(screen(request)).data)
    missing = decide(client, request, token, "reject", headers=HTMX, reason=" ")
    assert missing.status_code == 422
    part = page_of(missing)
    assert part.select_one("#second-approval") is not None and part.select_one("h1") is None
    assert "Say why the refund is rejected" in words(part)
    assert request.status == "pending_second_approval" and action.status == "pending"
    response = decide(client, request, token, "reject", reason="Not damaged on arrival")
    assert response.status_code == 303
    assert request.status == "rejected" and action.status == "rejected"
    assert action.rejection_reason == "Not damaged on arrival"
    audited = events(session, request.id, action.id)
    assert "admin_action.rejected" in audited and "refund.rejected" in audited


def test_a_stale_revision_is_a_409_showing_the_approval_as_it_is_now(
    client, session, agent, first, login_as
):
    request, action = waiting(session, agent, first)
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get(screen(request)).data)
    # the first approver changes the amount after the page was read: revision 2
    rd.change_amount(session, request.id, amount="280.00", actor=first)
    session.commit()  # committed before this request, as another person's change is
    for headers in ({}, HTMX):
        response = decide(client, request, token, headers=headers)
        assert response.status_code == 409
        part = page_of(response).select_one("#second-approval")
        assert "changed this request after you opened it" in words(part)
        # deciding again decides what is shown now
        assert part.select_one("input[name=revision]")["value"] == "2"
        assert "Approve USD 280.00" in words(part)
    assert request.status == "pending_second_approval" and action.status == "pending"
    assert "admin_action.approval_given" not in events(session, action.id)


def test_the_first_approver_cannot_give_the_second(client, session, agent, login_as):
    me = login_as(Role.FINANCE_MANAGER)
    request, action = waiting(session, agent, me)
    page = page_of(client.get(screen(request)))
    assert page.select_one("form.second-approval-form") is None
    token = csrf_from(page.decode())
    for decision, reason in (("approve", ""), ("reject", "Changed my mind")):
        response = decide(client, request, token, decision, reason=reason)
        assert response.status_code == 403
    assert request.status == "pending_second_approval" and action.status == "pending"


def test_whoever_raised_the_refund_cannot_give_the_second_approval(
    client, session, first, login_as
):
    from tests.services.test_refund_decisions import make_threshold

    make_threshold(session, "250.00")
    raiser = login_as(Role.FINANCE_MANAGER, Role.SUPPORT_AGENT)
    request, action = waiting(session, raiser, first)
    token = csrf_from(client.get(screen(request)).data)
    response = decide(client, request, token)
    assert response.status_code == 403 and request.status == "pending_second_approval"


def test_a_decision_without_its_revision_is_refused(client, session, agent, first, login_as):
    request, action = waiting(session, agent, first)
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get(screen(request)).data)
    for data in ({}, {"revision": ""}, {"revision": "two"}, {"decision": "maybe", "revision": "1"}):
        response = client.post(
            f"{screen(request)}/second-approval",
            data={"csrf_token": token, "decision": "approve", **data},
        )
        assert response.status_code == 422, data
    assert action.status == "pending"
    unknown = client.post(
        "/finance/refunds/RR-20990101-000009/second-approval",
        data={"csrf_token": token, "decision": "approve", "revision": "1"},
    )
    assert unknown.status_code == 404


def test_a_refund_decided_meanwhile_is_a_409_that_says_so(client, session, agent, first, login_as):
    request, action = waiting(session, agent, first)
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get(screen(request)).data)
    other = make_staff(session, f"third-{id(session)}@test.mall", (Role.FINANCE_MANAGER,))
    rd.reject(session, request.id, reason="Duplicate", actor=other)
    session.commit()  # another person's decision, committed before this request
    response = decide(client, request, token, headers=HTMX)
    assert response.status_code == 409
    assert "No second approval of" in words(page_of(response))
    assert request.status == "rejected"


# ---- what the maker reads while it waits ---------------------------------------------------------


def test_the_maker_reads_who_it_waits_for_everywhere(client, session, agent, login_as):
    me = login_as(Role.FINANCE_MANAGER)
    request, action = waiting(session, agent, me)
    refund = page_of(client.get(screen(request)))
    assert "Waiting for another finance manager" in words(refund.select_one("#decide"))
    assert "Waiting for another finance manager" in words(
        refund.select_one("#decisions-title").parent
    )
    detail = page_of(client.get(f"/finance/approvals/{action.id}"))
    mine = page_of(client.get("/finance/approvals/mine"))
    for page in (refund, detail, mine):
        assert "someone with the right role" not in words(page)
    assert "Waiting for another finance manager to decide." in words(detail)
    assert mine.select_one(f"#approval-{action.id}") is not None
    # the inbox says it on expand, with the change
    row = client.get(f"/finance/approvals/{action.id}/row?tab=mine", headers=HTMX)
    assert "Waiting for another finance manager to decide." in words(page_of(row))


def test_the_words_come_from_the_role_vocabulary(session):
    from mallconsole.core.roles import Permission, holders_in_words
    from mallconsole.services import approvals

    assert holders_in_words(Permission.APPROVALS_FINANCE) == "another finance manager"
    assert holders_in_words(Permission.APPROVALS_ADMIN, 2) == "2 more system admins"
    action = AdminAction(approver_permission=str(Permission.APPROVALS_ADMIN), approvals_needed=3)
    assert approvals.waiting_for(action, 1) == "2 more system admins"
    assert approvals.waiting_for(action, 2) == "another system admin"
