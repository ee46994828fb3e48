"""Revision 0016 over carriers stored with the demo world's ``{tracking}`` placeholder: their
templates name ``{tracking_number}``, nothing else in them changes, every carrier starts at
version 1, and down writes ``{tracking}`` back."""

import importlib.util
from pathlib import Path

import flask_migrate
from sqlalchemy import text

from mallconsole.extensions import db
from tests.databases import make_test_app, new_database

REVISION = (
    Path(__file__).resolve().parent.parent / "migrations/versions/0016_carrier_tracking_template.py"
)
TEMPLATES = {
    "old": "https://www.ups.com/track?tracknum={tracking}&lang=en",
    "twice": "https://t.example/{tracking}/{tracking}",
    "new": "https://t.example/?n={tracking_number}",
    "near": "https://t.example/?n={trackingnumber}",
    "none": None,
}


def before_0016() -> str:
    """The revision 0016 follows (read from it: it may be re-chained after another)."""
    spec = importlib.util.spec_from_file_location("revision_0016", REVISION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.revision == "0016"
    return module.down_revision


def templates() -> dict:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT code, tracking_url_template FROM shopping_mall_carriers")
        )
        return dict(rows.all())


def test_0016_rewrites_the_placeholder_and_gives_carriers_a_version(tmp_path):
    url, drop = new_database(tmp_path, "mig16")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade(revision=before_0016())
            with db.engine.begin() as connection:
                for n, (code, template) in enumerate(TEMPLATES.items()):
                    connection.execute(
                        text(
                            "INSERT INTO shopping_mall_carriers (id, code, name, "
                            "tracking_url_template, active, created_at, updated_at) VALUES "
                            "(:id, :code, :code, :template, :active, :at, :at)"
                        ),
                        {"id": f"carrier-{n}", "code": code, "template": template,
                         "active": True, "at": "2026-01-01 00:00:00+00:00"},
                    )  # fmt: skip
            flask_migrate.upgrade(revision="0016")
            assert templates() == {
                "old": "https://www.ups.com/track?tracknum={tracking_number}&lang=en",
                "twice": "https://t.example/{tracking_number}/{tracking_number}",
                "new": "https://t.example/?n={tracking_number}",
                "near": "https://t.example/?n={trackingnumber}",
                "none": None,
            }
            with db.engine.connect() as connection:
                versions = connection.execute(
                    text("SELECT DISTINCT version FROM shopping_mall_carriers")
                ).scalars().all()  # fmt: skip
            assert versions == [1]
            flask_migrate.downgrade(revision=before_0016())
            assert templates()["old"] == TEMPLATES["old"]
            assert templates()["twice"] == TEMPLATES["twice"]
            assert templates()["none"] is None
            flask_migrate.upgrade()
            assert "{tracking}" not in "".join(t for t in templates().values() if t)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()
