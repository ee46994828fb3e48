from datetime import timedelta

from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import SupportAgent, UserSecurityEvent, UserSession, utcnow
from mallconsole.services.identity.sessions import (
    active_sessions,
    end_other_sessions,
    end_own_session,
    hash_token,
    resolve_session,
    start_session,
    touch_session,
)
from mallconsole.services.identity.staff import signed_in_staff
from tests.factories.actors import make_staff

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


def test_the_row_keeps_only_a_hash_of_the_token(session):
    user = make_staff(session, "s1@test.mall")
    row, token = start_session(session, user, absolute=ABSOLUTE)
    assert row.refresh_token_hash == hash_token(token) != token
    assert resolve_session(session, token, idle=IDLE).id == row.id
    assert resolve_session(session, token + "x", idle=IDLE) is None
    assert resolve_session(session, None, idle=IDLE) is None


def test_each_sign_in_makes_a_new_token(session):
    user = make_staff(session, "s2@test.mall")
    _, first = start_session(session, user, absolute=ABSOLUTE)
    _, second = start_session(session, user, absolute=ABSOLUTE)
    assert first != second


def test_idle_for_more_than_thirty_minutes_ends_the_session(session):
    user = make_staff(session, "s3@test.mall")
    now = utcnow()
    row, token = start_session(session, user, absolute=ABSOLUTE, now=now)
    assert resolve_session(session, token, idle=IDLE, now=now + timedelta(minutes=29)) is not None
    assert resolve_session(session, token, idle=IDLE, now=now + timedelta(minutes=31)) is None


def test_activity_extends_idle_time_but_not_the_absolute_limit(session):
    user = make_staff(session, "s4@test.mall")
    start = utcnow()
    row, token = start_session(session, user, absolute=ABSOLUTE, now=start)
    moment = start
    while moment < start + timedelta(hours=11, minutes=30):
        moment += timedelta(minutes=20)
        assert resolve_session(session, token, idle=IDLE, now=moment) is not None
        touch_session(row, now=moment)
    assert resolve_session(session, token, idle=IDLE, now=start + timedelta(hours=12)) is None


def test_touches_within_a_minute_are_not_written(session):
    user = make_staff(session, "s5@test.mall")
    now = utcnow()
    row, _ = start_session(session, user, absolute=ABSOLUTE, now=now)
    touch_session(row, now=now + timedelta(seconds=20))
    assert row.last_accessed_at == now
    touch_session(row, now=now + timedelta(seconds=61))
    assert row.last_accessed_at == now + timedelta(seconds=61)


def test_a_revoked_session_does_not_resolve(session):
    user = make_staff(session, "s6@test.mall")
    row, token = start_session(session, user, absolute=ABSOLUTE)
    end_own_session(session, user, row.id)
    assert resolve_session(session, token, idle=IDLE) is None
    event = session.query(UserSecurityEvent).filter_by(shopping_mall_user_session_id=row.id).one()
    assert event.event_type == "session_revoked"


def test_ending_someone_elses_session_is_not_found(session):
    import pytest

    from mallconsole.core.errors import NotFound

    owner = make_staff(session, "s7@test.mall")
    other = make_staff(session, "s8@test.mall")
    row, _ = start_session(session, owner, absolute=ABSOLUTE)
    with pytest.raises(NotFound):
        end_own_session(session, other, row.id)
    assert row.revoked_at is None


def test_end_other_sessions_keeps_the_current_one(session):
    user = make_staff(session, "s9@test.mall")
    keep, _ = start_session(session, user, absolute=ABSOLUTE)
    start_session(session, user, absolute=ABSOLUTE)
    start_session(session, user, absolute=ABSOLUTE)
    assert end_other_sessions(session, user, keep_session_id=keep.id, reason="test") == 2
    assert [s.id for s in active_sessions(session, user.id, idle=IDLE)] == [keep.id]
    assert session.query(UserSession).filter_by(shopping_mall_user_id=user.id).count() == 3


def test_a_session_belongs_to_its_staff_member_while_they_may_sign_in(session, count_queries):
    user = make_staff(session, "s-who@test.mall")
    row, token = start_session(session, user, absolute=ABSOLUTE)
    with count_queries() as statements:
        assert signed_in_staff(session, token, idle=IDLE) == (row, user, [Role.SUPPORT_AGENT])
    assert len(statements) == 1  # the session, its staff member and their roles at once
    assert signed_in_staff(session, "not-a-token", idle=IDLE) is None
    assert signed_in_staff(session, None, idle=IDLE) is None
    user.status = "suspended"
    assert signed_in_staff(session, token, idle=IDLE) is None
    user.status, user.deleted_at = "active", utcnow()
    assert signed_in_staff(session, token, idle=IDLE) is None
    user.deleted_at = None
    role = session.scalars(select(SupportAgent).filter_by(shopping_mall_user_id=user.id)).one()
    role.revoked_at = utcnow()
    assert signed_in_staff(session, token, idle=IDLE) is None
    row.revoked_at, role.revoked_at = utcnow(), None
    assert signed_in_staff(session, token, idle=IDLE) is None


def test_a_staff_member_holding_several_roles_gets_them_in_navigation_order(session):
    user = make_staff(session, "s-many@test.mall", (Role.SYSTEM_ADMIN, Role.SUPPORT_AGENT))
    _, token = start_session(session, user, absolute=ABSOLUTE)
    _, _, roles = signed_in_staff(session, token, idle=IDLE)
    assert roles == [Role.SUPPORT_AGENT, Role.SYSTEM_ADMIN]
