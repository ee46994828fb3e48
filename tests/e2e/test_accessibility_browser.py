"""axe-core in Chromium over every kind of screen each demo account reaches on the seeded demo
world (one of each: ``tests/screens.py``), and the sign-in page: no serious or critical
violation (SCREENS.md, Accessibility: WCAG 2.2 AA).

axe-core is vendored in ``tests/e2e/axe/`` (its README says which version). It is evaluated in
the page through the DevTools protocol, so the console's Content Security Policy stays in
force and each page is checked as staff see it, after its htmx requests (badges, live
counts) have answered.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import flask_migrate
import pytest
from werkzeug.serving import make_server

from mallconsole.demo.staff import DEMO_PASSWORD
from mallconsole.extensions import db
from tests.databases import make_test_app, new_database
from tests.demo.conftest import DEMO_SCALE, DEMO_SEED
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.e2e.test_sign_in_browser import sign_in
from tests.screens import ACCOUNTS, one_of_each_kind, screens_of

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text(encoding="utf-8")
FAILING = ("serious", "critical")
# axe's own rules (WCAG 2.x A and AA, and its best practices). Its contrast check leaves text
# of one character (a badge's count) for a person to judge; here it is measured like any text.
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    resultTypes: ["violations"],
    checks: {"color-contrast": {options: {ignoreLength: true}}},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(" "), html: n.html, summary: n.failureSummary,
    })),
  }));
}"""


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory):
    """The console on a database seeded by ``flask seed-demo`` (as tests/demo), served from a
    thread on a loopback port: the app (to find the screens) and its address."""
    require_browser()
    url, drop = new_database(tmp_path_factory.mktemp("a11y"), "a11y")
    folder = tmp_path_factory.mktemp("a11y-instance")
    app = make_test_app(url, folder, "a11y-secret-key")
    app.config["UPLOAD_DIR"] = str(folder / "uploads")
    with app.app_context():
        flask_migrate.upgrade()
    seeded = app.test_cli_runner().invoke(
        args=["seed-demo", "--scale", DEMO_SCALE, "--seed", DEMO_SEED]
    )
    assert seeded.exit_code == 0, seeded.output
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        drop()


@pytest.fixture(scope="module")
def chromium(demo_world):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def violations_on(page, path: str) -> list[str]:
    """axe's serious and critical violations on ``path``, one line per element."""
    page.goto(path, wait_until="networkidle")
    page.evaluate(AXE)
    return [
        f"{path}: {v['id']} ({v['impact']}: {v['help']}) at {node['target']}: {node['html'][:160]}"
        f" — {' '.join(node['summary'].split())}"
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in FAILING
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("email", ["signed out", *sorted(ACCOUNTS)])
def test_no_serious_accessibility_violation_on_any_screen(demo_world, chromium, email):
    app, base_url = demo_world
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        if email == "signed out":
            paths = ["/login"]
        else:
            area, _least = ACCOUNTS[email]
            paths = [screen.path for screen in one_of_each_kind(screens_of(app, email))]
            assert len(paths) >= 3, f"{email} reached only {paths}"  # home, account, MFA
            sign_in(page, email, DEMO_PASSWORD)
            page.wait_for_url(f"**{area}/")
        failures = [line for path in paths for line in violations_on(page, path)]
    finally:
        context.close()
    if failures:
        pytest.fail(
            f"{email}: {len(failures)} serious or critical accessibility violations on "
            f"{len(paths)} screens:\n" + "\n".join(failures),
            pytrace=False,
        )
