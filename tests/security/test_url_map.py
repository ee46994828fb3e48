"""Every endpoint declares its permission; role prefixes refuse other roles (403, htmx too)."""

import pytest

from mallconsole.core.roles import ROLE_BLUEPRINTS, ROLE_PERMISSIONS, Permission, Role

# Reachable without a permission, on purpose (docs/contract.md): signing in and out, the health
# check, static files, the token-guarded /api/ routes and /metrics.
PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.login_mfa",
    "auth.logout",
    "health.healthz",
    "metrics.metrics_exposition",
    "static",
}
ROLE_ACCESS = {
    Role.SUPPORT_AGENT: Permission.SUPPORT_ACCESS,
    Role.OPERATIONS_MANAGER: Permission.OPERATIONS_ACCESS,
    Role.FINANCE_MANAGER: Permission.FINANCE_ACCESS,
    Role.CONTENT_MODERATOR: Permission.MODERATION_ACCESS,
    Role.SYSTEM_ADMIN: Permission.ADMIN_ACCESS,
}


# The console has some 140 routes outside /api/; a walk over far fewer walked the wrong map.
AT_LEAST_RULES = 100
AT_LEAST_GUARDED_PAGES = 30


def rules(app):
    return [r for r in app.url_map.iter_rules() if not r.rule.startswith("/api/")]


def test_the_walks_below_walk_the_whole_console(app):
    assert len(rules(app)) > AT_LEAST_RULES
    assert len(list(_get_rules(app))) > AT_LEAST_GUARDED_PAGES


def test_every_endpoint_declares_a_permission_or_is_listed_public(app):
    undeclared, checked = [], 0
    for rule in rules(app):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        checked += 1
        if not isinstance(getattr(view, "required_permission", None), Permission):
            undeclared.append(rule.endpoint)
    assert undeclared == []
    assert checked > AT_LEAST_RULES - len(PUBLIC_ENDPOINTS)


def test_the_public_list_is_exactly_what_is_public(app):
    public = {
        r.endpoint for r in rules(app) if getattr(app.view_functions[r.endpoint], "public", False)
    }
    assert public | {"health.healthz", "static"} == PUBLIC_ENDPOINTS


def test_role_blueprint_views_need_a_permission_of_their_role(app):
    """A view under a role's prefix requires one of that role's permissions: its access
    permission, or an action permission the role holds (approve, decide, run a job...)."""
    under_prefixes = [r for r in rules(app) if r.endpoint.split(".")[0] in ROLE_BLUEPRINTS.values()]
    assert len(under_prefixes) > AT_LEAST_RULES
    for role, name in ROLE_BLUEPRINTS.items():
        endpoints = [r.endpoint for r in rules(app) if r.endpoint.startswith(name + ".")]
        assert endpoints, f"no routes under /{name}/"
        assert app.view_functions[f"{name}.home"].required_permission == ROLE_ACCESS[role]
        for endpoint in endpoints:
            required = app.view_functions[endpoint].required_permission
            assert required in ROLE_PERMISSIONS[role], f"{endpoint} needs {required}"


def test_the_five_prefixes_exist(app):
    prefixes = {r.rule for r in rules(app) if r.endpoint.endswith(".home")}
    assert prefixes == {"/support/", "/operations/", "/finance/", "/moderation/", "/admin/"}


def _get_rules(app):
    for rule in rules(app):
        if "GET" in rule.methods and rule.endpoint not in PUBLIC_ENDPOINTS and not rule.arguments:
            yield rule


def test_anonymous_get_of_every_guarded_page_redirects_to_login(app, client):
    walked = 0
    for rule in _get_rules(app):
        walked += 1
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login?next="), rule.rule
        htmx = client.get(rule.rule, headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and "HX-Redirect" in htmx.headers, rule.rule
    assert walked > AT_LEAST_GUARDED_PAGES


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_prefix_and_gets_403_elsewhere(app, client, login_as, role):
    login_as(role)
    for other, name in ROLE_BLUEPRINTS.items():
        response = client.get(f"/{name}/")
        htmx = client.get(f"/{name}/", headers={"HX-Request": "true"})
        expected = 200 if other == role else 403
        assert (response.status_code, htmx.status_code) == (expected, expected), name
    # a made-up path under a foreign prefix is refused before it is looked up
    foreign = next(n for r, n in ROLE_BLUEPRINTS.items() if r != role)
    assert client.get(f"/{foreign}/anything").status_code == 403


def test_navigation_lists_only_own_roles(client, login_as):
    from bs4 import BeautifulSoup

    login_as(Role.FINANCE_MANAGER, Role.CONTENT_MODERATOR)
    page = BeautifulSoup(client.get("/finance/").data, "html.parser")
    links = {a["href"] for a in page.select("nav.mainnav a")}
    assert links == {"/finance/", "/moderation/"}
    assert page.select_one('nav.mainnav a[aria-current="page"]')["href"] == "/finance/"
