"""Stale writes: what changed since the version an edit was based on, and only that."""

import pytest

from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import JobSchedule
from mallconsole.services.kit import versions
from tests.factories.actors import make_staff

TABLE = "shopping_mall_job_schedules"


@pytest.fixture
def schedule(session):
    row = JobSchedule(job_name="versions-probe", paused=False)
    session.add(row)
    session.flush()
    return row


def edit(session, row, expected, actor, **changes):
    return versions.apply_edit(
        session, row, expected_version=expected, changes=changes, actor=actor,
        entity_table=TABLE, action="job_paused", labels={"paused": "Paused"},
    )  # fmt: skip


def test_only_changes_after_the_version_seen_are_listed_with_their_newest_value(session, schedule):
    ana = make_staff(session, "ana@versions.test", [Role.SYSTEM_ADMIN])
    bo = make_staff(session, "bo@versions.test", [Role.SYSTEM_ADMIN])
    edit(session, schedule, 1, ana, paused=True, pause_reason="First")  # → version 2
    edit(session, schedule, 2, bo, pause_reason="Second")  # → version 3
    edit(session, schedule, 3, None, pause_reason="Third")  # → version 4, by the system
    # someone who opened version 2 sees what versions 3 and 4 changed, newest value first
    changes = versions.changes_since(session, TABLE, schedule.id, 2, {"paused": "Paused"})
    assert [(c.field, c.value, c.by) for c in changes] == [("pause_reason", "Third", None)]
    assert changes[0].label == "Pause reason"  # no label given: the field in words
    # someone who opened version 1 also sees version 2's change of "paused", by Ana
    since_one = {c.field: c for c in versions.changes_since(session, TABLE, schedule.id, 1)}
    assert since_one["paused"].value is True and since_one["paused"].by.email == "ana@versions.test"
    assert since_one["pause_reason"].value == "Third"
    assert versions.changes_since(session, TABLE, schedule.id, 4) == []


def test_an_edit_that_changes_nothing_writes_nothing(session, schedule):
    assert edit(session, schedule, 1, None, paused=False) is None
    assert schedule.version == 1


def test_a_stale_edit_changes_nothing(session, schedule):
    edit(session, schedule, 1, None, paused=True)
    with pytest.raises(versions.StaleRecord) as stale:
        edit(session, schedule, 1, None, paused=False, pause_reason="Mine")
    assert stale.value.current_version == 2 and stale.value.message.startswith("Someone else")
    assert (schedule.paused, schedule.pause_reason, schedule.version) == (True, None, 2)


@pytest.mark.parametrize("raw", ["", "two", None, "0", "-3", "1.5"])
def test_a_garbled_version_is_a_422(raw):
    with pytest.raises(ValidationError):
        versions.read_version(raw)


def test_a_version_is_read_from_the_form():
    assert versions.read_version(" 7 ") == 7


def test_lock_refuses_a_missing_or_deleted_record(session, schedule):
    from mallconsole.core.errors import NotFound
    from mallconsole.models import RiskRule, utcnow
    from tests.factories.records import build

    assert versions.lock(session, JobSchedule, schedule.id) is schedule
    with pytest.raises(NotFound):
        versions.lock(session, JobSchedule, "00000000-0000-0000-0000-000000000000")
    gone = build(session, RiskRule, deleted_at=utcnow())
    with pytest.raises(NotFound):
        versions.lock(session, RiskRule, gone.id)
