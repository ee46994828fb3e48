"""Typed settings: declared keys parse with their types, one query per request, a seller's row
overrides the global one, and a missing or unreadable threshold asks for a second approval."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.extensions import db
from mallconsole.models import Configuration, utcnow
from mallconsole.services.kit import settings
from mallconsole.services.kit.settings import Kind, Setting, needs_dual_approval, parse

REFUND_USD = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
SELLER = "5b0e2c47-2f7e-4a51-9f9e-4d6f0f1a2b3c"


def configure(session, key: str, value: str, scope: str | None = None, **extra):
    row = Configuration(key=key, value=value, scope=scope, **extra)
    session.add(row)
    session.flush()
    return row


@contextmanager
def counted_queries(session):
    """The SQL statements run on the session's connection inside the block."""
    statements = []
    connection = session.connection()

    def collect(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", collect)


# ---- parse ---------------------------------------------------------------------------------
def test_each_declared_key_parses_with_its_type():
    assert parse(REFUND_USD, "250.00") == Decimal("250.00")
    assert parse(REFUND_USD, " 250 ") == Decimal("250.00")
    assert parse("finance.wallet.dual_approval_threshold.KRW", "100000") == Decimal(100000)
    assert parse(states.MODERATION_CLAIM_BATCH_SIZE, "25") == 25
    assert parse(states.MODERATION_CLAIM_MINUTES, "15") == timedelta(minutes=15)
    assert parse(states.PAYOUT_SETTLEMENT_DELAY_DAYS, "0") == timedelta(0)
    sla = states.SLA_FIRST_RESPONSE_HOURS.format(priority="urgent")
    assert parse(sla, "2") == timedelta(hours=2)
    assert parse(states.APPROVALS_EXPIRY_HOURS, "48") == timedelta(hours=48)
    assert parse(states.SHIPMENT_STALE_EVENT_DAYS, "5") == timedelta(days=5)


def test_an_unknown_key_is_a_plain_string():
    assert parse("storefront.banner.text", "  Spring sale  ") == "  Spring sale  "
    assert settings.declared("storefront.banner.text") is None


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        (
            REFUND_USD,
            "250.001",
            f"{REFUND_USD} is an amount in USD with at most 2 decimals (like 250.00), "
            "not '250.001'.",
        ),
        (REFUND_USD, "-5", None),
        (REFUND_USD, "1e3", None),
        (REFUND_USD, "", None),
        (
            "finance.refund.dual_approval_threshold.JPY",
            "99.5",
            "finance.refund.dual_approval_threshold.JPY is a whole amount in JPY (like 250), "
            "not '99.5'.",
        ),
        (
            states.MODERATION_CLAIM_BATCH_SIZE,
            "ten",
            "moderation.claim.batch_size is a whole number (1 or more), not 'ten'.",
        ),
        (states.MODERATION_CLAIM_BATCH_SIZE, "0", None),
        (states.PAYOUT_SETTLEMENT_DELAY_DAYS, "\u0663", None),  # an Arabic-Indic 3
        (REFUND_USD, "\u0663\u0660\u0660", None),  # an Arabic-Indic 300
        (
            states.PAYOUT_SETTLEMENT_DELAY_DAYS,
            "7.5",
            "finance.payout.settlement_delay_days is a whole number of days (0 or more), "
            "not '7.5'.",
        ),
        (
            "support.sla.first_response_hours.critical",
            "1",
            "support.sla.first_response_hours.critical is not a configuration key: 'critical' "
            "should be a case priority (low, normal, high, urgent).",
        ),
        ("finance.payout.dual_approval_threshold.usd", "1", None),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message(key, raw, message):
    with pytest.raises(ValidationError) as refused:
        parse(key, raw)
    assert refused.value.status == 422
    assert key in refused.value.message
    if message:
        assert refused.value.message == message
    assert list(refused.value.field_errors.values()) == [[refused.value.message]]


@pytest.fixture
def flags_and_rules(monkeypatch):
    """Two more declared keys, of the boolean and JSON kinds."""
    extra = (
        Setting("storefront.reviews.photos", Kind.BOOLEAN, "Photos in reviews", default=False),
        Setting("risk.rules.weights", Kind.JSON, "Weights of the risk rules", default={}),
    )
    monkeypatch.setattr(
        settings, "_PATTERNS", settings._PATTERNS + [settings._compiled(s) for s in extra]
    )


def test_booleans_and_json(flags_and_rules):
    assert parse("storefront.reviews.photos", "Yes") is True
    assert parse("storefront.reviews.photos", "off") is False
    with pytest.raises(ValidationError, match="is true or false, not 'maybe'"):
        parse("storefront.reviews.photos", "maybe")
    assert parse("risk.rules.weights", '{"velocity": 2}') == {"velocity": 2}
    with pytest.raises(ValidationError, match=r"is JSON \(Expecting"):
        parse("risk.rules.weights", "{velocity: 2}")


def test_typed_accessors_of_booleans_and_json(session, flags_and_rules):
    configure(session, "storefront.reviews.photos", "true")
    reader = settings.SettingsReader(session)
    assert reader.boolean("storefront.reviews.photos") is True
    assert reader.json("risk.rules.weights") == {}


# ---- the reader ------------------------------------------------------------------------------
def test_defaults_apply_without_rows(session):
    reader = settings.SettingsReader(session)
    assert reader.integer(states.MODERATION_CLAIM_BATCH_SIZE) == states.DEFAULT_CLAIM_BATCH_SIZE
    assert reader.duration(states.MODERATION_CLAIM_MINUTES) == timedelta(minutes=10)
    assert reader.duration(states.PAYOUT_SETTLEMENT_DELAY_DAYS) == timedelta(days=7)
    assert reader.integer(states.PAYOUT_SETTLEMENT_DELAY_DAYS) == 7
    assert reader.duration(states.SHIPMENT_STALE_EVENT_DAYS) == timedelta(days=3)
    assert reader.integer(states.APPROVALS_EXPIRY_HOURS) == 72
    urgent = states.SLA_FIRST_RESPONSE_HOURS.format(priority="urgent")
    low = states.SLA_FIRST_RESPONSE_HOURS.format(priority="low")
    assert reader.duration(urgent) == timedelta(hours=1)
    assert reader.duration(low) == timedelta(hours=72)
    assert reader.money(states.REFUND_DUAL_APPROVAL_THRESHOLD, "USD") is None
    assert reader.get("storefront.banner.text") is None


def test_rows_override_defaults_with_their_type(session):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "25")
    configure(session, REFUND_USD, "300")
    reader = settings.SettingsReader(session)
    assert reader.integer(states.MODERATION_CLAIM_BATCH_SIZE) == 25
    assert reader.money(states.REFUND_DUAL_APPROVAL_THRESHOLD, "usd") == Decimal("300.00")
    assert reader.get(REFUND_USD) == Decimal("300.00")


