"""A screen answers the refusals it has a place for (``web/refusals.py``); any other
goes to the error page, nothing of the action kept either way."""

import pytest
from flask import Blueprint
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField

from mallconsole import create_app
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.extensions import db
from mallconsole.models import User
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.web.refusals import on_screen, refusals


class NameForm(FlaskForm):
    name = StringField("Name")
    version = HiddenField()


ERRORS = {
    "invalid": lambda: ValidationError("No.", field_errors={"name": ["Too short."]}),
    "stale": lambda: StaleRecord("Changed meanwhile.", current_version=7, changes=[]),
    "conflict": lambda: Conflict("Not in this state any more."),
}


def _user(kind):
    return User(email=f"{kind}@screen-refusal.test", password_hash="x", email_verified=False,
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
    bp = Blueprint("screen_refusal_probe", __name__)

    @bp.post("/screen-refusal/<kind>")
    def act(kind):
        form = NameForm()

        def page(refusal):
            errors = "|".join(e for f in form for e in f.errors)
            return f"screen:{refusal.status}:{errors}:{form.version.data}", refusal.status

        with refusals(on_screen(page, ValidationError, StaleRecord), form):
            db.session.add(_user(kind))
            db.session.flush()
            raise ERRORS[kind]()

    probe.register_blueprint(bp)
    return probe


def _stored(session, kind) -> bool:
    email = f"{kind}@screen-refusal.test"
    return session.scalar(select(User).where(User.email == email)) is not None


def test_a_refusal_of_a_named_kind_is_answered_by_the_screen(session, probe):
    response = probe.test_client().post("/screen-refusal/invalid", data={"name": "A"})
    assert (response.status_code, response.text) == (422, "screen:422:Too short.:None")
    assert not _stored(session, "invalid")


def test_a_stale_write_named_gets_the_screen_with_the_current_version(session, probe):
    response = probe.test_client().post("/screen-refusal/stale", data={"version": "3"})
    assert (response.status_code, response.text) == (409, "screen:409::7")
    assert not _stored(session, "stale")


def test_a_refusal_of_another_kind_goes_to_the_error_page(session, probe):
    response = probe.test_client().post("/screen-refusal/conflict", data={"name": "Ana"})
    assert response.status_code == 409
    assert "<html" in response.text.lower() and "screen:" not in response.text
    assert "Not in this state any more." in response.text
    assert not _stored(session, "conflict")


def test_for_htmx_another_kind_is_the_message_in_the_message_area(session, probe):
    response = probe.test_client().post(
        "/screen-refusal/conflict", data={"name": "Ana"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Not in this state any more." in response.text
