"""The step between the password and the TOTP code is a server row, and it works once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import (
    MfaChallenge,
    SignInAttempt,
    User,
    UserSecurityEvent,
    UserSession,
    utcnow,
)
from mallconsole.services.identity.sign_in import MFA_STEP_LIFETIME
from mallconsole.services.identity.staff import ROLE_MODELS
from tests.conftest import csrf_from, sign_in
from tests.factories.actors import DEFAULT_PASSWORD, DEMO_MFA_SECRET, make_staff

COOKIE = "mallconsole_session"
TOTP = pyotp.TOTP(DEMO_MFA_SECRET)


def code(steps_ahead: int = 0) -> str:
    """The code of the current 30-second step, or of a later one (still accepted: ±1 step)."""
    return TOTP.at(datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


def password_step(client, email) -> str:
    """Pass the password step; the browser's cookie as it stands then."""
    response = sign_in(client, email, DEFAULT_PASSWORD)
    assert response.headers["Location"] == "/login/mfa"
    return client.get_cookie(COOKIE).value


def code_step(client, totp_code: str):
    token = csrf_from(client.get("/login/mfa").data)
    return client.post("/login/mfa", data={"code": totp_code, "csrf_token": token})


def replay(client, cookie: str, totp_code: str):
    """A request to the TOTP step with a saved copy of the cookie, as an attacker would send
    it (the form's token comes with the copy: it is tied to that cookie)."""
    client.set_cookie(COOKIE, cookie)
    page = client.get("/login/mfa")
    if page.status_code != 200:
        return page
    token = csrf_from(page.data)
    return client.post("/login/mfa", data={"code": totp_code, "csrf_token": token})


def wrong_code() -> str:
    return "000000" if code() != "000000" else "111111"


def sign_out(client):
    page = client.get("/account")  # the login page, for a browser not signed in yet
    token = csrf_from(page.data if page.status_code == 200 else client.get("/login").data)
    return client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def mfa_staff(session):
    return make_staff(session, "replay@test.mall", [Role.SUPPORT_AGENT], mfa_secret=DEMO_MFA_SECRET)


def sessions_of(session, user) -> int:
    return session.query(UserSession).filter_by(shopping_mall_user_id=user.id).count()


def test_a_saved_step_one_cookie_is_refused_after_sign_in_and_sign_out(
    app, client, session, mfa_staff
):
    saved = password_step(client, mfa_staff.email)
    assert code_step(client, code()).headers["Location"] == "/"
    assert client.get("/support/").status_code == 200
    assert sign_out(client).headers["Location"] == "/login"
    attacker = app.test_client()
    response = replay(attacker, saved, code(1))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert attacker.get("/support/").status_code == 302  # not signed in
    assert sessions_of(session, mfa_staff) == 1  # only the real sign-in made a session


def test_the_step_is_used_up_by_the_first_code_even_while_signed_in(
    app, client, session, mfa_staff
):
    saved = password_step(client, mfa_staff.email)
    assert code_step(client, code()).status_code == 302
    response = replay(app.test_client(), saved, code(1))
    assert response.headers["Location"] == "/login"
    assert sessions_of(session, mfa_staff) == 1


def test_a_new_password_step_voids_the_earlier_one(app, client, session, mfa_staff):
    first = password_step(client, mfa_staff.email)
    second = password_step(client, mfa_staff.email)
    assert replay(app.test_client(), first, code()).headers["Location"] == "/login"
    assert replay(app.test_client(), second, code()).headers["Location"] == "/"


def test_a_password_step_in_another_browser_voids_this_ones(app, client, session, mfa_staff):
    mine = password_step(client, mfa_staff.email)
    password_step(app.test_client(), mfa_staff.email)
    assert replay(app.test_client(), mine, code()).headers["Location"] == "/login"


def test_a_wrong_password_step_in_the_same_browser_voids_it_too(client, session, mfa_staff):
    saved = password_step(client, mfa_staff.email)
    assert sign_in(client, mfa_staff.email, "not the password").status_code == 422
    assert replay(client, saved, code()).headers["Location"] == "/login"


def test_signing_out_before_the_code_voids_the_step(app, client, session, mfa_staff):
    saved = password_step(client, mfa_staff.email)
    sign_out(client)
    assert session.query(MfaChallenge).filter_by(shopping_mall_user_id=mfa_staff.id).count() == 0
    assert replay(app.test_client(), saved, code()).headers["Location"] == "/login"


def test_the_step_expires_after_five_minutes(client, session, mfa_staff):
    assert timedelta(minutes=5) == MFA_STEP_LIFETIME
    password_step(client, mfa_staff.email)
    row = session.query(MfaChallenge).filter_by(shopping_mall_user_id=mfa_staff.id).one()
    assert timedelta(minutes=4) < row.expires_at - utcnow() <= MFA_STEP_LIFETIME
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    assert client.get("/login/mfa").headers["Location"] == "/login"


def test_a_wrong_code_keeps_the_step_for_another_try(client, session, mfa_staff):
    password_step(client, mfa_staff.email)
    assert code_step(client, wrong_code()).status_code == 422
    assert code_step(client, code()).headers["Location"] == "/"
    assert session.query(MfaChallenge).filter_by(shopping_mall_user_id=mfa_staff.id).count() == 0


def test_the_cookie_holds_only_a_random_token(app, client, session, mfa_staff):
    cookie = password_step(client, mfa_staff.email)
    content = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert set(content) <= {"mfa_step", "csrf_token"}
    assert mfa_staff.id not in str(content) and mfa_staff.email not in str(content)
    row = session.query(MfaChallenge).filter_by(shopping_mall_user_id=mfa_staff.id).one()
    assert row.token_hash != content["mfa_step"] and len(row.token_hash) == 64


@pytest.mark.postgres_only
@pytest.mark.xdist_group("races")
def test_two_requests_with_one_cookie_sign_in_once(app, committed_engine):
    email = "race-mfa@test.mall"
    with app.app_context():
        with Session(committed_engine) as s:
            user = make_staff(s, email, [Role.SUPPORT_AGENT], mfa_secret=DEMO_MFA_SECRET)
            user_id = user.id
            s.commit()
    try:
        first = app.test_client()
        password_step(first, email)
        token = csrf_from(first.get("/login/mfa").data)
        second = app.test_client()  # the same browser state: cookie and form token
        second.set_cookie(COOKIE, first.get_cookie(COOKIE).value)
        barrier = threading.Barrier(2)
        answers: list[int | str] = []
        errors: list[BaseException] = []
        totp_code = code()

        def submit(client):
            try:
                barrier.wait(timeout=30)
                response = client.post("/login/mfa", data={"code": totp_code, "csrf_token": token})
                answers.append(response.headers.get("Location") or response.status_code)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=submit, args=(c,)) for c in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert answers.count("/") == 1, answers
        # the other is sent back to the password step (or, arriving last, refused its code)
        assert set(answers) - {"/"} <= {"/login", 422}, answers
        with Session(committed_engine) as s:
            made = s.scalars(
                select(UserSession).where(UserSession.shopping_mall_user_id == user_id)
            )
            assert len(made.all()) == 1
    finally:
        with app.app_context():
            db.session.remove()
        with Session(committed_engine) as s:
            for model in (UserSecurityEvent, UserSession, MfaChallenge, *ROLE_MODELS.values()):
                s.execute(delete(model).where(model.shopping_mall_user_id == user_id))
            s.execute(delete(SignInAttempt).where(SignInAttempt.email_key == email))
            s.execute(delete(User).where(User.id == user_id))
            s.commit()
