"""The configuration screens: the list (search, scope, types, known keys not set), new settings
(seller overrides), a setting's screen (errors in place, stale 409, sensitive keys through
approval) and revert from its history."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, Configuration, Seller
from mallconsole.services.admin import configuration
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.query_counts import assert_constant_queries

REFUND_USD = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
BATCH = states.MODERATION_CLAIM_BATCH_SIZE


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def admin(login_as):
    return login_as(Role.SYSTEM_ADMIN)


@pytest.fixture
def token(client, admin):
    return csrf_from(client.get("/admin/configurations").data)


def add(session, key, value, scope=None):
    row = Configuration(key=key, value=value, scope=scope, description=configuration._label(key))
    session.add(row)
    session.commit()  # kept whatever the requests in between do with the session
    return row


def test_the_list_shows_values_types_and_scopes(client, session, admin):
    seller = build(session, Seller, display_name="Harbor Goods")
    add(session, REFUND_USD, "250.00")
    add(session, states.PAYOUT_SETTLEMENT_DELAY_DAYS, "14", scope=f"seller:{seller.id}")
    page = page_of(client.get("/admin/configurations"))
    assert page.find("h1").get_text() == "Configurations"
    refund = page.select_one(f'#listing tr[data-key="{REFUND_USD}"]').get_text(" ", strip=True)
    assert "Amount in USD" in refund and "Needs approval" in refund and "250.00" in refund
    override = page.select_one('#listing tr[data-scope="seller"]').get_text(" ", strip=True)
    assert "Seller: Harbor Goods" in override and "Whole number of days" in override
    assert "seller:" not in page.select_one("#listing").get_text()  # words, not the scope key
    unset = {tr["data-key"] for tr in page.select("#unset tr[data-key]")}
    assert BATCH in unset and REFUND_USD not in unset


def test_search_and_scope_filter(client, session, admin):
    seller = build(session, Seller)
    add(session, BATCH, "10")
    add(session, states.PAYOUT_SETTLEMENT_DELAY_DAYS, "14", scope=f"seller:{seller.id}")
    found = page_of(client.get("/admin/configurations?q=claim"))
    assert [tr["data-key"] for tr in found.select("#listing tr[data-key]")] == [BATCH]
    sellers = page_of(client.get("/admin/configurations?scope=sellers"))
    assert [tr["data-scope"] for tr in sellers.select("#listing tr[data-key]")] == ["seller"]
    assert client.get("/admin/configurations?scope=planet").status_code == 400


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR])
def test_other_roles_are_refused(client, session, login_as, role):
    row = add(session, BATCH, "10")
    login_as(role)
    for path in (
        "/admin/configurations",
        f"/admin/configurations/{row.id}",
        "/admin/configurations/new",
    ):
        assert client.get(path).status_code == 403


def test_a_wrong_value_is_refused_in_place(client, session, admin, token):
    row = add(session, BATCH, "10")
    response = client.post(
        f"/admin/configurations/{row.id}",
        data={"csrf_token": token, "version": "1", "value": "lots"},
    )
    assert response.status_code == 422
    page = page_of(response)
    field = page.select_one("#value").find_parent("div", class_="field")
    assert "a whole number (1 or more), not 'lots'" in field.select_one(".field-errors").get_text()
    assert page.select_one("#value").get_text().strip() == "lots"  # the input is kept
    session.refresh(row)
    assert row.value == "10"


def test_a_new_setting_already_set_keeps_the_input_and_links_the_value(
    client, session, admin, token
):
    row = add(session, BATCH, "10")
    response = client.post(
        "/admin/configurations/new", data={"csrf_token": token, "key": BATCH, "value": "12"}
    )
    assert response.status_code == 409
    page = page_of(response)
    field = page.select_one("#key").find_parent("div", class_="field")
    assert "already set" in field.select_one(".field-errors").get_text()
    assert page.select_one("#value").get_text().strip() == "12"
    link = page.find("a", string="open it to change it")
    assert link["href"] == f"/admin/configurations/{row.id}"
    session.refresh(row)
    assert row.value == "10"


def test_saving_an_ordinary_key_and_a_stale_save(client, session, admin, token):
    row = add(session, BATCH, "10")
    saved = client.post(
        f"/admin/configurations/{row.id}", data={"csrf_token": token, "version": "1", "value": "20"}
    )
    assert saved.status_code == 302
    session.refresh(row)
    assert row.value == "20" and row.version == 2
    stale = client.post(
        f"/admin/configurations/{row.id}", data={"csrf_token": token, "version": "1", "value": "30"}
    )
    assert stale.status_code == 409
    page = page_of(stale)
    assert "Value" in page.select_one(".stale").get_text()
    assert page.select_one('input[name="version"]')["value"] == "2"


def test_a_sensitive_key_asks_for_approval(client, session, admin, token):
    row = add(session, REFUND_USD, "250.00")
    page = page_of(client.get(f"/admin/configurations/{row.id}"))
    assert page.select_one("#justification") is not None
    save = page.select_one(f'form[action="/admin/configurations/{row.id}"] button[type=submit]')
    assert save.get_text(strip=True) == "Ask for approval"
    missing = client.post(
        f"/admin/configurations/{row.id}",
        data={"csrf_token": token, "version": "1", "value": "300.00"},
    )
    assert missing.status_code == 422
    assert "justification" in page_of(missing).select_one(".error-summary").get_text().lower()
    asked = client.post(
        f"/admin/configurations/{row.id}",
        data={"csrf_token": token, "version": "1", "value": "300.00", "justification": "Q4 peak"},
    )
    assert asked.status_code == 302
    session.refresh(row)
    assert row.value == "250.00"
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == row.id)
    ).one()
    assert action.payload["after"] == {"value": "300.00"}
    waiting = page_of(client.get(f"/admin/configurations/{row.id}"))
    assert "waiting for approval" in waiting.get_text()
    assert waiting.select_one("#value") is None  # no second request while one waits


def test_a_new_seller_override(client, session, admin, token):
    seller = build(session, Seller, seller_code="S04242")
    form = page_of(
        client.get(f"/admin/configurations/new?key={states.PAYOUT_SETTLEMENT_DELAY_DAYS}")
    )
    assert form.select_one("#key")["value"] == states.PAYOUT_SETTLEMENT_DELAY_DAYS
    assert "Whole number of days" in form.get_text()
    unknown = client.post(
        "/admin/configurations/new",
        data={
            "csrf_token": token,
            "key": states.PAYOUT_SETTLEMENT_DELAY_DAYS,
            "seller": "S99999",
            "value": "14",
        },
    )
    assert unknown.status_code == 422
    assert (
        "no seller with the code S99999" in page_of(unknown).select_one(".field-errors").get_text()
    )
    created = client.post(
        "/admin/configurations/new",
        data={
            "csrf_token": token,
            "key": states.PAYOUT_SETTLEMENT_DELAY_DAYS,
            "seller": "S04242",
            "value": "14",
        },
    )
    assert created.status_code == 302
    row = session.scalars(
        select(Configuration).where(Configuration.scope == f"seller:{seller.id}")
    ).one()
    assert created.headers["Location"].endswith(f"/admin/configurations/{row.id}")
    assert row.value == "14"


def test_revert_from_the_history(client, session, admin, token):
    row = add(session, BATCH, "10")
    client.post(
        f"/admin/configurations/{row.id}", data={"csrf_token": token, "version": "1", "value": "20"}
    )
    client.post(
        f"/admin/configurations/{row.id}", data={"csrf_token": token, "version": "2", "value": "30"}
    )
    page = page_of(client.get(f"/admin/configurations/{row.id}"))
    entries = page.select(".timeline-entry")
    assert len(entries) == 2
    form = entries[1].select_one("form.revert-form")  # the change 10 → 20
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.post(form["action"], data=data)
    assert response.status_code == 302
    session.refresh(row)
    assert row.value == "10" and row.version == 4
    stale = client.post(form["action"], data=data)
    assert stale.status_code == 409


def test_unknown_setting_is_404(client, admin):
    assert client.get("/admin/configurations/nope").status_code == 404
    assert (
        client.get("/admin/configurations/00000000-0000-0000-0000-000000000000").status_code == 404
    )


def test_a_finance_manager_cannot_change_settings(client, session, login_as):
    row = add(session, BATCH, "10")
    colleague = make_staff(session, "cfg-admin@test.mall", (Role.SYSTEM_ADMIN,))
    assert colleague
    login_as(Role.FINANCE_MANAGER)
    token = csrf_from(client.get("/finance/").data)
    response = client.post(
        f"/admin/configurations/{row.id}", data={"csrf_token": token, "version": "1", "value": "20"}
    )
    assert response.status_code == 403


def test_the_list_runs_as_many_queries_for_100_settings_as_for_10(
    client, session, admin, count_queries
):
    sellers = [build(session, Seller) for _ in range(3)]
    made = []

    def add_rows(n):
        for _ in range(n):
            seller = sellers[len(made) % 3]
            made.append(
                add(session, f"custom.setting_{len(made):03d}", "x", scope=f"seller:{seller.id}")
            )

    def read(limit):
        assert (
            client.get(f"/admin/configurations?limit={limit if limit != 10 else 25}").status_code
            == 200
        )

    assert_constant_queries(count_queries, add_rows, read)


def test_the_inbox_links_a_requested_change_to_its_setting(client, session, admin, token):
    row = add(session, REFUND_USD, "250.00")
    client.post(
        f"/admin/configurations/{row.id}",
        data={"csrf_token": token, "version": "1", "value": "300.00", "justification": "Q4 peak"},
    )
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == row.id)
    ).one()
    page = page_of(client.get(f"/admin/approvals/{action.id}"))
    assert page.select_one("h1 a")["href"] == f"/admin/configurations/{row.id}"


# --- removing a value ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER])
def test_other_roles_cannot_remove_a_value(client, session, login_as, role):
    row = add(session, "marketing.banner_text", "Hello")
    login_as(role)
    token = csrf_from(client.get("/finance/" if role == Role.FINANCE_MANAGER else "/support/").data)
    path = f"/admin/configurations/{row.id}/remove"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"csrf_token": token, "version": "1"}).status_code == 403
    session.refresh(row)
    assert row.deleted_at is None


def test_removing_a_seller_override_shows_the_global_value_again(client, session, admin, token):
    seller = build(session, Seller, display_name="Harbor Goods")
    key = states.PAYOUT_SETTLEMENT_DELAY_DAYS
    global_row = add(session, key, "7")
    override = add(session, key, "14", scope=f"seller:{seller.id}")
    detail = page_of(client.get(f"/admin/configurations/{override.id}"))
    link = detail.find("a", string="Remove this value…")
    assert link["href"] == f"/admin/configurations/{override.id}/remove"
    confirm = page_of(client.get(link["href"]))
    after = confirm.select_one(".config-after").get_text()
    assert "Seller Harbor Goods now uses the global value 7." in after
    response = client.post(link["href"], data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/configurations/{global_row.id}"
    landed = page_of(client.get(response.headers["Location"]))
    assert (
        "Seller Harbor Goods now uses the global value 7."
        in landed.select_one("#messages").get_text()
    )
    session.refresh(override)
    assert override.deleted_at is not None
    listed = page_of(client.get("/admin/configurations?scope=sellers"))
    assert listed.select("#listing tr[data-key]") == []
    assert client.get(f"/admin/configurations/{override.id}").status_code == 404
    assert client.get(link["href"]).status_code == 404


def test_a_known_global_value_offers_no_removal(client, session, admin, token):
    row = add(session, BATCH, "10")
    detail = page_of(client.get(f"/admin/configurations/{row.id}"))
    assert detail.find("a", string="Remove this value…") is None
    assert "This value cannot be removed" in detail.select_one(".config-remove").get_text()
    refused = client.post(f"/admin/configurations/{row.id}/remove",
                          data={"csrf_token": token, "version": "1"})  # fmt: skip
    assert refused.status_code == 409
    session.refresh(row)
    assert row.deleted_at is None


def test_a_stale_removal_is_409_and_a_garbled_version_422(client, session, admin, token):
    row = add(session, "marketing.banner_text", "Hello")
    client.post(f"/admin/configurations/{row.id}",
                data={"csrf_token": token, "version": "1", "value": "Hi"})  # fmt: skip
    stale = client.post(f"/admin/configurations/{row.id}/remove",
                        data={"csrf_token": token, "version": "1"})  # fmt: skip
    assert stale.status_code == 409
    page = page_of(stale)
    assert page.select_one(".stale") is not None
    assert page.select_one("input[name=version]")["value"] == "2"
    garbled = client.post(f"/admin/configurations/{row.id}/remove",
                          data={"csrf_token": token, "version": "x"})  # fmt: skip
    assert garbled.status_code == 422
    session.refresh(row)
    assert row.deleted_at is None
    done = client.post(f"/admin/configurations/{row.id}/remove",
                       data={"csrf_token": token, "version": "2"})  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"] == "/admin/configurations"
    assert client.get("/admin/configurations/not-a-row/remove").status_code == 404


def test_removing_a_sensitive_override_asks_why_then_goes_to_approval(
    client, session, admin, token
):
    seller = build(session, Seller, display_name="Harbor Goods")
    add(session, REFUND_USD, "250.00")
    override = add(session, REFUND_USD, "500.00", scope=f"seller:{seller.id}")
    path = f"/admin/configurations/{override.id}/remove"
    missing = client.post(path, data={"csrf_token": token, "version": "1"})
    assert missing.status_code == 422
    assert "Say why" in page_of(missing).select_one(".field-errors").get_text()
    asked = client.post(
        path, data={"csrf_token": token, "version": "1", "justification": "Normal limits again"}
    )
    assert asked.status_code == 302
    session.refresh(override)
    assert override.deleted_at is None
    action = session.scalars(
        select(AdminAction).where(AdminAction.target_entity_id == override.id)
    ).one()
    assert action.payload["remove"] is True
    detail = page_of(client.get(f"/admin/configurations/{override.id}"))
    assert "Removing this value is waiting for approval" in detail.get_text()
    assert detail.find("a", string="Remove this value…") is None
