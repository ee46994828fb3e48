"""Every state-changing route refuses a request without the CSRF token (400), htmx included."""

import pytest

from mallconsole.core.roles import Role

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue  # bearer-token API, no cookies
        for method in sorted(rule.methods & UNSAFE):
            values = {name: "00000000-0000-0000-0000-000000000000" for name in rule.arguments}
            yield method, rule.build(values)[1]


def test_there_are_state_changing_routes_to_check(app):
    assert len(list(unsafe_routes(app))) >= 8


@pytest.mark.parametrize("htmx", [False, True])
def test_without_token_every_unsafe_route_is_400(app, client, login_as, htmx):
    login_as(Role.SYSTEM_ADMIN)
    headers = {"HX-Request": "true"} if htmx else {}
    for method, path in unsafe_routes(app):
        response = client.open(path, method=method, data={"x": "1"}, headers=headers)
        assert response.status_code == 400, (method, path)
        if htmx:
            assert b'data-status="400"' in response.data


def test_anonymous_unsafe_requests_without_token_are_400_too(app, client):
    for method, path in unsafe_routes(app):
        assert client.open(path, method=method).status_code == 400, (method, path)


def test_the_token_is_accepted_from_the_htmx_header(client, login_as):
    from tests.conftest import csrf_from

    login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    response = client.post(
        "/account/time-zone",
        data={"time_zone": "Europe/Berlin"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 302


def test_token_does_not_expire_after_an_hour(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
