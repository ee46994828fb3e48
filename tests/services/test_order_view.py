"""The order read model shared by the order screens: every section, by id or number, links."""

import pytest
from sqlalchemy import event

from mallconsole.core.errors import NotFound
from mallconsole.services.customers import order_view
from mallconsole.services.fulfilment import carriers
from tests.support.customer_world import add_order_details, add_orders, make_customer


@pytest.fixture
def order(session):
    user, _role, address = make_customer(session)
    (order,) = add_orders(session, user, address, 1)
    add_order_details(session, order, count=2)
    return order


def test_every_section_is_read(session, order):
    view = order_view.load(session, order.id)
    assert view.order.id == order.id and view.customer.name == "Tariq Torres"
    assert [i.line_position for i in view.items] == [1, 2]
    assert view.items[0].option_summary == "Colour: teal, Size: M"
    assert [h.step.status for h in view.history] == ["pending_payment", "confirmed"]
    assert len(view.seller_orders) == 1
    assert len(view.payment.authorizations) == 2
    assert len(view.payment.captures) == 2 and len(view.payment.refunds) == 2
    assert len(view.shipments) == 2
    assert [e.canonical_event for e in view.shipments[0].events] == ["picked_up"]
    assert view.shipments[0].carrier_name == "UPS"
    assert view.shipments[0].tracking_link == "https://www.ups.com/track?tracknum=1Z00000000"
    assert [(r.kind, r.status) for r in view.requests] == [
        ("refund", "pending_second_approval")
    ] * 2
    assert len(view.cases) == 2
    assert view.item_count() == 2


def test_an_order_is_found_by_its_number_too(session, order):
    assert order_view.load(session, order.order_number.lower()).order.id == order.id


def test_an_unknown_order_is_not_found(session):
    with pytest.raises(NotFound):
        order_view.load(session, "ORD-19990101-000001")


@pytest.mark.parametrize(
    ("url", "safe"),
    [("https://t.example/track?n=1", "https://t.example/track?n=1"),
     ("http://t.example/x", "http://t.example/x"), ("javascript:alert(1)", None),
     ("  JavaScript:alert(1)", None), ("data:text/html,hi", None), ("", None), (None, None),
     ("//evil.example/x", None)],
)  # fmt: skip
def test_only_web_addresses_become_tracking_links(url, safe):
    assert carriers.safe_link(url) == safe


def statements_of(session, action) -> list[str]:
    """The SQL statements ``action()`` runs on the test session's connection."""
    connection = session.connection()
    seen: list[str] = []

    def collect(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", collect)
    try:
        action()
    finally:
        event.remove(connection, "before_cursor_execute", collect)
    return seen


def test_the_order_costs_the_same_queries_for_2_or_20_of_everything(session):
    user, _role, address = make_customer(session)
    small, large = add_orders(session, user, address, 2)
    add_order_details(session, small, count=2)
    add_order_details(session, large, count=20)
    small_id, large_id = small.id, large.id
    session.expire_all()
    few = statements_of(session, lambda: order_view.load(session, small_id))
    session.expire_all()
    many = statements_of(session, lambda: order_view.load(session, large_id))
    assert len(few) == len(many) <= 16, many
