"""The feature flag screens: list (search, states), inline toggle, new and edit forms, the
evaluate panel, history with revert, sensitive flags through the approvals inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, AuditEvent, FeatureFlag, utcnow
from mallconsole.services.admin import flags
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.query_counts import assert_constant_queries

HTMX = {"HX-Request": "true"}


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def admin(login_as):
    return login_as(Role.SYSTEM_ADMIN)


@pytest.fixture
def token(client, admin):
    return csrf_from(client.get("/admin/flags").data)


def add_flag(session, code="checkout.one_page", **values):
    creator = make_staff(session, f"creator-{code}@test.mall", (Role.SYSTEM_ADMIN,))
    row = flags.create(
        session, {"name": code.replace(".", " ").title(), "enabled": True, **values},
        actor=creator, code=code,
    )  # fmt: skip
    session.commit()  # kept whatever the requests in between do with the session
    return row


def edit_data(flag, token, **changes):
    data = {
        "csrf_token": token,
        "version": str(flag.version),
        "name": flag.name,
        "description": flag.description or "",
        "rollout_percentage": ""
        if flag.rollout_percentage is None
        else str(flag.rollout_percentage),
        "segment": flag.segment or "",
        "starts_at": "",
        "ends_at": "",
    }
    if flag.enabled:
        data["enabled"] = "y"
    if flag.sensitive:
        data["sensitive"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_shows_each_flag_with_its_state(client, session, admin):
    add_flag(session, "a.on")
    add_flag(session, "b.off", enabled=False)
    add_flag(session, "c.rolling", rollout_percentage=25, segment="locale=ko-KR")
    add_flag(session, "d.scheduled", starts_at=utcnow() + timedelta(days=2))
    add_flag(session, "e.expired", ends_at=utcnow() - timedelta(days=2))
    page = page_of(client.get("/admin/flags"))
    assert page.find("h1").get_text() == "Feature flags"
    states = {
        tr["data-flag"]: tr.select_one(".flag-state").get_text(" ", strip=True)
        for tr in page.select("#listing tr[data-flag]")
    }
    assert states == {
        "a.on": "On",
        "b.off": "Off",
        "c.rolling": "Rolling out 25%",
        "d.scheduled": "Scheduled",
        "e.expired": "Expired",
    }
    assert "locale=ko-KR" in page.select_one('tr[data-flag="c.rolling"]').get_text()
    nav = page.select_one(".areanav [aria-current]") or page.select_one(".areanav .current")
    assert nav is not None and "Feature flags" in nav.get_text()


def test_search_and_state_filter(client, session, admin):
    add_flag(session, "search.semantic", description="Vector search for shoppers")
    add_flag(session, "reviews.photos", enabled=False)
    found = page_of(client.get("/admin/flags?q=vector"))
    assert [tr["data-flag"] for tr in found.select("tr[data-flag]")] == ["search.semantic"]
    off = page_of(client.get("/admin/flags?state=off"))
    assert [tr["data-flag"] for tr in off.select("tr[data-flag]")] == ["reviews.photos"]
    assert client.get("/admin/flags?state=maybe").status_code == 400


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER])
def test_other_roles_are_refused(client, session, login_as, role):
    add_flag(session)
    login_as(role)
    for path in ("/admin/flags", "/admin/flags/checkout.one_page", "/admin/flags/new"):
        assert client.get(path).status_code == 403
        assert client.get(path, headers=HTMX).status_code == 403


def test_the_inline_toggle_answers_the_row_for_htmx(client, session, admin, token):
    flag = add_flag(session)
    response = client.post(
        f"/admin/flags/{flag.code}/toggle",
        data={"csrf_token": token, "version": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    page = page_of(response)
    rows = page.select("tr[data-flag]")
    assert len(rows) == 1 and rows[0]["data-flag"] == flag.code
    assert page.find("html") is None  # a fragment, not the page
    assert rows[0].select_one(".flag-state").get_text(strip=True) == "Off"
    assert rows[0].select_one("button").get_text(" ", strip=True).startswith("Switch on")
    assert rows[0].select_one('input[name="version"]')["value"] == "2"
    session.refresh(flag)
    assert flag.enabled is False
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == flag.id, AuditEvent.action == "flag.updated"
        )
    ).one()
    assert event.changes["before"]["enabled"] is True and event.changes["after"]["enabled"] is False


def test_a_stale_toggle_is_409(client, session, admin, token):
    flag = add_flag(session)
    client.post(f"/admin/flags/{flag.code}/toggle", data={"csrf_token": token, "version": "1"})
    stale = client.post(
        f"/admin/flags/{flag.code}/toggle", data={"csrf_token": token, "version": "1"}, headers=HTMX
    )
    assert stale.status_code == 409
    session.refresh(flag)
    assert flag.enabled is False  # toggled once only


def test_a_sensitive_toggle_asks_why_then_goes_to_approval(client, session, admin, token):
    flag = add_flag(session, sensitive=True)
    row = page_of(client.get(f"/admin/flags/{flag.code}", headers=HTMX))  # noqa: F841
    list_row = page_of(client.get("/admin/flags")).select_one(f'tr[data-flag="{flag.code}"]')
    assert list_row.select_one("form") is None  # no one-click toggle: it asks first
    confirm = page_of(client.get(f"/admin/flags/{flag.code}/toggle", headers=HTMX))
    assert confirm.select_one("textarea[name=justification]") is not None
    assert "second admin" in confirm.get_text()
    missing = client.post(
        f"/admin/flags/{flag.code}/toggle", data={"csrf_token": token, "version": "1"}, headers=HTMX
    )
    assert missing.status_code == 422
    assert "Say why" in page_of(missing).select_one(".field-errors").get_text()
    asked = client.post(
        f"/admin/flags/{flag.code}/toggle",
        data={"csrf_token": token, "version": "1", "justification": "Incident 42: turn it off"},
        headers=HTMX,
    )
    assert asked.status_code == 200
    assert "waiting for approval" in page_of(asked).select_one(".flag-toggle").get_text()
    session.refresh(flag)
    assert flag.enabled is True
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == flag.id)
    ).one()
    assert action.action_name == "change_flag" and action.payload["after"] == {"enabled": False}


def test_the_other_admin_approves_from_the_inbox(client, session, login_as, token):
    flag = add_flag(session, sensitive=True, rollout_percentage=10)
    client.post(
        f"/admin/flags/{flag.code}",
        data=edit_data(flag, token, rollout_percentage="40", justification="Good A/B result"),
    )
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == flag.id)
    ).one()
    client.post("/logout", data={"csrf_token": token})
    login_as(Role.SYSTEM_ADMIN)
    inbox = page_of(client.get("/admin/approvals"))
    row = inbox.select_one(f"#approval-{action.id}")
    assert "Change a sensitive feature flag" in row.get_text() and flag.name in row.get_text()
    opened = client.get(f"/admin/approvals/{action.id}/row", headers={"HX-Request": "true"})
    row = page_of(opened).select_one(f"#approval-{action.id}")  # the change, on expand
    assert [td.get_text() for td in row.select(".change-table td")] == ["10%", "40%"]
    response = client.post(
        f"/admin/approvals/{action.id}/decide",
        data={
            "csrf_token": csrf_from(client.get("/admin/approvals").data),
            "decision": "approve",
            "revision": "1",
        },
    )
    assert response.status_code == 302
    session.refresh(flag)
    assert flag.rollout_percentage == 40 and flag.version == 2


def test_new_flag_errors_stay_in_place(client, session, admin, token):
    add_flag(session, "taken.code")
    response = client.post(
        "/admin/flags/new",
        data={"csrf_token": token, "code": "taken.code", "name": "X", "rollout_percentage": "150",
              "segment": "country:US"},
    )  # fmt: skip
    page = page_of(response)
    assert response.status_code == 422
    summary = page.select_one(".error-summary").get_text()
    assert "Another flag already has this code" in summary
    assert "0 to 100" in summary and "key=value" in summary
    assert page.select_one("#segment")["value"] == "country:US"  # the input is kept
    assert page.select_one("#code")["aria-invalid"] == "true"


def test_a_blank_new_flag_names_every_missing_field(client, session, admin, token):
    response = client.post(
        "/admin/flags/new",
        data={"csrf_token": token, "code": "", "name": "", "rollout_percentage": "101",
              "segment": "beta"},
    )  # fmt: skip
    assert response.status_code == 422
    summary = page_of(response).select_one(".error-summary").get_text()
    assert "Give the flag a code" in summary and "Give the flag a name" in summary
    assert "0 to 100" in summary and "key=value" in summary


def test_new_is_not_a_flag_code(client, session, admin, token):
    """/admin/flags/new is the form: a flag with that code could never be opened."""
    response = client.post(
        "/admin/flags/new", data={"csrf_token": token, "code": "new", "name": "New things"}
    )
    assert response.status_code == 422
    field = page_of(response).select_one("#code").find_parent("div", class_="field")
    assert "choose another code" in field.select_one(".field-errors").get_text()
    assert session.scalar(select(FeatureFlag.id).where(FeatureFlag.code == "new")) is None


def test_an_unreadable_date_is_refused_in_place(client, session, admin, token):
    response = client.post(
        "/admin/flags/new",
        data={
            "csrf_token": token,
            "code": "new.code",
            "name": "X",
            "starts_at": "2026-13-40T99:00",
        },
    )
    assert response.status_code == 422
    field = page_of(response).select_one("#starts_at").find_parent("div", class_="field")
    assert "Give a date and time" in field.select_one(".field-errors").get_text()
    assert session.scalar(select(FeatureFlag.id).where(FeatureFlag.code == "new.code")) is None


def test_create_then_edit(client, session, admin, token):
    response = client.post(
        "/admin/flags/new",
        data={"csrf_token": token, "code": "cart.saved_items", "name": "Saved items",
              "enabled": "y", "rollout_percentage": "20", "segment": "locale = ko-KR",
              "starts_at": "2026-12-24T09:00"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/flags/cart.saved_items")
    flag = session.scalars(select(FeatureFlag).where(FeatureFlag.code == "cart.saved_items")).one()
    assert (flag.rollout_percentage, flag.segment) == (20, "locale=ko-KR")
    assert flag.starts_at.isoformat().startswith("2026-12-24T09:00")  # the admin's zone is UTC
    page = page_of(client.get("/admin/flags/cart.saved_items"))
    assert page.select_one("#starts_at")["value"] == "2026-12-24T09:00"
    saved = client.post(
        "/admin/flags/cart.saved_items",
        data=edit_data(flag, token, rollout_percentage="60", starts_at="2026-12-24T09:00"),
    )
    assert saved.status_code == 302
    session.refresh(flag)
    assert flag.rollout_percentage == 60 and flag.version == 2
    stale = client.post(
        "/admin/flags/cart.saved_items",
        data=edit_data(flag, token, version="1", rollout_percentage="70"),
    )
    assert stale.status_code == 409
    notice = page_of(stale).select_one(".stale").get_text()
    assert "Rollout" in notice
    assert page_of(stale).select_one("#rollout_percentage")["value"] == "70"


def test_a_window_is_read_and_shown_in_the_admins_time_zone(client, session, admin, token):
    admin.time_zone = "Asia/Seoul"  # UTC+9
    session.commit()
    flag = add_flag(session, "cart.saved_items")
    saved = client.post(
        "/admin/flags/cart.saved_items",
        data=edit_data(flag, token, starts_at="2026-12-24T09:00", ends_at="2026-12-25T08:30"),
    )
    assert saved.status_code == 302
    session.refresh(flag)
    assert flag.starts_at.isoformat() == "2026-12-24T00:00:00+00:00"
    assert flag.ends_at.isoformat() == "2026-12-24T23:30:00+00:00"
    page = page_of(client.get("/admin/flags/cart.saved_items"))
    assert page.select_one("#starts_at")["value"] == "2026-12-24T09:00"
    assert page.select_one("#ends_at")["value"] == "2026-12-25T08:30"


@pytest.mark.parametrize(
    ("zone", "field", "moment"),
    [
        ("America/Los_Angeles", "ends_at", "9999-12-31T23:59"),  # past year 9999 in UTC
        ("Asia/Tokyo", "starts_at", "0001-01-01T00:00"),  # before year 1 in UTC
        ("UTC", "starts_at", "0001-01-01T00:00"),  # no zone could show it
    ],
)
def test_a_date_out_of_range_is_refused_in_place(
    client, session, admin, token, zone, field, moment
):
    admin.time_zone = zone
    session.commit()
    flag = add_flag(session, "cart.saved_items")
    response = client.post(
        "/admin/flags/cart.saved_items", data=edit_data(flag, token, **{field: moment})
    )
    assert response.status_code == 422
    errors = page_of(response).select_one(f"#{field}").find_parent("div", class_="field")
    assert "between 2000 and 2999" in errors.select_one(".field-errors").get_text()
    session.refresh(flag)
    assert (flag.version, flag.starts_at, flag.ends_at) == (1, None, None)
    assert client.get("/admin/flags").status_code == 200


def test_a_stale_edit_names_the_changed_window_in_words(client, session, admin, token):
    flag = add_flag(session, "cart.saved_items")
    other = make_staff(session, "other-admin@test.mall", (Role.SYSTEM_ADMIN,))
    flags.change(session, flag.code, {"starts_at": "2026-12-24T09:00:00+00:00"},
                 expected_version=1, actor=other)  # fmt: skip
    session.commit()
    stale = client.post(
        "/admin/flags/cart.saved_items", data=edit_data(flag, token, version="1", name="Saved")
    )
    assert stale.status_code == 409
    row = page_of(stale).select_one(".stale").find("th", string="Starts").find_parent("tr")
    now = row.find_all("td")[0].get_text()
    assert "Dec 24, 2026" in now and "T09:00" not in now


def test_the_evaluate_panel(client, session, admin):
    add_flag(session, "payouts.instant", segment="country=US")
    panel = client.get(
        "/admin/flags/payouts.instant/evaluate?subject=cus-1&attributes=country%3DUS", headers=HTMX
    )
    assert panel.status_code == 200
    result = page_of(panel).select_one(".evaluation").get_text(" ", strip=True)
    assert result.startswith("On") and "everyone with country=US" in result
    other = page_of(
        client.get("/admin/flags/payouts.instant/evaluate?subject=cus-1&attributes=country%3DFR")
    )
    assert "FR, not US" in other.select_one(".evaluation").get_text()
    bad = client.get("/admin/flags/payouts.instant/evaluate?attributes=oops", headers=HTMX)
    assert bad.status_code == 422 and "not written key=value" in bad.get_data(as_text=True)
    assert client.get("/admin/flags/nope/evaluate").status_code == 404


def test_history_and_one_click_revert(client, session, admin, token):
    flag = add_flag(session, rollout_percentage=10, segment="locale=ko-KR")
    client.post(
        f"/admin/flags/{flag.code}",
        data=edit_data(flag, token, rollout_percentage="80", segment=""),
    )
    session.refresh(flag)
    client.post(f"/admin/flags/{flag.code}/toggle", data={"csrf_token": token, "version": "2"})
    page = page_of(client.get(f"/admin/flags/{flag.code}"))
    entries = page.select(".timeline-entry")
    assert [e["data-action"] for e in entries] == ["flag.updated", "flag.updated", "flag.created"]
    assert len(entries[2].select("button.revert")) == 0  # the creation has nothing before it
    form = entries[1].select_one("button.revert").find_parent("form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.post(form["action"], data=data)
    assert response.status_code == 302
    session.refresh(flag)
    assert (flag.enabled, flag.rollout_percentage, flag.segment) == (True, 10, "locale=ko-KR")
    # a change that is not in the flag's history is an unknown record, whatever the version
    current = {**data, "version": str(flag.version), "event": "nope"}
    assert client.post(form["action"], data=current).status_code == 404
    assert client.post(form["action"], data={**data, "event": "nope"}).status_code == 404
    session.refresh(flag)
    assert (flag.enabled, flag.rollout_percentage, flag.segment) == (True, 10, "locale=ko-KR")


def test_a_sensitive_revert_asks_for_approval(client, session, admin, token):
    flag = add_flag(session, rollout_percentage=10)
    client.post(
        f"/admin/flags/{flag.code}",
        data=edit_data(flag, token, rollout_percentage="30", sensitive="y"),
    )
    page = page_of(client.get(f"/admin/flags/{flag.code}"))
    link = page.select(".timeline-entry")[0].select_one("a.revert")
    confirm = page_of(client.get(link["href"]))
    form = confirm.select_one("main form") or confirm.select_one("form[action$='/revert']")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert client.post(form["action"], data=data).status_code == 422  # no justification
    response = client.post(form["action"], data={**data, "justification": "Back to 10%"})
    assert response.status_code == 302
    session.refresh(flag)
    assert flag.rollout_percentage == 30
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == flag.id)
    ).one()
    assert action.payload["after"] == {"rollout_percentage": 10, "sensitive": False}


def test_unknown_flag_is_404(client, admin):
    assert client.get("/admin/flags/nothing.here").status_code == 404


def test_user_content_is_escaped(client, session, admin):
    add_flag(session, "x.escape", description="<script>alert(1)</script>")
    body = client.get("/admin/flags/x.escape").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_the_list_runs_as_many_queries_for_100_flags_as_for_10(
    client, session, admin, count_queries
):
    made = []

    def add_rows(n):
        creator = make_staff(session, f"bulk-{len(made)}@test.mall", (Role.SYSTEM_ADMIN,))
        for i in range(n):
            code = f"bulk.f{len(made):03d}"
            values = {
                "name": code,
                "enabled": True,
                "sensitive": i % 3 == 0,
                "rollout_percentage": i % 100,
            }
            made.append(flags.create(session, values, actor=creator, code=code))
        session.flush()
        waiting = made[-1]
        flags.change(
            session, waiting.code, {"enabled": False}, expected_version=1, actor=creator,
            justification="Pause",
        ) if waiting.sensitive else None  # fmt: skip
        session.commit()

    def read(limit):
        assert client.get(f"/admin/flags?limit={limit if limit != 10 else 25}").status_code == 200

    assert_constant_queries(count_queries, add_rows, read)


def test_a_flag_opened_by_its_id_redirects_to_its_code(client, session, admin):
    flag = add_flag(session, "by.id")
    response = client.get(f"/admin/flags/{flag.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/admin/flags/by.id"
    )


# --- archive and restore ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER])
def test_other_roles_cannot_archive_or_restore(client, session, login_as, role):
    flag = add_flag(session)
    login_as(role)
    token = csrf_from(client.get("/finance/" if role == Role.FINANCE_MANAGER else "/support/").data)
    for action in ("archive", "restore"):
        path = f"/admin/flags/{flag.code}/{action}"
        assert client.get(path).status_code == 403
        assert client.post(path, data={"csrf_token": token, "version": "1"}).status_code == 403
    session.refresh(flag)
    assert flag.deleted_at is None


def test_archive_confirm_then_the_flag_leaves_the_list_and_is_restored(
    client, session, admin, token
):
    flag = add_flag(session)
    add_flag(session, "reviews.photo_upload")
    detail = page_of(client.get(f"/admin/flags/{flag.code}"))
    link = detail.find("a", string="Archive this flag…")
    assert link["href"] == f"/admin/flags/{flag.code}/archive"
    confirm = page_of(client.get(link["href"]))
    assert "switches it off for everyone" in confirm.get_text()
    assert confirm.select_one("input[name=version]")["value"] == "1"
    response = client.post(link["href"], data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/flags/{flag.code}"
    session.refresh(flag)
    assert flag.deleted_at is not None and flag.version == 2
    listed = page_of(client.get("/admin/flags"))
    assert [tr["data-flag"] for tr in listed.select("tr[data-flag]")] == ["reviews.photo_upload"]
    archived = page_of(client.get("/admin/flags?state=archived"))
    rows = archived.select("tr[data-flag]")
    assert [tr["data-flag"] for tr in rows] == [flag.code]
    assert "Archived" in rows[0].select_one(".flag-state").get_text()
    restore = rows[0].select_one(".flag-toggle a")
    assert restore["href"] == f"/admin/flags/{flag.code}/restore"
    assert restore.get_text().startswith("Restore")
    screen = page_of(client.get(f"/admin/flags/{flag.code}"))
    assert "This flag is archived" in screen.select_one(".flag-archived").get_text()
    assert screen.select_one("form[action$='/" + flag.code + "']") is None  # no edit form
    assert "Archived the flag checkout.one_page" in screen.get_text()
    assert screen.select("button.revert") == []
    evaluated = page_of(client.get(f"/admin/flags/{flag.code}/evaluate?subject=a", headers=HTMX))
    assert "archived" in evaluated.select_one(".evaluation").get_text()
    assert client.post(f"/admin/flags/{flag.code}/toggle",
                       data={"csrf_token": token, "version": "2"}).status_code == 404  # fmt: skip
    restored = client.post(f"/admin/flags/{flag.code}/restore",
                           data={"csrf_token": token, "version": "2"})  # fmt: skip
    assert restored.status_code == 302
    session.refresh(flag)
    assert flag.deleted_at is None and flag.enabled is True and flag.version == 3
    assert "Restored the flag" in page_of(client.get(f"/admin/flags/{flag.code}")).get_text()


def test_a_stale_archive_is_409_with_what_changed(client, session, admin, token):
    flag = add_flag(session)
    client.post(f"/admin/flags/{flag.code}/toggle", data={"csrf_token": token, "version": "1"})
    response = client.post(f"/admin/flags/{flag.code}/archive",
                           data={"csrf_token": token, "version": "1"})  # fmt: skip
    assert response.status_code == 409
    page = page_of(response)
    assert page.select_one(".stale") is not None
    assert page.select_one("input[name=version]")["value"] == "2"
    session.refresh(flag)
    assert flag.deleted_at is None


def test_a_sensitive_flag_is_archived_through_approval(client, session, admin, token):
    flag = add_flag(session, sensitive=True)
    missing = client.post(f"/admin/flags/{flag.code}/archive",
                          data={"csrf_token": token, "version": "1"})  # fmt: skip
    assert missing.status_code == 422
    assert "Say why" in page_of(missing).select_one(".field-errors").get_text()
    asked = client.post(
        f"/admin/flags/{flag.code}/archive",
        data={"csrf_token": token, "version": "1", "justification": "The feature is retired"},
    )
    assert asked.status_code == 302
    session.refresh(flag)
    assert flag.deleted_at is None
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == flag.id)
    ).one()
    assert action.action_name == "change_flag" and action.payload["after"] == {"archived": True}
    screen = page_of(client.get(f"/admin/flags/{flag.code}"))
    assert "waiting for approval" in screen.get_text()
    assert screen.find("a", string="Archive this flag…") is None


def test_archive_and_restore_of_an_unknown_flag_are_404(client, admin, token):
    for action in ("archive", "restore"):
        path = f"/admin/flags/no.such.flag/{action}"
        assert client.get(path).status_code == 404
        assert client.post(path, data={"csrf_token": token, "version": "1"}).status_code == 404


def test_a_new_flag_with_an_archived_flags_code_is_422(client, session, admin, token):
    flag = add_flag(session)
    client.post(f"/admin/flags/{flag.code}/archive", data={"csrf_token": token, "version": "1"})
    response = client.post(
        "/admin/flags/new", data={"csrf_token": token, "code": flag.code, "name": "Again"}
    )
    assert response.status_code == 422
    assert (
        "An archived flag has this code" in page_of(response).select_one(".field-errors").get_text()
    )
