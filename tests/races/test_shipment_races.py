"""Two operations managers changing one shipment (or one carrier) at once, on PostgreSQL with
real parallel connections: the row lock makes them take turns, the version each saw makes the
second a stale write (409) instead of a change over the first one's."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import AuditEvent, Carrier, Shipment
from mallconsole.services.fulfilment import carriers, shipments
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff
from tests.factories.shipments import make_carrier, make_shipment
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]


@pytest.fixture
def managers(race_app):
    with race_app.app_context(), Session(db.engine) as session:
        suffix = time.monotonic_ns()
        people = [
            make_staff(session, f"ops{n}-{suffix}@races.test", (Role.OPERATIONS_MANAGER,))
            for n in range(2)
        ]
        session.commit()
        return [SimpleNamespace(id=p.id) for p in people]


def committed(app, make):
    with app.app_context(), Session(db.engine) as session:
        record = make(session)
        session.commit()
        return record.id


def audited(app, table, record_id) -> int:
    with app.app_context(), Session(db.engine) as session:
        return session.scalar(
            select(func.count()).where(
                AuditEvent.entity_table == table, AuditEvent.entity_id == record_id
            )
        )


def test_two_managers_correcting_one_shipment_at_once(race_app, managers):
    targets = ("out_for_delivery", "exception")

    def correct(i, shipment_id):
        with race_app.app_context(), Session(db.engine) as session:
            done = shipments.correct_status(
                session, shipment_id, target=targets[i], reason=f"Manager {i} checked",
                actor=managers[i], expected_version=1,
            )  # fmt: skip
            session.commit()
            return done.shipment.status

    for _ in range(5):
        shipment_id = committed(race_app, lambda s: make_shipment(s, status="in_transit"))
        results = in_threads(2, lambda i, sid=shipment_id: correct(i, sid))
        won = [r for r in results if isinstance(r, str)]
        stale = [r for r in results if isinstance(r, StaleRecord)]
        assert len(won) == 1 and len(stale) == 1, results
        assert stale[0].status == 409 and stale[0].current_version == 2
        assert [c.value for c in stale[0].changes] == [won[0]]  # what the winner changed
        with race_app.app_context(), Session(db.engine) as session:
            shipment = session.get(Shipment, shipment_id)
            assert (shipment.status, shipment.version) == (won[0], 2)
        assert audited(race_app, shipments.TABLE, shipment_id) == 1


def test_an_event_and_a_correction_at_once(race_app, managers):
    def act(i, shipment_id):
        with race_app.app_context(), Session(db.engine) as session:
            if i == 0:
                done = shipments.record_event(
                    session, shipment_id, event="delivery_attempted", location=None,
                    description="Nobody home", customer_visible=True, actor=managers[0],
                    expected_version=1,
                )  # fmt: skip
            else:
                done = shipments.correct_status(
                    session, shipment_id, target="exception", reason="Damaged at the hub",
                    actor=managers[1], expected_version=1,
                )  # fmt: skip
            session.commit()
            return done.shipment.status

    for _ in range(5):
        shipment_id = committed(race_app, lambda s: make_shipment(s, status="out_for_delivery"))
        results = in_threads(2, lambda i, sid=shipment_id: act(i, sid))
        assert sum(isinstance(r, str) for r in results) == 1, results
        assert sum(isinstance(r, StaleRecord) for r in results) == 1, results
        assert audited(race_app, shipments.TABLE, shipment_id) == 1


def test_two_managers_deactivating_and_editing_one_carrier_at_once(race_app, managers):
    def act(i, carrier_id, code):
        with race_app.app_context(), Session(db.engine) as session:
            if i == 0:
                carriers.set_active(session, carrier_id, False, reason="Contract ended",
                                    expected_version=1, actor=managers[0])  # fmt: skip
            else:
                carriers.edit_carrier(session, carrier_id, code=code, name=f"Renamed {code}",
                                      template=None, phone=None, expected_version=1,
                                      actor=managers[1])  # fmt: skip
            session.commit()
            return i

    for _ in range(3):
        carrier_id = committed(race_app, make_carrier)
        with race_app.app_context(), Session(db.engine) as session:
            code = session.get(Carrier, carrier_id).code
        results = in_threads(2, lambda i, cid=carrier_id, c=code: act(i, cid, c))
        assert sum(isinstance(r, int) for r in results) == 1, results
        assert sum(isinstance(r, StaleRecord) for r in results) == 1, results
        with race_app.app_context(), Session(db.engine) as session:
            assert session.get(Carrier, carrier_id).version == 2
