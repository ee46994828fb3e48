from datetime import timedelta

import pytest

from mallconsole.core.roles import Role
from mallconsole.models import SignInAttempt, UserSecurityEvent, utcnow
from mallconsole.services.identity import sign_in
from mallconsole.services.identity.sign_in import (
    REFUSAL,
    SignInRefused,
    TooManyAttempts,
    check_credentials,
    register_success,
)
from mallconsole.services.identity.staff import grant_role
from tests.factories.actors import DEFAULT_PASSWORD, make_customer, make_staff


def refusal_of(session, email, password, **kw):
    with pytest.raises(SignInRefused) as caught:
        check_credentials(session, email, password, **kw)
    return caught.value.message


def events(session, user):
    return [
        e.event_type
        for e in session.query(UserSecurityEvent)
        .filter_by(shopping_mall_user_id=user.id)
        .order_by(UserSecurityEvent.occurred_at)
    ]


def test_right_credentials_any_case_give_the_user_and_roles(session):
    user = make_staff(session, "ok@test.mall", [Role.FINANCE_MANAGER, Role.SUPPORT_AGENT])
    result = check_credentials(session, "  OK@Test.Mall ", DEFAULT_PASSWORD)
    assert result.user.id == user.id
    assert result.roles == [Role.SUPPORT_AGENT, Role.FINANCE_MANAGER]


def test_unknown_email_wrong_password_locked_and_inactive_read_the_same(session):
    make_staff(session, "known@test.mall")
    make_staff(session, "gone@test.mall", status="suspended")
    locked = make_staff(session, "locked@test.mall")
    locked.lockout_until = utcnow() + timedelta(minutes=5)
    messages = {
        refusal_of(session, "nobody@test.mall", DEFAULT_PASSWORD),
        refusal_of(session, "known@test.mall", "wrong password!"),
        refusal_of(session, "locked@test.mall", DEFAULT_PASSWORD),
        refusal_of(session, "gone@test.mall", DEFAULT_PASSWORD),
    }
    assert messages == {REFUSAL}


def test_a_user_without_an_active_staff_role_cannot_sign_in(session):
    customer = make_customer(session, "shopper@test.mall")
    from mallconsole.services.identity.passwords import hash_password

    customer.password_hash = hash_password(DEFAULT_PASSWORD)
    refusal_of(session, "shopper@test.mall", DEFAULT_PASSWORD)
    revoked = make_staff(session, "revoked@test.mall", [Role.SUPPORT_AGENT])
    from mallconsole.models import SupportAgent

    session.query(SupportAgent).filter_by(
        shopping_mall_user_id=revoked.id
    ).one().revoked_at = utcnow()
    refusal_of(session, "revoked@test.mall", DEFAULT_PASSWORD)
    grant_role(session, revoked, Role.SUPPORT_AGENT)
    assert check_credentials(session, "revoked@test.mall", DEFAULT_PASSWORD).user is revoked


def test_five_failures_in_fifteen_minutes_lock_the_account_for_fifteen_minutes(session):
    user = make_staff(session, "target@test.mall")
    now = utcnow()
    for i in range(4):
        refusal_of(session, "target@test.mall", "bad", now=now + timedelta(seconds=i))
    assert user.lockout_until is None
    refusal_of(session, "target@test.mall", "bad", now=now + timedelta(seconds=5))
    assert user.lockout_until == now + timedelta(seconds=5) + timedelta(minutes=15)
    # Locked: even the right password is refused, with the same words.
    assert (
        refusal_of(session, "target@test.mall", DEFAULT_PASSWORD, now=now + timedelta(minutes=10))
        == REFUSAL
    )
    # After the lockout the account works again.
    later = now + timedelta(minutes=16)
    assert check_credentials(session, "target@test.mall", DEFAULT_PASSWORD, now=later).user is user
    assert events(session, user).count("lockout") == 1
    assert events(session, user).count("login_failure") == 6


def test_failures_older_than_fifteen_minutes_do_not_count(session):
    user = make_staff(session, "slow@test.mall")
    now = utcnow()
    for i in range(4):
        refusal_of(session, "slow@test.mall", "bad", now=now + timedelta(minutes=5 * i))
    # failures at 0, 5, 10, 15 min; the fifth at 20 min sees only 3 within the window
    refusal_of(session, "slow@test.mall", "bad", now=now + timedelta(minutes=20))
    assert user.lockout_until is None


def test_a_success_resets_the_account_count(session):
    user = make_staff(session, "reset@test.mall")
    for _ in range(4):
        refusal_of(session, "reset@test.mall", "bad")
    from mallconsole.services.identity.sessions import start_session

    row, _ = start_session(session, user, absolute=timedelta(hours=12))
    register_success(session, "reset@test.mall", user, row.id)
    refusal_of(session, "reset@test.mall", "bad")
    assert user.lockout_until is None
    assert "login_success" in events(session, user)


def test_thirty_failures_from_one_address_refuse_that_address(session, app, monkeypatch):
    with app.test_request_context("/login", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        for i in range(sign_in.IP_FAILURE_LIMIT):
            refusal_of(session, f"spray{i}@test.mall", "guess")
        with pytest.raises(TooManyAttempts):
            check_credentials(session, "another@test.mall", "guess")
    with app.test_request_context("/login", environ_base={"REMOTE_ADDR": "203.0.113.10"}):
        refusal_of(session, "another@test.mall", "guess")
    attempts = session.query(SignInAttempt).filter_by(client_ip="203.0.113.9").count()
    assert attempts == sign_in.IP_FAILURE_LIMIT
