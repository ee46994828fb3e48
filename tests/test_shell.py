"""The layout every screen lives in: landmarks, skip link, user and sign-out, messages."""

from bs4 import BeautifulSoup

from mallconsole.core.roles import Role


def test_the_shell_of_a_signed_in_page(client, login_as):
    user = login_as(Role.SUPPORT_AGENT, time_zone="Europe/Paris")
    page = BeautifulSoup(client.get("/support/").data, "html.parser")
    assert page.select_one("a.skip-link")["href"] == "#main"
    assert page.find("main")["id"] == "main"
    assert page.find("header") and page.find("footer")
    assert page.select_one("nav[aria-label]") is not None
    assert page.select_one("#messages")["aria-live"] == "polite"
    sign_out = page.select_one(".usermenu form")
    assert sign_out["method"] == "post" and sign_out["action"] == "/logout"
    assert sign_out.find("input", attrs={"name": "csrf_token"})["value"]
    # The staff member by name (here, with none, the part of the email before the @), the
    # address on hover.
    menu = page.select_one(".usermenu")
    assert menu.get_text(" ", strip=True).startswith(user.email.split("@")[0] + " ")
    assert menu.select_one("a")["title"] == f"Your account: {user.email}"
    assert "Europe/Paris" in page.select_one(".usermenu .zone").get_text()
    assert page.find("body")["hx-indicator"] == "#progress"
    assert page.select_one("#progress.htmx-indicator") is not None
    scripts = [s["src"] for s in page.find_all("script")]
    assert scripts == ["/static/htmx-2.0.11.min.js", "/static/app.js"]


def test_flash_messages_show_once(client, login_as):
    from tests.conftest import csrf_from

    login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    client.post("/account/time-zone", data={"csrf_token": token, "time_zone": "Asia/Seoul"})
    first = BeautifulSoup(client.get("/account").data, "html.parser")
    assert "Asia/Seoul" in first.select_one("#messages .flash-success").get_text()
    second = BeautifulSoup(client.get("/account").data, "html.parser")
    assert second.select("#messages .flash") == []


def test_the_sign_in_page_has_no_navigation(client):
    page = BeautifulSoup(client.get("/login").data, "html.parser")
    assert page.select("nav.mainnav") == [] and page.select(".usermenu") == []


def _area_links(page):
    return [
        (a.get_text(strip=True), a["href"], a.get("aria-current"))
        for a in page.select("nav.areanav a")
    ]


def test_each_area_lists_its_screens_and_marks_the_current_one(client, login_as):
    login_as(Role.SUPPORT_AGENT)
    home = BeautifulSoup(client.get("/support/").data, "html.parser")
    assert _area_links(home) == [
        ("Home", "/support/", "page"),
        ("Cases", "/support/cases", None),
        ("Canned replies", "/support/canned-replies", None),
    ]
    cases = BeautifulSoup(client.get("/support/cases").data, "html.parser")
    assert [c for _, _, c in _area_links(cases)] == [None, "page", None]


def test_the_area_navigation_follows_the_area_of_the_page(client, login_as):
    login_as(Role.SYSTEM_ADMIN)
    page = BeautifulSoup(client.get("/admin/jobs").data, "html.parser")
    links = _area_links(page)
    assert ("Jobs", "/admin/jobs", "page") in links
    assert links[0][0] == "Home" and links[-1][0] == "Approvals"
    account = BeautifulSoup(client.get("/account").data, "html.parser")
    assert account.select("nav.areanav") == []


def test_staff_without_the_area_role_see_its_refusal_without_its_screens(client, login_as):
    login_as(Role.FINANCE_MANAGER)
    refused = client.get("/admin/flags")
    assert refused.status_code == 403
    assert BeautifulSoup(refused.data, "html.parser").select("nav.areanav") == []
    own = BeautifulSoup(client.get("/finance/").data, "html.parser")
    assert ("Home", "/finance/", "page") in _area_links(own)
