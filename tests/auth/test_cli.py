"""``flask create-staff``: exit codes 0 done, 2 refused (docs/contract.md)."""

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent
from mallconsole.services.identity.sign_in import check_credentials
from mallconsole.services.identity.staff import active_roles, find_user_by_email

PASSWORD = "cli created password"
TWICE = f"{PASSWORD}\n{PASSWORD}\n"


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["create-staff", *args], input=input)


def test_creates_staff_with_roles_after_password_confirmation(app, session):
    result = run(app, "New.Admin@Test.Mall", "--role", "system_admin", "--role", "support_agent",
                 input=TWICE)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created staff account new.admin@test.mall" in result.output
    user = find_user_by_email(session, "new.admin@test.mall")
    assert active_roles(session, user.id) == [Role.SUPPORT_AGENT, Role.SYSTEM_ADMIN]
    assert check_credentials(session, "new.admin@test.mall", PASSWORD).user.id == user.id
    assert session.query(AuditEvent).filter_by(entity_id=user.id, action="staff_created").one()


def test_mismatched_confirmation_is_asked_again(app, session):
    result = run(app, "again@test.mall", "--role", "finance_manager",
                 input=f"{PASSWORD}\nother password here\n{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_refusals_exit_with_2(app, session):
    assert run(app, "x@test.mall", "--role", "wizard", input="").exit_code == 2
    assert run(app, "x@test.mall", input="").exit_code == 2  # no role
    short = run(app, "x@test.mall", "--role", "support_agent", input="short\nshort\n")
    assert short.exit_code == 2 and "at least 12" in short.output
    bad_email = run(
        app, "not-an-email", "--role", "support_agent", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert bad_email.exit_code == 2
    assert (
        run(
            app, "dup@test.mall", "--role", "support_agent", input=f"{PASSWORD}\n{PASSWORD}\n"
        ).exit_code
        == 0
    )
    taken = run(app, "DUP@test.mall", "--role", "support_agent", input=TWICE)
    assert taken.exit_code == 2 and "already exists" in taken.output
