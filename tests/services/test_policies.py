"""Policies and versions (services/admin/policies.py): drafts, windows, approval, point in time."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mallconsole.core.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from mallconsole.core.roles import Role
from mallconsole.core.states import POLICY_VERSION_MACHINE, check_move
from mallconsole.models import AdminAction, AuditEvent, Policy, PolicyVersion, utcnow
from mallconsole.services import approvals
from mallconsole.services.admin import policies
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff

TODAY = utcnow().date()


def day(offset: int) -> datetime:
    return policies.day_start(TODAY + timedelta(days=offset))


@pytest.fixture
def people(session):
    return {
        name: make_staff(session, f"{name}@policies.test", (Role.SYSTEM_ADMIN,))
        for name in ("author", "checker", "other")
    }


@pytest.fixture
def policy(session):
    row = Policy(code="returns-test", title="Returns policy", category="returns", status="draft")
    session.add(row)
    session.flush()
    return row


def approved_version(session, policy, label, start, end=None, content="Terms"):
    version = PolicyVersion(
        shopping_mall_policy_id=policy.id,
        version=label,
        effective_from=start,
        effective_to=end,
        change_notes=f"Version {label}",
        content=content,
        approved=True,
    )
    session.add(version)
    session.flush()
    return version


def draft(session, policy, actor, *, label="9.0", start=10, end=None, content="New terms"):
    data = policies.check_draft(
        label=label,
        effective_from=(TODAY + timedelta(days=start)).isoformat(),
        effective_to=(TODAY + timedelta(days=end)).isoformat() if end is not None else "",
        change_notes="Shorter return window",
        content=content,
    )
    return policies.create_draft(session, policy, data, actor=actor)


def terms(start: int, content: str, label: str = "9.0"):
    """Checked draft fields starting ``start`` days from today, open-ended."""
    return policies.check_draft(
        label=label,
        effective_from=(TODAY + timedelta(days=start)).isoformat(),
        effective_to="",
        change_notes=None,
        content=content,
    )


def approve(session, version, author, checker):
    requested = policies.submit(session, version.id, "Legal asked for it", actor=author)
    return approvals.decide(
        session, requested.action.id, "approve", actor=checker, revision=requested.action.revision
    )


def test_a_draft_is_checked_field_by_field():
    with pytest.raises(ValidationError) as refused:
        policies.check_draft(
            label="",
            effective_from=TODAY.isoformat(),
            effective_to="31/12/2027",
            change_notes="",
            content="  ",
        )
    errors = refused.value.field_errors
    assert set(errors) == {"label", "effective_from", "effective_to", "content"}
    assert "cannot come into force in the past" in errors["effective_from"][0]
    with pytest.raises(ValidationError) as refused:
        policies.check_draft(label="2", effective_from=(TODAY + timedelta(days=5)).isoformat(),
                             effective_to=(TODAY + timedelta(days=5)).isoformat(),
                             change_notes=None, content="x")  # fmt: skip
    assert refused.value.field_errors["effective_to"] == [
        "It must stop after its first day in force."
    ]


def test_creating_a_draft_audits_it_and_refuses_a_label_twice(session, policy, people):
    version = draft(session, policy, people["author"], label="2.0")
    assert not version.approved and version.author_user_id == people["author"].id
    assert version.effective_from == day(10) and version.row_version == 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == version.id)).one()
    assert event.action == "policy_version.drafted"
    assert event.changes["after"]["label"] == "2.0"
    assert event.changes["after"]["content"] == "9 characters"
    with pytest.raises(ValidationError) as refused:
        draft(session, policy, people["other"], label="2.0")
    assert "already has a version labelled 2.0" in refused.value.field_errors["label"][0]


def test_a_version_names_its_policy(session, policy, people):
    version = draft(session, policy, people["author"], label="2.1")
    assert policies.policy_of(session, version) is policy


def test_point_in_time_over_a_history_of_several_versions(session, policy):
    v1 = approved_version(session, policy, "1.0", day(-300), day(-180))
    v2 = approved_version(session, policy, "2.0", day(-180), day(-60))
    v3 = approved_version(session, policy, "3.0", day(-60))
    pid = policy.id
    assert policies.in_force(session, pid, day(-301)) is None  # before the first
    assert policies.in_force(session, pid, (TODAY - timedelta(days=400))) is None
    assert policies.in_force(session, pid, day(-300)) == v1  # its first moment
    assert policies.in_force(session, pid, day(-250)) == v1  # inside
    assert policies.in_force(session, pid, day(-180) - timedelta(seconds=1)) == v1
    assert policies.in_force(session, pid, day(-180)) == v2  # on the boundary: the new one
    assert policies.in_force(session, pid, TODAY - timedelta(days=100)) == v2  # a date
    assert policies.in_force(session, pid, day(-60)) == v3
    assert policies.in_force(session, pid, day(0)) == v3
    assert policies.in_force(session, pid, day(900)) == v3  # after the last, open-ended
    # A version not approved, or deleted, is never in force.
    draft_row = PolicyVersion(shopping_mall_policy_id=pid, version="4.0",
                              effective_from=day(-10), approved=False)  # fmt: skip
    session.add(draft_row)
    session.flush()
    assert policies.in_force(session, pid, day(-5)) == v3


def test_a_closed_last_version_leaves_nothing_in_force_after_it(session, policy):
    approved_version(session, policy, "1.0", day(-30), day(-1))
    assert policies.in_force(session, policy.id, day(-1)) is None
    assert policies.in_force(session, policy.id, datetime(2000, 1, 1, tzinfo=UTC)) is None


def test_approval_supersedes_the_open_window_and_activates(session, policy, people):
    old = approved_version(session, policy, "1.0", day(-100))
    new = draft(session, policy, people["author"], label="2.0", start=10)
    decided = approve(session, new, people["author"], people["checker"])
    assert decided.executed and "in force from" in decided.message
    session.refresh(old)
    session.refresh(new)
    assert new.approved and old.effective_to == new.effective_from == day(10)
    assert policy.status == "active"
    assert policies.in_force(session, policy.id, day(9)) == old
    assert policies.in_force(session, policy.id, day(10)) == new
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id.in_([old.id, new.id, policy.id]))
    ).all()
    assert {"policy_version.superseded", "policy_version.approved", "policy.activated"} <= set(
        actions
    )
    superseded = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "policy_version.superseded")
    ).one()
    assert superseded.changes["before"] == {"effective_to": None}


def test_an_overlapping_window_is_refused_at_submission(session, policy, people):
    approved_version(session, policy, "1.0", day(-100), day(20))
    approved_version(session, policy, "2.0", day(20))
    overlapping = draft(session, policy, people["author"], label="1.5", start=10, end=30)
    with pytest.raises(Conflict) as refused:
        policies.submit(session, overlapping.id, "Fix", actor=people["author"])
    assert "overlaps approved version 1.0" in refused.value.message
    # Starting before the open-ended version started overlaps it too (it would not close it).
    early = draft(session, policy, people["author"], label="1.6", start=15)
    with pytest.raises(Conflict, match="overlaps approved version"):
        policies.submit(session, early.id, "Fix", actor=people["author"])


def test_an_overlap_that_appears_after_submission_is_refused_at_approval(session, policy, people):
    first = draft(session, policy, people["author"], label="1.0", start=10, end=40)
    second = draft(session, policy, people["author"], label="1.1", start=20, end=50)
    request_first = policies.submit(session, first.id, "Launch", actor=people["author"]).action
    request_second = policies.submit(session, second.id, "Launch", actor=people["author"]).action
    assert approvals.decide(
        session,
        request_first.id,
        "approve",
        actor=people["checker"],
        revision=request_first.revision,
    ).executed
    decided = approvals.decide(
        session,
        request_second.id,
        "approve",
        actor=people["checker"],
        revision=request_second.revision,
    )
    assert not decided.executed and "overlaps approved version 1.0" in decided.message
    session.refresh(second)
    assert not second.approved
    assert session.get(AdminAction, request_second.id).status == "approved"


def test_the_author_cannot_approve_and_others_cannot_edit_or_submit(session, policy, people):
    version = draft(session, policy, people["author"])
    requested = policies.submit(session, version.id, "Please", actor=people["author"]).action
    with pytest.raises(Forbidden, match="someone else must decide"):
        approvals.decide(
            session, requested.id, "approve", actor=people["author"], revision=requested.revision
        )
    other_draft = draft(session, policy, people["author"], label="9.1", start=40)
    with pytest.raises(Forbidden, match="Only the author"):
        policies.submit(session, other_draft.id, "Mine now", actor=people["other"])
    with pytest.raises(Forbidden, match="Only the author"):
        policies.edit_draft(session, other_draft.id, terms(40, "Changed", "9.1"),
            expected_version=1, actor=people["other"])  # fmt: skip


def test_the_executor_refuses_an_approver_who_wrote_the_version(session, policy, people):
    version = draft(session, policy, people["author"])
    requested = policies.submit(session, version.id, "Please", actor=people["author"]).action
    with pytest.raises(Forbidden, match="You wrote this version"):
        policies.carry_out(session, requested, actor=people["author"])


def test_approved_versions_are_immutable(session, policy, people):
    version = draft(session, policy, people["author"])
    approve(session, version, people["author"], people["checker"])
    data = terms(11, "Other")
    with pytest.raises(Conflict, match="approved and cannot be changed"):
        policies.edit_draft(session, version.id, data, expected_version=version.row_version,
                            actor=people["author"])  # fmt: skip
    with pytest.raises(Conflict, match="approved and cannot be changed"):
        policies.submit(session, version.id, "Again", actor=people["author"])
    assert version.content == "New terms"


def test_the_executor_runs_once(session, policy, people):
    old = approved_version(session, policy, "1.0", day(-100))
    version = draft(session, policy, people["author"])
    requested = policies.submit(session, version.id, "Please", actor=people["author"]).action
    approvals.decide(
        session, requested.id, "approve", actor=people["checker"], revision=requested.revision
    )
    again = approvals.execute(session, requested.id, actor=people["checker"])
    assert not again.executed_now and "already carried out" in again.message
    approved_events = session.scalar(
        select(func.count()).where(
            AuditEvent.entity_id == version.id, AuditEvent.action == "policy_version.approved"
        )
    )
    assert approved_events == 1
    session.refresh(old)
    assert old.effective_to == day(10)


def test_a_draft_waiting_for_approval_cannot_be_edited(session, policy, people):
    version = draft(session, policy, people["author"])
    policies.submit(session, version.id, "Please", actor=people["author"])
    data = terms(12, "Other")
    with pytest.raises(Conflict, match="waiting for approval"):
        policies.edit_draft(session, version.id, data, expected_version=1, actor=people["author"])


def test_a_stale_edit_is_refused_with_what_changed(session, policy, people):
    version = draft(session, policy, people["author"])
    first = terms(12, "First edit")
    policies.edit_draft(session, version.id, first, expected_version=1, actor=people["author"])
    assert version.row_version == 2 and version.content == "First edit"
    second = terms(12, "Second")
    with pytest.raises(StaleRecord) as stale:
        policies.edit_draft(session, version.id, second, expected_version=1, actor=people["author"])
    assert stale.value.current_version == 2
    assert {c.label for c in stale.value.changes} >= {"In force from", "Terms"}
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "policy_version.edited")
    ).one()
    assert event.changes["before"]["version"] == 1 and event.changes["after"]["version"] == 2


def test_a_version_whose_first_day_passed_is_refused_at_approval(session, policy, people):
    version = draft(session, policy, people["author"], start=3)
    requested = policies.submit(session, version.id, "Please", actor=people["author"]).action
    version.effective_from = day(-1)  # time went by while it waited
    decided = approvals.decide(
        session, requested.id, "approve", actor=people["checker"], revision=requested.revision
    )
    assert not decided.executed and "which has passed" in decided.message
    assert not version.approved


def test_the_database_keeps_one_open_ended_approved_version(session, policy):
    approved_version(session, policy, "1.0", day(-10))
    with pytest.raises(IntegrityError), session.begin_nested():
        approved_version(session, policy, "2.0", day(5))


def test_the_payload_reads_as_a_change(app, session, policy, people):
    approved_version(session, policy, "1.0", policies.day_start(date(2026, 6, 8)))
    version = draft(session, policy, people["author"], label="2.0", start=10)
    action = policies.submit(session, version.id, "Please", actor=people["author"]).action
    changes = {c.label: (c.before, c.after) for c in approvals.changes_of(action.payload)}
    assert changes["Version it replaces"] == (
        "1.0: From 8 Jun 2026, open-ended",
        f"1.0: From 8 Jun 2026 until {policies.day_words(day(10))}",
    )
    assert changes["Returns policy, version 2.0"] == ("draft", "approved")
    submitted = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "policy_version.submitted")
    ).one()
    assert submitted.entity_id == version.id
    assert submitted.shopping_mall_admin_action_id == action.id
    assert submitted.changes["after"] == {"state": "Waiting for approval"}
    with app.test_request_context():
        row = approvals.action_row(session, action.id)
    assert row.target == "Returns policy, version 2.0"
    assert row.target_url == f"/admin/policies/versions/{version.id}"


def test_compare_gives_fields_and_a_line_diff(session, policy, people):
    old = approved_version(session, policy, "1.0", day(-10), content="One\nTwo\nThree")
    new = draft(session, policy, people["author"], label="2.0",
                content="One\nTwo changed\nThree\nFour")  # fmt: skip
    comparison = policies.compare(session, old.id, new.id)
    kinds = [(line.kind, line.left, line.right) for line in comparison.lines]
    assert kinds == [
        ("same", "One", "One"),
        ("changed", "Two", "Two changed"),
        ("same", "Three", "Three"),
        ("added", None, "Four"),
    ]
    changed = {f.label for f in comparison.fields if f.changed}
    assert {"Version", "State", "In force from", "Change notes", "Author"} <= changed
    assert comparison.counts == {"changed": 1, "removed": 0, "added": 1}
    other = Policy(code="other", title="Other", category="x", status="draft")
    session.add(other)
    session.flush()
    foreign = approved_version(session, other, "1.0", day(-5))
    with pytest.raises(ValidationError, match="same policy"):
        policies.compare(session, old.id, foreign.id)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cuts=st.lists(st.integers(-900, 900), min_size=1, max_size=7, unique=True).map(sorted),
    open_ended=st.booleans(),
    asked=st.lists(st.integers(-1000, 1000), min_size=1, max_size=15),
)
def test_point_in_time_agrees_with_the_windows_for_any_day(session, cuts, open_ended, asked):
    """Versions one after the other between the cut days (the last open-ended or not): the
    look-up answers, for any day, the version whose window holds it, or none."""
    policy = Policy(code=f"prop-{uuid.uuid4().hex[:10]}", title="P", category="x", status="active")
    session.add(policy)
    session.flush()
    ends = [*cuts[1:], None] if open_ended else cuts[1:]
    starts = cuts if open_ended else cuts[:-1]
    made = [
        approved_version(
            session, policy, f"{n}.0", day(start), day(end) if end is not None else None
        )
        for n, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]
    for offset in asked:
        expected = next(
            (v for v, s, e in zip(made, starts, ends, strict=True)
             if s <= offset and (e is None or offset < e)),
            None,
        )  # fmt: skip
        assert policies.in_force(session, policy.id, day(offset)) == expected
        assert policies.in_force(session, policy.id, day(offset) + timedelta(hours=23)) == expected


# --- creating and editing a policy -------------------------------------------------------------


def test_a_new_policy_starts_not_in_force_and_is_audited(session, people):
    created = policies.create_policy(
        session,
        {"title": "  Seller   fees ", "category": "Seller fees", "description": " What we charge "},
        code="seller_fees",
        actor=people["author"],
    )
    assert (created.code, created.title, created.category) == ("seller_fees", "Seller fees",
                                                                 "seller_fees")  # fmt: skip
    assert created.status == "draft" and created.description == "What we charge"
    assert policies.get_policy(session, "seller_fees") is created
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == created.id)).one()
    assert event.action == "policy.created"
    assert event.changes["after"]["category"] == "seller_fees"
    assert "seller_fees" in policies.categories(session)


@pytest.mark.parametrize(
    ("code", "values", "fields"),
    [
        ("Bad Code", {"title": "T", "category": "returns"}, {"code"}),
        ("new", {"title": "T", "category": "returns"}, {"code"}),
        ("ok_code", {"title": " ", "category": ""}, {"title", "category"}),
        ("ok_code", {"title": "T", "category": "fees & more!"}, {"category"}),
        ("ok_code", {"title": "x" * 201, "category": "returns"}, {"title"}),
        ("ok_code", {"title": "T", "category": "returns", "description": "d" * 2001},
         {"description"}),
    ],
)  # fmt: skip
def test_a_new_policy_is_refused_field_by_field(session, people, code, values, fields):
    with pytest.raises(ValidationError) as refused:
        policies.create_policy(session, values, code=code, actor=people["author"])
    assert set(refused.value.field_errors) == fields


def test_a_taken_code_is_refused_with_a_clear_message(session, people, policy):
    with pytest.raises(ValidationError) as refused:
        policies.create_policy(
            session, {"title": "T", "category": "returns"}, code=policy.code,
            actor=people["author"],
        )  # fmt: skip
    assert refused.value.field_errors["code"] == ["Another policy already has this code."]
    policy.deleted_at = utcnow()
    session.flush()
    with pytest.raises(ValidationError) as refused:
        policies.create_policy(
            session, {"title": "T", "category": "returns"}, code=policy.code,
            actor=people["author"],
        )  # fmt: skip
    assert "removed policy" in refused.value.field_errors["code"][0]


def test_editing_a_policy_checks_its_version_and_audits(session, people, policy):
    event = policies.edit_policy(
        session,
        policy.code,
        {"title": "Returns and refunds", "category": "returns", "description": "Short"},
        expected_version=1,
        actor=people["author"],
    )
    assert policy.title == "Returns and refunds" and policy.version == 2
    assert event.action == "policy.updated"
    assert event.changes["before"] == {"title": "Returns policy", "description": None,
                                       "version": 1}  # fmt: skip
    with pytest.raises(StaleRecord) as stale:
        policies.edit_policy(
            session, policy.code, {"title": "Other", "category": "returns"},
            expected_version=1, actor=people["other"],
        )  # fmt: skip
    assert stale.value.current_version == 2
    assert [c.label for c in stale.value.changes] == ["Title", "Description"]
    assert policy.title == "Returns and refunds"
    unchanged = policies.edit_policy(
        session, policy.code,
        {"title": "Returns and refunds", "category": "returns", "description": "Short"},
        expected_version=2, actor=people["author"],
    )  # fmt: skip
    assert unchanged is None and policy.version == 2


def test_a_versions_way_is_a_walk_of_the_policy_version_machine(session, policy, people):
    version = draft(session, policy, people["author"], start=10, end=20)

    def state(now=None):
        return policies.version_row(session, version, now=now).state

    path = [state()]
    for decision in ("reject", "approve"):
        requested = policies.submit(session, version.id, "Please", actor=people["author"])
        path.append(state())
        approvals.decide(
            session,
            requested.action.id,
            decision,
            "Not yet",
            actor=people["checker"],
            revision=requested.action.revision,
        )
        path.append(state())
    path += [state(day(10)), state(day(20))]
    assert path == [
        "draft", "awaiting_approval", "draft", "awaiting_approval", "scheduled", "in_force", "ended"
    ]  # fmt: skip
    for before, after in zip(path, path[1:], strict=False):
        check_move(POLICY_VERSION_MACHINE, before, after)


def test_an_approved_version_is_not_approved_again(session, policy, people):
    version = draft(session, policy, people["author"])
    approve(session, version, people["author"], people["checker"])
    action = session.scalars(select(AdminAction).where(AdminAction.target_entity_id == version.id))
    with pytest.raises(InvalidTransition) as refused:
        policies.carry_out(session, action.one(), actor=people["checker"])
    assert (
        refused.value.message == f"Version {version.version} of {policy.title} is already approved."
    )
    assert version.row_version == 2  # approved once


ENGLISH_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def english_day(moment: datetime) -> str:
    return f"{moment.day} {ENGLISH_MONTHS[moment.month - 1]} {moment.year}"


def test_the_in_force_message_names_its_months_capitalised(session, policy, people):
    version = draft(session, policy, people["author"], label="2.0", start=10, end=200)
    decided = approve(session, version, people["author"], people["checker"])
    assert decided.message.endswith(
        f"Version 2.0 of Returns policy is in force from {english_day(day(10))} "
        f"until {english_day(day(200))}."
    )


@pytest.mark.parametrize("month", range(1, 13))
def test_a_window_day_is_written_with_its_english_month_abbreviation(month):
    assert policies.day_words(date(2026, month, 20)) == f"20 {ENGLISH_MONTHS[month - 1]} 2026"
    moment = policies.day_start(date(2026, month, 1))
    assert policies.window_words(moment, None, opening="from") == (
        f"from 1 {ENGLISH_MONTHS[month - 1]} 2026, open-ended"
    )
