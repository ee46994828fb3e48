from datetime import timedelta

import pyotp
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import UserSecurityEvent, UserSession, utcnow
from mallconsole.services.identity.sign_in import REFUSAL
from tests.conftest import csrf_from, sign_in
from tests.factories.actors import DEFAULT_PASSWORD, DEMO_MFA_SECRET, make_staff


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def event_types(session, user):
    return [
        e.event_type
        for e in session.query(UserSecurityEvent).filter_by(shopping_mall_user_id=user.id)
    ]


def test_login_page_has_the_contract_fields(client):
    form = page(client.get("/login")).find("form")
    names = {i["name"] for i in form.find_all("input")}
    assert names == {"email", "password", "csrf_token"}
    assert form["method"] == "post"


def test_sign_in_lands_on_the_first_roles_home(client, session):
    user = make_staff(
        session, "lead@test.mall", [Role.OPERATIONS_MANAGER, Role.SUPPORT_AGENT], name="Lee Lead"
    )
    response = sign_in(client, "Lead@Test.Mall", DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/support/"
    home = page(client.get("/support/"))
    nav = [a.get_text() for a in home.select("nav.mainnav a")]
    assert nav == ["Support", "Operations"]
    # Signed in as themselves, by name; their address on hover.
    assert home.select_one(".usermenu a").get_text() == "Lee Lead"
    assert home.select_one(".usermenu a")["title"] == "Your account: lead@test.mall"
    row = session.query(UserSession).filter_by(shopping_mall_user_id=user.id).one()
    assert row.revoked_at is None and row.expires_at > utcnow() + timedelta(hours=11)
    assert "login_success" in event_types(session, user)
    assert user.last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    make_staff(session, "real@test.mall")
    wrong = sign_in(client, "real@test.mall", "not the password")
    unknown = sign_in(client, "ghost@test.mall", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    messages = [page(r).select_one("[role=alert]").get_text(strip=True) for r in (wrong, unknown)]
    assert messages == [REFUSAL, REFUSAL]


def test_fifth_failure_locks_and_the_message_does_not_change(client, session):
    user = make_staff(session, "victim@test.mall")
    for _ in range(5):
        response = sign_in(client, "victim@test.mall", "guess")
    assert user.lockout_until is not None
    locked = sign_in(client, "victim@test.mall", DEFAULT_PASSWORD)
    assert locked.status_code == 422
    assert page(locked).select_one("[role=alert]").get_text(strip=True) == REFUSAL
    assert "lockout" in event_types(session, user)
    assert response.status_code == 422


def test_suspended_staff_cannot_sign_in(client, session):
    make_staff(session, "suspended@test.mall", status="suspended")
    assert sign_in(client, "suspended@test.mall", DEFAULT_PASSWORD).status_code == 422


def test_an_empty_form_is_422_with_field_errors(client):
    token = csrf_from(client.get("/login").data)
    response = client.post("/login", data={"csrf_token": token, "email": "", "password": ""})
    assert response.status_code == 422
    assert page(response).select(".field-errors li")


def test_mfa_sign_in_asks_for_a_code_and_refuses_a_reused_one(client, session):
    user = make_staff(
        session, "mfa-admin@test.mall", [Role.SYSTEM_ADMIN], mfa_secret=DEMO_MFA_SECRET
    )
    response = sign_in(client, "mfa-admin@test.mall", DEFAULT_PASSWORD)
    assert response.headers["Location"] == "/login/mfa"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    mfa_page = client.get("/login/mfa")
    assert {i["name"] for i in page(mfa_page).select("form input")} == {"code", "csrf_token"}
    token = csrf_from(mfa_page.data)
    wrong = client.post("/login/mfa", data={"code": "12345x", "csrf_token": token})
    assert wrong.status_code == 422
    code = pyotp.TOTP(DEMO_MFA_SECRET).now()
    done = client.post("/login/mfa", data={"code": code, "csrf_token": token})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert "mfa_challenge_failed" in event_types(session, user)
    # the same code again, in a new sign-in, is refused
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/admin/").data)})
    sign_in(client, "mfa-admin@test.mall", DEFAULT_PASSWORD)
    token = csrf_from(client.get("/login/mfa").data)
    again = client.post("/login/mfa", data={"code": code, "csrf_token": token})
    assert again.status_code == 422


def test_staff_suspended_between_the_two_steps_is_refused(client, session):
    user = make_staff(session, "between@test.mall", mfa_secret=DEMO_MFA_SECRET)
    sign_in(client, "between@test.mall", DEFAULT_PASSWORD)
    token = csrf_from(client.get("/login/mfa").data)
    user.status = "suspended"
    session.flush()
    code = pyotp.TOTP(DEMO_MFA_SECRET).now()
    response = client.post("/login/mfa", data={"code": code, "csrf_token": token})
    assert response.status_code == 422
    assert page(response).select_one("[role=alert]").get_text(strip=True) == REFUSAL
    assert session.query(UserSession).filter_by(shopping_mall_user_id=user.id).count() == 0


def test_mfa_step_without_a_password_step_goes_back_to_login(client):
    assert client.get("/login/mfa").headers["Location"] == "/login"


def test_next_is_followed_only_to_local_paths(client, session):
    make_staff(session, "next@test.mall", [Role.SUPPORT_AGENT])
    anonymous = client.get("/account")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/login?next=%2Faccount"
    token = csrf_from(client.get("/login?next=/account").data)
    data = {"email": "next@test.mall", "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/account", data=data).headers["Location"] == "/account"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").data)})
    token = csrf_from(client.get("/login").data)
    data["csrf_token"] = token
    assert client.post("/login?next=//evil.test/x", data=data).headers["Location"] == "/"


def test_a_new_cookie_token_at_each_sign_in(client, session):
    make_staff(session, "fixation@test.mall")
    sign_in(client, "fixation@test.mall", DEFAULT_PASSWORD)
    first = client.get_cookie("mallconsole_session").value
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/support/").data)})
    sign_in(client, "fixation@test.mall", DEFAULT_PASSWORD)
    assert client.get_cookie("mallconsole_session").value != first
    assert client.get_cookie("remember_token") is None


def test_signing_in_again_replaces_the_current_session(client, session):
    user = make_staff(session, "twice@test.mall")
    sign_in(client, "twice@test.mall", DEFAULT_PASSWORD)
    token = csrf_from(client.get("/account").data)  # /login itself redirects when signed in
    data = {"email": "twice@test.mall", "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    rows = session.query(UserSession).filter_by(shopping_mall_user_id=user.id).all()
    assert sorted(r.revoked_at is None for r in rows) == [False, True]


def test_logout_is_post_only_and_revokes_the_session(client, session):
    user = make_staff(session, "bye@test.mall")
    sign_in(client, "bye@test.mall", DEFAULT_PASSWORD)
    assert client.get("/logout").status_code == 405
    token = csrf_from(client.get("/support/").data)
    old_cookie = client.get_cookie("mallconsole_session").value
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    row = session.query(UserSession).filter_by(shopping_mall_user_id=user.id).one()
    assert row.revoked_at is not None
    assert "logout" in event_types(session, user)
    # replaying the old cookie does not bring the session back
    client.set_cookie("mallconsole_session", old_cookie)
    assert client.get("/support/").status_code == 302


def test_an_idle_session_signs_out(client, session):
    user = make_staff(session, "idle@test.mall")
    sign_in(client, "idle@test.mall", DEFAULT_PASSWORD)
    row = session.query(UserSession).filter_by(shopping_mall_user_id=user.id).one()
    row.last_accessed_at = utcnow() - timedelta(minutes=31)
    session.flush()
    assert client.get("/support/").status_code == 302


def test_background_requests_do_not_extend_idle_time(client, session):
    user = make_staff(session, "poll@test.mall")
    sign_in(client, "poll@test.mall", DEFAULT_PASSWORD)
    row = session.query(UserSession).filter_by(shopping_mall_user_id=user.id).one()
    earlier = utcnow() - timedelta(minutes=10)
    row.last_accessed_at = earlier
    session.flush()
    polled = client.get("/support/", headers={"HX-Request": "true", "X-Background": "1"})
    assert polled.status_code == 200
    session.refresh(row)
    assert row.last_accessed_at == earlier
    client.get("/support/")
    session.refresh(row)
    assert row.last_accessed_at > earlier


def test_anonymous_htmx_gets_401_with_hx_redirect(client):
    response = client.get("/support/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=%2Fsupport%2F"


def test_deactivated_staff_are_signed_out_on_their_next_request(client, session):
    user = make_staff(session, "fired@test.mall")
    sign_in(client, "fired@test.mall", DEFAULT_PASSWORD)
    assert client.get("/support/").status_code == 200
    user.status = "terminated"
    session.flush()
    assert client.get("/support/").status_code == 302
