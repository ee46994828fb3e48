"""Revision 0015 over stock adjustments stored with the demo world's older reasons: they take
the one vocabulary of ``core/states.py``, and down gives them back."""

import flask_migrate
from sqlalchemy import text

from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.models import InventoryAdjustment
from tests.databases import make_test_app, new_database
from tests.factories.records import build

REASONS = (
    "SELECT reason_category FROM shopping_mall_inventory_adjustments "
    "WHERE adjustment_reference LIKE 'mig15-%' ORDER BY adjustment_reference"
)
OLD = ["damaged", "restock", "found", "cycle_count"]


def stored() -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(text(REASONS)).scalars())


def test_0015_renames_the_old_adjustment_reasons(tmp_path):
    url, drop = new_database(tmp_path, "mig15")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            # Rows written with today's models and the old words, the schema taken back to
            # 0014 (the rows stay as written), then 0015 run over them.
            flask_migrate.upgrade()
            session = db.session
            for n, reason in enumerate(OLD):
                build(session, InventoryAdjustment, adjustment_reference=f"mig15-{n}",
                      delta=1, reason_category=reason)  # fmt: skip
            session.commit()
            session.remove()
            flask_migrate.downgrade(revision="0014")
            assert stored() == OLD
            flask_migrate.upgrade(revision="0015")
            assert stored() == ["damage", "receive", "correction", "cycle_count"]
            assert set(stored()) <= set(states.INVENTORY_ADJUSTMENT_REASONS)
            flask_migrate.downgrade(revision="0014")  # each old word was one new word
            assert stored() == OLD
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()
