from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mallconsole.core.errors import Forbidden, NotFound
from mallconsole.core.roles import Permission
from mallconsole.models import AuditEvent, JobSchedule, Presence, SupportCase, User
from mallconsole.services.support import presence
from mallconsole.services.support.presence import ping, prune, viewers
from tests.factories.records import build

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
CASES = SupportCase.__tablename__


@pytest.fixture
def case(session):
    return build(session, SupportCase, status="open", priority="normal")


@pytest.fixture
def mina(session):
    return build(session, User, name="Mina K.")


@pytest.fixture
def jo(session):
    return build(session, User, name=None, email="jo@example.test")


def open_case(session, case, actor, *, at=T0, typing=False):
    ping(session, entity_table=CASES, entity_id=case.id, actor=actor, typing=typing, now=at)


def seen_by(session, case, viewer, *, at=T0):
    return [
        (v.name, v.typing)
        for v in viewers(
            session, entity_table=CASES, entity_id=case.id, exclude_user_id=viewer.id, now=at
        )
    ]


def test_two_viewers_see_each_other_not_themselves(session, case, mina, jo):
    open_case(session, case, mina)
    assert seen_by(session, case, mina) == []
    open_case(session, case, jo, at=T0 + timedelta(seconds=2))
    at = T0 + timedelta(seconds=3)
    assert seen_by(session, case, mina, at=at) == [("jo", False)]  # no name: email
    assert seen_by(session, case, jo, at=at) == [("Mina K.", False)]
    everyone = viewers(session, entity_table=CASES, entity_id=case.id, now=at)
    assert [v.name for v in everyone] == ["jo", "Mina K."]


def test_viewers_of_another_record_are_not_shown(session, case, mina, jo):
    other = build(session, SupportCase, status="open", priority="normal")
    open_case(session, other, jo)
    assert seen_by(session, case, mina) == []


def test_a_viewer_is_gone_thirty_seconds_after_the_last_ping(session, case, mina, jo):
    open_case(session, case, jo)
    assert seen_by(session, case, mina, at=T0 + timedelta(seconds=29)) == [("jo", False)]
    assert seen_by(session, case, mina, at=T0 + timedelta(seconds=30)) == []
    # Polling again brings them back.
    open_case(session, case, jo, at=T0 + timedelta(seconds=40))
    assert seen_by(session, case, mina, at=T0 + timedelta(seconds=41)) != []


def test_typing_is_shown_while_fresh(session, case, mina, jo):
    open_case(session, case, jo, typing=True)
    assert seen_by(session, case, mina, at=T0 + timedelta(seconds=5)) == [("jo", True)]
    # A tab closed mid-sentence stops "typing" before the viewer is gone.
    assert seen_by(session, case, mina, at=T0 + timedelta(seconds=20)) == [("jo", False)]
    # The next ping without typing says they stopped.
    open_case(session, case, jo, at=T0 + timedelta(seconds=21))
    assert seen_by(session, case, mina, at=T0 + timedelta(seconds=22)) == [("jo", False)]


def test_a_ping_is_one_row_per_viewer_and_record_and_not_audited(session, case, mina):
    audit_events = session.scalar(select(func.count()).select_from(AuditEvent))
    for second in range(3):
        open_case(session, case, mina, at=T0 + timedelta(seconds=second), typing=second == 1)
    row = session.scalars(select(Presence)).one()
    session.refresh(row)
    assert (row.seen_at, row.typing) == (T0 + timedelta(seconds=2), False)
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_events


def test_prune_deletes_rows_not_seen_for_five_minutes(session, case, mina, jo):
    open_case(session, case, mina, at=T0)
    open_case(session, case, jo, at=T0 + timedelta(minutes=2))
    assert prune(session, now=T0 + timedelta(minutes=5)) == 0
    assert prune(session, now=T0 + timedelta(minutes=5, seconds=1)) == 1
    assert session.scalars(select(Presence.shopping_mall_user_id)).all() == [jo.id]


def test_kinds_name_their_model_and_permission(session):
    assert presence.kind_named("case").entity_table == "shopping_mall_support_cases"
    assert presence.kind_named("refund").permission == Permission.REFUNDS_VIEW
    assert presence.kind_named("review").permission == Permission.MODERATION_ACCESS
    with pytest.raises(NotFound):
        presence.kind_named("order")


def test_records_are_found_by_the_kinds_key(session, case):
    assert presence.find_record(session, presence.kind_named("case"), case.id) == case.id
    schedule = build(session, JobSchedule, job_name="refresh-ratings")
    job = presence.kind_named("job")
    assert presence.find_record(session, job, "refresh-ratings") == schedule.id
    with pytest.raises(NotFound):
        presence.find_record(session, job, schedule.id)
    with pytest.raises(NotFound):
        presence.find_record(session, presence.kind_named("case"), "no-such-case")


def test_more_kinds_can_be_registered(session, monkeypatch):
    monkeypatch.setattr(presence, "KINDS", dict(presence.KINDS))
    kind = presence.register_kind("customer", User, Permission.CUSTOMERS_VIEW, key="email")
    assert presence.kind_named("customer") is kind
    user = build(session, User, email="ana@example.test")
    assert presence.find_record(session, kind, "ana@example.test") == user.id


def test_looking_in_pings_and_answers_the_others_if_the_kind_is_allowed(session, case, mina, jo):
    allowed = frozenset({Permission.CASES_VIEW})

    def look(actor, **typing):
        others = presence.look_in(session, "case", case.id, actor=actor, permissions=allowed,
                                  **typing)  # fmt: skip
        return [(v.name, v.typing) for v in others]

    assert look(jo, typing=True) == []
    assert look(mina) == [("jo", True)]
    assert look(jo) == [("Mina K.", False)]
    with pytest.raises(Forbidden):
        presence.look_in(session, "case", case.id, actor=mina, permissions=frozenset())
    with pytest.raises(NotFound):
        presence.look_in(session, "case", "no-such-case", actor=mina, permissions=allowed)
