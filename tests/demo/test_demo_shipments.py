"""The seeded shipments and carriers are real work for the operations screens: the exceptions
queue holds a shipment for each of its reasons, each of which ops@demo.mall can work under the
shipment machine (tried in a transaction that is rolled back), and a carrier deactivated a
while ago keeps its shipments."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.models import AuditEvent, Carrier, Shipment, User
from mallconsole.services.fulfilment import carriers, shipments
from mallconsole.services.kit.pagination import parse_ordering


def exceptions_queue(session):
    sort = shipments.DEFAULT_SORTS["exceptions"]
    ordering = parse_ordering(sort, shipments.SHIPMENT_SORTS, sort, shipments.SHIPMENT_ID)
    return shipments.shipment_page(session, "exceptions", {}, ordering, cursor=None, limit=100).rows


def test_every_reason_of_the_exceptions_queue_is_seeded_and_can_be_worked(seeded):
    app, *_ = seeded
    with app.app_context(), app.test_request_context(), Session(db.engine) as session:
        try:
            ops = session.scalar(select(User).where(User.email == "ops@demo.mall"))
            rows = exceptions_queue(session)
            reasons = {row.shipment.status for row in rows if row.shipment.status in
                       states.SHIPMENT_EXCEPTION_STATES}  # fmt: skip
            assert reasons == set(states.SHIPMENT_EXCEPTION_STATES)
            quiet = [r for r in rows if r.shipment.status in states.SHIPMENT_MOVING_STATES]
            assert quiet and all(r.why.startswith("No carrier event for ") for r in quiet)
            assert any(r.shipment.status == "in_transit" for r in quiet)
            for row in rows:
                shipment = row.shipment
                target = states.allowed_targets(states.SHIPMENT_MACHINE, shipment.status)[0]
                done = shipments.correct_status(
                    session, shipment.shipment_number, target=target,
                    reason="Checked with the carrier", actor=ops,
                    expected_version=shipment.version,
                )  # fmt: skip
                assert done.shipment.status == target
        finally:
            session.rollback()


def test_templates_name_tracking_number_and_links_quote_it(demo):
    with Session(bind=demo) as session:
        templates = session.scalars(select(Carrier.tracking_url_template)).all()
        assert templates and all(carriers.template_problem(t) is None for t in templates)
        rows = session.execute(
            select(Shipment.tracking_number, Shipment.tracking_url, Carrier.tracking_url_template)
            .join(Carrier, Carrier.id == Shipment.shopping_mall_carrier_id)
            .limit(200)
        ).all()
    assert rows
    for number, url, template in rows:
        assert url == template.replace(carriers.PLACEHOLDER, quote(number, safe=""))


def test_a_deactivated_carrier_keeps_its_shipments_and_says_why(demo):
    with Session(bind=demo) as session:
        (carrier,) = session.scalars(select(Carrier).where(Carrier.active.is_(False))).all()
        mine = select(Shipment.created_at).where(Shipment.shopping_mall_carrier_id == carrier.id)
        assert session.scalar(select(func.count()).select_from(mine.subquery())) > 0
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_table == carriers.TABLE, AuditEvent.entity_id == carrier.id
            )
        ).one()
        assert event.action == "carrier.deactivated" and event.reason
        assert event.changes["after"] == {"active": False, "version": carrier.version}
        # none of its shipments was made after it stopped taking them
        newest = session.scalar(select(func.max(Shipment.created_at)).where(
            Shipment.shopping_mall_carrier_id == carrier.id))  # fmt: skip
        assert newest is not None and carrier.updated_at == event.created_at
        assert session.scalar(mine.where(Shipment.created_at > event.created_at).limit(1)) is None
