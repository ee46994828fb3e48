"""A path holding NUL or another control character answers 404 on every route with a variable
part, for every method it takes: no record has such an id, and PostgreSQL text cannot even hold
NUL (it answered 500 before)."""

import pytest

from mallconsole.core.roles import Role

CONTROL = ["%00", "%01", "%1F", "%7F", "a%00b"]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments and rule.endpoint != "static":
            yield rule


def _url(rule, value):
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", value)
        for converter in ("string", "path", "any"):
            path = path.replace(f"<{converter}:{name}>", value)
    return path


def test_the_routes_were_walked(app):
    assert len(list(_routes(app))) > 40


@pytest.mark.parametrize("value", CONTROL)
def test_a_control_character_in_a_path_answers_404_everywhere(app, client, login_as, value):
    login_as(*Role)
    answered = {}
    for rule in _routes(app):
        url = _url(rule, value)
        if "<" in url:  # a converter that cannot take text (int:…) never matches: 404 anyway
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers={"HX-Request": "true"})
            answered[f"{method} {url}"] = response.status_code
    assert len(answered) > 40
    assert {k: v for k, v in answered.items() if v != 404} == {}


def test_an_anonymous_request_gets_404_too(client):
    assert client.get("/finance/refunds/%00").status_code == 404
    assert client.post("/api/flags/%00/evaluate").status_code == 404
