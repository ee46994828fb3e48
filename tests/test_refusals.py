"""The one way a view answers a refused action (``web/refusals.py``): the screen again with the
refusal's status and the form's errors, nothing of the action kept, 403/404 to the error page."""

import pytest
from flask import Blueprint
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired

from mallconsole import create_app
from mallconsole.core.errors import Conflict, Forbidden, NotFound, ValidationError
from mallconsole.extensions import db
from mallconsole.models import User
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.web.refusals import refusals, validated


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])
    version = HiddenField()


ERRORS = {
    "invalid": lambda: ValidationError("No.", field_errors={"name": ["Too short."]}),
    "conflict": lambda: Conflict("Not in this state."),
    "stale": lambda: StaleRecord("Changed meanwhile.", current_version=7, changes=[]),
    "forbidden": lambda: Forbidden("Not yours."),
    "missing": lambda: NotFound("Gone."),
}


def _user(kind):
    return User(email=f"{kind}@refusal.test", password_hash="x", email_verified=False,
                mfa_enabled=False, status="active")  # fmt: skip


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
    bp = Blueprint("refusal_probe", __name__)

    @bp.post("/refusal/<kind>")
    def act(kind):
        form = NameForm()

        def page(refusal):
            errors = (
                "|".join(e for f in form for e in f.errors)
                + "|"
                + "|".join(getattr(form, "form_errors", []))
            )
            stale = refusal.stale.current_version if refusal.stale else ""
            return f"{refusal.status}:{errors}:{form.version.data}:{stale}", refusal.status

        with refusals(page, form):
            validated(form)
            db.session.add(_user(kind))
            db.session.flush()
            if kind != "done":
                raise ERRORS[kind]()
        return "done", 200

    probe.register_blueprint(bp)
    return probe


def _stored(session, kind) -> bool:
    return session.scalar(select(User).where(User.email == f"{kind}@refusal.test")) is not None


def test_an_accepted_action_is_kept(session, probe):
    response = probe.test_client().post("/refusal/done", data={"name": "Ana"})
    assert response.status_code == 200
    assert _stored(session, "done")


def test_an_invalid_form_answers_422_with_its_own_errors_only(session, probe):
    response = probe.test_client().post("/refusal/invalid", data={"name": ""})
    assert response.status_code == 422
    status, errors, _version, _stale = response.text.split(":")
    assert status == "422"
    assert "This field is required." in errors
    assert "Check the form." not in errors
    assert not _stored(session, "invalid")


def test_a_refusal_puts_its_field_errors_on_the_form(session, probe):
    response = probe.test_client().post("/refusal/invalid", data={"name": "A"})
    assert response.status_code == 422
    assert "Too short." in response.text
    assert not _stored(session, "invalid")


def test_a_conflict_answers_409_with_its_message(session, probe):
    response = probe.test_client().post("/refusal/conflict", data={"name": "Ana"})
    assert response.status_code == 409
    assert "Not in this state." in response.text
    assert not _stored(session, "conflict")


def test_a_stale_write_answers_409_with_the_current_version(session, probe):
    response = probe.test_client().post("/refusal/stale", data={"name": "Ana", "version": "3"})
    assert response.status_code == 409
    assert response.text == "409:|:7:7"
    assert not _stored(session, "stale")


@pytest.mark.parametrize(("kind", "status"), [("forbidden", 403), ("missing", 404)])
def test_forbidden_and_not_found_go_to_the_error_page(session, probe, kind, status):
    response = probe.test_client().post(f"/refusal/{kind}", data={"name": "Ana"})
    assert response.status_code == status
    assert "<html" in response.text.lower()
    assert not _stored(session, kind)
