from mallconsole import create_app
from mallconsole.core.roles import Role
from tests.conftest import sign_in
from tests.factories.actors import DEFAULT_PASSWORD, make_staff


def test_every_response_carries_the_security_headers(client):
    for path in ("/login", "/healthz", "/nowhere", "/static/app.js"):
        response = client.get(path)
        headers = response.headers
        response.close()  # static files stream from an open file
        csp = headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
            assert directive in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # development/testing: no HSTS


def test_pages_vary_on_hx_request_and_are_not_cached(client):
    response = client.get("/login")
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_htmx_is_configured_for_a_strict_csp(client):
    import json

    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/login").data, "html.parser")
    config = json.loads(page.find("meta", attrs={"name": "htmx-config"})["content"])
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True and config["includeIndicatorStyles"] is False
    swapped = {r["code"] for r in config["responseHandling"] if r.get("swap")}
    assert {"409", "422"} <= swapped
    assert not page.find_all("script", src=False)
    assert not page.find_all("style") and not page.select("[style]")
    assert not [t for t in page.find_all(True) if any(a.startswith("hx-on") for a in t.attrs)]


def test_production_uses_hsts_and_a_host_prefixed_secure_cookie(app, session, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-test-key")
    monkeypatch.setenv("TRUSTED_HOSTS", "localhost")
    production = create_app(
        {
            "CONFIG_NAME": "production",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MFA_REQUIRED": False,
        }
    )
    make_staff(session, "prod@test.mall", [Role.SUPPORT_AGENT])
    client = production.test_client()
    response = sign_in(client, "prod@test.mall", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-mallconsole_session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain=" not in cookie
