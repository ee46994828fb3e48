"""``require(permission)`` checks the permission itself, not only the role's prefix."""

import pytest
from flask import Blueprint

from mallconsole import create_app
from mallconsole.core.roles import Permission, Role
from mallconsole.web.authz import require
from tests.conftest import sign_in
from tests.factories.actors import DEFAULT_PASSWORD, make_staff


@pytest.fixture
def probe(app):
    probe = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
        }
    )
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/audit")
    @require(Permission.AUDIT_VIEW)
    def audit_only():
        return "the audit trail"

    @bp.get("/probe/console")
    @require(Permission.CONSOLE_USE)
    def anyone():
        return "the console"

    probe.register_blueprint(bp)
    return probe


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.SUPPORT_AGENT], 403),
        ([Role.FINANCE_MANAGER, Role.OPERATIONS_MANAGER], 403),
        ([Role.SYSTEM_ADMIN], 200),
        ([Role.SUPPORT_AGENT, Role.SYSTEM_ADMIN], 200),
    ],
)
def test_a_view_refuses_staff_without_its_permission(session, probe, roles, expected):
    email = f"{'-'.join(roles)}@authz.test"
    make_staff(session, email, roles)
    client = probe.test_client()
    assert sign_in(client, email, DEFAULT_PASSWORD).status_code == 302
    assert client.get("/probe/audit").status_code == expected
    htmx = client.get("/probe/audit", headers={"HX-Request": "true"})
    assert htmx.status_code == expected
    assert client.get("/probe/console").status_code == 200
