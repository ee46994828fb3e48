"""Settings, read from the environment (docs/contract.md: DATABASE_URL, MALLCONSOLE_CONFIG...)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from mallconsole.core.errors import ConfigError

DEFAULT_MAIL_FROM = "Mall Console <no-reply@mall.example>"


def normalize_database_url(url: str) -> str:
    """Map plain ``postgresql://`` (and ``postgres://``) URLs to the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def parse_storage_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` as ``(bucket, prefix)``; ``ConfigError`` for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"STORAGE_URL={url!r} is not of the form s3://bucket/prefix")
    return parts.netloc, parts.path.strip("/")


class Config:
    """Development defaults: SQLite in the instance folder, a generated secret key."""

    NAME = "development"
    DEBUG = False
    TESTING = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # The CSRF token lives as long as the session, not an hour: a tab left open still works.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "mallconsole_session"
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    MFA_REQUIRED = False
    HSTS = False
    # Request bodies: every form by default; smaller for sign-in and search, larger for
    # attachment uploads (a view names its own limit with ``security.body_limit``).
    MAX_CONTENT_LENGTH = 1024 * 1024
    SMALL_FORM_MAX_CONTENT_LENGTH = 64 * 1024
    UPLOAD_MAX_CONTENT_LENGTH = 11 * 1024 * 1024
    # Host names answered when TRUSTED_HOSTS is not set (production requires it).
    DEFAULT_TRUSTED_HOSTS: list[str] | None = ["localhost", "127.0.0.1"]
    # Where review and product images are served from (the CSP's img-src): MEDIA_ORIGINS,
    # comma-separated https origins; the demo world's media host when unset outside production.
    DEFAULT_MEDIA_ORIGINS: tuple[str, ...] = ("https://cdn.demo.mall",)
    # Without a broker, tasks run in this process after the commit: in a thread ("thread"),
    # or before the response is sent ("sync", the tests). The periodic jobs then run on a
    # scheduler thread of this process ("embedded"); with a broker, Celery beat runs them.
    TASK_RUNNER = "thread"
    EMBEDDED_SCHEDULER = True

    @classmethod
    def from_environment(cls, instance_path: str) -> dict:
        """The settings of this class, completed from the environment and instance folder."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        env = os.environ
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        url = env.get("DATABASE_URL") or cls.default_database_url(instance_path)
        values["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(url)
        values["SECRET_KEY"] = env.get("SECRET_KEY") or cls.default_secret_key(instance_path)
        values["MFA_ENCRYPTION_KEY"] = env.get("MFA_ENCRYPTION_KEY")
        values["UPLOAD_DIR"] = env.get("UPLOAD_DIR") or str(Path(instance_path) / "uploads")
        values["MAIL_URL"] = env.get("MAIL_URL") or "file://" + str(Path(instance_path) / "mailbox")
        values["MAIL_FROM"] = env.get("MAIL_FROM") or DEFAULT_MAIL_FROM
        values["FLAG_API_TOKENS"] = [
            t.strip() for t in env.get("FLAG_API_TOKENS", "").split(",") if t.strip()
        ]
        # /metrics: the bearer tokens Prometheus may scrape with, or the listener it scrapes
        # (host:port, also given to gunicorn's bind by gunicorn.conf.py) that needs none.
        values["METRICS_TOKENS"] = [
            t.strip() for t in env.get("METRICS_TOKENS", "").split(",") if t.strip()
        ]
        values["METRICS_BIND"] = env.get("METRICS_BIND", "").strip() or None
        values["CELERY_BROKER_URL"] = env.get("CELERY_BROKER_URL") or None
        values["CELERY_QUEUE"] = env.get("CELERY_QUEUE") or "mallconsole"
        if "EMBEDDED_SCHEDULER" in env:
            values["EMBEDDED_SCHEDULER"] = env["EMBEDDED_SCHEDULER"].strip().lower() not in (
                "0",
                "false",
                "no",
                "off",
                "",
            )
        values["JOB_SCHEDULE"] = parse_job_schedule(env.get("JOB_SCHEDULE", ""))
        # Files: S3-compatible object storage shared by several hosts when STORAGE_URL is set
        # (s3://bucket/prefix; refused at start when malformed), else the UPLOAD_DIR folder.
        values["STORAGE_URL"] = env.get("STORAGE_URL") or None
        values["S3_ENDPOINT_URL"] = env.get("S3_ENDPOINT_URL") or None
        if values["STORAGE_URL"]:
            parse_storage_url(values["STORAGE_URL"])
        values["TRUSTED_HOSTS"] = cls.trusted_hosts(env.get("TRUSTED_HOSTS", ""))
        values["MEDIA_ORIGINS"] = cls.media_origins(env.get("MEDIA_ORIGINS"))
        return values

    @classmethod
    def media_origins(cls, setting: str | None) -> list[str]:
        """The https origins of ``MEDIA_ORIGINS`` (refused at start when one is not an origin)."""
        if setting is None:
            return list(cls.DEFAULT_MEDIA_ORIGINS)
        origins = [o.strip().rstrip("/") for o in setting.split(",") if o.strip()]
        for origin in origins:
            if not re.fullmatch(r"https://[a-z0-9.-]+(:[0-9]+)?", origin.lower()):
                raise ConfigError(f"MEDIA_ORIGINS: {origin!r} is not an https origin")
        return origins

    @classmethod
    def trusted_hosts(cls, setting: str) -> list[str]:
        """The host names of ``TRUSTED_HOSTS`` (comma-separated; ``.example.com`` also admits
        its subdomains), or the defaults of this config."""
        hosts = [h.strip().lower() for h in setting.split(",") if h.strip()]
        if hosts:
            return hosts
        if cls.DEFAULT_TRUSTED_HOSTS is None:
            raise ConfigError(
                "production refuses to start without TRUSTED_HOSTS in the environment "
                "(the host names the console answers to, comma-separated)"
            )
        return list(cls.DEFAULT_TRUSTED_HOSTS)

    @staticmethod
    def default_database_url(instance_path: str) -> str:
        return "sqlite:///" + str(Path(instance_path) / "mallconsole.db")

    @staticmethod
    def default_secret_key(instance_path: str) -> str:
        # Generated once and kept, so restarts keep sessions and encrypted MFA secrets valid.
        path = Path(instance_path) / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def parse_job_schedule(text: str) -> dict[str, int]:
    """``JOB_SCHEDULE="sweep-outbox=30,refresh-ratings=900"``: seconds between scheduled runs
    per job, overriding the defaults (0 turns a job's schedule off)."""
    schedule = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, seconds = item.partition("=")
        if not name.strip() or not seconds.strip().isdigit():
            raise ConfigError(f"JOB_SCHEDULE entry {item!r} is not name=seconds")
        schedule[name.strip()] = int(seconds)
    return schedule


class DevelopmentConfig(Config):
    NAME = "development"


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True
    TASK_RUNNER = "sync"
    EMBEDDED_SCHEDULER = False
    # Argon2 at its cheapest: tests sign in thousands of times. The tests of hashing and
    # sign-in timing put the standard parameters back (tests/conftest.py standard_hashing).
    PASSWORD_HASH_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

    @staticmethod
    def default_database_url(instance_path: str) -> str:
        return os.environ.get("TEST_DATABASE_URL") or "sqlite:///" + str(
            Path(instance_path) / "mallconsole-test.db"
        )


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-mallconsole_session"
    MFA_REQUIRED = True
    HSTS = True
    DEFAULT_TRUSTED_HOSTS = None
    DEFAULT_MEDIA_ORIGINS = ()

    @staticmethod
    def default_secret_key(instance_path: str) -> str:
        raise ConfigError("production refuses to start without SECRET_KEY in the environment")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None) -> type[Config]:
    """The settings class named by ``MALLCONSOLE_CONFIG`` (development by default)."""
    name = name or os.environ.get("MALLCONSOLE_CONFIG") or "development"
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"MALLCONSOLE_CONFIG={name!r} is not one of {', '.join(CONFIGS)}"
        ) from None
