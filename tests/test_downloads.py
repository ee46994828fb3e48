"""Downloads through the console: streamed, named safely, never cached, audited when asked.

The console's test app cannot get new routes once it has served a request, so these tests build
their own console app on the same test database with one download route added.
"""

from __future__ import annotations

import os
import types

import pytest
from bs4 import BeautifulSoup
from flask import request

from mallconsole.core.roles import Permission, Role
from mallconsole.extensions import db
from mallconsole.models import AuditEvent
from mallconsole.services.delivery.storage import (
    CHUNK_SIZE,
    EXTENSION_KEY,
    FolderStorage,
    S3Storage,
    storage_for,
)
from mallconsole.web.authz import require
from mallconsole.web.downloads import (
    DownloadAudit,
    content_disposition,
    safe_file_name,
    send_stored,
)
from tests.conftest import sign_in
from tests.databases import make_test_app
from tests.factories.actors import DEFAULT_PASSWORD, make_staff


@pytest.fixture(scope="module")
def download_app(database_url, tmp_path_factory):
    """A console app with one extra route, the way an export screen uses ``send_stored``."""
    app = make_test_app(database_url, tmp_path_factory.mktemp("download-instance"))

    @app.get("/admin/test-files/<path:key>")
    @require(Permission.ADMIN_ACCESS)
    def test_file_download(key):
        audit = None
        if request.args.get("audit"):
            audit = DownloadAudit(
                "shopping_mall_data_exports",
                request.args["audit"],
                action="export_downloaded",
                details={"key": key},
            )
        return send_stored(key, request.args.get("name", "report.csv"), audit=audit)

    yield app
    with app.app_context():
        db.engine.dispose()  # its pooled connections, before the garbage collector finds them


@pytest.fixture
def files(download_app):
    """The download app's storage (its UPLOAD_DIR folder)."""
    return storage_for(download_app)


@pytest.fixture
def download_client(download_app, session):
    return download_app.test_client()


@pytest.fixture
def signed_in(download_client, session):
    """``signed_in(role)``: a staff member with that role, signed in on the download app; their
    id."""
    count = iter(range(1000))

    def sign(role):
        email = f"files-{role}-{next(count)}-{os.urandom(3).hex()}@test.mall"
        # The id is read first: each request of this app ends by closing the shared session.
        user_id = make_staff(session, email, (role,)).id
        assert sign_in(download_client, email, DEFAULT_PASSWORD).status_code == 302
        return user_id

    return sign


