"""The admin's policy screens: list and search, a policy with its versions and the in-force
look-up, drafting and editing, comparing, submitting for approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, Policy, PolicyVersion, utcnow
from mallconsole.services.admin import policies
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.query_counts import assert_constant_queries

TODAY = utcnow().date()
HTMX = {"HX-Request": "true"}


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def day(offset):
    return policies.day_start(TODAY + timedelta(days=offset))


@pytest.fixture
def admin(login_as):
    return login_as(Role.SYSTEM_ADMIN)


@pytest.fixture
def policy(session):
    row = Policy(code="returns-v", title="Returns policy", category="returns", status="active")
    session.add(row)
    session.flush()
    for label, start, end, content in (
        ("1.0", -300, -100, "Returns within 30 days.\nRefund to the card."),
        ("2.0", -100, None, "Returns within 14 days.\nRefund to the card."),
    ):
        session.add(PolicyVersion(shopping_mall_policy_id=row.id, version=label,
                                  effective_from=day(start),
                                  effective_to=day(end) if end is not None else None,
                                  content=content, change_notes=f"Notes {label}",
                                  approved=True))  # fmt: skip
    session.flush()
    return row


def versions_of(session, policy):
    return {
        v.version: v
        for v in session.scalars(
            select(PolicyVersion).where(PolicyVersion.shopping_mall_policy_id == policy.id)
        )
    }


def draft_form(client, url, **values):
    token = csrf_from(client.get(url).data)
    data = {
        "csrf_token": token,
        "label": "3.0",
        "effective_from": (TODAY + timedelta(days=10)).isoformat(),
        "effective_to": "",
        "change_notes": "Longer window for the holidays",
        "content": "Returns within 30 days.\nRefund to the card.",
        **values,
    }
    return client.post(url, data=data)


@pytest.mark.parametrize(
    "role",
    [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR, Role.OPERATIONS_MANAGER],
)
def test_other_roles_are_refused(client, login_as, policy, role):
    login_as(role)
    assert client.get("/admin/policies").status_code == 403
    assert client.get(f"/admin/policies/{policy.code}").status_code == 403
    assert client.get(f"/admin/policies/{policy.code}/versions/new").status_code == 403


def test_the_list_shows_the_version_in_force_and_searches(client, session, admin, policy):
    other = Policy(code="pricing_floor_v", title="Pricing floors", category="pricing",
                   status="draft")  # fmt: skip
    session.add(other)
    session.flush()
    page = page_of(client.get("/admin/policies"))
    rows = {tr.select_one("a").get_text(): tr for tr in page.select("#listing tbody tr")}
    assert "Version 2.0" in rows["Returns policy"].get_text()
    assert "Active" in rows["Returns policy"].get_text()
    assert "Not yet in force" in rows["Pricing floors"].get_text()
    page = page_of(client.get("/admin/policies?q=pricing"))
    assert [a.get_text() for a in page.select("#listing tbody tr a")] == ["Pricing floors"]
    fragment = client.get("/admin/policies?q=returns", headers=HTMX)
    assert b"<html" not in fragment.data and b"Returns policy" in fragment.data
    assert client.get("/admin/policies?status=bogus").status_code == 400


def test_the_list_shows_a_draft_waiting(client, session, admin, policy):
    author = make_staff(session, "author@views.test", (Role.SYSTEM_ADMIN,))
    data = policies.check_draft(label="3.0", effective_from=(TODAY + timedelta(days=5)).isoformat(),
                                effective_to="", change_notes=None, content="x")  # fmt: skip
    version = policies.create_draft(session, policy, data, actor=author)
    policies.submit(session, version.id, "Holidays", actor=author)
    row = page_of(client.get("/admin/policies?q=returns")).select_one("#listing tbody tr")
    assert "Version 3.0" in row.get_text() and "Waiting for approval" in row.get_text()


def test_the_policy_screen_answers_what_was_in_force_on_a_day(client, admin, policy):
    page = page_of(client.get(f"/admin/policies/{policy.code}"))
    assert "Version 2.0" in page.select_one("#now-title").parent.get_text()
    states = {tr["data-version"]: tr.get_text(" ", strip=True) for tr in
              page.select(".policy-versions tbody tr")}  # fmt: skip
    assert "In force" in states["2.0"] and "No longer in force" in states["1.0"]
    then = (TODAY - timedelta(days=200)).isoformat()
    answer = page_of(client.get(f"/admin/policies/{policy.code}?at={then}"))
    assert "version 1.0 was in force" in answer.select_one(".in-force-answer").get_text()
    boundary = (TODAY - timedelta(days=100)).isoformat()
    answer = page_of(client.get(f"/admin/policies/{policy.code}?at={boundary}&part=in_force",
                                headers=HTMX))  # fmt: skip
    assert answer.select_one("#in-force") and "version 2.0" in answer.get_text()
    before = (TODAY - timedelta(days=400)).isoformat()
    answer = page_of(client.get(f"/admin/policies/{policy.code}?at={before}"))
    assert "No version of this policy was in force" in answer.select_one(".in-force-answer").text
    assert client.get(f"/admin/policies/{policy.code}?at=yesterday").status_code == 400
    assert client.get("/admin/policies/no-such-policy").status_code == 404


def test_a_draft_with_errors_comes_back_with_them_in_place(client, session, admin, policy):
    url = f"/admin/policies/{policy.code}/versions/new"
    response = draft_form(client, url, label="2.0", effective_from=TODAY.isoformat(), content="")
    assert response.status_code == 422
    page = page_of(response)
    errors = {e["id"]: e.get_text(" ", strip=True) for e in page.select(".field-errors")}
    assert "cannot come into force in the past" in errors["effective_from-errors"]
    assert "Write the terms" in errors["content-errors"]
    assert page.select_one(".error-summary a[href='#content']")
    assert page.select_one("#change_notes").get_text().strip() == "Longer window for the holidays"
    response = draft_form(client, url, label="2.0")
    assert response.status_code == 422
    assert (
        "already has a version labelled 2.0"
        in page_of(response).select_one("#label-errors").get_text()
    )
    assert set(versions_of(session, policy)) == {"1.0", "2.0"}


def test_writing_editing_and_submitting_a_draft(client, session, admin, policy):
    new = page_of(client.get(f"/admin/policies/{policy.code}/versions/new"))
    assert new.select_one("#content").get_text().strip().startswith("Returns within 14 days.")
    response = draft_form(client, f"/admin/policies/{policy.code}/versions/new")
    assert response.status_code == 302
    version = versions_of(session, policy)["3.0"]
    assert version.author_user_id == admin.id and not version.approved
    url = f"/admin/policies/versions/{version.id}"
    page = page_of(client.get(url))
    assert "Draft" in page.select_one(".record-head").get_text()
    response = client.post(url, data={
        "csrf_token": csrf_from(client.get(url).data), "version": "1", "label": "3.0",
        "effective_from": (TODAY + timedelta(days=12)).isoformat(), "effective_to": "",
        "change_notes": "Holidays", "content": "Returns within 45 days.",
    })  # fmt: skip
    assert response.status_code == 302
    session.refresh(version)
    assert version.content == "Returns within 45 days." and version.row_version == 2
    # A copy opened before that edit is refused, keeping the input.
    stale = client.post(url, data={
        "csrf_token": csrf_from(client.get(url).data), "version": "1", "label": "3.0",
        "effective_from": (TODAY + timedelta(days=12)).isoformat(), "effective_to": "",
        "change_notes": "Mine", "content": "My other text",
    })  # fmt: skip
    assert stale.status_code == 409
    stale_page = page_of(stale)
    assert stale_page.select_one(".stale") and "Terms" in stale_page.select_one(".stale").text
    assert stale_page.select_one("#content").get_text().strip() == "My other text"
    assert stale_page.select_one("#edit input[name=version]")["value"] == "2"
    response = client.post(
        f"{url}/submit",
        data={"csrf_token": csrf_from(client.get(url).data), "justification": "Holiday season"},
    )
    assert response.status_code == 302
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == version.id)
    ).one()
    assert action.action_name == "approve_policy_version" and action.status == "pending"
    page = page_of(client.get(url))
    assert "Waiting for approval" in page.select_one(".record-head").get_text()
    assert page.select_one("#edit") is None
    # The other admin sees it in the inbox, named in words and linked to this screen.
    inbox_page = client.get(f"/admin/approvals/{action.id}")
    assert inbox_page.status_code == 200
    assert b"Returns policy, version 3.0" in inbox_page.data


def test_submitting_an_overlapping_draft_says_why(client, session, admin, policy):
    data = policies.check_draft(label="1.5", effective_from=(TODAY + timedelta(days=5)).isoformat(),
                                effective_to=(TODAY + timedelta(days=9)).isoformat(),
                                change_notes=None, content="x")  # fmt: skip
    version = policies.create_draft(session, policy, data, actor=admin)
    session.add(
        PolicyVersion(
            shopping_mall_policy_id=policy.id,
            version="9.0",
            effective_from=day(1),
            effective_to=day(8),
            approved=True,
        )
    )
    url = f"/admin/policies/versions/{version.id}"
    response = client.post(
        f"{url}/submit", data={"csrf_token": csrf_from(client.get(url).data), "justification": "Go"}
    )
    assert response.status_code == 409
    summary = page_of(response).select_one(".error-summary")
    assert "overlaps approved version 9.0" in summary.get_text()
    assert "Draft" in page_of(response).select_one(".record-head").get_text()


def test_an_approved_version_offers_no_edit_and_refuses_one(client, session, admin, policy):
    version = versions_of(session, policy)["2.0"]
    url = f"/admin/policies/versions/{version.id}"
    page = page_of(client.get(url))
    assert page.select_one("#edit") is None and "Approved versions never change" in page.text
    response = client.post(url, data={
        "csrf_token": csrf_from(client.get(url).data), "version": "1", "label": "2.0",
        "effective_from": (TODAY + timedelta(days=12)).isoformat(), "effective_to": "",
        "change_notes": "", "content": "Changed",
    })  # fmt: skip
    assert response.status_code == 409
    session.refresh(version)
    assert version.content.startswith("Returns within 14 days.")


def test_another_admins_draft_is_read_only(client, session, admin, policy):
    author = make_staff(
        session, "other-author@views.test", (Role.SYSTEM_ADMIN,), name="Otto Author"
    )
    data = policies.check_draft(label="3.0", effective_from=(TODAY + timedelta(days=5)).isoformat(),
                                effective_to="", change_notes=None, content="x")  # fmt: skip
    version = policies.create_draft(session, policy, data, actor=author)
    url = f"/admin/policies/versions/{version.id}"
    page = page_of(client.get(url))
    assert page.select_one("#edit") is None and "Only Otto Author" in page.text
    response = client.post(
        f"{url}/submit",
        data={"csrf_token": csrf_from(client.get(url).data), "justification": "Mine"},
    )
    assert response.status_code == 403


def test_the_comparison_escapes_the_terms(client, session, admin, policy):
    data = policies.check_draft(
        label="3.0",
        effective_from=(TODAY + timedelta(days=5)).isoformat(),
        effective_to="",
        change_notes="<b>bold</b>",
        content="Returns within 14 days.\n<script>alert('x')</script>\nRefund to the card.",
    )
    version = policies.create_draft(session, policy, data, actor=admin)
    old = versions_of(session, policy)["2.0"]
    response = client.get(f"/admin/policies/{policy.code}/compare?from={old.id}&to={version.id}")
    assert response.status_code == 200
    assert b"<script>alert" not in response.data and b"&lt;script&gt;" in response.data
    page = page_of(response)
    added = page.select("tr.diff-added td.diff-right")
    assert [td.get_text().removeprefix("Added: ") for td in added] == [
        "<script>alert('x')</script>"
    ]
    assert len(page.select("tr.diff-same")) == 2
    changed = {tr.th.get_text(" ", strip=True) for tr in page.select(".compare-fields tr.changed")}
    assert "Version changed" in changed and "Change notes changed" in changed
    assert page.select_one(".compare-fields").get_text().count("<b>bold</b>") == 1
    assert client.get(f"/admin/policies/{policy.code}/compare?from=x&to=y").status_code == 400
    version_page = client.get(f"/admin/policies/versions/{version.id}")
    assert b"<script>alert" not in version_page.data


def test_the_list_runs_as_many_queries_for_100_policies_as_for_10(
    client, session, admin, count_queries
):
    made = []

    def add_policies(count):
        for _ in range(count):
            n = len(made)
            row = Policy(code=f"bulk-{n:03d}", title=f"Bulk policy {n:03d}", category="bulk",
                         status="active")  # fmt: skip
            session.add(row)
            session.flush()
            session.add_all([
                PolicyVersion(shopping_mall_policy_id=row.id, version="1.0",
                              effective_from=day(-5), content="x", approved=True),
                PolicyVersion(shopping_mall_policy_id=row.id, version="2.0",
                              effective_from=day(5), content="y", approved=False),
            ])  # fmt: skip
            made.append(row)
        session.flush()

    def read(_):
        response = client.get("/admin/policies?category=bulk&limit=100")
        assert response.status_code == 200
        return response

    small, large = assert_constant_queries(count_queries, add_policies, read)
    assert small == large
    rows = page_of(read(100)).select("#listing tbody tr")
    assert len(rows) == 100 and "Version 2.0" in rows[0].get_text()


def test_a_withdrawn_request_gives_the_draft_back_to_its_author(client, session, admin, policy):
    data = policies.check_draft(label="3.0", effective_from=(TODAY + timedelta(days=5)).isoformat(),
                                effective_to="", change_notes=None, content="x")  # fmt: skip
    version = policies.create_draft(session, policy, data, actor=admin)
    action = policies.submit(session, version.id, "Go", actor=admin).action
    url = f"/admin/policies/versions/{version.id}"
    assert page_of(client.get(url)).select_one("#edit") is None
    response = client.post(f"/admin/approvals/{action.id}/withdraw",
                           data={"csrf_token": csrf_from(client.get(url).data)})  # fmt: skip
    assert response.status_code == 302
    page = page_of(client.get(url))
    assert page.select_one("#edit") is not None
    assert "Last request Withdrawn" in page.select_one(".facts").get_text(" ", strip=True)


def test_submitting_without_a_reason_is_refused_in_place(client, session, admin, policy):
    data = policies.check_draft(label="3.0", effective_from=(TODAY + timedelta(days=5)).isoformat(),
                                effective_to="", change_notes=None, content="x")  # fmt: skip
    version = policies.create_draft(session, policy, data, actor=admin)
    url = f"/admin/policies/versions/{version.id}"
    response = client.post(f"{url}/submit", data={
        "csrf_token": csrf_from(client.get(url).data), "justification": "  "})  # fmt: skip
    assert response.status_code == 422
    page = page_of(response)
    assert "Give a justification." in page.select_one("#justification-errors").get_text()
    assert page.select_one(".error-summary a[href='#justification']")
    assert policies.open_requests(session, [version.id]) == {}


# --- a new policy, editing a policy --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER])
def test_other_roles_cannot_create_or_edit_policies(client, session, login_as, policy, role):
    login_as(role)
    token = csrf_from(client.get("/finance/" if role == Role.FINANCE_MANAGER else "/support/").data)
    assert client.get("/admin/policies/new").status_code == 403
    data = {"csrf_token": token, "code": "x", "title": "X", "category": "x", "version": "1"}
    assert client.post("/admin/policies/new", data=data).status_code == 403
    assert client.get(f"/admin/policies/{policy.code}/edit").status_code == 403
    assert client.post(f"/admin/policies/{policy.code}/edit", data=data).status_code == 403
    assert session.scalars(select(func.count()).select_from(Policy)).one() == 1


def test_a_new_policy_from_the_list(client, session, admin, policy):
    page = page_of(client.get("/admin/policies"))
    assert page.find("a", string="New policy")["href"] == "/admin/policies/new"
    form = page_of(client.get("/admin/policies/new"))
    assert [o["value"] for o in form.select("datalist#policy-categories option")] == ["Returns"]
    token = csrf_from(client.get("/admin/policies/new").data)
    response = client.post("/admin/policies/new", data={
        "csrf_token": token, "code": "seller_fees", "title": "Seller fees",
        "category": "Fees", "description": "What sellers pay",
    })  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/policies/seller_fees"
    created = session.scalars(select(Policy).where(Policy.code == "seller_fees")).one()
    assert (created.status, created.category) == ("draft", "fees")
    detail = page_of(client.get("/admin/policies/seller_fees"))
    assert "Not yet in force" in detail.get_text()
    assert "This policy has no versions yet." in detail.get_text()
    assert detail.find("a", string="Write a new version") is not None


def test_a_new_policy_keeps_its_errors_in_place(client, session, admin, policy):
    token = csrf_from(client.get("/admin/policies/new").data)
    response = client.post("/admin/policies/new", data={
        "csrf_token": token, "code": policy.code, "title": "", "category": "Returns",
    })  # fmt: skip
    assert response.status_code == 422
    page = page_of(response)
    code_errors = page.select_one("#code").find_parent(class_="field").get_text()
    assert "Another policy already has this code." in code_errors
    assert page.select_one("#code")["value"] == policy.code
    assert page.select_one("#category")["value"] == "Returns"
    errors = " ".join(e.get_text() for e in page.select(".field-errors"))
    assert "Give the policy a title" in errors
    assert session.scalars(select(func.count()).select_from(Policy)).one() == 1


def test_editing_a_policy_and_a_stale_edit(client, session, admin, policy):
    page = page_of(client.get(f"/admin/policies/{policy.code}"))
    assert page.find("a", string="Edit details")["href"] == f"/admin/policies/{policy.code}/edit"
    form = page_of(client.get(f"/admin/policies/{policy.code}/edit"))
    assert form.select_one("#title")["value"] == "Returns policy"
    assert form.select_one("#category")["value"] == "Returns"
    token = csrf_from(client.get(f"/admin/policies/{policy.code}/edit").data)
    data = {"csrf_token": token, "title": "Returns and refunds", "category": "Returns",
            "description": "How customers send things back", "version": "1"}  # fmt: skip
    response = client.post(f"/admin/policies/{policy.code}/edit", data=data)
    assert response.status_code == 302
    session.refresh(policy)
    assert (policy.title, policy.category, policy.version) == ("Returns and refunds", "returns", 2)
    history = page_of(client.get(f"/admin/policies/{policy.code}")).get_text()
    assert "Changed the policy Returns and refunds" in history
    stale = client.post(f"/admin/policies/{policy.code}/edit",
                        data={**data, "title": "Old copy", "version": "1"})  # fmt: skip
    assert stale.status_code == 409
    page = page_of(stale)
    assert page.select_one(".stale") is not None
    assert page.select_one("#title")["value"] == "Old copy"
    assert page.select_one("input[name=version]")["value"] == "2"
    session.refresh(policy)
    assert policy.title == "Returns and refunds"
    invalid = client.post(f"/admin/policies/{policy.code}/edit",
                          data={**data, "title": "", "version": "2"})  # fmt: skip
    assert invalid.status_code == 422
    assert "Give the policy a title" in page_of(invalid).get_text()
    assert client.get("/admin/policies/no-such-policy/edit").status_code == 404
    assert client.post("/admin/policies/no-such-policy/edit", data=data).status_code == 404
