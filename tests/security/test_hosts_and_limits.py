"""Trusted host names, request bodies capped per view, and 429 answers that say when."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import Blueprint, abort, request

from mallconsole import create_app
from mallconsole.core.errors import ConfigError
from mallconsole.core.roles import Role
from mallconsole.extensions import csrf
from mallconsole.models import SignInAttempt, utcnow
from mallconsole.services.identity.sign_in import IP_FAILURE_LIMIT
from mallconsole.web.security import UNTRUSTED_HOST, UPLOAD, body_limit
from tests.conftest import csrf_from, sign_in
from tests.databases import make_test_app
from tests.factories.actors import DEFAULT_PASSWORD, DEMO_MFA_SECRET, make_staff

KB = 1024
MB = 1024 * KB


def page(response):
    return BeautifulSoup(response.data, "html.parser")


# --- trusted hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/login"), ("POST", "/login"), ("GET", "/support/cases"), ("GET", "/admin")],
)
def test_another_host_gets_the_friendly_400_page(client, method, path):
    response = client.open(path, method=method, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers
    html = page(response)
    assert html.find("h1").get_text() == "Bad request"
    assert UNTRUSTED_HOST in html.get_text()
    assert html.select_one("a.skip-link") is not None  # the console layout
    assert "evil.example" not in response.get_data(as_text=True)


def test_another_host_gets_400_from_htmx_and_the_health_check_too(client):
    htmx = client.get("/support/", headers={"Host": "evil.example", "HX-Request": "true"})
    assert htmx.status_code == 400 and htmx.headers["HX-Retarget"] == "#messages"
    health = client.get("/healthz", headers={"Host": "evil.example:5000"})
    assert health.status_code == 400 and health.json["message"] == UNTRUSTED_HOST


def test_trusted_hosts_answer_with_any_port(client):
    for host in ("localhost", "localhost:5000", "127.0.0.1:8000"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host


def test_redirects_are_built_from_a_trusted_host_only(client):
    assert client.get("/admin").headers["Location"] == "http://localhost/admin/"
    assert client.get("/admin", headers={"Host": "evil.example"}).status_code == 400


def production_app(app, monkeypatch, **environment):
    monkeypatch.setenv("SECRET_KEY", "production-test-key")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return create_app(
        {
            "CONFIG_NAME": "production",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )


def test_production_refuses_to_start_without_trusted_hosts(app, monkeypatch):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        production_app(app, monkeypatch)
    monkeypatch.setenv("TRUSTED_HOSTS", " , ")
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        production_app(app, monkeypatch)


def test_production_answers_only_its_trusted_hosts(app, session, monkeypatch):
    production = production_app(
        app, monkeypatch, TRUSTED_HOSTS="console.mall.example, .staff.mall.example"
    )
    assert production.config["TRUSTED_HOSTS"] == ["console.mall.example", ".staff.mall.example"]
    client = production.test_client()
    for host in ("console.mall.example", "eu.staff.mall.example", "console.mall.example:8443"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host
    for host in ("localhost", "evil.example", "console.mall.example.evil.example"):
        response = client.get("/login", headers={"Host": host})
        assert response.status_code == 400, host
        assert UNTRUSTED_HOST in page(response).get_text()


def test_development_answers_loopback_names_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    assert create_app("development").config["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]
    monkeypatch.setenv("TRUSTED_HOSTS", "console.local")
    assert create_app("development").config["TRUSTED_HOSTS"] == ["console.local"]


# --- request bodies --------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, size: int):
        super().__init__(b"email=" + b"a" * (size - 6))
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_an_oversized_sign_in_is_refused_with_413_before_it_is_read(client):
    body = CountingStream(11 * MB)
    response = client.post(
        "/login",
        input_stream=body,
        content_length=11 * MB,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert body.bytes_read == 0
    assert page(response).find("h1").get_text() == "Too large"


def test_an_oversized_field_is_413_and_never_echoed(client):
    token = csrf_from(client.get("/login").data)
    field = "x" * (70 * KB) + "@test.mall"
    response = client.post("/login", data={"email": field, "password": "p", "csrf_token": token})
    assert response.status_code == 413
    assert "x" * 1000 not in response.get_data(as_text=True)


def test_a_long_field_under_the_limit_is_not_echoed_either(client):
    token = csrf_from(client.get("/login").data)
    field = "y" * (20 * KB) + "@test.mall"
    response = client.post("/login", data={"email": field, "password": "p", "csrf_token": token})
    assert response.status_code == 422
    assert page(response).find("input", attrs={"name": "email"}).get("value", "") == ""
    assert "y" * 400 not in response.get_data(as_text=True)


def test_a_long_totp_code_is_not_echoed(client, session):
    make_staff(session, "long-code@test.mall", mfa_secret=DEMO_MFA_SECRET)
    sign_in(client, "long-code@test.mall", DEFAULT_PASSWORD)
    token = csrf_from(client.get("/login/mfa").data)
    response = client.post("/login/mfa", data={"code": "9" * 5000, "csrf_token": token})
    assert response.status_code == 422
    assert "9" * 100 not in response.get_data(as_text=True)


def test_other_forms_take_a_megabyte(client, login_as, token_of):
    login_as(Role.SUPPORT_AGENT)
    token = token_of()
    big = {"csrf_token": token, "current_password": "z" * (MB + KB)}
    assert client.post("/account/password", data=big).status_code == 413
    fits = {"csrf_token": token, "current_password": "z" * (200 * KB)}
    assert client.post("/account/password", data=fits).status_code == 422


def test_limits_per_view(app):
    cases = [
        ("POST", "/login", 64 * KB),
        ("POST", "/login/mfa", 64 * KB),
        ("GET", "/search", 64 * KB),
        ("POST", "/account/password", MB),
        ("POST", "/nowhere", MB),
    ]
    for method, path, limit in cases:
        with app.test_request_context(path, method=method):
            assert request.max_content_length == limit, path


@pytest.fixture
def probe_app(app, tmp_path):
    """The console plus an upload view and a view that answers 429 without saying when."""
    probe = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    bp = Blueprint("limits_probe", __name__)

    @bp.post("/probe/upload")
    @csrf.exempt
    @body_limit(UPLOAD)
    def upload():
        return {"bytes": len(request.get_data())}

    @bp.get("/probe/busy")
    def busy():
        abort(429)

    probe.register_blueprint(bp)
    return probe


def test_an_upload_view_takes_eleven_megabytes(probe_app, session):
    client = probe_app.test_client()
    assert client.post("/probe/upload", data=b"u" * (10 * MB)).json == {"bytes": 10 * MB}
    assert client.post("/probe/upload", data=b"u" * (11 * MB + 1)).status_code == 413


# --- 429 -------------------------------------------------------------------------------------


def failures_from_this_address(session, oldest_minutes_ago: int):
    now = utcnow()
    for n in range(IP_FAILURE_LIMIT):
        session.add(
            SignInAttempt(
                email=f"guess{n}@test.mall",
                email_key=f"guess{n}@test.mall",
                client_ip="127.0.0.1",
                success=False,
                attempted_at=now - timedelta(minutes=oldest_minutes_ago) + timedelta(seconds=n),
            )
        )
    session.flush()


def test_too_many_failures_from_one_address_say_when_to_come_back(client, session):
    make_staff(session, "patient@test.mall")
    failures_from_this_address(session, oldest_minutes_ago=10)
    response = sign_in(client, "patient@test.mall", DEFAULT_PASSWORD)
    assert response.status_code == 429
    # the oldest failure leaves the fifteen-minute window in five minutes
    assert 290 <= int(response.headers["Retry-After"]) <= 300
    assert page(response).find("h1").get_text() == "Too many attempts"


def test_the_totp_step_says_when_too(client, session):
    make_staff(session, "patient-mfa@test.mall", mfa_secret=DEMO_MFA_SECRET)
    sign_in(client, "patient-mfa@test.mall", DEFAULT_PASSWORD)
    token = csrf_from(client.get("/login/mfa").data)
    failures_from_this_address(session, oldest_minutes_ago=14)
    response = client.post("/login/mfa", data={"code": "123456", "csrf_token": token})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_every_429_says_when(probe_app, session):
    response = probe_app.test_client().get("/probe/busy")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_a_null_character_is_refused_in_words_before_it_reaches_the_database(
    client, login_as, session
):
    from mallconsole.web.security import NULL_CHARACTER

    login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    sent = client.post("/account/time-zone", data={"csrf_token": token, "time_zone": "UTC\x00"})
    assert sent.status_code == 400
    assert NULL_CHARACTER in BeautifulSoup(sent.data, "html.parser").get_text()
    assert client.get("/support/cases?q=a%00b").status_code == 400
    assert client.get("/support/cases?q=ab").status_code == 200
