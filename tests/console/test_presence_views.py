import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import get_template_attribute
from sqlalchemy import func, select

from mallconsole.core.roles import Role
from mallconsole.models import (
    AuditEvent,
    JobSchedule,
    Presence,
    Review,
    SupportCase,
    UserSession,
    utcnow,
)
from tests.conftest import csrf_from, sign_in
from tests.factories.actors import DEFAULT_PASSWORD, make_staff
from tests.factories.records import build

BACKGROUND = {"X-Background": "1", "HX-Request": "true"}


@pytest.fixture
def case(session):
    return build(session, SupportCase, status="open", priority="normal")


@pytest.fixture
def second_client(app, session):
    """``second_client(email, *roles)``: another browser, signed in as another staff member."""

    def signed_in(email, *roles, name=None):
        other = app.test_client()
        user = make_staff(session, email, roles)
        user.name = name
        assert sign_in(other, email, DEFAULT_PASSWORD).status_code == 302
        return other

    return signed_in


def poll(client, kind, record_id, *, typing=False, headers=BACKGROUND):
    token = csrf_from(client.get("/account").data)
    return client.post(
        f"/presence/{kind}/{record_id}",
        data={"typing": "1"} if typing else {},
        headers={**headers, "X-CSRFToken": token},
    )


def line(response) -> list[str]:
    assert response.status_code == 200, response.data
    page = BeautifulSoup(response.data, "html.parser")
    return [span.get_text() for span in page.select(".presence-viewer")]


def test_two_signed_in_staff_see_each_other(client, login_as, second_client, case):
    mina = login_as(Role.SUPPORT_AGENT)
    mina.name = "Mina K."
    jo = second_client("jo@test.mall", Role.SUPPORT_AGENT, name="Jo")
    response = poll(client, "case", case.id)
    assert line(response) == []  # alone: nothing
    assert response.get_data(as_text=True).strip() == ""
    assert line(poll(jo, "case", case.id)) == ["Mina K. is viewing"]
    assert line(poll(client, "case", case.id, typing=True)) == ["Jo is viewing"]
    assert line(poll(jo, "case", case.id)) == ["Mina K. is typing…"]
    assert line(poll(client, "case", case.id)) == ["Jo is viewing"]
    assert line(poll(jo, "case", case.id)) == ["Mina K. is viewing"]


def test_several_viewers_in_one_line_by_name(client, login_as, second_client, case, session):
    login_as(Role.SUPPORT_AGENT, email="zed@test.mall")
    ana = second_client("ana@test.mall", Role.SUPPORT_AGENT)
    bo = second_client("bo@test.mall", Role.SUPPORT_AGENT, name="Bo <b>&</b>")
    poll(ana, "case", case.id, typing=True)
    poll(bo, "case", case.id)
    response = poll(client, "case", case.id)
    assert line(response) == ["ana is typing…", "Bo <b>&</b> is viewing"]
    text = BeautifulSoup(response.data, "html.parser").get_text()
    assert text == "ana is typing… · Bo <b>&</b> is viewing"
    assert b"Bo &lt;b&gt;&amp;&lt;/b&gt;" in response.data  # names are escaped
    assert session.scalar(select(func.count()).select_from(Presence)) == 3


def test_each_kind_asks_for_its_own_permission(client, login_as, session, case):
    login_as(Role.CONTENT_MODERATOR)
    review = build(session, Review, state="pending")
    assert poll(client, "review", review.id).status_code == 200
    assert poll(client, "case", case.id).status_code == 403
    # refused before the record is looked up: a 403 says nothing about what exists
    assert poll(client, "case", "no-such-case").status_code == 403
    assert poll(client, "job", "refresh-ratings").status_code == 403


def test_finance_and_admin_kinds(client, login_as, session):
    login_as(Role.FINANCE_MANAGER, Role.SYSTEM_ADMIN)
    build(session, JobSchedule, job_name="refresh-ratings")
    assert poll(client, "job", "refresh-ratings").status_code == 200
    assert poll(client, "job", "no-such-job").status_code == 404
    assert poll(client, "refund", "no-such-refund").status_code == 404
    assert poll(client, "review", "anything").status_code == 403


@pytest.mark.parametrize("path", ["/presence/order/x", "/presence/case/missing"])
def test_unknown_kinds_and_records_are_404(client, login_as, path):
    login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    response = client.post(path, headers={**BACKGROUND, "X-CSRFToken": token})
    assert response.status_code == 404
    assert b"no such" in response.data


def test_a_background_poll_does_not_keep_the_session_alive(client, login_as, session, case):
    user = login_as(Role.SUPPORT_AGENT)
    row = session.scalars(
        select(UserSession).where(UserSession.shopping_mall_user_id == user.id)
    ).one()
    token = csrf_from(client.get("/account").data)
    earlier = utcnow() - timedelta(minutes=10)
    row.last_accessed_at = earlier
    session.flush()
    audit_events = session.scalar(select(func.count()).select_from(AuditEvent))
    headers = {**BACKGROUND, "X-CSRFToken": token}
    assert client.post(f"/presence/case/{case.id}", headers=headers).status_code == 200
    session.refresh(row)
    assert row.last_accessed_at == earlier
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_events
    # The same request in the foreground does extend it.
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    assert client.post(f"/presence/case/{case.id}", headers=headers).status_code == 200
    session.refresh(row)
    assert row.last_accessed_at > earlier + timedelta(minutes=9)


def test_anonymous_polls_are_sent_to_sign_in(client, case):
    token = csrf_from(client.get("/login").data)
    response = client.post(
        f"/presence/case/{case.id}", headers={**BACKGROUND, "X-CSRFToken": token}
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_the_macro_polls_in_the_background_without_taking_focus(app, case):
    with app.test_request_context():
        presence = get_template_attribute("_macros/presence.html", "presence")
        element = BeautifulSoup(str(presence("case", case.id)), "html.parser").select_one(
            ".presence"
        )
    assert element["hx-post"] == f"/presence/case/{case.id}"
    assert element["hx-trigger"] == "load, every 10s, presence-typing"
    assert json.loads(element["hx-headers"]) == {"X-Background": "1"}
    assert element["aria-live"] == "polite"
    assert element["data-presence"] == f"case:{case.id}"
    assert element["hx-indicator"] == "this"  # not the page's progress bar
    assert not element.has_attr("tabindex") and not element.has_attr("autofocus")
    assert not any(name.startswith(("hx-on", "onclick")) for name in element.attrs)