def test_a_seller_row_overrides_the_global_one_for_that_seller_only(session):
    configure(session, states.PAYOUT_SETTLEMENT_DELAY_DAYS, "7")
    configure(
        session, states.PAYOUT_SETTLEMENT_DELAY_DAYS, "14", scope=settings.seller_scope(SELLER)
    )
    configure(session, REFUND_USD, "100.00", scope=settings.seller_scope(SELLER))
    reader = settings.SettingsReader(session)
    key = states.PAYOUT_SETTLEMENT_DELAY_DAYS
    assert reader.duration(key, seller_id=SELLER) == timedelta(days=14)
    assert reader.duration(key, seller_id="another-seller") == timedelta(days=7)
    assert reader.duration(key) == timedelta(days=7)
    assert reader.money(states.REFUND_DUAL_APPROVAL_THRESHOLD, "USD") is None
    assert reader.money(states.REFUND_DUAL_APPROVAL_THRESHOLD, "USD", seller_id=SELLER) == Decimal(
        "100.00"
    )


def test_deleted_rows_do_not_count(session):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "40", deleted_at=utcnow())
    reader = settings.SettingsReader(session)
    assert reader.integer(states.MODERATION_CLAIM_BATCH_SIZE) == states.DEFAULT_CLAIM_BATCH_SIZE


def test_an_unreadable_row_falls_back_to_the_default_and_is_logged(session, caplog):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "lots")
    reader = settings.SettingsReader(session)
    with caplog.at_level(logging.WARNING):
        assert reader.integer(states.MODERATION_CLAIM_BATCH_SIZE) == 10
    (record,) = [r for r in caplog.records if "moderation.claim.batch_size" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "unreadable" in record.getMessage() and "'lots'" in record.getMessage()


def test_accessors_refuse_keys_of_another_kind(session):
    reader = settings.SettingsReader(session)
    with pytest.raises(ValueError):
        reader.integer(REFUND_USD)
    with pytest.raises(ValueError):
        reader.duration(states.MODERATION_CLAIM_BATCH_SIZE)
    with pytest.raises(ValueError):
        reader.money(states.MODERATION_CLAIM_BATCH_SIZE, "USD")


def test_five_keys_cost_one_query(session):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "25")
    reader = settings.SettingsReader(session)
    with counted_queries(session) as statements:
        reader.integer(states.MODERATION_CLAIM_BATCH_SIZE)
        reader.duration(states.MODERATION_CLAIM_MINUTES)
        reader.duration(states.PAYOUT_SETTLEMENT_DELAY_DAYS, seller_id=SELLER)
        reader.money(states.REFUND_DUAL_APPROVAL_THRESHOLD, "USD")
        needs_dual_approval(reader, "payout", Decimal("10"), "USD")
    assert len(statements) == 1
    reader.forget()
    with counted_queries(session) as statements:
        reader.integer(states.MODERATION_CLAIM_BATCH_SIZE)
    assert len(statements) == 1


