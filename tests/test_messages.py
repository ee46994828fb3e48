"""Messages reach the page with the response that earned them, never for a rolled-back change."""

import json

from bs4 import BeautifulSoup
from flask import Blueprint, redirect, render_template_string

from mallconsole import create_app
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.extensions import db
from mallconsole.models import User
from mallconsole.web.forms import apply_errors
from mallconsole.web.htmx import render
from mallconsole.web.messages import notify

HTMX = {"HX-Request": "true"}


def _user(email):
    return User(email=email, password_hash="x", email_verified=False, mfa_enabled=False,
                status="active")  # fmt: skip


def message_app(app):
    probe = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
        }
    )
    bp = Blueprint("probe", __name__)

    @bp.post("/probe/fragment")
    def fragment():
        notify("Saved the thing.")
        return "<p id='row'>row</p>"

    @bp.post("/probe/empty")
    def empty():
        notify("Deleted.")
        return "", 204

    @bp.post("/probe/redirect")
    def to_page():
        notify("Moved on.")
        return redirect("/probe/page")

    @bp.get("/probe/page")
    def page():
        return render_template_string("{% extends 'base.html' %}{% block content %}x{% endblock %}")

    @bp.post("/probe/render")
    def render_page():
        notify("Shown on this page.")
        return render("errors/error.html", status=200, title="t", message="m")

    @bp.post("/probe/refused")
    def refused():
        notify("Approved the refund.")
        raise Conflict("Someone else approved it first.")

    @bp.post("/probe/duplicate")
    def duplicate():
        notify("Created both.")
        db.session.add(_user("twice@test.mall"))
        db.session.add(_user("twice@test.mall"))
        return redirect("/probe/page")

    probe.register_blueprint(bp)
    return probe


def messages_on(html) -> list[str]:
    box = BeautifulSoup(html, "html.parser").select_one("#messages")
    return [p.get_text() for p in box.select("p.flash")] if box else []


def test_an_htmx_fragment_carries_its_message_out_of_band(app, session):
    client = message_app(app).test_client()
    response = client.post("/probe/fragment", headers=HTMX)
    page = BeautifulSoup(response.data, "html.parser")
    assert page.select_one("#row").get_text() == "row"
    oob = page.select_one("#messages")
    assert oob["hx-swap-oob"] == "innerHTML"
    assert [p.get_text() for p in oob.select("p.flash-success")] == ["Saved the thing."]
    # and not again on the next page
    assert messages_on(client.get("/probe/page").data) == []


def test_an_empty_htmx_answer_sends_the_message_as_an_event(app, session):
    response = message_app(app).test_client().post("/probe/empty", headers=HTMX)
    assert response.status_code == 204
    event = json.loads(response.headers["HX-Trigger"])["console:messages"]
    assert event == {"messages": [{"category": "success", "text": "Deleted."}]}


def test_a_redirect_shows_the_message_on_the_next_page_once(app, session):
    client = message_app(app).test_client()
    response = client.post("/probe/redirect")
    assert response.status_code == 302
    assert messages_on(client.get("/probe/page").data) == ["Moved on."]
    assert messages_on(client.get("/probe/page").data) == []


def test_a_rendered_page_shows_its_message_once(app, session):
    client = message_app(app).test_client()
    assert messages_on(client.post("/probe/render").data) == ["Shown on this page."]
    assert messages_on(client.get("/probe/page").data) == []


def test_a_refused_action_shows_no_success_message(app, session):
    client = message_app(app).test_client()
    response = client.post("/probe/refused", headers=HTMX)
    assert response.status_code == 409
    assert b"Approved the refund" not in response.data
    assert b"Someone else approved it first." in response.data
    assert "HX-Trigger" not in response.headers
    assert messages_on(client.get("/probe/page").data) == []


def test_a_commit_refused_by_the_database_shows_no_success_message(app, session):
    client = message_app(app).test_client()
    response = client.post("/probe/duplicate")
    assert response.status_code == 409
    assert b"Created both" not in response.data
    assert messages_on(client.get("/probe/page").data) == []


def test_apply_errors_puts_field_errors_on_fields_and_the_rest_on_the_form(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class AmountForm(FlaskForm):
        class Meta:
            csrf = False

        amount = StringField("Amount")

    with app.test_request_context("/"):
        form = AmountForm()
        apply_errors(
            form,
            ValidationError(
                "Check the amount.",
                field_errors={"amount": ["Too large."], "currency": ["Unknown currency."]},
            ),
        )
        assert form.amount.errors == ["Too large."]
        assert form.form_errors == ["Unknown currency."]
        other = AmountForm()
        apply_errors(other, Conflict("Changed by someone else."))
        assert other.form_errors == ["Changed by someone else."]
