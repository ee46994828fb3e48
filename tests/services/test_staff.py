import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import SupportAgent, User, utcnow
from mallconsole.services.identity.staff import (
    active_roles,
    create_staff,
    email_equals,
    find_user_by_email,
    grant_role,
)

PASSWORD = "long enough password"


def test_create_staff_stores_a_lower_case_email_and_roles(session):
    user = create_staff(session, email=" Ops@Test.Mall ", password=PASSWORD,
                        roles=[Role.OPERATIONS_MANAGER])  # fmt: skip
    assert user.email == "ops@test.mall" and user.status == "active"
    assert user.password_hash.startswith("$argon2id$")
    assert find_user_by_email(session, "OPS@test.mall") is user
    assert active_roles(session, user.id) == [Role.OPERATIONS_MANAGER]


@pytest.mark.parametrize(
    "email,password,roles,error",
    [
        ("not-an-email", PASSWORD, [Role.SUPPORT_AGENT], ValidationError),
        ("a@test.mall", "short", [Role.SUPPORT_AGENT], ValidationError),
        ("a@test.mall", PASSWORD, [], ValidationError),
    ],
)
def test_create_staff_refuses_bad_input(session, email, password, roles, error):
    with pytest.raises(error):
        create_staff(session, email=email, password=password, roles=roles)


def test_roles_follow_revocation_and_regrant(session):
    user = create_staff(session, email="r@test.mall", password=PASSWORD, roles=[Role.SUPPORT_AGENT])
    with pytest.raises(Conflict):
        grant_role(session, user, Role.SUPPORT_AGENT)
    row = session.execute(
        select(SupportAgent).filter_by(shopping_mall_user_id=user.id)
    ).scalar_one()
    row.revoked_at = utcnow()
    assert active_roles(session, user.id) == []
    grant_role(session, user, Role.SUPPORT_AGENT, reason="back")
    assert active_roles(session, user.id) == [Role.SUPPORT_AGENT]


@pytest.mark.postgres_only
def test_sign_in_email_look_up_uses_the_lower_email_index(session):
    statement = select(User.id).where(email_equals(session, User.email, "x@test.mall"))
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    compiled = statement.compile(connection)
    plan = "\n".join(
        r[0] for r in connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
    )
    assert "ix_users_email_lower_pattern" in plan, plan
