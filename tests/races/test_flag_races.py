"""Races on PostgreSQL with real parallel connections: feature flags and configuration.

Many admins toggling one flag from the same version: one wins, the others get 409; two asking
for approval of one sensitive flag: one request; many setting one new key or creating one flag
code: one row, the others a clear refusal.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import AdminAction, AuditEvent, Configuration, FeatureFlag
from mallconsole.services.admin import configuration, flags
from mallconsole.services.kit import versions
from tests.factories.actors import make_staff
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]
THREADS = 8


def _admins(engine, prefix, count=THREADS):
    with Session(engine) as setup:
        ids = [
            make_staff(setup, f"{prefix}-{n}@race.test", (Role.SYSTEM_ADMIN,)).id
            for n in range(count)
        ]
        setup.commit()
    return ids


def _flag(engine, code, admin_id, **values):
    with Session(engine) as setup:
        actor = _as(setup, admin_id)
        flag = flags.create(
            setup, {"name": code, "enabled": True, **values}, actor=actor, code=code
        )
        setup.commit()
        return flag.id


def _as(session, user_id):
    from mallconsole.models import User

    return session.get(User, user_id)


def test_many_toggles_of_one_version_one_wins(race_app):
    with race_app.app_context():
        engine = db.engine
        admins = _admins(engine, "toggle")
        flag_id = _flag(engine, "race.toggle", admins[0])

        def toggle(i):
            with Session(engine) as session:
                flags.toggle(
                    session, "race.toggle", expected_version=1, actor=_as(session, admins[i])
                )
                session.commit()
                return i

        outcomes = in_threads(THREADS, toggle)
        winners = [o for o in outcomes if isinstance(o, int)]
        stale = [o for o in outcomes if isinstance(o, versions.StaleRecord)]
        assert len(winners) == 1 and len(stale) == THREADS - 1, outcomes
        with Session(engine) as check:
            flag = check.get(FeatureFlag, flag_id)
            assert flag.enabled is False and flag.version == 2
            events = check.scalar(
                select(func.count()).where(
                    AuditEvent.entity_id == flag_id, AuditEvent.action == "flag.updated"
                )
            )
            assert events == 1


def test_two_requests_for_one_sensitive_flag_make_one(race_app):
    with race_app.app_context():
        engine = db.engine
        admins = _admins(engine, "sensitive", 2)
        flag_id = _flag(engine, "race.sensitive", admins[0], sensitive=True)

        def ask(i):
            with Session(engine) as session:
                flags.change(
                    session, "race.sensitive", {"rollout_percentage": 10 + i},
                    expected_version=1, actor=_as(session, admins[i]), justification=f"ask {i}",
                )  # fmt: skip
                session.commit()
                return i

        outcomes = in_threads(2, ask)
        assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
        with Session(engine) as check:
            open_ones = check.scalar(
                select(func.count()).where(
                    AdminAction.target_entity_id == flag_id, AdminAction.status == "pending"
                )
            )
            assert open_ones == 1
            assert check.get(FeatureFlag, flag_id).rollout_percentage is None


def test_many_set_one_new_key_one_row(race_app):
    with race_app.app_context():
        engine = db.engine
        admins = _admins(engine, "setting")
        key = states.SHIPMENT_STALE_EVENT_DAYS

        def save(i):
            with Session(engine) as session:
                configuration.change(session, key, str(3 + i), actor=_as(session, admins[i]))
                session.commit()
                return i

        outcomes = in_threads(THREADS, save)
        winners = [o for o in outcomes if isinstance(o, int)]
        refused = [o for o in outcomes if isinstance(o, Conflict)]
        assert len(winners) == 1 and len(refused) == THREADS - 1, outcomes
        with Session(engine) as check:
            rows = check.scalars(select(Configuration).where(Configuration.key == key)).all()
            assert [r.value for r in rows] == [str(3 + winners[0])]


def test_many_create_one_flag_code_one_flag(race_app):
    with race_app.app_context():
        engine = db.engine
        admins = _admins(engine, "creator")

        def create(i):
            with Session(engine) as session:
                flags.create(
                    session, {"name": f"Try {i}", "enabled": False},
                    actor=_as(session, admins[i]), code="race.created",
                )  # fmt: skip
                session.commit()
                return i

        outcomes = in_threads(THREADS, create)
        assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, ValidationError) for o in outcomes) == THREADS - 1, outcomes
        with Session(engine) as check:
            assert check.scalar(select(func.count()).where(FeatureFlag.code == "race.created")) == 1