def test_a_download_streams_the_file_as_an_attachment(download_client, signed_in, files):
    signed_in(Role.SYSTEM_ADMIN)
    content = os.urandom(3 * CHUNK_SIZE + 11)
    files.save("exports/EXP-20261122-000001/orders.csv", content, "text/csv")
    response = download_client.get(
        "/admin/test-files/exports/EXP-20261122-000001/orders.csv?name=orders.csv"
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Content-Disposition"] == 'attachment; filename="orders.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/csv"
    assert response.get_data() == content


def test_an_audited_download_writes_one_event_once_the_file_was_sent(
    download_client, signed_in, files, session
):
    admin_id = signed_in(Role.SYSTEM_ADMIN)
    files.save("exports/EXP-2/refunds.csv", b"id,amount\n1,10.00\n", "text/csv")
    response = download_client.get(
        "/admin/test-files/exports/EXP-2/refunds.csv?audit=export-2&name=Refunds November.csv"
    )
    assert response.status_code == 200
    assert session.query(AuditEvent).filter_by(entity_id="export-2").count() == 0  # not yet
    assert response.data == b"id,amount\n1,10.00\n"
    response.close()
    events = session.query(AuditEvent).filter_by(entity_id="export-2").all()
    assert len(events) == 1
    event = events[0]
    assert (event.actor_user_id, event.entity_table, event.action) == (
        admin_id,
        "shopping_mall_data_exports",
        "export_downloaded",
    )
    assert event.summary == "Downloaded Refunds November.csv"
    assert event.changes["after"] == {
        "file_name": "Refunds November.csv",
        "size": 18,
        "key": "exports/EXP-2/refunds.csv",
    }


def test_a_missing_file_answers_404_with_a_message_and_no_audit(
    download_client, signed_in, session
):
    signed_in(Role.SYSTEM_ADMIN)
    response = download_client.get("/admin/test-files/exports/none.csv?audit=export-404")
    assert response.status_code == 404
    page = BeautifulSoup(response.data, "html.parser")
    assert "no longer available" in page.get_text()
    assert session.query(AuditEvent).filter_by(entity_id="export-404").count() == 0


@pytest.mark.parametrize(
    "path", ["exports/.hidden", "exports//x.csv", "exports/%2E%2E/%2E%2E/secret_key"]
)
def test_a_bad_key_answers_400(download_client, signed_in, path):
    signed_in(Role.SYSTEM_ADMIN)
    response = download_client.get(f"/admin/test-files/{path}")
    assert response.status_code == 400
    assert "storage key" in response.get_data(as_text=True)


def test_the_view_checks_the_permission_before_anything_is_read(
    download_client, signed_in, files, session
):
    signed_in(Role.SUPPORT_AGENT)
    files.save("exports/EXP-3/payouts.csv", b"secret")
    response = download_client.get("/admin/test-files/exports/EXP-3/payouts.csv?audit=export-3")
    assert response.status_code == 403
    assert b"secret" not in response.data
    assert session.query(AuditEvent).filter_by(entity_id="export-3").count() == 0


def test_downloads_stream_from_s3_too(
    download_app, download_client, signed_in, s3_bucket, s3_client
):
    signed_in(Role.SYSTEM_ADMIN)
    previous = download_app.extensions.get(EXTENSION_KEY)
    download_app.extensions[EXTENSION_KEY] = S3Storage(s3_bucket, "console", client=s3_client)
    try:
        content = os.urandom(CHUNK_SIZE * 2 + 1)
        download_app.extensions[EXTENSION_KEY].save("exports/EXP-4/o.csv", content, "text/csv")
        response = download_client.get("/admin/test-files/exports/EXP-4/o.csv?name=o.csv")
        assert response.status_code == 200 and response.is_streamed
        assert response.mimetype == "text/csv"
        assert response.get_data() == content
        assert download_client.get("/admin/test-files/exports/EXP-4/gone.csv").status_code == 404
    finally:
        download_app.extensions[EXTENSION_KEY] = previous


class Watched(FolderStorage):
    """A folder backend that remembers the files it opened."""

    def __init__(self, root):
        super().__init__(root)
        self.opened = []

    def open(self, key):
        stored = super().open(key)
        self.opened.append(stored)
        return stored


def test_a_download_cut_short_still_closes_the_file(app, tmp_path):
    storage = Watched(tmp_path)
    storage.save("exports/long.bin", os.urandom(5 * CHUNK_SIZE))
    with app.test_request_context("/"):
        response = send_stored("exports/long.bin", "long.bin", storage=storage)
    assert isinstance(response.response, types.GeneratorType)
    first = next(response.response)
    assert len(first) == CHUNK_SIZE
    response.close()  # what the server does when the client goes away
    assert storage.opened[0].closed


@pytest.mark.parametrize(
    ("given", "plain", "exact"),
    [
        ("orders.csv", "orders.csv", None),
        ("../../etc/passwd", "passwd", None),
        ("C:\\Users\\ana\\report.pdf", "report.pdf", None),
        ('say "hi";.txt', "say _hi.txt", "say%20%22hi%22%3B.txt"),
        ("Rücksendungen.csv", "Rucksendungen.csv", "R%C3%BCcksendungen.csv"),
        ("보고서.csv", "download.csv", "%EB%B3%B4%EA%B3%A0%EC%84%9C.csv"),
        ("line\r\nInjected: yes", "lineInjected_ yes", "lineInjected%3A%20yes"),
        ("", "download", None),
        ("..", "download", None),
    ],
)
def test_content_disposition_is_safe_and_keeps_the_exact_name(given, plain, exact):
    expected = f'attachment; filename="{plain}"'
    if exact:
        expected += f"; filename*=UTF-8''{exact}"
    assert content_disposition(given) == expected


def test_long_names_are_cut_keeping_the_extension():
    name = safe_file_name("x" * 400 + ".xlsx")
    assert len(name) <= 150 and name.endswith(".xlsx")


def test_a_download_that_breaks_off_is_not_recorded_as_made(
    download_client, signed_in, files, session
):
    signed_in(Role.SYSTEM_ADMIN)
    files.save("exports/EXP-3/big.csv", b"x" * 300_000, "text/csv")
    response = download_client.get("/admin/test-files/exports/EXP-3/big.csv?audit=export-3")
    first = next(response.response)  # the first chunk arrives, then the client goes away
    assert first
    response.close()
    assert session.query(AuditEvent).filter_by(entity_id="export-3").count() == 0
