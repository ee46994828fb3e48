"""The benchmark's peers (bench/peers): Flask-Admin and the Django admin serving a small demo
world's support cases under gunicorn, each page answering with the rows it should.

Serving them builds their virtualenv (bench/.peers-venv) once, so those tests run only with
``BENCH_PEERS=1`` on PostgreSQL (``TEST_DATABASE_URL``); the URL arithmetic and the Django
model's vocabularies are checked in every run.
"""

from __future__ import annotations

import ast
import os
import socket
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, Request, build_opener

import flask_migrate
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from bench import peers
from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.models import SupportCase
from tests.databases import make_test_app, new_database

SERVING = os.environ.get("BENCH_PEERS") == "1" and os.environ.get(
    "TEST_DATABASE_URL", ""
).startswith("postgresql")
serving = pytest.mark.skipif(
    not SERVING, reason="serving the peers needs BENCH_PEERS=1 and a PostgreSQL TEST_DATABASE_URL"
)


def _layout_peer(name: str) -> peers.Peer:
    """A Peer of ``name`` that serves nothing, for its URL arithmetic."""
    return peers.Peer(name, "http://127.0.0.1:1", None, "", {}, peers.LAYOUTS[name])


def test_deep_pages_count_from_each_tools_first_page():
    assert _layout_peer("flask-admin").page_at_row(500_000) == "/admin/cases/?page=25000"
    assert _layout_peer("flask-admin").page_at_row(19) == "/admin/cases/?page=0"
    django = _layout_peer("django-admin")
    assert django.page_at_row(500_000) == "/admin/django_peer/supportcase/?p=25001"
    assert django.page_at_row(20) == "/admin/django_peer/supportcase/?p=2"


def test_searches_ask_for_the_whole_case_number():
    assert _layout_peer("flask-admin").search_path("CAS-2026 1") == (
        "/admin/cases/?search=%3DCAS-2026+1"
    )
    assert _layout_peer("django-admin").search_path("CAS-1") == (
        "/admin/django_peer/supportcase/?q=CAS-1"
    )


def test_start_refuses_an_unknown_peer_or_database():
    with pytest.raises(ValueError, match="unknown peer"):
        peers.start("rails-admin", "postgresql+psycopg://postgres@127.0.0.1/x", 1)
    with pytest.raises(ValueError, match="PostgreSQL"):
        peers.start("flask-admin", "sqlite:///cases.db", 1)


def test_the_django_models_choices_are_the_consoles_vocabularies():
    tree = ast.parse((peers.HERE / "django_peer" / "models.py").read_text())
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert constants["STATUSES"] == states.SUPPORT_CASE
    assert constants["PRIORITIES"] == states.CASE_PRIORITIES


def test_the_peers_venv_is_ignored_by_git():
    ignored = (Path(peers.ROOT) / ".gitignore").read_text().splitlines()
    assert "/bench/.peers-venv/" in ignored


# --- served ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_cases(tmp_path_factory):
    """A migrated database with a small demo world: its URL and its support cases, newest
    first (case number, status, priority)."""
    directory = tmp_path_factory.mktemp("peers")
    url, drop = new_database(directory, "peers")
    app = make_test_app(url, directory / "instance", "peers-test-secret")
    app.config["UPLOAD_DIR"] = str(directory / "uploads")
    try:
        with app.app_context():
            flask_migrate.upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "0.03", "--seed", "7"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            rows = db.session.execute(
                select(SupportCase.case_number, SupportCase.status, SupportCase.priority).order_by(
                    SupportCase.created_at.desc(), SupportCase.id.desc()
                )
            ).all()
            db.session.remove()  # its connection back to the pool, closed with it
            db.engine.dispose()
        yield url, [tuple(row) for row in rows]
    finally:
        drop()


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _fetch(peer: peers.Peer, path: str, cookie: str | None = None) -> tuple[int, str]:
    opener = build_opener(_NoRedirects)
    sent = peer.cookie if cookie is None else cookie
    request = Request(peer.base_url + path, headers={"Cookie": sent})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except HTTPError as refused:
        return refused.code, ""


def _listed(html: str) -> list[str]:
    """The case numbers of a list page, top to bottom (either tool's table)."""
    soup = BeautifulSoup(html, "html.parser")
    cells = soup.select("td.col-case_number, .field-case_number")
    return [cell.get_text(strip=True) for cell in cells]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@serving
@pytest.mark.parametrize("name", peers.PEERS)
def test_each_peer_serves_the_case_list_pages(demo_cases, name):
    url, cases = demo_cases
    numbers = [case[0] for case in cases]
    urgent_open = [case[0] for case in cases if case[1:] == ("open", "urgent")]
    assert len(numbers) > 60 and urgent_open, "the demo world has too few cases to page"
    peer = peers.start(name, url, _free_port())
    try:
        assert set(peer.pages) == {"first page", "page at row 500,000", "filtered (open + urgent)"}
        assert peer.pages["page at row 500,000"] == peer.page_at_row(500_000)

        status, html = _fetch(peer, peer.pages["first page"])
        assert status == 200
        assert _listed(html) == numbers[:20]

        status, html = _fetch(peer, peer.page_at_row(40))
        assert status == 200
        assert _listed(html) == numbers[40:60]

        wanted = numbers[len(numbers) // 2]
        status, html = _fetch(peer, peer.search_path(wanted))
        assert status == 200
        assert _listed(html) == [wanted]

        status, html = _fetch(peer, peer.pages["filtered (open + urgent)"])
        assert status == 200
        assert _listed(html) == urgent_open[:20]
    finally:
        peer.stop()
    assert peer.process.poll() is not None


@serving
def test_the_django_admin_list_needs_the_signed_in_session(demo_cases):
    url, _ = demo_cases
    peer = peers.start("django-admin", url, _free_port())
    try:
        status, _ = _fetch(peer, peer.pages["first page"], cookie="")
        assert status == 302  # to the login page
        assert _fetch(peer, peer.pages["first page"])[0] == 200
    finally:
        peer.stop()
