from datetime import UTC, datetime, timedelta

import pyotp
from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, UserSession
from mallconsole.services.identity.passwords import verify_password
from mallconsole.services.identity.sessions import start_session
from tests.conftest import csrf_from, sign_in
from tests.factories.actors import DEFAULT_PASSWORD, DEMO_MFA_SECRET, make_staff

NEW_PASSWORD = "a brand new pass phrase"


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def test_account_page_lists_own_sessions_with_times_in_own_zone(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT, time_zone="Europe/Paris")
    other, _ = start_session(session, user, absolute=timedelta(hours=12))
    session.flush()
    html = page(client.get("/account"))
    rows = html.select("table.sessions tbody tr")
    assert {r["data-session-id"] for r in rows} >= {other.id}
    assert "(this session)" in html.select_one("table.sessions").get_text()
    assert "(Europe/Paris)" in rows[0].get_text()
    assert html.select_one(".usermenu .zone").get_text() == "Europe/Paris"


def test_password_change_needs_the_current_one_and_ends_other_sessions(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    other, _ = start_session(session, user, absolute=timedelta(hours=12))
    token = csrf_from(client.get("/account").data)
    wrong = client.post("/account/password", data={
        "csrf_token": token, "current_password": "nope", "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})  # fmt: skip
    assert wrong.status_code == 422
    assert (
        "The current password is not right." in page(wrong).select_one(".field-errors").get_text()
    )
    short = client.post("/account/password", data={
        "csrf_token": token, "current_password": DEFAULT_PASSWORD, "new_password": "short",
        "confirm_password": "short"})  # fmt: skip
    assert short.status_code == 422
    done = client.post("/account/password", data={
        "csrf_token": token, "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})  # fmt: skip
    assert done.status_code == 302
    assert verify_password(user.password_hash, NEW_PASSWORD)
    session.refresh(other)
    assert other.revoked_at is not None
    following = client.get("/account")  # this session survives, with the flash message
    assert following.status_code == 200
    assert "1 other session(s) ended" in page(following).select_one("#messages").get_text()


def test_ending_an_own_session_and_not_someone_elses(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    other, _ = start_session(session, user, absolute=timedelta(hours=12))
    stranger = make_staff(session, "stranger@test.mall")
    theirs, _ = start_session(session, stranger, absolute=timedelta(hours=12))
    token = csrf_from(client.get("/account").data)
    assert (
        client.post(f"/account/sessions/{other.id}/end", data={"csrf_token": token}).status_code
        == 302
    )
    session.refresh(other)
    assert other.revoked_at is not None
    response = client.post(f"/account/sessions/{theirs.id}/end", data={"csrf_token": token})
    assert response.status_code == 404
    session.refresh(theirs)
    assert theirs.revoked_at is None


def test_ending_the_current_session_signs_out(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    current = session.query(UserSession).filter_by(shopping_mall_user_id=user.id).one()
    token = csrf_from(client.get("/account").data)
    response = client.post(f"/account/sessions/{current.id}/end", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


def test_time_zone_choice_is_stored_audited_and_used(client, session, login_as):
    user = login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    bad = client.post("/account/time-zone", data={"csrf_token": token, "time_zone": "Mars/Base"})
    assert bad.status_code == 422
    response = client.post(
        "/account/time-zone", data={"csrf_token": token, "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    assert user.time_zone == "Asia/Tokyo"
    event = session.query(AuditEvent).filter_by(entity_id=user.id, action="time_zone_changed").one()
    assert event.changes == {"before": {"time_zone": "UTC"}, "after": {"time_zone": "Asia/Tokyo"}}
    assert (
        "JST (Asia/Tokyo)" in page(client.get("/account")).select_one("table.sessions").get_text()
    )


def test_mfa_enrollment_shows_qr_and_secret_then_backup_codes_once(client, session, login_as):
    user = login_as(Role.SYSTEM_ADMIN)
    enroll = page(client.get("/account/mfa"))
    assert enroll.select_one("figure.qr svg") is not None
    secret = enroll.select_one("#mfa-secret").get_text()
    assert len(secret) == 32
    token = enroll.find("input", attrs={"name": "csrf_token"})["value"]
    wrong = client.post("/account/mfa", data={"csrf_token": token, "code": "000000"
                        if pyotp.TOTP(secret).now() != "000000" else "111111"})  # fmt: skip
    assert wrong.status_code == 422
    assert not user.mfa_enabled
    done = client.post("/account/mfa", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = [c.get_text() for c in page(done).select(".backup-codes code")]
    assert len(codes) == 10
    assert user.mfa_enabled
    # shown once: the page now says MFA is on, without codes
    again = page(client.get("/account/mfa"))
    assert again.select(".backup-codes") == [] and "is on" in again.get_text()


def test_mfa_reset_needs_the_password(client, session, login_as):
    user = login_as(Role.SYSTEM_ADMIN, mfa_secret=None)
    user.mfa_enabled = True
    user.mfa_secret_encrypted = "x"
    session.flush()
    token = csrf_from(client.get("/account").data)
    assert (
        client.post("/account/mfa/reset", data={"csrf_token": token, "password": "no"}).status_code
        == 422
    )
    response = client.post(
        "/account/mfa/reset", data={"csrf_token": token, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/account/mfa"
    assert not user.mfa_enabled


def test_production_sends_staff_without_mfa_to_enrollment_first(app, client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    app.config["MFA_REQUIRED"] = True
    try:
        assert client.get("/support/").headers["Location"] == "/account/mfa"
        htmx = client.get("/support/", headers={"HX-Request": "true"})
        assert htmx.headers["HX-Redirect"] == "/account/mfa"
        assert client.get("/account/mfa").status_code == 200
    finally:
        app.config["MFA_REQUIRED"] = False


def test_mfa_enrolled_staff_pass_the_requirement(app, client, session):
    make_staff(session, "ok-mfa@test.mall", mfa_secret=DEMO_MFA_SECRET)
    sign_in(client, "ok-mfa@test.mall", DEFAULT_PASSWORD)
    token = csrf_from(client.get("/login/mfa").data)
    code = pyotp.TOTP(DEMO_MFA_SECRET).at(datetime.now(UTC))
    assert client.post("/login/mfa", data={"csrf_token": token, "code": code}).status_code == 302
    app.config["MFA_REQUIRED"] = True
    try:
        assert client.get("/support/").status_code == 200
    finally:
        app.config["MFA_REQUIRED"] = False