def test_one_reader_per_request_and_a_new_one_outside(app, session):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "30")
    with app.test_request_context("/"):
        first = settings.reader(db.session)
        assert settings.reader(db.session) is first
        with counted_queries(session) as statements:
            assert settings.reader(db.session).integer(states.MODERATION_CLAIM_BATCH_SIZE) == 30
            assert settings.reader(db.session).duration(states.MODERATION_CLAIM_MINUTES)
        assert len(statements) == 1
    with app.test_request_context("/"):
        assert settings.reader(db.session) is not first
    assert settings.reader(session) is not settings.reader(session)


# ---- dual approval ---------------------------------------------------------------------------
def test_over_the_threshold_needs_a_second_approval(session):
    configure(session, REFUND_USD, "250.00")
    reader = settings.SettingsReader(session)
    assert not needs_dual_approval(reader, "refund", Decimal("249.99"), "USD")
    assert not needs_dual_approval(reader, "refund", Decimal("250.00"), "USD")  # at: one
    assert needs_dual_approval(reader, "refund", Decimal("250.01"), "USD")


def test_a_wallet_debit_counts_by_its_size(session):
    configure(session, states.WALLET_DUAL_APPROVAL_THRESHOLD.format(currency="USD"), "100")
    reader = settings.SettingsReader(session)
    assert needs_dual_approval(reader, "wallet", Decimal("-150.00"), "USD")
    assert not needs_dual_approval(reader, "wallet", Decimal("-50.00"), "USD")


def test_a_seller_threshold_applies_to_that_sellers_payouts(session):
    key = states.PAYOUT_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
    configure(session, key, "5000.00")
    configure(session, key, "1000.00", scope=settings.seller_scope(SELLER))
    reader = settings.SettingsReader(session)
    assert needs_dual_approval(reader, "payout", Decimal("2000"), "USD", seller_id=SELLER)
    assert not needs_dual_approval(reader, "payout", Decimal("2000"), "USD", seller_id="other")
    assert not needs_dual_approval(reader, "payout", Decimal("2000"), "USD")


def _warnings_about(caplog, key):
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name == "mallconsole" and key in r.getMessage()
    ]


def test_a_missing_threshold_fails_safe_and_is_logged(app, session, caplog):
    reader = settings.SettingsReader(session)
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert needs_dual_approval(reader, "refund", Decimal("1.00"), "USD")
    (record,) = _warnings_about(caplog, REFUND_USD)
    assert "missing" in record.getMessage()
    assert "needs a second approval" in record.getMessage()


def test_an_unreadable_threshold_fails_safe_and_is_logged(app, session, caplog):
    configure(session, REFUND_USD, "two hundred")
    reader = settings.SettingsReader(session)
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert needs_dual_approval(reader, "refund", Decimal("1.00"), "USD")
    (record,) = _warnings_about(caplog, REFUND_USD)
    assert "unreadable" in record.getMessage() and "'two hundred'" in record.getMessage()


def test_an_unreadable_seller_threshold_fails_safe_even_with_a_global_one(app, session, caplog):
    configure(session, REFUND_USD, "250.00")
    configure(session, REFUND_USD, "12.345", scope=settings.seller_scope(SELLER))
    reader = settings.SettingsReader(session)
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert needs_dual_approval(reader, "refund", Decimal("1.00"), "USD", seller_id=SELLER)
    (record,) = _warnings_about(caplog, REFUND_USD)
    assert f"seller:{SELLER}" in record.getMessage()


def test_an_unknown_currency_fails_safe(app, session, caplog):
    reader = settings.SettingsReader(session)
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert needs_dual_approval(reader, "refund", Decimal("1"), "ZZZ")
    assert _warnings_about(caplog, "ZZZ")


def test_dual_approval_refuses_what_is_not_money_or_not_a_kind(session):
    reader = settings.SettingsReader(session)
    with pytest.raises(TypeError):
        needs_dual_approval(reader, "refund", 1.5, "USD")
    with pytest.raises(ValueError):
        needs_dual_approval(reader, "chargeback", Decimal("1"), "USD")
