"""Test set-up: one migrated database per test run (and per xdist worker), one savepoint per test.

SQLite by default; ``TEST_DATABASE_URL`` selects a PostgreSQL server, on which each run creates
(and finally drops) a fresh database named after that URL's database.
"""

from __future__ import annotations

import os
import uuid

import flask_migrate
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

from mallconsole.extensions import db
from tests.databases import cached_schema, make_test_app, new_database

# Apps built by tests in other configurations (production) never start the scheduler thread.
os.environ["EMBEDDED_SCHEDULER"] = "0"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """A new, empty database for this run: a SQLite file or a fresh PostgreSQL database."""
    url, drop = new_database(tmp_path_factory.mktemp("db"), worker_id)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def empty_database_url(tmp_path, worker_id):
    """Another new, empty database, for tests that build or rebuild a schema themselves."""
    url, drop = new_database(tmp_path, f"empty_{worker_id}")
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The console on the test database, built by running the migrations."""
    instance = tmp_path_factory.mktemp("instance")

    def migrate(url):
        migrating = make_test_app(url, instance)
        with migrating.app_context():
            flask_migrate.upgrade()
            db.engine.dispose()

    copied = cached_schema(database_url, tmp_path_factory.getbasetemp().parent, migrate)
    app = make_test_app(database_url, instance)
    if not copied:
        with app.app_context():
            flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def session(app):
    """The request session bound to one connection; everything it does is rolled back."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        scoped = scoped_session(factory)
        original = db.session
        db.session = scoped
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def dialect(app) -> str:
    """``sqlite`` or ``postgresql``."""
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def committed_engine(app):
    """A separate engine for tests that need committed data and real parallel connections."""
    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, pool_size=25, max_overflow=5)
    yield engine
    engine.dispose()


@pytest.fixture
def private_engine(app, tmp_path, worker_id):
    """A migrated database of the test's own, for races that commit many rows: what they leave
    (and the planner statistics their rows cause) never reaches the suite's shared database."""
    url, drop = new_database(tmp_path, f"private_{worker_id}")
    private = make_test_app(url, tmp_path / "private-instance")
    with private.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    engine = create_engine(url, pool_size=25, max_overflow=5)
    try:
        yield engine
    finally:
        engine.dispose()
        drop()


@pytest.fixture
def standard_hashing(app, monkeypatch):
    """Argon2 with the production parameters, for the tests of hashing and sign-in timing
    themselves (the testing config hashes at the cheapest cost)."""
    from mallconsole.services.identity import passwords

    monkeypatch.setitem(app.extensions, passwords.EXTENSION_KEY, passwords.STANDARD)
    return passwords.STANDARD


@pytest.fixture
def client(app, session):
    """A Flask test client whose requests share the test's rolled-back session."""
    return app.test_client()


def pytest_collection_modifyitems(config, items):
    on_postgres = bool(os.environ.get("TEST_DATABASE_URL"))
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (set TEST_DATABASE_URL): row locks, "
        "SKIP LOCKED and exact NUMERIC are PostgreSQL features"
    )
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            item.add_marker(skip)


# --- signing in from tests -------------------------------------------------------------------


def csrf_from(html: bytes | str) -> str:
    """The CSRF token of a console page (hidden field or the csrf-token meta tag)."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(html, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    if field is not None:
        return field["value"]
    return page.find("meta", attrs={"name": "csrf-token"})["content"]


def sign_in(client, email: str, password: str, **extra):
    """Post the sign-in form as a browser would (token from the form); the response."""
    token = csrf_from(client.get("/login").data)
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data)


@pytest.fixture
def login_as(client, session):
    """``login_as(role, ...)``: a new staff member with those roles, signed in on ``client``."""
    from tests.factories.actors import DEFAULT_PASSWORD, make_staff

    def login(*roles, email: str | None = None, **kwargs):
        email = email or f"{'-'.join(roles) or 'staff'}-{uuid.uuid4().hex[:8]}@test.mall"
        user = make_staff(session, email, roles, **kwargs)
        response = sign_in(client, email, kwargs.get("password", DEFAULT_PASSWORD))
        assert response.status_code == 302, response.data
        return user

    return login


@pytest.fixture
def token_of(client):
    """``token_of(path)``: the CSRF token on a page, for posting like the browser does."""

    def token(path: str = "/account") -> str:
        return csrf_from(client.get(path).data)

    return token


# --- counting SQL statements ------------------------------------------------------------------


@pytest.fixture
def count_queries(app):
    """``with count_queries() as statements:`` collects the SQL statements run inside (the
    savepoint bookkeeping of the test session left out)."""
    from contextlib import contextmanager

    from flask import has_app_context
    from sqlalchemy import event

    bookkeeping = ("SAVEPOINT", "RELEASE", "ROLLBACK")

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(_conn, _cursor, statement, _parameters, _context, _executemany):
            if not statement.lstrip().upper().startswith(bookkeeping):
                statements.append(statement)

        if has_app_context():
            # the test's own context (the session fixture's): popping a new one would end
            # the test session and roll back the rows the test just made
            engine = db.engine
        else:
            with app.app_context():
                engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# --- stored files: an S3-compatible server for the run (moto) ---------------------------------


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a moto S3 server on a free loopback port, for the whole run."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_endpoint):
    """One S3 client of the test server for the run (building a client takes a while)."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return session.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def s3_bucket(s3_client, monkeypatch, tmp_path):
    """A new, empty bucket on the test S3 server; the environment holds test credentials (and
    no ~/.aws files are read) for code that builds its own client."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    name = f"files-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture(autouse=True)
def _fresh_counts():
    """Each test counts its own rows: nothing kept from an earlier test's counts."""
    from mallconsole.services.kit.pagination import forget_counts

    forget_counts()
    yield


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test():
    """``LEAK_CHECK=1``: collect garbage after every test, so a connection a test forgot to
    close is reported against that test rather than a later one."""
    yield
    if os.environ.get("LEAK_CHECK") == "1":
        import gc

        gc.collect()
