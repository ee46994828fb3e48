"""Customer 360's read service: masking, the sections, the audited reveal."""

import pytest
from sqlalchemy import select

from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.models import AuditEvent
from mallconsole.services.customers import customer_view
from tests.factories.actors import make_staff
from tests.support.customer_world import add_history, add_orders, make_customer


@pytest.mark.parametrize(
    ("email", "masked"),
    [("jane.doe@example.com", "j***@example.com"), ("x@y.test", "x***@y.test"),
     (None, "—"), ("broken", "***")],
)  # fmt: skip
def test_emails_show_their_first_letter_and_domain(email, masked):
    assert customer_view.mask_email(email) == masked


def test_phones_show_only_their_last_four_digits():
    assert customer_view.mask_phone("+1-555-234-5678") == "•••• 5678"
    assert customer_view.mask_phone("1234") == "••••"
    assert customer_view.mask_phone(None) == "—"


def test_the_profile_has_every_section(session):
    user, role, address = make_customer(session)
    add_history(session, user, role, count=3)
    profile = customer_view.load(session, user.id)
    assert profile.masked_email == "t***@customers.test"
    assert profile.masked_phone == "•••• 5678"
    assert [a.city for a in profile.addresses] == ["Portland"]
    assert [c.scope for c in profile.consents] == ["marketing_email"]
    assert len(profile.security_events) == 3
    assert [b.balance for b in profile.balances] == [25]
    assert len(profile.balance_records) == 3
    assert profile.currency_of(profile.balance_records[0]) == "USD"
    assert len(profile.coupons) == 3 and len(profile.redemptions) == 3
    assert len(profile.reviews) == 3 and len(profile.cases) == 3
    # newest first
    times = [e.occurred_at for e in profile.security_events]
    assert times == sorted(times, reverse=True)


def test_staff_and_unknown_ids_are_not_customers(session):
    staff = make_staff(session, "agent@test.mall")
    for missing in (staff.id, "no-such-id"):
        with pytest.raises(NotFound):
            customer_view.load(session, missing)


def test_the_orders_list_pages_newest_first(session, app):
    from mallconsole.services.kit.pagination import parse_ordering

    user, _role, address = make_customer(session)
    orders = add_orders(session, user, address, 5)
    ordering = parse_ordering(
        "-placed", customer_view.ORDER_SORTS, "-placed", customer_view.ORDER_ID
    )
    with app.test_request_context():
        page = customer_view.order_page(session, user.id, ordering, cursor=None, limit=3)
    assert [o.id for o in page.rows] == [o.id for o in reversed(orders)][:3]
    assert page.next_cursor is not None
    assert customer_view.count_orders(session, user.id).value == 5
    assert customer_view.count_orders(session, user.id, status="canceled").value == 0


def test_reveal_shows_the_details_and_audits_the_reason(session):
    agent = make_staff(session, "agent@test.mall")
    user, _role, _address = make_customer(session)
    revealed = customer_view.reveal(
        session, user.id, reason="  Customer on the phone asked  ", actor=agent
    )
    assert revealed.email == "tariq.torres@customers.test"
    assert revealed.phone == "+1-555-234-5678"
    assert "12 Secret Lane" in revealed.addresses[0][1]
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == user.id)).all()
    assert event.action == "customer_contact_revealed"
    assert event.reason == "Customer on the phone asked"
    assert event.actor_user_id == agent.id
    assert event.entity_table == "shopping_mall_users"


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 501])
def test_reveal_needs_a_reason_and_keeps_nothing_without_one(session, reason):
    agent = make_staff(session, "agent@test.mall")
    user, _role, _address = make_customer(session)
    with pytest.raises(ValidationError) as refused:
        customer_view.reveal(session, user.id, reason=reason, actor=agent)
    assert "reason" in refused.value.field_errors
    assert session.scalars(select(AuditEvent).where(AuditEvent.entity_id == user.id)).all() == []


def test_reveal_of_a_non_customer_is_not_found(session):
    agent = make_staff(session, "agent@test.mall")
    with pytest.raises(NotFound):
        customer_view.reveal(session, agent.id, reason="Checking", actor=agent)
