import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from mallconsole.core.errors import ValidationError
from mallconsole.models import UserSecurityEvent
from mallconsole.services.identity import mfa
from mallconsole.services.identity.secretbox import decrypt_secret
from tests.factories.actors import DEFAULT_PASSWORD, DEMO_MFA_SECRET, make_staff

T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def code_at(moment, secret=DEMO_MFA_SECRET):
    return pyotp.TOTP(secret).at(moment)


def test_a_code_is_accepted_within_one_step_either_side(app, session):
    user = make_staff(session, "totp@test.mall", mfa_secret=DEMO_MFA_SECRET)
    assert mfa.verify_code(session, user, code_at(T0 - timedelta(seconds=30)), app.config, at=T0)
    user.mfa_last_used_step = None
    assert mfa.verify_code(session, user, code_at(T0 + timedelta(seconds=30)), app.config, at=T0)
    user.mfa_last_used_step = None
    assert not mfa.verify_code(
        session, user, code_at(T0 - timedelta(seconds=90)), app.config, at=T0
    )
    assert not mfa.verify_code(
        session, user, code_at(T0 + timedelta(seconds=90)), app.config, at=T0
    )


def test_a_code_cannot_be_used_twice_nor_an_older_one_after_it(app, session):
    user = make_staff(session, "replay@test.mall", mfa_secret=DEMO_MFA_SECRET)
    code = code_at(T0)
    assert mfa.verify_code(session, user, code, app.config, at=T0)
    assert not mfa.verify_code(session, user, code, app.config, at=T0 + timedelta(seconds=10))
    earlier = code_at(T0 - timedelta(seconds=30))
    assert not mfa.verify_code(session, user, earlier, app.config, at=T0 + timedelta(seconds=10))
    # the next step's code works
    later = T0 + timedelta(seconds=30)
    assert mfa.verify_code(session, user, code_at(later), app.config, at=later)


def test_enrollment_stores_the_secret_encrypted_and_ten_hashed_backup_codes(app, session):
    user = make_staff(session, "enroll@test.mall")
    secret = mfa.new_secret()
    assert len(secret) == 32
    codes = mfa.enroll(session, user, secret, code_at(T0, secret), app.config, at=T0)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert user.mfa_enabled and user.mfa_method == "totp"
    assert secret not in user.mfa_secret_encrypted
    assert decrypt_secret(app.config, user.mfa_secret_encrypted) == secret
    stored = json.loads(user.mfa_backup_codes_encrypted)
    assert len(stored) == 10 and not set(codes) & set(stored)
    event = session.query(UserSecurityEvent).filter_by(shopping_mall_user_id=user.id).one()
    assert event.event_type == "mfa_enrolled"
    # the enrollment code itself cannot be replayed at sign-in
    assert not mfa.verify_code(session, user, code_at(T0, secret), app.config, at=T0)


def test_enrollment_refuses_a_wrong_code(app, session):
    user = make_staff(session, "wrong@test.mall")
    secret = mfa.new_secret()
    with pytest.raises(ValidationError):
        mfa.enroll(
            session,
            user,
            secret,
            "000000" if code_at(T0, secret) != "000000" else "111111",
            app.config,
            at=T0,
        )
    assert not user.mfa_enabled


def test_backup_codes_work_once_each(app, session):
    user = make_staff(session, "backup@test.mall")
    secret = mfa.new_secret()
    codes = mfa.enroll(session, user, secret, code_at(T0, secret), app.config, at=T0)
    assert mfa.verify_code(session, user, codes[3].upper(), app.config)
    assert not mfa.verify_code(session, user, codes[3], app.config)
    assert mfa.remaining_backup_codes(user) == 9
    assert not mfa.verify_code(session, user, "aaaaa-bbbbb", app.config)


def test_qr_code_is_inline_svg_of_the_provisioning_uri(app):
    uri = mfa.provisioning_uri(DEMO_MFA_SECRET, "mfa-admin@demo.mall")
    assert uri.startswith(
        "otpauth://totp/Mall%20Console:mfa-admin%40demo.mall?secret=" + DEMO_MFA_SECRET
    )
    svg = mfa.qr_svg(uri)
    assert svg.startswith("<svg") and "<path" in svg and "style=" not in svg


def test_disable_needs_the_password(app, session):
    user = make_staff(session, "off@test.mall", mfa_secret=DEMO_MFA_SECRET)
    with pytest.raises(ValidationError):
        mfa.disable(session, user, "not it")
    assert user.mfa_enabled
    mfa.disable(session, user, DEFAULT_PASSWORD)
    assert not user.mfa_enabled and user.mfa_secret_encrypted is None


def test_a_secret_under_another_key_fails_the_code_not_the_request(app, session):
    user = make_staff(session, "rekeyed@test.mall", mfa_secret=DEMO_MFA_SECRET)
    other_key = {"SECRET_KEY": "another key", "MFA_ENCRYPTION_KEY": None}
    assert not mfa.verify_code(session, user, code_at(T0), other_key, at=T0)
