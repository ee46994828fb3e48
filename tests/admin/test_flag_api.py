"""``GET /api/flags/<code>/evaluate``: a bearer token from FLAG_API_TOKENS, JSON answers, the
same rule as the admin's evaluate panel; not a staff screen (no sign-in, no CSRF)."""

from __future__ import annotations

import pytest

from mallconsole.core.roles import Role
from mallconsole.models import utcnow
from mallconsole.services.admin import flags
from tests.factories.actors import make_staff

TOKENS = ["service-token-one", "service-token-two"]


@pytest.fixture(autouse=True)
def tokens(app, monkeypatch):
    monkeypatch.setitem(app.config, "FLAG_API_TOKENS", list(TOKENS))


@pytest.fixture
def rollout(session):
    admin = make_staff(session, "api-admin@test.mall", (Role.SYSTEM_ADMIN,))
    flag = flags.create(
        session,
        {"name": "Semantic search", "enabled": True, "rollout_percentage": 50,
         "segment": "locale=ko-KR"},
        actor=admin,
        code="search.semantic",
    )  # fmt: skip
    session.flush()
    return flag


def ask(client, path, token=TOKENS[0]):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token", "Bearer ", "Basic c2VydmljZS10b2tlbi1vbmU=", "service-token-one"],
)
def test_without_a_right_token_it_is_401(client, rollout, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/flags/search.semantic/evaluate?subject=a", headers=headers)
    assert response.status_code == 401
    assert response.is_json and "enabled" not in response.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_configured_tokens_means_no_access(client, app, rollout, monkeypatch):
    monkeypatch.setitem(app.config, "FLAG_API_TOKENS", [])
    assert ask(client, "/api/flags/search.semantic/evaluate").status_code == 401
    assert ask(client, "/api/flags/search.semantic/evaluate", token=" ").status_code == 401


def test_unknown_code_is_404_json(client, rollout):
    response = ask(client, "/api/flags/no.such.flag/evaluate?subject=a")
    assert response.status_code == 404 and response.is_json


def test_an_unknown_code_without_a_token_says_nothing(client, rollout):
    assert ask(client, "/api/flags/no.such.flag/evaluate", token=None).status_code == 401


def test_the_answer_is_the_evaluation(client, rollout):
    for subject in map(str, range(40)):
        for token in TOKENS:
            response = ask(
                client, f"/api/flags/search.semantic/evaluate?subject={subject}&locale=ko-KR", token
            )
            assert response.status_code == 200
            expected = flags.evaluate(rollout, subject, {"locale": "ko-KR"}, utcnow())
            assert response.get_json() == {
                "flag": "search.semantic",
                "enabled": expected.enabled,
                "reason": expected.reason,
            }
    other = ask(client, "/api/flags/search.semantic/evaluate?subject=1&locale=en-US").get_json()
    assert other["enabled"] is False and "en-US, not ko-KR" in other["reason"]


def test_no_staff_session_or_csrf_is_involved(client, rollout):
    response = ask(client, "/api/flags/search.semantic/evaluate?subject=1&locale=ko-KR")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    # It is the only /api/ route, and it answers GET only.
    assert client.post("/api/flags/search.semantic/evaluate").status_code == 405


def test_it_is_the_only_api_route(app):
    assert [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")] == [
        "/api/flags/<code>/evaluate"
    ]


def test_an_archived_flag_is_off_for_everyone(client, session, rollout):
    admin = make_staff(session, "api-archiver@test.mall", (Role.SYSTEM_ADMIN,))
    flags.change(session, rollout.code, {"rollout_percentage": None, "segment": None},
                 expected_version=1, actor=admin)  # fmt: skip
    assert ask(client, "/api/flags/search.semantic/evaluate?subject=a").get_json()["enabled"]
    flags.archive(session, rollout.code, expected_version=2, actor=admin)
    session.flush()
    response = ask(client, "/api/flags/search.semantic/evaluate?subject=a")
    assert response.status_code == 200
    assert response.get_json() == {
        "flag": "search.semantic",
        "enabled": False,
        "reason": "The flag is archived: it is off for everyone.",
    }
