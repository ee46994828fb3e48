"""Friendly error pages in the console layout; htmx gets fragments (409/422 swap in place)."""

from bs4 import BeautifulSoup
from flask import Blueprint

from mallconsole import create_app
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.extensions import db
from mallconsole.models import User


def error_app(app):
    probe = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
        }
    )
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/<kind>")
    def probe_view(kind):
        if kind == "conflict":
            raise Conflict("Someone approved it first.")
        if kind == "invalid":
            raise ValidationError("Amount too large.")
        if kind == "duplicate":
            # both rows reach the database only at the request's commit
            for _ in range(2):
                db.session.add(
                    User(email="same@test.mall", password_hash="x", email_verified=False,
                         mfa_enabled=False, status="active")
                )  # fmt: skip
            return "saved"
        raise RuntimeError("boom")

    probe.register_blueprint(bp)
    return probe


def test_domain_errors_are_pages_with_their_status(app, session):
    client = error_app(app).test_client()
    conflict = client.get("/probe/conflict")
    assert conflict.status_code == 409
    page = BeautifulSoup(conflict.data, "html.parser")
    assert page.find("h1").get_text() == "Conflict"
    assert "Someone approved it first." in page.get_text()
    assert page.select_one("a.skip-link") is not None  # the console layout
    assert client.get("/probe/invalid").status_code == 422


def test_htmx_errors_are_message_fragments(app, session):
    client = error_app(app).test_client()
    response = client.get("/probe/conflict", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.data.startswith(b'<p class="flash flash-error" role="alert" data-status="409">')
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"


def test_an_unexpected_error_is_a_500_page_without_a_trace(app, session):
    probe = error_app(app)
    probe.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not re-raise
    probe.logger.disabled = True
    response = probe.test_client().get("/probe/crash")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text and "Traceback" not in text and "boom" not in text


def test_a_commit_refused_by_a_constraint_is_a_409(app, session):
    probe = error_app(app)
    response = probe.test_client().get("/probe/duplicate")
    assert response.status_code == 409
    assert "Conflict" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    with probe.app_context():
        assert db.session.query(User).filter_by(email="same@test.mall").count() == 0
