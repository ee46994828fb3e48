"""The request's one transaction: under 400 it commits; any refusal (4xx) or failure (5xx)
leaves nothing behind, unless the view asked to keep its changes."""

import pytest
from flask import Blueprint
from sqlalchemy import select

from mallconsole import create_app
from mallconsole.extensions import db
from mallconsole.models import User
from mallconsole.web.transactions import keep_changes_on_refusal


def _user(email):
    return User(email=email, password_hash="x", email_verified=False, mfa_enabled=False,
                status="active")  # fmt: skip


@pytest.fixture
def probe(app):
    probe = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
        }
    )
    bp = Blueprint("probe", __name__)

    @bp.post("/probe/<int:status>")
    def change_then_answer(status):
        db.session.add(_user(f"status-{status}@test.mall"))
        db.session.flush()
        return "answered", status

    @bp.post("/probe/kept/<int:status>")
    def change_kept(status):
        db.session.add(_user(f"kept-{status}@test.mall"))
        keep_changes_on_refusal()
        return "refused but recorded", status

    probe.register_blueprint(bp)
    probe.config["PROPAGATE_EXCEPTIONS"] = False
    return probe


def stored(session, email) -> bool:
    return session.scalar(select(User).where(User.email == email)) is not None


@pytest.mark.parametrize("status", [200, 201, 204, 302])
def test_a_successful_answer_commits(session, probe, status):
    probe.test_client().post(f"/probe/{status}")
    assert stored(session, f"status-{status}@test.mall")


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422, 429, 500, 503])
def test_any_refusal_or_failure_leaves_nothing_behind(session, probe, status):
    response = probe.test_client().post(f"/probe/{status}")
    assert response.status_code == status
    assert not stored(session, f"status-{status}@test.mall")


def test_a_view_may_keep_the_changes_of_a_refusal(session, probe):
    assert probe.test_client().post("/probe/kept/422").status_code == 422
    assert stored(session, "kept-422@test.mall")
