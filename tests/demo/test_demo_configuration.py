"""The configuration the demo world seeds reads with the declared types of
``mallconsole/services/kit/settings.py``, and holds every key of docs/contract.md."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.services.kit import settings


def test_every_seeded_value_parses_with_its_type(demo):
    found = demo.execute(
        text("SELECT key, value, scope FROM shopping_mall_configurations WHERE deleted_at IS NULL")
    ).all()
    declared = [(key, value) for key, value, _ in found if settings.declared(key)]
    assert len(declared) == len(found), "the demo world seeds only declared keys"
    for key, value in declared:
        settings.parse(key, value)  # raises with a message if it does not
    keys = {key for key, _, _ in found}
    for setting in settings.SETTINGS:
        wanted = setting.pattern.format(currency="USD", priority="urgent")
        assert wanted in keys, wanted


def test_the_demo_configuration_through_the_reader(demo):
    (seller_id, scope_value), *_ = demo.execute(
        text(
            "SELECT substr(scope, 8), value FROM shopping_mall_configurations "
            "WHERE scope LIKE 'seller:%'"
        )
    ).all()
    with Session(bind=demo) as session:
        reader = settings.SettingsReader(session)
        key = states.PAYOUT_SETTLEMENT_DELAY_DAYS
        assert reader.duration(key) == timedelta(days=states.DEFAULT_SETTLEMENT_DELAY_DAYS)
        assert reader.integer(key, seller_id=seller_id) == int(scope_value) != 7
        assert reader.money(states.REFUND_DUAL_APPROVAL_THRESHOLD, "USD") == Decimal("250.00")
        assert settings.needs_dual_approval(reader, "refund", Decimal("250.01"), "USD")
        assert not settings.needs_dual_approval(reader, "payout", Decimal("4999"), "EUR")
