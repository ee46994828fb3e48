"""One redirect rule: whatever ``next`` says, the browser lands on a path of the console.

The corpus (``redirect_corpus.py``) goes through the real sign-in view and the real TOTP step;
Argon2 runs with cheap parameters here so that thousands of sign-ins take seconds (what is
tested is the redirect, not the hash).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pyotp
import pytest

from mallconsole.core.roles import Role
from mallconsole.web.redirects import safe_next
from tests.conftest import csrf_from, sign_in
from tests.factories.actors import DEFAULT_PASSWORD, DEMO_MFA_SECRET, make_staff
from tests.security.redirect_corpus import CORPUS, INVISIBLE

CHUNKS = 8
# The only hostile-looking values that are paths of this console, and stay so.
LOCAL_IN_CORPUS = {
    "/%0Ajavascript:alert(1)": "/%0Ajavascript:alert(1)",
    "/../evil.example": "/../evil.example",
    "/@evil.example": "/@evil.example",
}


def is_local_path(location: str) -> bool:
    """A path on the origin that answered, in printable ASCII, read the same by any browser."""
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and all(0x21 <= ord(c) < 0x7F for c in location)
        and not parts.scheme
        and not parts.netloc
        and urljoin("http://localhost/login", location).startswith("http://localhost/")
    )


def test_the_corpus_covers_every_invisible_character_at_every_position():
    assert len(INVISIBLE) == 58  # 33 ASCII controls, 20 more Unicode spaces, 5 zero-widths
    assert len(CORPUS) == 3022
    assert "/\t/evil.example" in CORPUS and "\\/evil.example\u3000" in CORPUS
    assert "/%2509/evil.example" in CORPUS and "%252F%252Fevil.example" in CORPUS


def test_safe_next_sends_the_whole_corpus_home_but_for_real_paths():
    kept = {value: safe_next(value) for value in CORPUS if safe_next(value) is not None}
    assert kept == LOCAL_IN_CORPUS
    assert all(is_local_path(path) for path in kept.values())


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/search?q=ORD%2020261122&kind=order", "/search?q=ORD%2020261122&kind=order"),
        ("/support/cases?queue=mine#top", "/support/cases?queue=mine#top"),
        ("/admin/audit?next=//elsewhere", "/admin/audit?next=//elsewhere"),
        ("/caf\u00e9", "/caf%C3%A9"),
        ("/acc\tount", "/account"),
        ("/support/\r\nSet-Cookie: a=b", "/support/Set-Cookie:a=b"),
        ("/a\\b", "/a/b"),
        ("", None),
        (None, None),
        ("account", None),
        ("/%2e%2e/%2e%2e//evil.example", None),
        ("/%25252F%25252Fevil.example", None),
        ("%25252F%25252Fevil.example", None),
        ("/a%2525252Fb", "/a%2525252Fb"),
    ],
)
def test_safe_next_keeps_honest_paths_and_cleans_them(target, expected):
    assert safe_next(target) == expected


def test_a_target_that_never_stops_decoding_is_refused():
    assert safe_next("/a%" + "25" * 3 + "2Fb") == "/a%2525252Fb"  # settles: a path
    assert safe_next("/a%" + "25" * 20 + "2Fb") is None  # 21 layers of encoding


@pytest.fixture
def staff_with_quick_password(session):
    # The testing config hashes at Argon2's cheapest: the redirect is under test, not the hash.
    def make(email, **kwargs):
        return make_staff(session, email, [Role.SUPPORT_AGENT], **kwargs)

    return make


@pytest.fixture
def without_csrf(app, monkeypatch):
    # Each sign-in starts a new cookie session and so a new CSRF token; fetching one per value
    # would double the requests. CSRF itself is tested in test_csrf.py.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def landing(response, value) -> str:
    assert response.status_code == 302, (value, response.status_code)
    location = response.headers["Location"]
    assert is_local_path(location), (value, location)
    assert location == (LOCAL_IN_CORPUS.get(value) or "/"), (value, location)
    return location


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_sign_in_lands_on_the_console_whatever_next_says(
    client, staff_with_quick_password, without_csrf, chunk
):
    staff_with_quick_password(f"corpus-{chunk}@test.mall")
    data = {"email": f"corpus-{chunk}@test.mall", "password": DEFAULT_PASSWORD}
    for value in CORPUS[chunk::CHUNKS]:
        landing(client.post("/login", query_string={"next": value}, data=data), value)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_totp_step_lands_on_the_console_whatever_next_said(
    client, session, staff_with_quick_password, without_csrf, chunk
):
    user = staff_with_quick_password(f"corpus-mfa-{chunk}@test.mall", mfa_secret=DEMO_MFA_SECRET)
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    totp = pyotp.TOTP(DEMO_MFA_SECRET)
    for value in CORPUS[chunk::CHUNKS]:
        step = client.post("/login", query_string={"next": value}, data=data)
        assert step.headers["Location"] == "/login/mfa", value
        user.mfa_last_used_step = None  # one code per sign-in, thousands of sign-ins
        landing(client.post("/login/mfa", data={"code": totp.now()}), value)


def test_next_in_the_form_body_is_judged_the_same(client, session, staff_with_quick_password):
    staff_with_quick_password("body-next@test.mall")
    token = csrf_from(client.get("/login").data)
    data = {
        "email": "body-next@test.mall",
        "password": DEFAULT_PASSWORD,
        "csrf_token": token,
        "next": "/\t/evil.example",
    }
    assert client.post("/login", data=data).headers["Location"] == "/"


def test_a_next_with_line_breaks_never_answers_500(client, session, staff_with_quick_password):
    staff_with_quick_password("crlf@test.mall")
    for value in ("/support/\r\nSet-Cookie: planted=1", "/\r/evil.example", "\n//evil.example"):
        token = csrf_from(client.get("/login").data)
        data = {"email": "crlf@test.mall", "password": DEFAULT_PASSWORD, "csrf_token": token}
        response = client.post("/login", query_string={"next": value}, data=data)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "\r" not in location and "\n" not in location and is_local_path(location)
        assert "planted" not in response.headers.get("Set-Cookie", "")
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").data)})


def test_the_login_form_carries_only_a_judged_next(client):
    from bs4 import BeautifulSoup

    hostile = BeautifulSoup(client.get("/login?next=/%09/evil.example").data, "html.parser")
    assert hostile.find("form")["action"] == "/login"
    honest = BeautifulSoup(client.get("/login?next=/account").data, "html.parser")
    assert honest.find("form")["action"] == "/login?next=/account"


def test_an_honest_next_survives_the_totp_step(client, session):
    make_staff(session, "honest-mfa@test.mall", [Role.SUPPORT_AGENT], mfa_secret=DEMO_MFA_SECRET)
    sign_in(client, "honest-mfa@test.mall", DEFAULT_PASSWORD, next="/account")
    token = csrf_from(client.get("/login/mfa").data)
    code = pyotp.TOTP(DEMO_MFA_SECRET).now()
    response = client.post("/login/mfa", data={"code": code, "csrf_token": token})
    assert response.headers["Location"] == "/account"
