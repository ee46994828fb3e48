"""The peers of the case-list benchmark: two generic admin tools serving the console's support
case table, each under gunicorn from a virtualenv of their own (``bench/.peers-venv``, pinned by
``requirements.txt`` beside this file; never the console's).

    python = ensure_venv(ROOT)  # made once, then reused
    peer = start("django-admin", "postgresql+psycopg://postgres@127.0.0.1:5432/bench", 8101)
    urlopen(Request(peer.base_url + peer.pages["first page"], headers={"Cookie": peer.cookie}))
    peer.stop()

Standard library only: the tools themselves run in the peers' processes.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REQUIREMENTS = HERE / "requirements.txt"
PEERS = ("flask-admin", "django-admin")
PAGE_SIZE = 20
DEEP_ROW = 500_000
# The Django peer's superuser (made by django_peer/prepare.py), signed in through its login page.
USERNAME = "bench"
PASSWORD = "bench-peer-password"
READY_SECONDS = 60


@dataclass(frozen=True)
class Layout:
    """How one tool spells its case list's pages in URLs."""

    app: str  # the WSGI application, for gunicorn
    ready_path: str  # answers once the workers serve
    list_path: str
    page_param: str
    first_page: int  # the number of the first page (Flask-Admin counts from 0, Django from 1)
    search_param: str
    search_prefix: str  # Flask-Admin: "=" asks for the whole term, not a substring
    filtered_query: str  # status open and priority urgent, through the list's own filters


LAYOUTS = {
    "flask-admin": Layout(
        app="flask_admin_app:app",
        ready_path="/admin/",
        list_path="/admin/cases/",
        page_param="page",
        first_page=0,
        search_param="search",
        search_prefix="=",
        filtered_query="flt0_status_equals=open&flt1_priority_equals=urgent",
    ),
    "django-admin": Layout(
        app="django_peer.wsgi:application",
        ready_path="/admin/login/",
        list_path="/admin/django_peer/supportcase/",
        page_param="p",
        first_page=1,
        search_param="q",
        search_prefix="",  # search_fields = ("=case_number",)
        filtered_query="status__exact=open&priority__exact=urgent",
    ),
}


@dataclass
class Peer:
    name: str
    base_url: str
    process: subprocess.Popen
    cookie: str  # the Cookie header of a signed-in session ("" where none is needed)
    pages: dict[str, str]
    layout: Layout = field(repr=False)

    def search_path(self, case_number: str) -> str:
        """The list searched through its search box for exactly ``case_number``."""
        term = self.layout.search_prefix + case_number
        return f"{self.layout.list_path}?{urlencode({self.layout.search_param: term})}"

    def page_at_row(self, row: int) -> str:
        """The list page (the tool's offset pagination) whose first row is the row after the
        first ``row`` rows, newest first."""
        number = row // PAGE_SIZE + self.layout.first_page
        return f"{self.layout.list_path}?{self.layout.page_param}={number}"

    def stop(self) -> None:
        """Stop gunicorn and its workers (gracefully, then by force after 30 seconds)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: gunicorn's workers
            self.process.wait()


def ensure_venv(root: Path) -> Path:
    """The python of the peers' virtualenv under ``root``, made (or brought to the pins of
    ``requirements.txt``) if it is missing or was made from other pins."""
    venv = Path(root) / "bench" / ".peers-venv"
    python = venv / "bin" / "python"
    installed = venv / "installed-requirements.txt"  # the pins it was made from
    if python.exists() and installed.exists() and installed.read_text() == REQUIREMENTS.read_text():
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True
    )
    shutil.copyfile(REQUIREMENTS, installed)
    return python


def start(name: str, database_url: str, port: int) -> Peer:
    """Serve peer ``name`` on 127.0.0.1:``port`` over the PostgreSQL database ``database_url``
    (SQLAlchemy form) with 2 sync gunicorn workers, once it answers; signed in where it asks."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown peer {name!r}: one of {', '.join(PEERS)}")
    if not database_url.startswith("postgresql"):
        raise ValueError("the peers serve a PostgreSQL database")
    if _answers(port):
        raise RuntimeError(f"something already listens on 127.0.0.1:{port}")
    layout = LAYOUTS[name]
    python = ensure_venv(ROOT)
    env = _environment(database_url)
    if name == "django-admin":
        subprocess.run([str(python), "-m", "django_peer.prepare"], cwd=HERE, env=env, check=True)
    process = subprocess.Popen(
        [str(python), "-m", "gunicorn", "--workers", "2", "--worker-class", "sync"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(HERE)]
        + [layout.app],
        cwd=HERE,
        env=env,
        start_new_session=True,
    )
    peer = Peer(name, f"http://127.0.0.1:{port}", process, "", {}, layout)
    try:
        _wait_until_ready(process, port, layout.ready_path)
        if name == "django-admin":
            peer.cookie = _django_sign_in(port)
    except BaseException:
        peer.stop()
        raise
    peer.pages = {
        "first page": layout.list_path,
        "page at row 500,000": peer.page_at_row(DEEP_ROW),
        "filtered (open + urgent)": f"{layout.list_path}?{layout.filtered_query}",
    }
    return peer


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(
        PEER_DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="django_peer.settings",
        PEER_USERNAME=USERNAME,
        PEER_PASSWORD=PASSWORD,
    )
    return env


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait_until_ready(process: subprocess.Popen, port: int, path: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the peer's gunicorn exited ({process.returncode})")
        try:
            status, _, _ = _request(port, "GET", path)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise RuntimeError(f"GET {path} answered {status} on 127.0.0.1:{port}")
    raise RuntimeError(f"the peer did not answer on 127.0.0.1:{port} in {READY_SECONDS} s")


def _request(port: int, method: str, path: str, body: str | None = None, headers=None):
    """(status, Set-Cookie values as a SimpleCookie, body text) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        cookies = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or ():
            cookies.load(value)
        return response.status, cookies, response.read().decode()
    finally:
        connection.close()


def _django_sign_in(port: int) -> str:
    """Sign in to the Django admin as its superuser: the Cookie header of that session."""
    status, cookies, html = _request(port, "GET", "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if status != 200 or token is None or "csrftoken" not in cookies:
        raise RuntimeError(f"the Django admin's login page answered {status} without a form")
    csrf = cookies["csrftoken"].value
    form = {
        "username": USERNAME,
        "password": PASSWORD,
        "csrfmiddlewaretoken": token.group(1),
        "next": "/admin/",
    }
    status, cookies, _ = _request(
        port,
        "POST",
        "/admin/login/",
        urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"signing in to the Django admin answered {status}")
    csrf = cookies["csrftoken"].value if "csrftoken" in cookies else csrf  # rotated at sign-in
    return f"csrftoken={csrf}; sessionid={cookies['sessionid'].value}"
