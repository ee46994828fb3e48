"""The configuration editor's service: values checked per declared kind, ordinary keys saved at
once (versioned, audited), sensitive keys (the finance thresholds) only through approval,
seller overrides, and revert from the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, AuditEvent, Configuration, Seller
from mallconsole.services import approvals
from mallconsole.services.admin import configuration
from mallconsole.services.kit import settings, versions
from tests.factories.actors import make_staff
from tests.factories.records import build

REFUND_USD = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
REFUND_JPY = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="JPY")


@pytest.fixture
def admin(session):
    return make_staff(session, "config-maker@test.mall", (Role.SYSTEM_ADMIN,))


@pytest.fixture
def admin2(session):
    return make_staff(session, "config-checker@test.mall", (Role.SYSTEM_ADMIN,))


@pytest.mark.parametrize(
    ("key", "bad", "expected", "good"),
    [
        (REFUND_USD, "12.345", "at most 2 decimals", "300.00"),
        (REFUND_JPY, "300.5", "a whole amount in JPY", "30000"),
        (states.MODERATION_CLAIM_BATCH_SIZE, "ten", "a whole number (1 or more)", "20"),
        (states.MODERATION_CLAIM_BATCH_SIZE, "0", "a whole number (1 or more)", "1"),
        (states.PAYOUT_SETTLEMENT_DELAY_DAYS, "7 days", "a whole number of days", "14"),
        (states.MODERATION_CLAIM_MINUTES, "-5", "a whole number of minutes", "15"),
    ],
)
def test_each_kind_is_checked_on_save(session, admin, key, bad, expected, good):
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, key, bad, actor=admin, justification="Try")
    assert expected in refused.value.field_errors["value"][0]
    changed = configuration.change(session, key, good, actor=admin, justification="Fits")
    assert changed.row is not None or changed.request is not None


def test_boolean_and_json_kinds(session, admin, monkeypatch):
    declared = (
        settings.Setting("test.flagged", settings.Kind.BOOLEAN, "A yes/no setting"),
        settings.Setting("test.rules", settings.Kind.JSON, "A JSON setting"),
    )
    monkeypatch.setattr(
        settings, "_PATTERNS", [*settings._PATTERNS, *map(settings._compiled, declared)]
    )
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, "test.flagged", "perhaps", actor=admin)
    assert "true or false" in refused.value.field_errors["value"][0]
    assert configuration.change(session, "test.flagged", "yes", actor=admin).row.value == "yes"
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, "test.rules", '{"max": 3', actor=admin)
    assert "JSON" in refused.value.field_errors["value"][0]
    assert configuration.change(session, "test.rules", '{"max": 3}', actor=admin).row
    assert configuration.kind_words("test.flagged") == "True or false"
    assert configuration.kind_words("test.rules") == "JSON"


def test_unknown_keys_are_kept_as_text(session, admin):
    row = configuration.change(session, "storefront.banner_text", "Free shipping!", actor=admin).row
    assert row.value == "Free shipping!" and row.scope is None
    assert configuration.kind_words("storefront.banner_text") == "Text (not a known key)"
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, "bad key!", "x", actor=admin)
    assert "key" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, "storefront.banner_text.x", "  ", actor=admin)
    assert refused.value.field_errors["value"] == ["Give a value."]


def test_a_declared_key_with_a_wrong_currency_is_refused(session, admin):
    with pytest.raises(ValidationError) as refused:
        configuration.change(
            session, "finance.refund.dual_approval_threshold.EURO", "1", actor=admin
        )
    assert "currency code" in refused.value.field_errors["key"][0]


@pytest.mark.parametrize(
    "key",
    [
        "FINANCE.refund.dual_approval_threshold.USD",
        "finance.refund.dual_approval_threshold.usd",
        "Moderation.Claim.Batch_Size",
    ],
)
def test_a_known_key_in_another_case_is_refused(session, admin, key):
    """Services read keys letter for letter: a look-alike would be plain text, changed without
    the approval the real key needs."""
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, key, "1", actor=admin)
    message = refused.value.field_errors["key"][0]
    assert message.startswith("Write this known key exactly as ")
    assert settings.declared(message.split(" as ")[1].split(":")[0]) is not None
    assert session.scalar(select(Configuration.id).where(Configuration.key == key)) is None


def test_a_wrong_key_and_a_missing_value_are_named_together(session, admin):
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, "not a key", "", actor=admin)
    assert set(refused.value.field_errors) == {"key", "value"}


def test_an_ordinary_key_saves_at_once_with_version_and_audit(session, admin):
    key = states.MODERATION_CLAIM_BATCH_SIZE
    row = configuration.change(session, key, "10", actor=admin).row
    session.flush()
    assert row.version == 1
    changed = configuration.change(session, key, "25", actor=admin, expected_version=1)
    session.flush()
    assert changed.row.value == "25" and changed.row.version == 2
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == row.id, AuditEvent.action == "configuration.changed"
        )
    ).one()
    assert event.changes == {
        "before": {"value": "10", "version": 1},
        "after": {"value": "25", "version": 2},
    }
    assert settings.reader(session).integer(key) == 25
    with pytest.raises(versions.StaleRecord):
        configuration.change(session, key, "30", actor=admin, expected_version=1)
    with pytest.raises(Conflict):  # a second row for the same key and scope
        configuration.change(session, key, "30", actor=admin)


def test_sensitive_keys_change_only_through_approval(session, admin, admin2):
    session.add(Configuration(key=REFUND_USD, value="250.00"))
    session.flush()
    assert configuration.is_sensitive(REFUND_USD)
    assert not configuration.is_sensitive(states.MODERATION_CLAIM_BATCH_SIZE)
    with pytest.raises(ValidationError) as refused:  # no justification
        configuration.change(session, REFUND_USD, "300.00", actor=admin, expected_version=1)
    assert "justification" in refused.value.field_errors
    changed = configuration.change(
        session, REFUND_USD, "300.00", actor=admin, expected_version=1, justification="Q4 peak"
    )
    session.flush()
    assert changed.row is None and changed.request.action.action_name == "change_configuration"
    row = session.scalars(select(Configuration).where(Configuration.key == REFUND_USD)).one()
    assert row.value == "250.00"  # not yet
    approvals.decide(
        session,
        changed.request.action.id,
        "approve",
        actor=admin2,
        revision=changed.request.action.revision,
    )
    session.flush()
    assert row.value == "300.00"


def test_a_seller_override_and_its_scope(session, admin):
    seller = build(session, Seller)
    scope = settings.seller_scope(seller.id)
    key = states.PAYOUT_SETTLEMENT_DELAY_DAYS
    configuration.change(session, key, "7", actor=admin)
    override = configuration.change(session, key, "14", actor=admin, scope=scope).row
    session.flush()
    reader = settings.SettingsReader(session)
    assert reader.integer(key, seller_id=seller.id) == 14 and reader.integer(key) == 7
    entry = configuration.get_entry(session, override.id)
    assert entry.scope_words == f"Seller: {seller.display_name}"
    with pytest.raises(ValidationError) as refused:
        configuration.change(session, key, "3", actor=admin, scope="seller:not-a-seller")
    assert "scope" in refused.value.field_errors


def test_a_seller_code_names_the_sellers_scope(session):
    seller = build(session, Seller)
    assert configuration.scope_of_seller_code(session, f" {seller.seller_code} ") == (
        settings.seller_scope(seller.id)
    )
    assert configuration.scope_of_seller_code(session, "  ") is None
    with pytest.raises(ValidationError) as refused:
        configuration.scope_of_seller_code(session, "S99999999")
    assert refused.value.field_errors == {"seller": ["There is no seller with the code S99999999."]}


def test_revert_restores_the_previous_value(session, admin):
    key = states.SHIPMENT_STALE_EVENT_DAYS
    row = configuration.change(session, key, "3", actor=admin).row
    session.flush()
    configuration.change(session, key, "5", actor=admin, expected_version=1)
    session.flush()
    configuration.change(session, key, "9", actor=admin, expected_version=2)
    session.flush()
    events = configuration.history(session, row)
    to_five = next(e for e in events if e.event.changes["after"].get("value") == "5")
    configuration.revert(session, row.id, to_five.event.id, expected_version=3, actor=admin)
    session.flush()
    assert row.value == "3" and row.version == 4
    created = next(e for e in events if e.event.action == "configuration.created")
    with pytest.raises(ValidationError):
        configuration.revert(session, row.id, created.event.id, expected_version=4, actor=admin)


def test_a_sensitive_revert_goes_through_approval(session, admin, admin2):
    row = Configuration(key=REFUND_USD, value="250.00")
    session.add(row)
    session.flush()
    first = configuration.change(
        session, REFUND_USD, "300.00", actor=admin, expected_version=1, justification="Peak"
    ).request.action
    approvals.decide(session, first.id, "approve", actor=admin2, revision=first.revision)
    session.flush()
    change_event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == row.id, AuditEvent.action == "configuration.changed"
        )
    ).one()
    with pytest.raises(ValidationError):
        configuration.revert(session, row.id, change_event.id, expected_version=2, actor=admin)
    requested = configuration.revert(
        session, row.id, change_event.id, expected_version=2, actor=admin, justification="Peak over"
    ).request
    session.flush()
    assert requested.action.payload["after"] == {"value": "250.00"} and row.value == "300.00"
    assert (
        session.scalar(select(AdminAction.status).where(AdminAction.id == requested.action.id))
        == "pending"
    )


def test_known_keys_not_set_are_listed_with_their_default(session, admin):
    unset = {key: default for key, _, default in configuration.unset_keys(session)}
    assert unset[states.MODERATION_CLAIM_BATCH_SIZE] == str(states.DEFAULT_CLAIM_BATCH_SIZE)
    assert unset[states.PAYOUT_SETTLEMENT_DELAY_DAYS] == str(states.DEFAULT_SETTLEMENT_DELAY_DAYS)
    configuration.change(session, states.MODERATION_CLAIM_BATCH_SIZE, "12", actor=admin)
    session.flush()
    assert states.MODERATION_CLAIM_BATCH_SIZE not in {
        k for k, _, _ in configuration.unset_keys(session)
    }


# --- removing a value ------------------------------------------------------------------------


def test_removing_a_seller_override_brings_back_the_global_value(session, admin):
    seller = build(session, Seller)
    scope = settings.seller_scope(seller.id)
    key = states.PAYOUT_SETTLEMENT_DELAY_DAYS
    configuration.change(session, key, "7", actor=admin)
    override = configuration.change(session, key, "14", actor=admin, scope=scope).row
    session.flush()
    assert settings.SettingsReader(session).integer(key, seller_id=seller.id) == 14
    entry = configuration.get_entry(session, override.id)
    assert configuration.removal_refused(override) is None
    after = configuration.inherited(session, key, scope)
    assert after == configuration.Inherited("7", "global value")
    assert configuration.inherited_words(entry, after) == (
        f"Seller {seller.display_name} now uses the global value 7."
    )
    changed = configuration.remove(session, override.id, expected_version=1, actor=admin,
                                   justification="Back to the normal delay")  # fmt: skip
    session.flush()
    assert changed.row is override and override.deleted_at is not None and override.version == 2
    assert settings.SettingsReader(session).integer(key, seller_id=seller.id) == 7
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == override.id, AuditEvent.action == "configuration.removed"
        )
    ).one()
    assert event.changes["before"] == {"value": "14", "version": 1}
    assert event.changes["after"] == {"value": None, "version": 2}
    assert event.reason == "Back to the normal delay"
    with pytest.raises(configuration.NotFound):
        configuration.get_entry(session, override.id)
    again = configuration.change(session, key, "10", actor=admin, scope=scope).row
    session.flush()
    assert again.id != override.id  # a new override can be set later


def test_a_known_global_value_is_never_removed(session, admin):
    row = configuration.change(session, states.MODERATION_CLAIM_BATCH_SIZE, "20", actor=admin).row
    session.flush()
    reason = configuration.removal_refused(row)
    assert "Change the value instead (its default is" in reason
    with pytest.raises(Conflict):
        configuration.remove(session, row.id, expected_version=1, actor=admin)
    assert row.deleted_at is None


def test_an_unknown_global_key_is_removed_and_nothing_applies(session, admin):
    row = configuration.change(session, "marketing.banner_text", "Hello", actor=admin).row
    session.flush()
    entry = configuration.get_entry(session, row.id)
    after = configuration.inherited(session, row.key, None)
    assert after.value is None
    assert "no longer set" in configuration.inherited_words(entry, after)
    with pytest.raises(versions.StaleRecord):
        configuration.remove(session, row.id, expected_version=5, actor=admin)
    configuration.remove(session, row.id, expected_version=1, actor=admin)
    session.flush()
    assert row.deleted_at is not None


def test_removing_a_sensitive_override_goes_through_approval(session, admin, admin2):
    seller = build(session, Seller)
    scope = settings.seller_scope(seller.id)
    session.add(Configuration(key=REFUND_USD, value="250.00"))
    override = Configuration(key=REFUND_USD, value="500.00", scope=scope)
    session.add(override)
    session.flush()
    changed = configuration.remove(session, override.id, expected_version=1, actor=admin,
                                   justification="Seller back to normal")  # fmt: skip
    session.flush()
    assert changed.row is None and override.deleted_at is None
    action = changed.request.action
    assert action.payload["remove"] is True and action.payload["after"] == {"value": None}
    assert approvals.describe_change(action.payload) == "Value: 500.00 → Not set"
    approvals.decide(session, action.id, "approve", actor=admin2, revision=action.revision)
    session.flush()
    assert override.deleted_at is not None
    money = settings.SettingsReader(session).money(REFUND_USD, "USD", seller_id=seller.id)
    assert str(money) == "250.00"


def test_an_approved_removal_is_refused_when_the_value_changed(session, admin, admin2):
    seller = build(session, Seller)
    override = Configuration(key=REFUND_USD, value="500.00", scope=settings.seller_scope(seller.id))
    session.add(override)
    session.flush()
    action = configuration.remove(session, override.id, expected_version=1, actor=admin,
                                  justification="Normal again").request.action  # fmt: skip
    override.value = "600.00"  # changed behind the request's back
    session.flush()
    with pytest.raises(Conflict):
        configuration.carry_out(session, action, actor=admin2)
    assert override.deleted_at is None
