"""Feature flags: one evaluation rule (determinism, monotonic rollout, windows, segments), the
derived states, edits, revert from the audit trail, and sensitive flags through approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AdminAction, AuditEvent, FeatureFlag, utcnow
from mallconsole.services import approvals
from mallconsole.services.admin import flags
from mallconsole.services.kit import versions
from tests.factories.actors import make_staff

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def flag(**values) -> FeatureFlag:
    defaults = {"code": "search.semantic", "name": "Semantic search", "enabled": True}
    return FeatureFlag(**{**defaults, **values})


@pytest.fixture
def admin(session):
    return make_staff(session, "flags-maker@test.mall", (Role.SYSTEM_ADMIN,))


@pytest.fixture
def admin2(session):
    return make_staff(session, "flags-checker@test.mall", (Role.SYSTEM_ADMIN,))


def stored(session, admin, **values):
    row = flags.create(
        session,
        {"name": "Semantic search", "enabled": True, **values},
        actor=admin,
        code=values.pop("code", "search.semantic"),
    )
    session.flush()
    return row


# --- evaluation ------------------------------------------------------------------------------


def test_the_same_subject_always_gets_the_same_answer():
    rolling = flag(rollout_percentage=30)
    answers = {s: flags.evaluate(rolling, s, {}, NOW).enabled for s in map(str, range(400))}
    again = {s: flags.evaluate(rolling, s, {}, NOW).enabled for s in map(str, range(400))}
    assert answers == again
    # About 30% of subjects are in (the hash spreads them); neither none nor all.
    assert 80 < sum(answers.values()) < 160


def test_the_bucket_is_a_stable_hash_of_code_and_subject():
    assert flags.bucket("search.semantic", "cus-1") == flags.bucket("search.semantic", "cus-1")
    spread = {flags.bucket(code, "cus-1") for code in ("a", "b", "c", "d", "e", "f")}
    assert len(spread) > 1  # another flag puts the same subject elsewhere
    assert all(0 <= flags.bucket("x", str(n)) < flags.BUCKETS for n in range(100))


@settings(max_examples=200, deadline=None)
@given(
    subject=st.text(min_size=1, max_size=40),
    code=st.from_regex(r"[a-z][a-z0-9_.]{0,20}", fullmatch=True),
    low=st.integers(0, 100),
    high=st.integers(0, 100),
)
def test_raising_the_percentage_never_removes_a_subject(subject, code, low, high):
    low, high = sorted((low, high))
    before = flags.evaluate(flag(code=code, rollout_percentage=low), subject, {}, NOW)
    after = flags.evaluate(flag(code=code, rollout_percentage=high), subject, {}, NOW)
    assert not before.enabled or after.enabled


def test_zero_and_full_rollouts_and_no_percentage():
    assert not flags.evaluate(flag(rollout_percentage=0), "a", {}, NOW).enabled
    assert flags.evaluate(flag(rollout_percentage=100), "a", {}, NOW).enabled
    assert flags.evaluate(flag(rollout_percentage=None), None, {}, NOW).enabled
    partial = flags.evaluate(flag(rollout_percentage=50), None, {}, NOW)
    assert not partial.enabled and "name a subject" in partial.reason


def test_a_switched_off_flag_is_off_for_everyone():
    result = flags.evaluate(flag(enabled=False), "a", {}, NOW)
    assert result == flags.Evaluation(False, "The flag is switched off.")


def test_the_window_starts_inclusive_and_ends_exclusive():
    windowed = flag(starts_at=NOW, ends_at=NOW + timedelta(days=1))
    assert not flags.evaluate(windowed, "a", {}, NOW - timedelta(seconds=1)).enabled
    assert flags.evaluate(windowed, "a", {}, NOW).enabled
    assert flags.evaluate(windowed, "a", {}, NOW + timedelta(hours=23)).enabled
    ended = flags.evaluate(windowed, "a", {}, NOW + timedelta(days=1))
    assert not ended.enabled and "ended" in ended.reason
    early = flags.evaluate(windowed, "a", {}, NOW - timedelta(days=1))
    assert "starts" in early.reason


def test_a_naive_window_is_read_as_utc():
    windowed = flag(starts_at=datetime(2026, 12, 5, 12, 0))  # SQLite may hand back naive
    assert flags.evaluate(windowed, "a", {}, NOW).enabled
    assert not flags.evaluate(windowed, "a", {}, NOW - timedelta(minutes=1)).enabled


def test_segments_match_on_the_subjects_attribute():
    korean = flag(segment="locale=ko-KR")
    assert flags.evaluate(korean, "a", {"locale": "ko-KR"}, NOW).enabled
    other = flags.evaluate(korean, "a", {"locale": "en-US"}, NOW)
    assert not other.enabled and "en-US, not ko-KR" in other.reason
    missing = flags.evaluate(korean, "a", {"seller_tier": "gold"}, NOW)
    assert not missing.enabled and "has no locale" in missing.reason


def test_segment_and_rollout_both_apply():
    gold = flag(segment="seller_tier=gold", rollout_percentage=50)
    ins = [
        s
        for s in map(str, range(200))
        if flags.evaluate(gold, s, {"seller_tier": "gold"}, NOW).enabled
    ]
    assert 50 < len(ins) < 150
    assert not any(flags.evaluate(gold, s, {"seller_tier": "silver"}, NOW).enabled for s in ins)


def test_parse_segment_and_attributes():
    assert flags.parse_segment(" locale = ko-KR ") == ("locale", "ko-KR")
    assert flags.parse_segment("") is None
    with pytest.raises(ValueError):
        flags.parse_segment("country:US")
    assert flags.parse_attributes("locale=ko-KR\nseller_tier=gold") == (
        {"locale": "ko-KR", "seller_tier": "gold"},
        [],
    )
    assert flags.parse_attributes("nonsense")[1]


# --- derived states --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "label"),
    [
        ({"enabled": False}, "Off"),
        ({"starts_at": NOW + timedelta(days=1)}, "Scheduled"),
        ({"ends_at": NOW - timedelta(days=1)}, "Expired"),
        ({"rollout_percentage": 25}, "Rolling out 25%"),
        ({"rollout_percentage": 100}, "On"),
        ({}, "On"),
    ],
)
def test_derived_states(values, label):
    assert flags.state_of(flag(**values), NOW).label == label


def test_the_state_filter_agrees_with_state_of(session, admin):
    now = utcnow()
    cases = {
        "f.off": {"enabled": False},
        "f.scheduled": {"starts_at": now + timedelta(days=2)},
        "f.expired": {"ends_at": now - timedelta(days=2)},
        "f.rolling": {"rollout_percentage": 40},
        "f.on": {},
    }
    for code, values in cases.items():
        stored(session, admin, code=code, **values)
    for key in flags.STATES:
        statement = flags._statement({"state": key}, now)
        found = {f.code for f in session.scalars(statement) if f.code.startswith("f.")}
        expected = {c for c, v in cases.items() if flags.state_of(flag(**v), now).key == key}
        assert found == expected, key


# --- changes, history, revert ----------------------------------------------------------------


def test_create_checks_every_field(session, admin):
    with pytest.raises(ValidationError) as refused:
        flags.create(
            session,
            {
                "name": "",
                "rollout_percentage": "140",
                "segment": "country:US",
                "starts_at": NOW,
                "ends_at": NOW - timedelta(hours=1),
            },
            actor=admin,
            code="Bad Code",
        )
    assert "code" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        flags.create(
            session,
            {"name": "", "rollout_percentage": "140", "segment": "country:US",
             "starts_at": NOW, "ends_at": NOW - timedelta(hours=1)},
            actor=admin,
            code="good.code",
        )  # fmt: skip
    assert set(refused.value.field_errors) == {"name", "rollout_percentage", "segment", "ends_at"}


def test_a_window_lies_between_the_years_2000_and_2999(session, admin):
    far = {"starts_at": datetime(1, 1, 1, tzinfo=UTC), "ends_at": datetime(9999, 1, 1, tzinfo=UTC)}
    with pytest.raises(ValidationError) as refused:
        stored(session, admin, **far)
    assert refused.value.field_errors == {
        "starts_at": ["Give a date between 2000 and 2999."],
        "ends_at": ["Give a date between 2000 and 2999."],
    }
    row = stored(session, admin, starts_at="2000-01-01T00:00", ends_at="2999-12-31T23:59")
    assert row.ends_at.year == 2999


def test_a_code_is_used_once(session, admin):
    stored(session, admin)
    with pytest.raises(ValidationError) as refused:
        stored(session, admin)
    assert refused.value.field_errors["code"] == ["Another flag already has this code."]


def test_a_change_is_audited_with_before_and_after(session, admin):
    row = stored(session, admin, rollout_percentage=10)
    changed = flags.change(
        session, row.code, {"rollout_percentage": 30}, expected_version=row.version, actor=admin
    )
    event = changed.event
    assert event.changes["before"] == {"rollout_percentage": 10, "version": 1}
    assert event.changes["after"] == {"rollout_percentage": 30, "version": 2}
    assert row.rollout_percentage == 30


def test_a_stale_change_is_refused(session, admin):
    row = stored(session, admin)
    flags.toggle(session, row.code, expected_version=1, actor=admin)
    with pytest.raises(versions.StaleRecord):
        flags.toggle(session, row.code, expected_version=1, actor=admin)


def test_revert_restores_the_exact_previous_values(session, admin):
    start = NOW + timedelta(days=3)
    row = stored(
        session, admin, rollout_percentage=10, segment="locale=ko-KR", starts_at=start,
        description="First words",
    )  # fmt: skip
    original = flags.values_of(row)
    first = flags.change(
        session,
        row.code,
        {"rollout_percentage": 50, "segment": "seller_tier=gold", "starts_at": None},
        expected_version=1,
        actor=admin,
    ).event
    session.flush()
    flags.change(
        session, row.code, {"enabled": False, "description": "Second"}, expected_version=2,
        actor=admin,
    )  # fmt: skip
    session.flush()
    reverted = flags.revert(session, row.code, first.id, expected_version=3, actor=admin)
    session.flush()
    assert flags.values_of(row) == original
    assert reverted.event.action == "flag.reverted"
    assert row.version == 4


def test_the_creation_cannot_be_reverted(session, admin):
    row = stored(session, admin)
    created = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == row.id, AuditEvent.action == "flag.created"
        )
    ).one()
    with pytest.raises(ValidationError):
        flags.revert(session, row.code, created.id, expected_version=1, actor=admin)


# --- sensitive flags: maker-checker -----------------------------------------------------------


def test_a_sensitive_flag_changes_only_through_approval(session, admin, admin2):
    row = stored(session, admin, sensitive=True, rollout_percentage=10)
    with pytest.raises(ValidationError):  # no justification
        flags.toggle(session, row.code, expected_version=1, actor=admin)
    changed = flags.change(
        session,
        row.code,
        {"rollout_percentage": 60},
        expected_version=1,
        actor=admin,
        justification="Widen the rollout after the A/B result",
    )
    session.flush()
    assert changed.request is not None and row.rollout_percentage == 10
    action = changed.request.action
    assert action.action_name == "change_flag" and action.target_entity_id == row.id
    assert action.payload["after"] == {"rollout_percentage": 60}
    with pytest.raises(Exception) as own:
        approvals.decide(session, action.id, "approve", actor=admin, revision=action.revision)
    assert getattr(own.value, "status", None) == 403
    decided = approvals.decide(
        session, action.id, "approve", actor=admin2, revision=action.revision
    )
    session.flush()
    assert decided.executed and row.rollout_percentage == 60 and row.version == 2
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == row.id, AuditEvent.shopping_mall_admin_action_id == action.id
        )
    ).one()
    assert event.changes["before"] == {"rollout_percentage": 10, "version": 1}


def test_an_approved_change_is_refused_when_the_flag_changed_meanwhile(session, admin, admin2):
    row = stored(session, admin, sensitive=True, rollout_percentage=10)
    action = flags.change(
        session, row.code, {"rollout_percentage": 60}, expected_version=1, actor=admin,
        justification="Widen",
    ).request.action  # fmt: skip
    session.flush()
    row.rollout_percentage = 20  # changed behind the request's back
    session.flush()
    with pytest.raises(Conflict):
        flags.carry_out(session, action, actor=admin2)


def test_a_sensitive_revert_and_window_go_through_approval_intact(session, admin, admin2):
    ends = NOW + timedelta(days=30)
    row = stored(session, admin, ends_at=ends)
    first = flags.change(
        session, row.code, {"ends_at": None, "sensitive": True}, expected_version=1, actor=admin
    ).event
    session.flush()
    requested = flags.revert(
        session, row.code, first.id, expected_version=2, actor=admin, justification="Undo"
    ).request
    session.flush()
    assert requested.action.payload["after"] == {"ends_at": ends.isoformat(), "sensitive": False}
    approvals.decide(
        session, requested.action.id, "approve", actor=admin2, revision=requested.action.revision
    )
    session.flush()
    assert row.ends_at == ends and row.sensitive is False


def test_one_open_request_per_flag(session, admin):
    row = stored(session, admin, sensitive=True)
    flags.toggle(session, row.code, expected_version=1, actor=admin, justification="Off now")
    session.flush()
    with pytest.raises(Conflict):
        flags.change(
            session, row.code, {"rollout_percentage": 5}, expected_version=1, actor=admin,
            justification="Also this",
        )  # fmt: skip
    assert (
        session.scalar(select(AdminAction.status).where(AdminAction.target_entity_id == row.id))
        == "pending"
    )


# --- archiving and restoring ---------------------------------------------------------------------


def test_an_archived_flag_is_off_hidden_and_restored_as_it_was(session, admin):
    row = stored(session, admin, rollout_percentage=None)
    other = stored(session, admin, code="checkout.one_page")
    changed = flags.archive(session, row.code, expected_version=1, actor=admin)
    session.flush()
    assert changed.event.action == "flag.archived" and changed.request is None
    assert changed.event.changes == {"before": {"archived": False, "version": 1},
                                     "after": {"archived": True, "version": 2}}  # fmt: skip
    assert row.deleted_at is not None and row.enabled is True and row.version == 2
    result = flags.evaluate(row, "c-1", {}, NOW)
    assert result == flags.Evaluation(False, "The flag is archived: it is off for everyone.")
    assert flags.state_of(row, NOW).label == "Archived"
    with pytest.raises(flags.NotFound):
        flags.get_flag(session, row.code)
    assert flags.find_flag(session, row.code) is row
    live = flags._statement({}, NOW)
    archived = flags._statement({"state": "archived"}, NOW)
    assert list(session.scalars(live)) == [other]
    assert list(session.scalars(archived)) == [row]
    assert flags.count_flags(session, {"state": "archived"}).value == 1
    with pytest.raises(Conflict):
        flags.archive(session, row.code, expected_version=2, actor=admin)
    restored = flags.restore(session, row.code, expected_version=2, actor=admin)
    session.flush()
    assert restored.event.action == "flag.restored"
    assert row.deleted_at is None and row.version == 3
    assert flags.evaluate(row, "c-1", {}, NOW).enabled is True
    actions = [e.event.action for e in flags.history(session, row)]
    assert actions[:2] == ["flag.restored", "flag.archived"]
    with pytest.raises(ValidationError):
        flags.state_before(session, row, changed.event.id)


def test_a_stale_archive_is_refused(session, admin):
    row = stored(session, admin)
    flags.toggle(session, row.code, expected_version=1, actor=admin)
    session.flush()
    with pytest.raises(versions.StaleRecord) as stale:
        flags.archive(session, row.code, expected_version=1, actor=admin)
    assert stale.value.current_version == 2
    assert row.deleted_at is None


def test_a_sensitive_flag_is_archived_and_restored_only_through_approval(session, admin, admin2):
    row = stored(session, admin, sensitive=True)
    requested = flags.archive(
        session, row.code, expected_version=1, actor=admin, justification="Feature retired"
    ).request
    session.flush()
    assert row.deleted_at is None
    action = requested.action
    assert action.action_name == "change_flag"
    assert action.payload["before"] == {"archived": False}
    assert action.payload["after"] == {"archived": True}
    assert approvals.describe_change(action.payload) == "Archived: No → Yes"
    decided = approvals.decide(
        session, action.id, "approve", actor=admin2, revision=action.revision
    )
    session.flush()
    assert decided.executed and row.deleted_at is not None
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == row.id, AuditEvent.shopping_mall_admin_action_id == action.id
        )
    ).one()
    assert event.action == "flag.archived" and event.reason == "Feature retired"
    back = flags.restore(
        session, row.code, expected_version=2, actor=admin, justification="Needed again"
    ).request
    session.flush()
    assert row.deleted_at is not None
    approvals.decide(
        session, back.action.id, "approve", actor=admin2, revision=back.action.revision
    )
    session.flush()
    assert row.deleted_at is None and row.version == 3


def test_an_approved_archive_is_refused_when_already_archived(session, admin, admin2):
    row = stored(session, admin, sensitive=True)
    action = flags.archive(
        session, row.code, expected_version=1, actor=admin, justification="Retired"
    ).request.action
    row.deleted_at = utcnow()  # archived behind the request's back
    session.flush()
    with pytest.raises(Conflict):
        flags.carry_out(session, action, actor=admin2)


def test_an_archived_flags_code_cannot_be_taken_again(session, admin):
    row = stored(session, admin)
    flags.archive(session, row.code, expected_version=1, actor=admin)
    session.flush()
    with pytest.raises(ValidationError) as refused:
        stored(session, admin, code=row.code)
    assert "An archived flag has this code" in refused.value.field_errors["code"][0]
