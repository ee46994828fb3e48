"""The account page's locale choice: offered, stored, audited, and used on the next page."""

import pytest
from bs4 import BeautifulSoup

from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent
from mallconsole.services.identity import accounts
from tests.conftest import csrf_from
from tests.factories.actors import make_staff

NBSP = "\xa0"


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def locale_events(session, user):
    return session.query(AuditEvent).filter_by(entity_id=user.id, action="locale_changed").all()


def test_the_choice_is_offered_with_the_browsers_language_as_default(client, login_as):
    login_as(Role.SUPPORT_AGENT)
    html = page(client.get("/account", headers={"Accept-Language": "de-DE,de;q=0.9"}))
    select = html.select_one("form[action='/account/locale'] select[name=locale]")
    options = {o["value"]: o.get_text() for o in select.find_all("option")}
    assert options[""] == "As my browser asks"
    assert options["de_DE"] == "Deutsch (Deutschland)" and options["ko_KR"] == "한국어 (대한민국)"
    assert set(options) == {"", "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ko_KR", "ja_JP"}
    assert select.find("option", selected=True)["value"] == ""
    assert html.select_one(".locale-example").get_text().startswith(f"1.234,56{NBSP}USD · 12.345,6")


def test_a_locale_choice_is_stored_audited_and_used(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT, time_zone="Europe/Paris")
    token = csrf_from(client.get("/account").data)
    response = client.post("/account/locale", data={"csrf_token": token, "locale": "de_DE"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert user.locale == "de_DE"
    (event,) = locale_events(session, user)
    assert event.actor_user_id == user.id and event.entity_table == "shopping_mall_users"
    assert event.changes == {"before": {"locale": None}, "after": {"locale": "de_DE"}}
    # The next page is written for de_DE whatever the browser asks, in the staff member's zone.
    html = page(client.get("/account", headers={"Accept-Language": "en-US"}))
    assert "Deutsch (Deutschland)" in html.select_one("#messages").get_text()
    assert html.select_one("select[name=locale] option[selected]")["value"] == "de_DE"
    example = html.select_one(".locale-example").get_text()
    assert example.startswith(
        f"1.234,56{NBSP}USD · 12.345,6 · 22.11.2026, 18:30 CET (Europe/Paris)"
    )
    assert "vor 35 Minuten" in example
    first_row = html.select_one("table.sessions tbody tr").get_text()
    assert "(Europe/Paris)" in first_row and "AM" not in first_row and "PM" not in first_row


def test_saving_the_same_locale_again_changes_nothing(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    for _ in range(2):
        client.post("/account/locale", data={"csrf_token": token, "locale": "ja_JP"})
    assert len(locale_events(session, user)) == 1


def test_going_back_to_the_browsers_language(client, session, login_as):
    user = login_as(Role.OPERATIONS_MANAGER)
    token = csrf_from(client.get("/account").data)
    client.post("/account/locale", data={"csrf_token": token, "locale": "ko_KR"})
    response = client.post("/account/locale", data={"csrf_token": token, "locale": ""})
    assert response.status_code == 302
    assert user.locale is None
    last = sorted(locale_events(session, user), key=lambda e: e.created_at)[-1]
    assert last.changes == {"before": {"locale": "ko_KR"}, "after": {"locale": None}}
    html = page(client.get("/account", headers={"Accept-Language": "fr-FR"}))
    assert "browser" in html.select_one("#messages").get_text()
    assert html.select_one(".locale-example").get_text().startswith("1\u202f234,56")


def test_an_unknown_locale_is_refused_with_the_form_kept(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    for bad in ("xx_XX", "de-DE", "../en_US"):
        response = client.post("/account/locale", data={"csrf_token": token, "locale": bad})
        assert response.status_code == 422
        errors = page(response).select_one("form[action='/account/locale'] .field-errors")
        assert errors is not None
    assert user.locale is None
    assert locale_events(session, user) == []


def test_the_locale_change_needs_the_csrf_token(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    response = client.post("/account/locale", data={"locale": "de_DE"})
    assert response.status_code == 400
    assert user.locale is None


def test_the_service_refuses_what_the_form_would(session):
    user = make_staff(session, "locale-service@test.mall")
    with pytest.raises(ValidationError) as refused:
        accounts.set_locale(session, user, "tlh_QO", actor=user)
    assert refused.value.field_errors == {"locale": ["Choose a language from the list."]}
    accounts.set_locale(session, user, " en_GB ", actor=user)
    assert user.locale == "en_GB"
