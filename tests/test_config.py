import subprocess
import sys
from pathlib import Path

import pytest

from mallconsole import create_app
from mallconsole.config import normalize_database_url
from mallconsole.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalize_database_url(given) == expected


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_turns_on_secure_cookies_and_mfa(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TRUSTED_HOSTS", "console.example.com")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["MFA_REQUIRED"] is True


def test_unknown_config_name_is_refused():
    with pytest.raises(ConfigError, match="MALLCONSOLE_CONFIG"):
        create_app("staging")


def test_development_secret_key_is_generated_once_and_kept(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    first = create_app("development").config["SECRET_KEY"]
    second = create_app("development").config["SECRET_KEY"]
    assert first == second and len(first) >= 40


def test_wsgi_reports_a_refused_start_without_a_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MALLCONSOLE_CONFIG": "production", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "cannot start" in result.stderr and "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_testing_config_hashes_passwords_cheaply_and_the_others_do_not(app):
    from argon2 import extract_parameters

    from mallconsole import create_app
    from mallconsole.services.identity import passwords

    with app.app_context():
        cheap = extract_parameters(passwords.hash_password("x"))
    assert (cheap.time_cost, cheap.memory_cost, cheap.parallelism) == (1, 8, 1)
    development = create_app("development")
    with development.app_context():
        standard = extract_parameters(passwords.hash_password("x"))
    assert standard == extract_parameters(passwords.STANDARD.hash("x"))
    assert standard.memory_cost > cheap.memory_cost
