"""The production server: gunicorn with the repository's settings and the production config."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, host: str = "127.0.0.1"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


@pytest.fixture
def gunicorn_port(app, database_url):
    """gunicorn serving the console (production config) on the migrated test database."""
    port = free_port()
    environment = {
        **os.environ,
        "MALLCONSOLE_CONFIG": "production",
        "SECRET_KEY": "production-server-test-key",
        "TRUSTED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn stopped: {server.stdout.read().decode()}")
            try:
                if get(port, "/healthz").status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def test_gunicorn_serves_without_a_version_banner(gunicorn_port):
    for path in ("/healthz", "/login", "/nowhere"):
        response = get(gunicorn_port, path)
        assert response.getheader("Server") == "Mall Console", path
        assert len(response.headers.get_all("Server")) == 1
        banner = " ".join(f"{k}: {v}" for k, v in response.getheaders()).lower()
        assert "gunicorn" not in banner and "werkzeug" not in banner and "python" not in banner
    assert get(gunicorn_port, "/login").getheader("Strict-Transport-Security")


def test_gunicorn_refuses_an_untrusted_host(gunicorn_port):
    assert get(gunicorn_port, "/login", host="evil.example").status == 400
    assert get(gunicorn_port, "/login", host="127.0.0.1:8000").status == 200
