"""A CSV export streams whole after the request's commit, from a committed database (on
PostgreSQL the request's commit used to close the server-side cursor after the header row), and
its download is audited once, only when the whole file was sent."""

from __future__ import annotations

import csv
import io

import flask_migrate
import pytest
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import AuditEvent
from mallconsole.services.money import finance_exports
from tests.conftest import sign_in
from tests.databases import make_test_app, new_database
from tests.factories.actors import DEFAULT_PASSWORD, make_staff
from tests.factories.ledgers import post, seller_with_account

ENTRIES = finance_exports.BATCH * 2 + 7  # more than two batches of the server-side cursor


@pytest.fixture(scope="module")
def committed(tmp_path_factory):
    """An app on a database of its own, its data committed: no test transaction around it."""
    folder = tmp_path_factory.mktemp("export-streaming")
    url, drop = new_database(folder, "exports")
    app = make_test_app(url, folder / "instance")
    with app.app_context():
        flask_migrate.upgrade()
        make_staff(db.session, "exports@finance.test", (Role.FINANCE_MANAGER,))
        seller = seller_with_account(db.session, name="Streaming Goods")
        for n in range(ENTRIES):
            post(db.session, seller, "1.00", days_ago=40 + n % 7)
        db.session.commit()
        seller_id = seller.id
    try:
        yield app, seller_id
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def _downloads(app) -> int:
    with app.app_context():
        found = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export_downloaded")
        ).all()
        db.session.remove()
        return len(found)


def test_the_whole_ledger_arrives_and_is_audited_once(committed):
    app, seller_id = committed
    client = app.test_client()
    assert sign_in(client, "exports@finance.test", DEFAULT_PASSWORD).status_code == 302
    before = _downloads(app)
    response = client.get(f"/finance/exports/ledger/{seller_id}.csv", buffered=False)
    assert response.status_code == 200
    assert _downloads(app) == before  # the request committed; the file is not sent yet
    body = b"".join(response.iter_encoded()).decode()
    response.close()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "occurred_at"
    assert len(rows) == ENTRIES + 1
    assert _downloads(app) == before + 1


def test_a_download_that_breaks_off_is_not_audited(committed):
    app, seller_id = committed
    client = app.test_client()
    assert sign_in(client, "exports@finance.test", DEFAULT_PASSWORD).status_code == 302
    before = _downloads(app)
    response = client.get(f"/finance/exports/ledger/{seller_id}.csv", buffered=False)
    chunks = response.iter_encoded()
    assert next(chunks).startswith(b"occurred_at")
    response.close()  # the client went away after the header
    assert _downloads(app) == before
